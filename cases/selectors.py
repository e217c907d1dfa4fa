"""Reads for case pages, the API and dashboards, always on top of access/cases.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from access.cases import cases_visible_to, referrals_visible_to, transfer_summaries_visible_to
from accounts.models import Organisation, OrganisationType, RoleAssignment, User
from accounts.roles import Role
from cases.choices import (
    OPEN_CASE_STATES,
    CaseState,
    ClosureStatus,
    PlanItemStatus,
    PlanStatus,
    ReferralStatus,
)
from cases.models import (
    Assessment,
    Case,
    CaseAttachment,
    CaseClosure,
    CaseEvent,
    CaseTransfer,
    FollowUp,
    PlanItem,
    Referral,
    RemediationPlan,
)
from cases.notification_selectors import unread_count
from core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page
from geo.models import Area
from monitoring.choices import ConsentKind, ConsentPurpose
from monitoring.models import Consent


@dataclass(frozen=True)
class CaseFilters:
    """What the case list and the API filter on; every filter narrows what the user may see."""

    search: str = ""
    state: str = ""
    urgency: str = ""
    overdue: bool = False
    sponsor_id: int | None = None
    agency_id: int | None = None
    area: Area | None = None
    mine: bool = False
    sort: str = "newest"  # or "due": what is due next first (open cases only)


CASE_SORTS = {"newest": ("-id",), "due": ("due_at", "id")}
# What a row of the case list shows (page and API): the case and the names of its child's code,
# community, agency, case manager and sponsor. Everything else of the joined rows stays unread,
# above all the child's and the household's encrypted names, which the list never shows and
# which would each cost a decryption per row.
CASE_LIST_COLUMNS = (
    *(field.name for field in Case._meta.concrete_fields),
    "child__code",
    "child__household__area__code",
    "child__household__area__name",
    "child__area__code",  # a child met without a household: the community where met
    "child__area__name",
    "agency__name",
    "case_manager__full_name",
    "case_manager__username",
    "sponsor__name",
)


def case_page(
    user: Any,
    filters: CaseFilters,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    now: datetime | None = None,
) -> Page[Case]:
    """One keyset page of the cases the user may see, newest first or most due first."""
    queryset = (
        cases_visible_to(user)
        .select_related(
            "child__household__area", "child__area", "agency", "case_manager", "sponsor"
        )
        .only(*CASE_LIST_COLUMNS)
    )
    if search := filters.search.strip():
        queryset = queryset.filter(Q(number__iexact=search) | Q(child__code__iexact=search))
    if filters.state in CaseState.values:
        queryset = queryset.filter(state=filters.state)
    elif filters.state == "open":
        queryset = queryset.filter(state__in=OPEN_CASE_STATES)
    if filters.urgency:
        queryset = queryset.filter(urgency=filters.urgency)
    if filters.overdue:
        queryset = queryset.filter(due_at__lt=now or timezone.now())
    if filters.sponsor_id is not None:
        queryset = queryset.filter(sponsor_id=filters.sponsor_id)
    if filters.agency_id is not None:
        queryset = queryset.filter(agency_id=filters.agency_id)
    if filters.area is not None:
        queryset = queryset.filter(
            Q(child__household__area__path__startswith=filters.area.path)
            | Q(child__household__isnull=True, child__area__path__startswith=filters.area.path)
        )
    if filters.mine:
        queryset = queryset.filter(case_manager_id=getattr(user, "pk", None))
    order = CASE_SORTS.get(filters.sort, CASE_SORTS["newest"])
    if order[0] == "due_at":
        queryset = queryset.filter(due_at__isnull=False)
    return keyset_page(queryset, order=list(order), cursor=cursor, size=limit)


def case_list(
    user: Any,
    *,
    search: str = "",
    state: str = "",
    mine: bool = False,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> Page[Case]:
    """Newest cases first. `search` matches the case number or the child's code."""
    return case_page(
        user, CaseFilters(search=search, state=state, mine=mine), cursor=cursor, limit=limit
    )


def case_timeline(case: Case) -> list[CaseEvent]:
    """The events of a case the caller already fetched through get_case_for_user."""
    return list(case.events.select_related("actor", "observation").order_by("occurred_at", "id"))


def case_plan_items(case: Case) -> list[PlanItem]:
    return list(PlanItem.objects.filter(plan__case=case).order_by("starts_on", "id"))


