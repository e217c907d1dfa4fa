"""Notices of missed deadlines: found set-based, written once per person and deadline, mailed.

`notify_deadlines()` runs from `manage.py notify_deadlines` (cron or the worker, every few
minutes). Each kind of deadline is one query over its indexed deadline column; the people to
tell are read once per run; the notices that already exist are skipped (and the unique
constraint makes a concurrent run harmless). After the commit, `mail_pending_notifications()`
mails each person the notices of theirs not mailed yet, exactly once in effect, one e-mail per
person, with case numbers and child codes only, never a name.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import RoleAssignment, User
from accounts.roles import ROLE_PERMISSIONS, Permission
from audit.actions import Action
from audit.services import record_event
from cases.choices import (
    OPEN_CASE_STATES,
    ClosureStatus,
    NotificationKind,
    PlanItemStatus,
    PlanStatus,
    ReferralStatus,
)
from cases.models import Case, CaseClosure, Notification, PlanItem, Referral
from cases.policy import APPROVAL_WINDOW
from core.tasks import enqueue_on_commit
from monitoring.choices import IdentificationStatus
from monitoring.models import Identification

# A plan item is announced this long before it ends, so that the case manager can act.
PLAN_ITEM_NOTICE = timedelta(days=7)
# Existing notices are looked up by subject id, this many ids per query.
LOOKUP_CHUNK = 900
# An e-mail lists at most this many notices; the page has the rest.
MAIL_LINES = 20
# A transaction holds its notices' row locks while its e-mails leave: a few people per
# transaction keeps "Mark read" on those notices from waiting long.
MAIL_PEOPLE_PER_TRANSACTION = 25

logger = logging.getLogger(__name__)

DESK = "desk"
CASE_MANAGER = "case_manager"
SUPERVISORS = "supervisors"


@dataclass(frozen=True)
class MissedDeadline:
    """One deadline of one record, and who must hear of it."""

    kind: str
    subject_id: int
    reference: str
    due_at: datetime
    case_id: int | None = None
    agency_id: int | None = None
    case_manager_id: int | None = None


def _end_of_day(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


# ---- What is late: one query per kind ---------------------------------------------------------


def _identifications(now: datetime) -> Iterator[MissedDeadline]:
    rows = Identification.objects.filter(
        status=IdentificationStatus.OPEN, deadline_at__lt=now
    ).values_list("id", "child__code", "deadline_at")
    for pk, code, due in rows.iterator(chunk_size=2000):
        yield MissedDeadline(NotificationKind.IDENTIFICATION_OVERDUE, pk, code, due)


def _referrals(now: datetime) -> Iterator[MissedDeadline]:
    rows = Referral.objects.filter(status=ReferralStatus.PENDING, deadline_at__lt=now).values_list(
        "id", "child__code", "deadline_at"
    )
    for pk, code, due in rows.iterator(chunk_size=2000):
        yield MissedDeadline(NotificationKind.REFERRAL_OVERDUE, pk, code, due)


def _case_steps(now: datetime) -> Iterator[MissedDeadline]:
    """Steps past due, except a plan waiting for approval: that one is the supervisor's."""
    rows = (
        Case.objects.filter(state__in=OPEN_CASE_STATES, step_due_at__lt=now)
        .exclude(plan__status=PlanStatus.AWAITING_APPROVAL)
        .values_list("id", "number", "step_due_at", "agency_id", "case_manager_id")
    )
    for pk, number, due, agency, manager in rows.iterator(chunk_size=2000):
        # The filter leaves no NULL deadline; the cast says so to the type checker.
        yield MissedDeadline(
            NotificationKind.STEP_OVERDUE, pk, number, cast("datetime", due), pk, agency, manager
        )


def _follow_ups(now: datetime) -> Iterator[MissedDeadline]:
    rows = Case.objects.filter(
        state__in=OPEN_CASE_STATES, next_follow_up_due_on__lt=timezone.localdate(now)
    ).values_list("id", "number", "next_follow_up_due_on", "agency_id", "case_manager_id")
    for pk, number, day, agency, manager in rows.iterator(chunk_size=2000):
        yield MissedDeadline(
            NotificationKind.FOLLOW_UP_OVERDUE, pk, number, _end_of_day(day), pk, agency, manager
        )


