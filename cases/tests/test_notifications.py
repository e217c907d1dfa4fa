"""Missed deadlines: who is told, once, by notice and e-mail, and what they see on their page."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleAssignment
from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import AccreditationLevel, CaseState, ClosureReason, NotificationKind
from cases.models import Notification
from cases.notification_selectors import notification_page
from cases.services import closure, lifecycle
from cases.services.agencies import caseworker_level_set
from cases.services.notifications import (
    mail_pending_notifications,
    notification_mark_read,
    notify_deadlines,
)
from cases.services.referrals import referral_create
from cases.tests.factories import advance, clean_follow_up, identify_child, open_case

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "other_agency_case_manager",
    "facilitator",
    "company_member",
    "auditor",
    "no_role_user",
]


def _later(days: float) -> datetime:
    return timezone.now() + timedelta(days=days)


def _told(user, kind=None) -> list[Notification]:
    notices = Notification.objects.filter(recipient=user)
    if kind is not None:
        notices = notices.filter(kind=kind)
    return list(notices)


def _run(days: float, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return notify_deadlines(now=_later(days))


def test_an_identification_not_referred_in_time_is_told_to_the_desk(
    world, agencies, django_capture_on_commit_callbacks
):
    identification = identify_child(world)  # hazardous: 72 hours
    assert _run(2, django_capture_on_commit_callbacks) == {}
    created = _run(4, django_capture_on_commit_callbacks)
    assert created == {NotificationKind.IDENTIFICATION_OVERDUE: 2}
    for desk in (world.hub_admin, world.programme_manager):
        (notice,) = _told(desk)
        assert notice.reference == identification.child.code
        assert notice.due_at == identification.deadline_at
        assert notice.get_absolute_url() == reverse(
            "monitoring:desk_detail", args=[identification.pk]
        )
    for name in ["case_manager", "supervisor", *OUTSIDERS]:
        assert _told(getattr(world, name)) == []


def test_a_referral_not_answered_in_time_is_told_to_the_desk_not_the_agency(
    world, agencies, django_capture_on_commit_callbacks
):
    referral = referral_create(
        actor=world.hub_admin, identification=identify_child(world), agency=agencies.one
    )
    _run(4, django_capture_on_commit_callbacks)
    assert [n.subject_id for n in _told(world.hub_admin, NotificationKind.REFERRAL_OVERDUE)] == [
        referral.pk
    ]
    assert _told(world.case_manager) == []
    assert _told(world.company_member) == []


def test_re_runs_never_tell_the_same_deadline_twice(
    world, agencies, django_capture_on_commit_callbacks
):
    identify_child(world)
    first = _run(4, django_capture_on_commit_callbacks)
    mails = len(mail.outbox)
    again = _run(5, django_capture_on_commit_callbacks)
    call_command("notify_deadlines", verbosity=0)
    assert sum(first.values()) == 2
    assert again == {}
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == mails
    assert AuditEvent.objects.filter(action=Action.NOTIFICATION_SEND).count() == 1


def test_an_overdue_step_is_told_to_its_case_manager_only(
    world, agencies, django_capture_on_commit_callbacks
):
    case = open_case(world)  # protection within 72 hours of opening
    other = open_case(
        world,
        agency=agencies.two,
        case_manager=world.other_agency_case_manager,
        first_name="Neema",
    )
    _run(4, django_capture_on_commit_callbacks)
    mine = _told(world.case_manager, NotificationKind.STEP_OVERDUE)
    assert [(n.case_id, n.reference) for n in mine] == [(case.pk, case.number)]
    theirs = _told(world.other_agency_case_manager, NotificationKind.STEP_OVERDUE)
    assert [n.case_id for n in theirs] == [other.pk]
    for name in ["supervisor", "facilitator", "company_member", "auditor", "no_role_user"]:
        assert _told(getattr(world, name)) == []


def test_a_step_missed_on_a_case_whose_manager_left_is_told_to_the_supervisors(
    world, agencies, django_capture_on_commit_callbacks
):
    case = open_case(world)
    # The case manager left the agency before the deadline (their role ended yesterday).
    RoleAssignment.objects.filter(user=world.case_manager).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    _run(4, django_capture_on_commit_callbacks)
    assert _told(world.case_manager) == []
    (notice,) = _told(world.supervisor, NotificationKind.STEP_OVERDUE)
    assert notice.case_id == case.pk
    assert _told(world.other_agency_case_manager) == []


def test_an_overdue_follow_up_and_an_ending_plan_item_are_told_to_the_case_manager(
    world, agencies, django_capture_on_commit_callbacks
):
    case = advance(open_case(world), CaseState.IN_REMEDIATION, world.case_manager)
    assert case.next_follow_up_due_on is not None
    days = (case.next_follow_up_due_on - timezone.localdate()).days + 2
    _run(days, django_capture_on_commit_callbacks)
    (late,) = _told(world.case_manager, NotificationKind.FOLLOW_UP_OVERDUE)
    assert late.case_id == case.pk
    assert _told(world.case_manager, NotificationKind.PLAN_ITEM_ENDING) == []
    _run(300 - 5, django_capture_on_commit_callbacks)  # the school item ends on day 300
    (ending,) = _told(world.case_manager, NotificationKind.PLAN_ITEM_ENDING)
    assert ending.reference == case.number
    # A follow-up recorded moves the deadline: the new one is told when it is missed.
    clean_follow_up(world.case_manager, case)
    assert len(_told(world.case_manager, NotificationKind.FOLLOW_UP_OVERDUE)) == 1


def test_approvals_waiting_too_long_are_told_to_the_agency_supervisors(
    world, agencies, django_capture_on_commit_callbacks
):
    caseworker_level_set(
        actor=world.hub_admin, user=world.case_manager, level=AccreditationLevel.JUNIOR
    )
    case = advance(open_case(world), CaseState.PLAN_AGREED, world.case_manager)  # awaits approval
    _run(8, django_capture_on_commit_callbacks)
    (notice,) = _told(world.supervisor, NotificationKind.PLAN_APPROVAL_OVERDUE)
    assert notice.case_id == case.pk
    # The plan's wait is the supervisor's, not a step the case manager missed.
    assert _told(world.case_manager, NotificationKind.STEP_OVERDUE) == []
    assert _told(world.other_agency_case_manager) == []


def test_a_closure_waiting_too_long_is_told_to_the_supervisors(
    world, agencies, django_capture_on_commit_callbacks
):
    caseworker_level_set(
        actor=world.hub_admin, user=world.case_manager, level=AccreditationLevel.JUNIOR
    )
    case = advance(open_case(world), CaseState.PLAN_AGREED, world.case_manager)
    case = lifecycle.plan_approve(actor=world.supervisor, case=case, expected_version=case.version)
    case = advance(case, CaseState.FOLLOW_UP, world.case_manager)
    case = clean_follow_up(world.case_manager, case).case
    closure.case_close(
        actor=world.case_manager,
        case=case,
        expected_version=case.version,
        reason=ClosureReason.MOVED,
        note="The family moved to Kolwezi.",
    )
    _run(8, django_capture_on_commit_callbacks)
    (notice,) = _told(world.supervisor, NotificationKind.CLOSURE_APPROVAL_OVERDUE)
    assert notice.case_id == case.pk


def test_the_e_mail_names_no_child_and_links_to_the_record(
    world, agencies, django_capture_on_commit_callbacks, settings
):
    settings.KINGA_BASE_URL = "https://kinga.example.org"
    identification = identify_child(world, first_name="Zawadi")
    case = open_case(world, first_name="Furaha")
    mail.outbox.clear()
    _run(4, django_capture_on_commit_callbacks)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {
        world.hub_admin.email,
        world.programme_manager.email,
        world.case_manager.email,
    }
    desk_mail = by_address[world.programme_manager.email]
    assert identification.child.code in desk_mail.body
    assert f"https://kinga.example.org/monitoring/desk/{identification.pk}/" in desk_mail.body
    manager_mail = by_address[world.case_manager.email]
    assert case.number in manager_mail.body
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for name in ("Zawadi", "Furaha", "Ilunga", "Head of"):
            assert name not in text


def test_the_page_lists_unread_first_and_marks_read(
    world, agencies, client_for, django_capture_on_commit_callbacks
):
    identify_child(world, first_name="Zawadi")
    _run(4, django_capture_on_commit_callbacks)
    identify_child(world, first_name="Baraka")
    _run(4, django_capture_on_commit_callbacks)
    older, newer = Notification.objects.filter(recipient=world.hub_admin).order_by("id")
    notification_mark_read(actor=world.hub_admin, notification_ids=[newer.pk])
    client = client_for(world.hub_admin)
    page = client.get(reverse("cases:notifications"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 unread notification." in text
    assert text.index(older.reference) < text.index(newer.reference)  # unread first
    assert "Zawadi" not in text
    home = client.get(reverse("core:home")).content.decode()
    assert "1 unread notification" in home
    client.post(reverse("cases:notification_read"), {"id": older.pk})
    assert Notification.objects.filter(recipient=world.hub_admin, unread=True).count() == 0


def test_nobody_reads_or_marks_another_persons_notifications(
    world, agencies, client_for, django_capture_on_commit_callbacks
):
    identify_child(world)
    _run(4, django_capture_on_commit_callbacks)
    notice = Notification.objects.filter(recipient=world.hub_admin).first()
    assert notice is not None
    other_desk = client_for(world.programme_manager)
    other_desk.post(reverse("cases:notification_read"), {"id": notice.pk})
    notice.refresh_from_db()
    assert notice.unread
    for name in OUTSIDERS:
        client = client_for(getattr(world, name))
        page = client.get(reverse("cases:notifications"))
        if page.status_code == 200:  # a case manager of the other agency: an empty page
            assert notice.reference not in page.content.decode()
        else:
            assert page.status_code == 404
        client.post(reverse("cases:notification_read"), {"id": notice.pk})
    notice.refresh_from_db()
    assert notice.unread
    assert client_for(None).get(reverse("cases:notifications")).status_code == 302


def test_the_page_pages_by_keyset(world, agencies, client_for, django_capture_on_commit_callbacks):
    for index in range(3):
        identify_child(world, first_name=f"Child{index}")
    _run(4, django_capture_on_commit_callbacks)
    client = client_for(world.hub_admin)
    first = notification_page(world.hub_admin, limit=2)
    assert len(first.items) == 2
    assert first.next_cursor
    second = notification_page(world.hub_admin, cursor=first.next_cursor, limit=2)
    assert len(second.items) == 1
    assert {n.pk for n in first.items}.isdisjoint({n.pk for n in second.items})
    broken = client.get(reverse("cases:notifications") + "?cursor=not-a-cursor")
    assert broken.status_code == 200


def test_finding_late_work_costs_the_same_queries_for_one_case_or_many(world, agencies):
    """Set-based: a query per kind of deadline, never a query per late case."""
    from django.test.utils import CaptureQueriesContext

    open_case(world)
    notify_deadlines(now=_later(4))
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as one:
        notify_deadlines(now=_later(4))
    for name in ("Neema", "Furaha", "Baraka"):
        open_case(world, first_name=name)
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as four:
        created = notify_deadlines(now=_later(4))
    assert created[NotificationKind.STEP_OVERDUE] == 4
    assert len(four) == len(one)


def test_the_desk_home_counts_referrals_past_their_deadline(world, agencies, client_for):
    from cases.models import Referral

    referral = referral_create(
        actor=world.hub_admin, identification=identify_child(world), agency=agencies.one
    )
    home = client_for(world.programme_manager).get(reverse("core:home")).content.decode()
    assert "Waiting for an agency's answer" in home
    Referral.objects.filter(pk=referral.pk).update(deadline_at=_later(-1))
    home = client_for(world.programme_manager).get(reverse("core:home")).content.decode()
    assert "⚠</span> Answer overdue</dt><dd>1</dd>" in home
    company_home = client_for(world.company_member).get(reverse("core:home")).content.decode()
    assert "Answer overdue" not in company_home


def test_the_command_says_what_it_wrote(world, agencies, capsys):
    call_command("notify_deadlines")
    assert "No new missed deadline." in capsys.readouterr().out
    identification = identify_child(world)
    identification.deadline_at = _later(-1)
    identification.save(update_fields=["deadline_at"])
    call_command("notify_deadlines")
    assert "Child not referred in time: 2" in capsys.readouterr().out


# ---- E-mail: exactly once in effect -------------------------------------------------------


def _addresses() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def _refuse_mail_to(monkeypatch, address: str) -> None:
    """The mail server refuses `address` (as SMTP would), and takes everyone else's mail."""
    original = locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        if any(address in message.to for message in messages):
            raise SMTPRecipientsRefused({address: (550, b"Mailbox unavailable")})
        return original(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)