def case_follow_ups(case: Case) -> list[FollowUp]:
    return list(
        case.follow_ups.select_related("observation", "recorded_by").order_by("-visited_on", "-id")
    )


def referral_list(
    user: Any,
    *,
    status: str = "",
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> Page[Referral]:
    """Referrals the user may see; pending ones are what an agency has to answer."""
    queryset = referrals_visible_to(user).select_related("child", "agency", "area")
    if status in ReferralStatus.values:
        queryset = queryset.filter(status=status)
    return keyset_page(queryset, order=["-id"], cursor=cursor, size=limit)


def overdue_referrals(user: Any, *, now: datetime | None = None) -> QuerySet[Referral]:
    """Referrals still waiting for an agency's answer after their deadline, oldest first."""
    return (
        referrals_visible_to(user)
        .filter(status=ReferralStatus.PENDING, deadline_at__lt=now or timezone.now())
        .select_related("child", "agency")
        .order_by("deadline_at", "id")
    )


def overdue_cases(user: Any, *, now: datetime | None = None) -> QuerySet[Case]:
    """Open cases past the deadline of their step or of their next follow-up."""
    moment = now or timezone.now()
    return (
        cases_visible_to(user)
        .filter(state__in=OPEN_CASE_STATES)
        .filter(Q(step_due_at__lt=moment) | Q(next_follow_up_due_on__lt=timezone.localdate(moment)))
        .select_related("child", "agency", "case_manager")
        .order_by("step_due_at", "next_follow_up_due_on", "id")
    )


def approvals_waiting(user: Any) -> QuerySet[Case]:
    """Open cases with a plan or a closure waiting for a supervisor's approval.

    Two small indexed id lists rather than joins: at scale most cases wait for nothing. A
    case closed for another reason (moved, lost contact) while its plan waited has nothing
    left to approve.
    """
    plans = RemediationPlan.objects.filter(status=PlanStatus.AWAITING_APPROVAL).values("case_id")
    closures = CaseClosure.objects.filter(status=ClosureStatus.PENDING).values("case_id")
    return (
        cases_visible_to(user)
        .filter(Q(pk__in=plans) | Q(pk__in=closures))
        .exclude(state=CaseState.CLOSED)
        .select_related("child", "case_manager")
        .order_by("step_due_at", "id")
    )


def transfer_summaries(
    user: Any, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> Page[CaseTransfer]:
    queryset = transfer_summaries_visible_to(user).select_related("from_agency", "to_agency")
    return keyset_page(queryset, order=["-id"], cursor=cursor, size=limit)


def referral_inbox(user: Any, *, limit: int = DEFAULT_PAGE_SIZE) -> list[Referral]:
    """Referrals waiting for the user's agency (all of them for the desk), due first."""
    return list(
        referrals_visible_to(user)
        .filter(status=ReferralStatus.PENDING)
        .select_related("child", "agency", "area")
        .order_by("deadline_at", "id")[:limit]
    )


def agency_staff(agency_id: int) -> list[User]:
    """People who may be named case manager in the agency (the services check clearance)."""
    today = timezone.localdate()
    user_ids = (
        RoleAssignment.objects.filter(
            organisation_id=agency_id,
            role__in=[Role.CASE_MANAGER, Role.CASE_SUPERVISOR],
            starts_on__lte=today,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("full_name", "id"))


def active_agencies() -> list[Organisation]:
    return list(
        Organisation.objects.filter(type=OrganisationType.AGENCY, is_active=True).order_by("name")
    )


def sponsors() -> list[Organisation]:
    """Member companies that may fund a cohort of children."""
    return list(
        Organisation.objects.filter(type=OrganisationType.COMPANY, is_active=True).order_by("name")
    )


def get_agency(agency_id: int | str) -> Organisation | None:
    try:
        return Organisation.objects.filter(type=OrganisationType.AGENCY, pk=int(agency_id)).first()
    except (TypeError, ValueError):
        return None


def get_sponsor(sponsor_id: int | str) -> Organisation | None:
    try:
        return Organisation.objects.filter(
            type=OrganisationType.COMPANY, pk=int(sponsor_id)
        ).first()
    except (TypeError, ValueError):
        return None


def get_user(user_id: int | str) -> User | None:
    try:
        return User.objects.filter(pk=int(user_id), is_active=True).first()
    except (TypeError, ValueError):
        return None


# The case file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentState:
    caregiver_consent: Consent | None
    child_assent: Consent | None


def case_consents(case: Case) -> ConsentState:
    """The latest caregiver consent and child assent to case management for the case's child."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(
        child_id=case.child_id, purpose=ConsentPurpose.CASE_MANAGEMENT
    ).order_by("kind", "-obtained_on", "-id"):
        latest.setdefault(consent.kind, consent)
    return ConsentState(
        caregiver_consent=latest.get(ConsentKind.CAREGIVER_CONSENT),
        child_assent=latest.get(ConsentKind.CHILD_ASSENT),
    )


def latest_assessment(case: Case) -> Assessment | None:
    return Assessment.objects.filter(case=case).order_by("-recorded_at", "-id").first()


def case_plan(case: Case) -> RemediationPlan | None:
    return RemediationPlan.objects.filter(case=case).first()


def pending_closure(case: Case) -> CaseClosure | None:
    return CaseClosure.objects.filter(case=case, status=ClosureStatus.PENDING).first()


def case_attachments(case: Case) -> list[CaseAttachment]:
    return list(case.attachments.select_related("uploaded_by").order_by("-uploaded_at", "-id"))


def get_plan_item(case: Case, item_id: int | str) -> PlanItem | None:
    try:
        return PlanItem.objects.filter(plan__case=case, pk=int(item_id)).first()
    except (TypeError, ValueError):
        return None


def get_attachment(case: Case, attachment_id: int | str) -> CaseAttachment | None:
    try:
        return case.attachments.filter(pk=int(attachment_id)).first()
    except (TypeError, ValueError):
        return None


def case_transfers_out(user: Any, case_number: str) -> list[CaseTransfer]:
    return list(
        transfer_summaries_visible_to(user)
        .filter(case_number=case_number)
        .select_related("from_agency", "to_agency")
    )


# Home pages ------------------------------------------------------------------------------------

HOME_ROWS = 10
DUE_SOON = timedelta(days=7)
ITEMS_ENDING_WITHIN = timedelta(days=14)


@dataclass(frozen=True)
class CaseManagerWork:
    overdue: list[Case]
    overdue_count: int
    due_soon: list[Case]
    referrals_waiting: list[Referral]
    referrals_waiting_count: int
    plans_awaiting_approval: list[Case]
    items_ending: list[PlanItem]
    notifications_unread: int


def case_manager_work(user: Any, *, now: datetime | None = None) -> CaseManagerWork:
    """A case manager's work, in a fixed number of queries whatever the caseload.

    Each list is bounded and read through the (case_manager) and (state, step_due_at) indexes.
    """
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    mine = (
        cases_visible_to(user)
        .filter(case_manager_id=getattr(user, "pk", None), state__in=OPEN_CASE_STATES)
        .select_related("child")
    )
    late = Q(step_due_at__lt=moment) | Q(next_follow_up_due_on__lt=today)
    overdue = list(
        mine.filter(late).order_by("step_due_at", "next_follow_up_due_on", "id")[:HOME_ROWS]
    )
    overdue_count = len(overdue) if len(overdue) < HOME_ROWS else mine.filter(late).count()
    soon = Q(step_due_at__gte=moment, step_due_at__lt=moment + DUE_SOON) | Q(
        next_follow_up_due_on__gte=today, next_follow_up_due_on__lte=today + DUE_SOON
    )
    due_soon = list(mine.filter(soon).order_by("due_at", "id")[:HOME_ROWS])
    waiting = referrals_visible_to(user).filter(status=ReferralStatus.PENDING)
    referrals_waiting = list(
        waiting.select_related("child").order_by("deadline_at", "id")[:HOME_ROWS]
    )
    referrals_waiting_count = (
        len(referrals_waiting) if len(referrals_waiting) < HOME_ROWS else waiting.count()
    )
    plans = list(
        mine.filter(plan__status=PlanStatus.AWAITING_APPROVAL).order_by("step_due_at", "id")[
            :HOME_ROWS
        ]
    )
    items = list(
        PlanItem.objects.filter(
            plan__case__in=mine.values("id"),
            status__in=[PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS],
            ends_on__gte=today,
            ends_on__lte=today + ITEMS_ENDING_WITHIN,
        )
        .select_related("plan__case")
        .order_by("ends_on", "id")[:HOME_ROWS]
    )
    return CaseManagerWork(
        overdue=overdue,
        overdue_count=overdue_count,
        due_soon=due_soon,
        referrals_waiting=referrals_waiting,
        referrals_waiting_count=referrals_waiting_count,
        plans_awaiting_approval=plans,
        items_ending=items,
        notifications_unread=unread_count(user),
    )


@dataclass(frozen=True)
class Caseload:
    case_manager: User
    open_cases: int
    overdue: int


@dataclass(frozen=True)
class SupervisorWork:
    approvals: list[Case]
    caseloads: list[Caseload]
    notifications_unread: int


def supervisor_work(user: Any, *, now: datetime | None = None) -> SupervisorWork:
    """Approvals waiting in the supervisor's agency and the open caseload per case manager."""
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    approvals = list(approvals_waiting(user)[:HOME_ROWS])
    late = Q(step_due_at__lt=moment) | Q(next_follow_up_due_on__lt=today)
    rows = (
        cases_visible_to(user)
        .filter(state__in=OPEN_CASE_STATES)
        .values("case_manager_id")
        .annotate(open_cases=Count("id"), overdue=Count("id", filter=late))
        .order_by("case_manager_id")
    )
    counts = {row["case_manager_id"]: row for row in rows}
    people = {person.pk: person for person in User.objects.filter(pk__in=list(counts))}
    caseloads = [
        Caseload(case_manager=people[pk], open_cases=row["open_cases"], overdue=row["overdue"])
        for pk, row in counts.items()
        if pk in people
    ]
    caseloads.sort(key=lambda load: (-load.open_cases, str(load.case_manager)))
    return SupervisorWork(
        approvals=approvals, caseloads=caseloads, notifications_unread=unread_count(user)
    )


@dataclass(frozen=True)
class DeskWork:
    """The referral desk's view of the agencies: referrals waiting, and those past due."""

    referrals_waiting: int
    referrals_overdue: int
    notifications_unread: int


def desk_work(user: Any, *, now: datetime | None = None) -> DeskWork:
    """Two counts over the (status, deadline_at) index, and the user's unread notices."""
    late = Q(deadline_at__lt=now or timezone.now())
    counts = (
        referrals_visible_to(user)
        .filter(status=ReferralStatus.PENDING)
        .aggregate(waiting=Count("id"), overdue=Count("id", filter=late))
    )
    return DeskWork(
        referrals_waiting=counts["waiting"],
        referrals_overdue=counts["overdue"],
        notifications_unread=unread_count(user),
    )


def follow_up_trend(follow_ups: list[FollowUp]) -> list[str]:
    """The classification of each follow-up, oldest first (the case file draws it as a row)."""
    return [follow_up.observation.category for follow_up in sorted(follow_ups, key=_visit_key)]


def _visit_key(follow_up: FollowUp) -> tuple[date, int]:
    return (follow_up.visited_on, follow_up.pk)


def identification_referrals(user: Any, identification: Any) -> list[Referral]:
    """Every referral made for an identification, newest first (who said no, and why)."""
    return list(
        referrals_visible_to(user)
        .filter(identification_id=identification.pk)
        .select_related("agency")
        .order_by("-referred_at", "-id")
    )


def referral_page(
    user: Any,
    *,
    status: str = "",
    agency_id: int | None = None,
    urgency: str = "",
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    now: datetime | None = None,
) -> Page[Referral]:
    """Referrals the user may see, newest first, filtered like the API asks."""
    queryset = referrals_visible_to(user).select_related("child", "agency", "area", "case")
    if status in ReferralStatus.values:
        queryset = queryset.filter(status=status)
    if agency_id is not None:
        queryset = queryset.filter(agency_id=agency_id)
    if urgency:
        queryset = queryset.filter(urgency=urgency)
    late = Q(status=ReferralStatus.PENDING, deadline_at__lt=now or timezone.now())
    if overdue is True:
        queryset = queryset.filter(late)
    elif overdue is False:
        queryset = queryset.exclude(late)
    return keyset_page(queryset, order=["-id"], cursor=cursor, size=limit)


def follow_up_page(
    case: Case, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> Page[FollowUp]:
    """Follow-ups of a case the caller fetched through access/cases.py, newest first."""
    queryset = case.follow_ups.select_related("observation")
    return keyset_page(queryset, order=["-id"], cursor=cursor, size=limit)