def _plan_items(now: datetime) -> Iterator[MissedDeadline]:
    """Supports still planned or under way that end within a week (or ended undone)."""
    rows = PlanItem.objects.filter(
        status__in=[PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS],
        ends_on__lte=timezone.localdate(now) + PLAN_ITEM_NOTICE,
        plan__case__state__in=OPEN_CASE_STATES,
    ).values_list(
        "id",
        "plan__case__number",
        "ends_on",
        "plan__case_id",
        "plan__case__agency_id",
        "plan__case__case_manager_id",
    )
    for pk, number, day, case, agency, manager in rows.iterator(chunk_size=2000):
        yield MissedDeadline(
            NotificationKind.PLAN_ITEM_ENDING, pk, number, _end_of_day(day), case, agency, manager
        )


def _plan_approvals(now: datetime) -> Iterator[MissedDeadline]:
    """Plans past their approval window (`step_due_at` runs it while a plan waits)."""
    rows = Case.objects.filter(
        state__in=OPEN_CASE_STATES,
        plan__status=PlanStatus.AWAITING_APPROVAL,
        step_due_at__lt=now,
    ).values_list("id", "number", "step_due_at", "agency_id")
    for pk, number, due, agency in rows.iterator(chunk_size=2000):
        yield MissedDeadline(
            NotificationKind.PLAN_APPROVAL_OVERDUE,
            pk,
            number,
            cast("datetime", due),
            pk,
            agency_id=agency,
        )


def _closure_approvals(now: datetime) -> Iterator[MissedDeadline]:
    rows = CaseClosure.objects.filter(
        status=ClosureStatus.PENDING, requested_at__lt=now - APPROVAL_WINDOW
    ).values_list("id", "case__number", "requested_at", "case_id", "case__agency_id")
    for pk, number, requested, case, agency in rows.iterator(chunk_size=2000):
        yield MissedDeadline(
            NotificationKind.CLOSURE_APPROVAL_OVERDUE,
            pk,
            number,
            requested + APPROVAL_WINDOW,
            case,
            agency_id=agency,
        )


FINDERS = (
    (_identifications, DESK),
    (_referrals, DESK),
    (_case_steps, CASE_MANAGER),
    (_follow_ups, CASE_MANAGER),
    (_plan_items, CASE_MANAGER),
    (_plan_approvals, SUPERVISORS),
    (_closure_approvals, SUPERVISORS),
)


# ---- Who is told ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Everyone who may be told, read once per run."""

    desk: tuple[int, ...]
    case_staff: frozenset[tuple[int, int]]  # (user, agency) holding case:read there
    supervisors: dict[int, tuple[int, ...]]  # agency → users holding case:approve there


def _roles_with(permission: Permission) -> list[str]:
    return [role.value for role, granted in ROLE_PERMISSIONS.items() if permission in granted]


