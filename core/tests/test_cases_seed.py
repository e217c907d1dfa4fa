"""The referrals and cases of `seed --demo` (core/seeding/cases_demo.py) and `seed --scale N`
(core/seeding/cases_scale.py).

The demo is seeded once for the module inside a transaction rolled back afterwards, as in
test_seed_monitoring.py.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.test import override_settings
from django.utils import timezone

from accounts.models import RoleAssignment, User
from audit.actions import Action
from audit.models import AuditEvent
from cases.choices import (
    CaseEventKind,
    CaseState,
    ClosureReason,
    ClosureStatus,
    NotificationKind,
    PlanItemKind,
    PlanItemStatus,
    PlanStatus,
    ReferralStatus,
)
from cases.models import (
    Case,
    CaseClosure,
    CaseEvent,
    CaseNumberCounter,
    CaseTransfer,
    FollowUp,
    Notification,
    PlanItem,
    Referral,
)
from cases.selectors import approvals_waiting, case_list, overdue_cases, overdue_referrals
from cases.services.numbers import format_case_number
from core.seeding.cases_scale import CASES_PER_CHILD
from monitoring.choices import IdentificationStatus
from monitoring.models import Identification
from monitoring.services.classification import classify_facts

pytestmark = pytest.mark.django_db
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, DEMO_PASSWORD="a-demo-password"),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or name.startswith("test_"), "not a test database"
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed("--demo")
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


demo = pytest.mark.usefixtures("seeded")


def user(username: str) -> User:
    return User.objects.get(username=username)


@demo
def test_cases_in_every_state_across_the_three_agencies():
    states = Counter(Case.objects.values_list("state", flat=True))
    assert set(states) == set(CaseState)
    per_agency = Case.objects.values("agency__short_name").annotate(n=Count("id"))
    assert {row["agency__short_name"] for row in per_agency} == {
        "Tumaini",
        "Ushindi",
        "Maisha Bora",
    }
    # Most of the history is closed; a programme's worth stays open.
    assert 100 <= Case.objects.exclude(state=CaseState.CLOSED).count() <= 400
    reasons = set(Case.objects.values_list("closure_reason", flat=True)) - {""}
    assert {ClosureReason.COMPLETED, ClosureReason.DECENT_WORK, ClosureReason.MOVED} <= reasons
    assert len(reasons) >= 5
    assert CaseTransfer.objects.count() == 1
    assert CaseEvent.objects.filter(kind=CaseEventKind.RELAPSE).count() == 1
    assert Referral.objects.filter(status=ReferralStatus.DECLINED).count() == 1
    assert Referral.objects.filter(status=ReferralStatus.PENDING).count() >= 3
    items = set(PlanItem.objects.values_list("kind", flat=True))
    assert {PlanItemKind.MONTHLY_STIPEND, PlanItemKind.SCHOOL_REINTEGRATION} <= items


@demo
def test_the_desk_is_left_a_handful_of_identifications_a_few_overdue():
    waiting = Identification.objects.filter(status=IdentificationStatus.OPEN)
    assert 3 <= waiting.count() <= 20
    overdue = waiting.filter(deadline_at__lt=timezone.now()).count()
    assert 2 <= overdue <= 8
    # Every other identification was referred; a closed case closed its identification.
    assert (
        not Identification.objects.filter(status=IdentificationStatus.OPEN, referrals__isnull=False)
        .exclude(referrals__status=ReferralStatus.DECLINED)
        .exists()
    )
    closed_cases = Case.objects.filter(
        state=CaseState.CLOSED, referral__identification__isnull=False
    )
    assert not closed_cases.exclude(
        referral__identification__status=IdentificationStatus.CLOSED
    ).exists()


@demo
def test_played_cases_have_real_timelines_and_audit_events():
    opened = AuditEvent.objects.filter(action=Action.CASE_OPEN)
    assert 20 <= opened.count() <= 40
    for event in opened:
        case = Case.objects.get(pk=event.subject_id)
        timeline = list(case.events.order_by("occurred_at", "id"))
        assert timeline[0].kind == CaseEventKind.OPENED
        # The services ran at the scene's moments, not at the moment of the seed.
        assert event.occurred_at == case.opened_at
    assert AuditEvent.objects.filter(action=Action.PLAN_APPROVE).exists()
    assert AuditEvent.objects.filter(action=Action.FOLLOW_UP_RECORD).count() >= 10
    assert AuditEvent.objects.filter(action=Action.CASE_CLOSE).count() >= 5
    notes = " ".join(CaseEvent.objects.exclude(note="").values_list("note", flat=True))
    assert "l'école" in notes or "école" in notes
    assert "the" in notes.split()


@demo
def test_the_demo_people_find_work_on_their_home_pages():
    caseworker = user("demo-caseworker")
    assert overdue_cases(caseworker).filter(case_manager=caseworker).exists()
    assert Referral.objects.filter(
        agency__short_name="Tumaini", status=ReferralStatus.PENDING
    ).exists()
    assert overdue_referrals(user("demo-manager")).exists()
    supervisor = user("demo-supervisor")
    waiting = approvals_waiting(supervisor)
    assert waiting.filter(plan__status=PlanStatus.AWAITING_APPROVAL).count() >= 2
    assert waiting.filter(closures__status=ClosureStatus.PENDING).exists()
    second = user("demo-caseworker2")
    mine = case_list(second, state="open", mine=True)
    assert len(mine.items) >= 10
    # The transferred case is Ushindi's now: Tumaini's staff no longer see it.
    transfer = CaseTransfer.objects.get()
    assert transfer.case.agency.short_name == "Ushindi"
    numbers = {case.number for case in case_list(caseworker, limit=200).items}
    assert transfer.case_number not in numbers


@demo
def test_stories_are_consistent_with_the_rules():
    for case in Case.objects.select_related("plan").prefetch_related("follow_ups", "closures"):
        if case.state == CaseState.CLOSED:
            assert case.closed_at is not None
            assert case.due_at is None
            assert case.closures.filter(status=ClosureStatus.APPROVED).exists()
        else:
            assert case.due_at is not None, case.number
        if case.state in (CaseState.IN_REMEDIATION, CaseState.FOLLOW_UP):
            assert case.plan.status == PlanStatus.AGREED
            assert case.remediation_started_on is not None
            assert case.next_follow_up_due_on is not None
        if case.state == CaseState.FOLLOW_UP:
            assert case.follow_ups.exists()
        if case.closure_reason == ClosureReason.COMPLETED:
            assert case.follow_ups.count() >= 2
    # Done supports carry evidence; follow-up observations are the engine's verdicts.
    assert not PlanItem.objects.filter(status=PlanItemStatus.DONE, evidence_note="").exists()
    for follow_up in FollowUp.objects.select_related("observation")[:50]:
        observation = follow_up.observation
        if observation.activities.exists():
            continue
        result = classify_facts(
            age=observation.age_at_visit,
            activities=[],
            chores_hours=observation.household_chores_hours,
            worst_forms=observation.worst_forms,
        )
        assert observation.category == result.category.value


@demo
def test_the_demo_people_have_notices_of_missed_deadlines_and_companies_none():
    def kinds(username: str) -> set[str]:
        told = Notification.objects.filter(recipient=user(username))
        return set(told.values_list("kind", flat=True))

    assert NotificationKind.IDENTIFICATION_OVERDUE in kinds("demo-manager")
    assert kinds("demo-caseworker") & {
        NotificationKind.STEP_OVERDUE,
        NotificationKind.FOLLOW_UP_OVERDUE,
    }
    assert kinds("demo-supervisor") & {
        NotificationKind.PLAN_APPROVAL_OVERDUE,
        NotificationKind.CLOSURE_APPROVAL_OVERDUE,
    }
    companies = RoleAssignment.objects.filter(role="company_member").values("user_id")
    assert not Notification.objects.filter(recipient__in=companies).exists()


@demo
def test_second_demo_run_creates_no_case_row():
    models = (Case, Referral, CaseEvent, CaseClosure, FollowUp, PlanItem, User, Notification)
    counts = {model: model.objects.count() for model in models}
    assert "nothing changed" in seed("--demo")
    assert {model: model.objects.count() for model in models} == counts


@demo
def test_scale_adds_about_one_case_for_five_children():
    seed("--scale", "2000")
    scale_cases = Case.objects.filter(child__code__startswith="S-")
    assert abs(scale_cases.count() - 2000 * CASES_PER_CHILD) <= 20
    states = Counter(scale_cases.values_list("state", flat=True))
    assert set(states) >= set(CaseState) - {CaseState.IDENTIFIED}
    assert FollowUp.objects.filter(case__in=scale_cases).exists()
    # Case managers of several agencies, each working for the agency of their cases.
    assert scale_cases.values("agency").distinct().count() >= 3
    strangers = scale_cases.exclude(
        Exists(
            RoleAssignment.objects.filter(
                user=OuterRef("case_manager"), organisation=OuterRef("agency")
            )
        )
    )
    assert not strangers.exists()
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    # The services carry on after the generated rows: numbers and ids follow them.
    last = CaseNumberCounter.objects.get(year=timezone.localdate().year).last_number
    assert Case.objects.filter(number=format_case_number(timezone.localdate().year, last)).exists()