def test_a_failed_send_is_retried_by_the_next_run_and_mailed_once(
    world, agencies, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    identification = identify_child(world, first_name="Zawadi")  # late for the desk
    case = open_case(world, first_name="Furaha")  # a step late for the case manager
    mail.outbox.clear()
    # The first person mailed is refused: the others must still be mailed after them.
    _refuse_mail_to(monkeypatch, world.hub_admin.email)
    with caplog.at_level(logging.WARNING, logger="cases.services.notifications"):
        _run(4, django_capture_on_commit_callbacks)
    assert _addresses() == sorted([world.programme_manager.email, world.case_manager.email])
    (waiting,) = _told(world.hub_admin)
    assert waiting.mail_pending
    assert waiting.mailed_at is None
    assert f"user {world.hub_admin.pk} failed" in caplog.text
    assert "Furaha" not in caplog.text
    assert "Zawadi" not in caplog.text
    monkeypatch.undo()
    mail.outbox.clear()
    assert _run(5, django_capture_on_commit_callbacks) == {}  # nothing new, the mail still goes
    (retried,) = mail.outbox
    assert retried.to == [world.hub_admin.email]
    assert identification.child.code in retried.body
    assert case.number not in retried.body
    mailed = Notification.objects.get(pk=waiting.pk)
    assert not mailed.mail_pending
    assert mailed.mailed_at is not None
    mail.outbox.clear()
    _run(6, django_capture_on_commit_callbacks)
    mail_pending_notifications()
    assert mail.outbox == []


def test_a_failed_runs_notices_go_with_the_next_runs_in_one_e_mail(
    world, agencies, django_capture_on_commit_callbacks, monkeypatch
):
    first = open_case(world, first_name="Furaha")
    _refuse_mail_to(monkeypatch, world.case_manager.email)
    _run(4, django_capture_on_commit_callbacks)
    monkeypatch.undo()
    second = open_case(world, first_name="Neema")
    mail.outbox.clear()
    _run(4, django_capture_on_commit_callbacks)
    (message,) = [m for m in mail.outbox if m.to == [world.case_manager.email]]
    assert message.subject == "Kinga: 2 missed deadlines"
    assert first.number in message.body
    assert second.number in message.body


def test_two_runs_and_two_jobs_mail_each_person_once(
    world, agencies, django_capture_on_commit_callbacks
):
    identify_child(world)
    open_case(world, first_name="Furaha")
    mail.outbox.clear()
    _run(4, django_capture_on_commit_callbacks)
    _run(4.5, django_capture_on_commit_callbacks)
    mail_pending_notifications()  # a job retried by the queue
    assert _addresses() == sorted(
        [world.hub_admin.email, world.programme_manager.email, world.case_manager.email]
    )
    assert not Notification.objects.filter(mail_pending=True).exists()
    # Nobody else was written to: not the other agency, the company or the auditor.
    for name in OUTSIDERS:
        assert getattr(world, name).email not in _addresses()


def test_the_e_mail_is_in_the_persons_language(world, agencies, django_capture_on_commit_callbacks):
    world.case_manager.preferred_language = "fr"
    world.case_manager.save(update_fields=["preferred_language"])
    open_case(world)
    mail.outbox.clear()
    _run(4, django_capture_on_commit_callbacks)
    (message,) = [m for m in mail.outbox if m.to == [world.case_manager.email]]
    assert "Kinga" in message.subject
    assert "These deadlines were missed" not in message.body


def test_a_person_without_an_address_or_inactive_is_not_mailed_and_nothing_piles_up(
    world, agencies, client_for, django_capture_on_commit_callbacks
):
    world.case_manager.email = ""
    world.case_manager.save(update_fields=["email"])
    case = open_case(world, first_name="Furaha")
    identify_child(world, first_name="Zawadi")
    mail.outbox.clear()
    # The programme manager leaves after the notices were written, before they are mailed.
    with django_capture_on_commit_callbacks(execute=False):
        notify_deadlines(now=_later(4))
    type(world.programme_manager).objects.filter(pk=world.programme_manager.pk).update(
        is_active=False
    )
    mail_pending_notifications()
    assert _addresses() == [world.hub_admin.email]
    # Their notices left the queue, unmailed, and are still on their page.
    assert not Notification.objects.filter(mail_pending=True).exists()
    (notice,) = _told(world.case_manager)
    assert notice.mailed_at is None
    assert (
        case.number
        in client_for(world.case_manager).get(reverse("cases:notifications")).content.decode()
    )
    # An address given later does not bring the old deadlines by mail.
    world.case_manager.email = "case-manager@example.org"
    world.case_manager.save(update_fields=["email"])
    mail.outbox.clear()
    mail_pending_notifications()
    assert mail.outbox == []


def test_notices_written_without_mail_are_never_mailed(
    world, agencies, django_capture_on_commit_callbacks
):
    identify_child(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify_deadlines(now=_later(4), mail=False)  # the demo
    assert mail.outbox == []
    _run(5, django_capture_on_commit_callbacks)
    mail_pending_notifications()
    assert mail.outbox == []
    assert Notification.objects.filter(mailed_at__isnull=True).count() == 2


def _backlog(people, notices_each: int) -> None:
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind=NotificationKind.IDENTIFICATION_OVERDUE,
            subject_id=number,
            reference=f"CH-{number:05d}",
            due_at=_later(-number / 100),
        )
        for person in people
        for number in range(1, notices_each + 1)
    )