def _audience(now: datetime) -> Audience:
    """Active people in active organisations, by the roles that carry each right."""
    today = timezone.localdate(now)
    active = (
        RoleAssignment.objects.filter(
            starts_on__lte=today, organisation__is_active=True, user__is_active=True
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("user_id", "organisation_id", "role")
    )
    desk_roles = set(_roles_with(Permission.REFERRAL_MANAGE))
    case_roles = set(_roles_with(Permission.CASE_READ)) - desk_roles
    approve_roles = set(_roles_with(Permission.CASE_APPROVE))
    desk: set[int] = set()
    case_staff: set[tuple[int, int]] = set()
    supervisors: dict[int, set[int]] = defaultdict(set)
    for user, organisation, role in active:
        if role in desk_roles:
            desk.add(user)
        if role in case_roles:
            case_staff.add((user, organisation))
        if role in approve_roles:
            supervisors[organisation].add(user)
    return Audience(
        desk=tuple(sorted(desk)),
        case_staff=frozenset(case_staff),
        supervisors={agency: tuple(sorted(users)) for agency, users in supervisors.items()},
    )


def _recipients(missed: MissedDeadline, audience: str, people: Audience) -> Sequence[int]:
    if audience == DESK:
        return people.desk
    supervisors = people.supervisors.get(missed.agency_id or 0, ())
    if audience == CASE_MANAGER:
        # A case manager who left the agency is not told; the supervisors are, so that the
        # missed step of a case nobody holds reaches someone who can reassign it.
        holder = (missed.case_manager_id or 0, missed.agency_id or 0)
        return (holder[0],) if holder in people.case_staff else supervisors
    return supervisors


# ---- Writing them -----------------------------------------------------------------------------


def _existing(kind: str, subject_ids: Sequence[int]) -> set[tuple[int, int, datetime]]:
    keys: set[tuple[int, int, datetime]] = set()
    for start in range(0, len(subject_ids), LOOKUP_CHUNK):
        keys.update(
            Notification.objects.filter(
                kind=kind, subject_id__in=subject_ids[start : start + LOOKUP_CHUNK]
            ).values_list("recipient_id", "subject_id", "due_at")
        )
    return keys


def _new_notices(
    missed: Iterable[MissedDeadline],
    audience: str,
    people: Audience,
    now: datetime,
    *,
    mail: bool,
) -> list[Notification]:
    found = list(missed)
    if not found:
        return []
    existing = _existing(found[0].kind, sorted({item.subject_id for item in found}))
    notices = []
    for item in found:
        for recipient in _recipients(item, audience, people):
            if (recipient, item.subject_id, item.due_at) in existing:
                continue
            notices.append(
                Notification(
                    recipient_id=recipient,
                    kind=item.kind,
                    subject_id=item.subject_id,
                    reference=item.reference,
                    case_id=item.case_id,
                    due_at=item.due_at,
                    created_at=now,
                    mail_pending=mail,
                )
            )
    return notices


@transaction.atomic
def notify_deadlines(*, now: datetime | None = None, mail: bool = True) -> Counter[str]:
    """Write a notice for every missed deadline not told yet, and mail them after the commit.

    Safe to run as often as wanted: a deadline already told to a person is skipped, and the
    unique constraint drops what a concurrent run wrote first. Returns the count per kind.
    `mail=False` writes the notices only, never to be mailed (the demo, whose people have no
    real address).
    """
    moment = now or timezone.now()
    people = _audience(moment)
    created: Counter[str] = Counter()
    for finder, audience in FINDERS:
        notices = _new_notices(finder(moment), audience, people, moment, mail=mail)
        Notification.objects.bulk_create(notices, batch_size=2000, ignore_conflicts=True)
        for notice in notices:
            created[notice.kind] += 1
    if created:
        record_event(
            actor=None,
            action=Action.NOTIFICATION_SEND,
            subject_type="cases.notification",
            changes={"created": dict(created)},
        )
    if mail:
        # Every run, even one that wrote nothing: the notices a failed send left wait for it.
        enqueue_on_commit(mail_pending_notifications)
    return created


def mail_pending_notifications(*, now: datetime | None = None) -> int:
    """Mail every person the notices of theirs not mailed yet, in one e-mail (a worker job).

    Exactly once in effect: a group of people's pending notices is claimed (row locks that
    another worker skips), mailed and marked in one transaction, so a notice is either mailed
    and marked or left pending for the next run. A failed send leaves that person's notices
    pending and the others go on. The one double left: mails sent whose commit is then lost.
    Returns the number of e-mails sent.
    """
    moment = now or timezone.now()
    _settle_unmailable()
    waiting = Notification.objects.filter(mail_pending=True).values("recipient_id")
    people = list(
        User.objects.filter(pk__in=waiting)
        .order_by("pk")
        .values_list("pk", "email", "preferred_language")
    )
    if not people:
        return 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception:  # whatever the mail server or the network says: every notice waits
        logger.warning("Deadline e-mails not sent: no mail connection.", exc_info=True)
        return 0
    sent = 0
    try:
        for start in range(0, len(people), MAIL_PEOPLE_PER_TRANSACTION):
            group = people[start : start + MAIL_PEOPLE_PER_TRANSACTION]
            sent += _mail_group(group, moment, connection)
    finally:
        connection.close()
    return sent


def mail_new_notifications(*, created_at: str = "") -> int:
    """The job's former name, kept for jobs queued before an upgrade: mails what is pending."""
    return mail_pending_notifications()


@transaction.atomic
def _settle_unmailable() -> int:
    """Take out of the queue the notices of people without an address or no longer active.

    Their notices stay on their page, which is where they were always shown; mailing them
    later (an address added months on) would send stale deadlines in bulk, and leaving them
    pending would grow the queue with notices no run can mail.
    """
    unmailable = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(mail_pending=True)
        .filter(Q(recipient__is_active=False) | Q(recipient__email=""))
    )
    return Notification.objects.filter(pk__in=unmailable.values("pk")).update(mail_pending=False)


@transaction.atomic
def _mail_group(people: Sequence[tuple[int, str, str]], moment: datetime, connection: Any) -> int:
    """Claim, mail and mark the pending notices of a few people; a fixed number of queries.

    The claim stamps the notices' `mailed_at` with the job's time (in this transaction only,
    unseen by others), so that the mail's lines, the counts and the marks are all read by that
    stamp, with no list of notice ids: a person's backlog of thousands costs no more queries.
    """
    claimable = Notification.objects.select_for_update(skip_locked=True).filter(
        mail_pending=True, recipient_id__in=[pk for pk, _email, _language in people]
    )
    if not Notification.objects.filter(pk__in=claimable.values("pk")).update(mailed_at=moment):
        return 0  # another worker holds them all
    claimed = Notification.objects.filter(mailed_at=moment, mail_pending=True)
    by_person = F("recipient_id")
    first_lines = (
        claimed.annotate(
            line=Window(RowNumber(), partition_by=[by_person], order_by=[F("due_at"), F("pk")]),
            total=Window(Count("pk"), partition_by=[by_person]),
        )
        .filter(line__lte=MAIL_LINES)
        .order_by("recipient_id", "due_at", "pk")
    )
    lines: dict[int, list[Notification]] = defaultdict(list)
    totals: dict[int, int] = {}
    for notice in first_lines:
        lines[notice.recipient_id].append(notice)
        totals[notice.recipient_id] = notice.total
    mailed = []
    for pk, email, language in people:
        if pk not in lines:
            continue  # claimed by another worker
        message = _mail_for(email, language, lines[pk], totals[pk])
        try:
            delivered = connection.send_messages([message])
        except Exception:  # one person's failure must not keep the others' mail back
            delivered = 0
            logger.warning("Deadline e-mail to user %s failed.", pk, exc_info=True)
        if delivered:
            mailed.append(pk)
    if mailed:
        claimed.filter(recipient_id__in=mailed).update(mail_pending=False)
    if len(mailed) < len(lines):
        # The people not mailed: their notices go back to the queue for the next run.
        claimed.update(mailed_at=None)
    return len(mailed)


def _mail_for(email: str, language: str, notices: list[Notification], total: int) -> EmailMessage:
    base = settings.KINGA_BASE_URL.rstrip("/")
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = ngettext(
            "Kinga: %(count)d missed deadline", "Kinga: %(count)d missed deadlines", total
        ) % {"count": total}
        lines = [
            _("%(what)s: %(reference)s (due %(due)s) %(link)s")
            % {
                "what": NotificationKind(notice.kind).label,
                "reference": notice.reference,
                "due": timezone.localtime(notice.due_at).strftime("%Y-%m-%d %H:%M"),
                "link": base + notice.get_absolute_url(),
            }
            for notice in notices
        ]
        if total > len(notices):
            lines.append(
                _("…and %(count)d more on the notifications page.")
                % {"count": total - len(notices)}
            )
        body = "\n".join(
            [
                _("These deadlines were missed or are near:"),
                "",
                *lines,
                "",
                _("All your notifications: %(link)s")
                % {"link": base + reverse("cases:notifications")},
            ]
        )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


@transaction.atomic
def notification_mark_read(
    *, actor: Any, notification_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Mark the actor's own notices read (all of them when no ids are given).

    Reading a notice changes nothing of the case, so it is not audited; only the person's own
    rows can be touched, whatever ids are sent.
    """
    queryset = Notification.objects.filter(recipient_id=getattr(actor, "pk", None), unread=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(unread=False, read_at=now or timezone.now())