def test_mailing_a_backlog_costs_the_same_queries_for_one_notice_or_many(world):
    """Set-based: neither more people nor more notices each add a query."""
    from django.test.utils import CaptureQueriesContext

    _backlog([world.hub_admin], 1)
    with CaptureQueriesContext(connection) as one:
        assert mail_pending_notifications() == 1
    desk = [world.hub_admin, world.programme_manager, world.case_manager, world.supervisor]
    _backlog(desk, 30)
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as many:
        assert mail_pending_notifications() == 4
    assert len(many) == len(one)
    message = mail.outbox[0]
    assert message.subject == "Kinga: 30 missed deadlines"
    assert "CH-00030" in message.body  # the oldest deadline first
    assert "…and 10 more on the notifications page." in message.body
    assert Notification.objects.filter(mailed_at__isnull=False).count() == 121
    with CaptureQueriesContext(connection) as idle:
        assert mail_pending_notifications() == 0
    statements = [q["sql"] for q in idle if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 2  # an idle run: the unmailable settled, nobody waiting


ONLY_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks matter on PostgreSQL"
)


@ONLY_POSTGRESQL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_mailing_job_skips_what_the_first_is_mailing(world, monkeypatch):
    """A worker neither waits for nor re-mails the notices another worker holds."""
    _backlog([world.hub_admin, world.programme_manager, world.case_manager], 3)
    original = locmem.EmailBackend.send_messages
    first_is_sending = threading.Event()
    second_is_done = threading.Event()
    second_done_while_first_sent: list[bool] = []

    def send_messages(self, messages):
        if not first_is_sending.is_set():
            first_is_sending.set()  # the first job has claimed, and holds its transaction
            second_done_while_first_sent.append(second_is_done.wait(timeout=5))
        return original(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    mail.outbox.clear()

    def first() -> int:
        try:
            return mail_pending_notifications()
        finally:
            connections.close_all()

    def second() -> int:
        first_is_sending.wait(timeout=5)
        try:
            return mail_pending_notifications()
        finally:
            second_is_done.set()
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(first), pool.submit(second)]
        sent = [job.result() for job in jobs]
    assert sent == [3, 0]
    assert second_done_while_first_sent == [True]
    assert _addresses() == sorted(
        [world.hub_admin.email, world.programme_manager.email, world.case_manager.email]
    )
    assert not Notification.objects.filter(mail_pending=True).exists()
