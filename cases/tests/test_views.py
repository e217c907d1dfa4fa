"""The referral inbox, the case list and the case file, as each persona uses them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import (
    AccreditationLevel,
    CaseState,
    ClosureReason,
    PlanStatus,
    ReferralSource,
    ReferralStatus,
)
from cases.models import Case, CaseAttachment, CaseTransfer, Referral
from cases.services import agencies as agency_services
from cases.services.referrals import referral_create
from cases.tests.factories import (
    accredit,
    add_item,
    advance,
    clean_follow_up,
    identify_child,
    open_case,
    record_assessment,
    record_consents,
)
from monitoring.choices import IdentificationStatus, SchoolStatus

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "other_agency_case_manager",
    "facilitator",
    "company_member",
    "auditor",
    "no_role_user",
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def _messages(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def case_url(case, name="cases:case_detail", **kwargs):
    return reverse(name, kwargs={"case_id": case.pk, **kwargs})


def act(client, case, action, **data):
    case.refresh_from_db()
    return client.post(
        case_url(case, "cases:case_action", action=action),
        {"version": case.version, **data},
        follow=True,
    )


# The desk routes ------------------------------------------------------------------------------


def test_desk_suggests_eligible_agencies_and_says_why_others_are_not(world, agencies, client_for):
    identification = identify_child(world)
    agency_services.accreditation_set(
        actor=world.hub_admin,
        agency=agencies.two,
        level=AccreditationLevel.FULL,
        status="suspended",
        valid_from=timezone.localdate() - timedelta(days=30),
        valid_to=timezone.localdate() + timedelta(days=30),
        capacity=5,
        service_areas=[world.province],
        languages=["fr"],
        services_offered=[],
    )
    page = _text(
        client_for(world.hub_admin).get(reverse("monitoring:desk_detail", args=[identification.pk]))
    )
    assert f'name="agency" value="{agencies.one.pk}"' in page
    assert f'name="agency" value="{agencies.two.pk}"' not in page
    assert "Agency Two&#x27;s accreditation is suspended." in page


def test_desk_refers_and_the_identification_leaves_the_desk(world, agencies, client_for):
    identification = identify_child(world)
    response = client_for(world.hub_admin).post(
        reverse("cases:refer", args=[identification.pk]),
        {"agency": agencies.one.pk, "note": "Works at the pools every morning."},
        follow=True,
    )
    referral = Referral.objects.get(child=identification.child)
    assert response.redirect_chain[-1][0] == reverse("cases:referral_detail", args=[referral.pk])
    assert referral.agency == agencies.one
    identification.refresh_from_db()
    assert identification.status == IdentificationStatus.REFERRED


@pytest.mark.parametrize("persona", ["case_manager", *OUTSIDERS])
def test_only_the_desk_refers(world, agencies, client_for, persona):
    identification = identify_child(world)
    response = client_for(getattr(world, persona)).post(
        reverse("cases:refer", args=[identification.pk]), {"agency": agencies.one.pk}
    )
    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_manual_referral_shows_its_source(world, agencies, client_for):
    child = identify_child(world).child
    # The child is waiting at the desk: the manual route refuses and says where to go.
    client = client_for(world.hub_admin)
    data = {
        "child_code": child.code,
        "source": ReferralSource.GRIEVANCE,
        "urgency": "high",
        "agency": agencies.one.pk,
        "note": "A neighbour called the hotline.",
    }
    response = client.post(reverse("cases:referral_new"), data)
    assert "refer them from the desk" in _text(response)
    other = identify_child(world, first_name="Furaha")
    other.status = IdentificationStatus.CLOSED
    other.save(update_fields=["status"])
    response = client.post(
        reverse("cases:referral_new"), {**data, "child_code": other.child.code}, follow=True
    )
    referral = Referral.objects.get(child=other.child)
    assert referral.source == ReferralSource.GRIEVANCE
    assert referral.identification is None
    assert "Grievance" in _text(response)


# The agency answers ---------------------------------------------------------------------------


@pytest.fixture
def waiting(world, agencies):
    return referral_create(
        actor=world.hub_admin, identification=identify_child(world), agency=agencies.one
    )


def test_the_inbox_shows_the_agencys_referrals_with_their_countdown(world, waiting, client_for):
    page = _text(client_for(world.case_manager).get(reverse("cases:referral_inbox")))
    assert waiting.child.code in page
    assert "due in" in page
    assert waiting.child.code not in _text(
        client_for(world.other_agency_case_manager).get(reverse("cases:referral_inbox"))
    )


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_on_a_referral(world, waiting, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("cases:referral_detail", args=[waiting.pk])).status_code == 404
    response = client.post(
        reverse("cases:referral_accept", args=[waiting.pk]),
        {"case_manager": world.other_agency_case_manager.pk},
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=waiting.pk).status == ReferralStatus.PENDING


def test_accepting_opens_the_case(world, waiting, client_for):
    response = client_for(world.supervisor).post(
        reverse("cases:referral_accept", args=[waiting.pk]),
        {"case_manager": world.case_manager.pk},
        follow=True,
    )
    case = Case.objects.get(referral=waiting)
    assert response.redirect_chain[-1][0] == case_url(case)
    assert case.case_manager == world.case_manager


def test_accepting_a_case_manager_without_a_valid_check_says_why(world, waiting, client_for):
    yesterday = timezone.localdate() - timedelta(days=1)
    world.case_manager.background_checks.update(
        checked_on=yesterday - timedelta(days=365), expires_on=yesterday
    )
    response = client_for(world.supervisor).post(
        reverse("cases:referral_accept", args=[waiting.pk]),
        {"case_manager": world.case_manager.pk},
    )
    assert "background check lapsed" in _text(response)
    assert not Case.objects.exists()


def test_declining_returns_the_child_to_the_desk(world, waiting, client_for):
    client = client_for(world.case_manager)
    response = client.post(
        reverse("cases:referral_decline", args=[waiting.pk]), {"decline-reason": ""}
    )
    assert response.status_code == 200  # the reason is required
    client.post(
        reverse("cases:referral_decline", args=[waiting.pk]),
        {"decline-reason": "No staff speaks the family's language."},
    )
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.DECLINED
    assert waiting.identification.status == IdentificationStatus.OPEN


# The case list --------------------------------------------------------------------------------


def test_case_list_filters_and_keeps_to_the_agency(world, agencies, client_for):
    mine = open_case(world)
    theirs = open_case(
        world,
        agency=agencies.two,
        case_manager=world.other_agency_case_manager,
        first_name="Joseph",
    )
    client = client_for(world.case_manager)
    page = _text(client.get(reverse("cases:case_list")))
    assert mine.number in page
    assert theirs.number not in page
    assert mine.number not in _text(client.get(reverse("cases:case_list"), {"state": "closed"}))
    assert mine.number in _text(client.get(reverse("cases:case_list"), {"q": mine.number}))
    assert mine.number in _text(
        client.get(reverse("cases:case_list"), {"sort": "due", "area": "V-KASULO"})
    )
    assert mine.number not in _text(client.get(reverse("cases:case_list"), {"overdue": "on"}))
    Case.objects.filter(pk=mine.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert mine.number in _text(client.get(reverse("cases:case_list"), {"overdue": "on"}))


@pytest.mark.parametrize("persona", ["facilitator", "company_member", "auditor", "no_role_user"])
def test_case_list_is_404_without_the_right(world, agencies, client_for, persona):
    open_case(world)
    assert client_for(getattr(world, persona)).get(reverse("cases:case_list")).status_code == 404


def test_case_list_costs_the_same_for_one_case_or_many(world, agencies, client_for):
    accredit(world, agencies.one, capacity=50)
    client = client_for(world.case_manager)
    open_case(world)
    client.get(reverse("cases:case_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("cases:case_list"))
    for name in ("Joseph", "Neema", "Furaha"):
        open_case(world, first_name=name)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("cases:case_list"))
    assert len(many) == len(one)


# The case file --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_on_every_case_page(world, agencies, client_for, persona):
    case = open_case(world)
    client = client_for(getattr(world, persona))
    for name in ("cases:case_detail", "cases:case_assessment", "cases:case_follow_up"):
        assert client.get(case_url(case, name)).status_code == 404
    response = client.post(
        case_url(case, "cases:case_action", action="start_assessment"), {"version": 1}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.IDENTIFIED


def test_reading_the_case_file_is_logged_once_per_view(world, agencies, client_for):
    case = open_case(world)
    client = client_for(world.case_manager)
    client.get(case_url(case))
    client.get(case_url(case))
    assert AuditEvent.objects.filter(action="case:view", subject_id=str(case.pk)).count() == 2


def test_a_refused_step_explains_its_precondition(world, agencies, client_for):
    case = open_case(world)
    client = client_for(world.case_manager)
    act(client, case, "start_protection", note="Taken home by the case manager.")
    act(client, case, "start_assessment")
    response = act(client, case, "agree_plan")
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT
    assert any("assessment" in message.lower() for message in _messages(response))


def test_a_stale_version_says_someone_else_changed_the_case(world, agencies, client_for):
    case = open_case(world)
    client = client_for(world.case_manager)
    response = client.post(
        case_url(case, "cases:case_action", action="start_protection"),
        {"version": case.version - 1 if case.version > 1 else 99, "note": "Removed."},
        follow=True,
    )
    assert "Someone else changed this case; reload it." in _text(response)
    case.refresh_from_db()
    assert case.state == CaseState.IDENTIFIED


def test_walking_a_case_to_closure_through_the_pages(world, agencies, client_for):
    case = open_case(world)
    client = client_for(world.case_manager)
    act(client, case, "start_protection", note="Taken away from the washing pools.")
    act(client, case, "start_assessment")
    response = client.post(
        case_url(case, "cases:case_assessment"),
        {
            "education_need": "high",
            "health_need": "low",
            "family_income_need": "high",
            "safety_need": "medium",
            "psychosocial_need": "low",
            "root_causes": ["poverty", "school_costs"],
            "risks": "Goes back to the pools when there is no food.",
            "child_views": "Je veux retourner à l'école.",
        },
    )
    assert response.status_code == 302
    today = timezone.localdate()
    response = client.post(
        case_url(case, "cases:case_plan_item_new"),
        {
            "kind": "school_reintegration",
            "responsible_party": "Agency One",
            "budget_amount": "120",
            "currency": "USD",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=200)).isoformat(),
        },
    )
    assert response.status_code == 302
    for kind in ("caregiver_consent", "child_assent"):
        client.post(
            case_url(case, "cases:case_consent"),
            {"kind": kind, "given": "yes", "obtained_on": today.isoformat()},
        )
    act(client, case, "agree_plan")
    act(client, case, "start_remediation", started_on=today.isoformat())
    case.refresh_from_db()
    assert case.state == CaseState.IN_REMEDIATION
    for _ in range(2):
        case.refresh_from_db()
        response = client.post(
            case_url(case, "cases:case_follow_up"),
            {
                "version": case.version,
                "visited_on": today.isoformat(),
                "school_status": SchoolStatus.ATTENDING_REGULARLY,
                "household_chores_hours": "2",
                "activities-TOTAL_FORMS": "1",
                "activities-INITIAL_FORMS": "0",
                "activities-MIN_NUM_FORMS": "0",
                "activities-MAX_NUM_FORMS": "3",
            },
        )
        assert response.status_code == 302, _text(response)
    case.refresh_from_db()
    assert case.state == CaseState.FOLLOW_UP
    page = _text(client.get(case_url(case)))
    assert "2 of 2 consecutive clean follow-ups." in page
    client.post(
        case_url(case, "cases:case_close"),
        {"version": case.version, "reason": ClosureReason.COMPLETED},
    )
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_junior_plans_wait_for_a_full_supervisor(world, agencies, client_for):
    agency_services.caseworker_level_set(
        actor=world.hub_admin, user=world.case_manager, level=AccreditationLevel.JUNIOR
    )
    case = advance(open_case(world), CaseState.ASSESSMENT, world.case_manager)
    record_assessment(world.case_manager, case)
    add_item(world.case_manager, case)
    record_consents(world.case_manager, case)
    act(client_for(world.case_manager), case, "agree_plan")
    case.refresh_from_db()
    assert case.plan.status == PlanStatus.AWAITING_APPROVAL
    page = _text(client_for(world.case_manager).get(case_url(case)))
    assert "Approve the plan" not in page
    home = _text(client_for(world.supervisor).get(reverse("core:home")))
    assert case.number in home
    act(client_for(world.supervisor), case, "approve_plan")
    case.refresh_from_db()
    assert case.plan.status == PlanStatus.AGREED


def test_a_follow_up_finding_work_returns_to_assessment(world, agencies, client_for):
    case = advance(open_case(world), CaseState.IN_REMEDIATION, world.case_manager)
    today = timezone.localdate()
    response = client_for(world.case_manager).post(
        case_url(case, "cases:case_follow_up"),
        {
            "version": case.version,
            "visited_on": today.isoformat(),
            "school_status": SchoolStatus.DROPPED_OUT,
            "household_chores_hours": "0",
            "activities-TOTAL_FORMS": "1",
            "activities-INITIAL_FORMS": "0",
            "activities-MIN_NUM_FORMS": "0",
            "activities-MAX_NUM_FORMS": "3",
            "activities-0-task": "washing_ore",
            "activities-0-hours_per_week": "12",
            "activities-0-hazards": ["dust_or_chemicals"],
        },
        follow=True,
    )
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT
    assert "hazardous" in _text(response).lower()


def test_notes_and_attachments(world, agencies, client_for, media_root):
    case = open_case(world)
    client = client_for(world.case_manager)
    client.post(case_url(case, "cases:case_note"), {"note": "Mother agreed to meet on Friday."})
    assert "Mother agreed to meet on Friday." in _text(client.get(case_url(case)))
    response = client.post(
        case_url(case, "cases:case_attachment_add"),
        {"file": _upload("notes.txt", b"just text"), "description": ""},
        follow=True,
    )
    assert "Only PDF documents" in _text(response)
    client.post(
        case_url(case, "cases:case_attachment_add"),
        {"file": _upload("consent.pdf", PDF), "description": "Signed consent"},
    )
    attachment = CaseAttachment.objects.get(case=case)
    stored = Path(media_root) / "case_attachments" / attachment.stored_name
    assert b"%PDF" not in stored.read_bytes()  # encrypted at rest
    url = case_url(case, "cases:case_attachment", attachment_id=attachment.pk)
    assert client.get(url).content == PDF
    assert AuditEvent.objects.filter(action="case:attachment_read").count() == 1
    assert client_for(world.other_agency_case_manager).get(url).status_code == 404


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_a_transferred_case_leaves_the_old_agency_but_its_summary_stays(
    world, agencies, client_for
):
    case = open_case(world)
    response = client_for(world.supervisor).post(
        case_url(case, "cases:case_transfer"),
        {
            "version": case.version,
            "to_agency": agencies.two.pk,
            "to_case_manager": world.other_agency_case_manager.pk,
            "reason": "The family moved to Kanina.",
            "summary": "Removed from the pools; school fees paid.",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("cases:case_list")
    assert CaseTransfer.objects.filter(case=case).exists()
    client = client_for(world.case_manager)
    assert client.get(case_url(case)).status_code == 404
    assert "Removed from the pools; school fees paid." in _text(
        client.get(reverse("cases:case_list"))
    )
    assert client_for(world.other_agency_case_manager).get(case_url(case)).status_code == 200


# Home pages -----------------------------------------------------------------------------------


def test_case_manager_home_lists_their_work(world, agencies, client_for):
    case = open_case(world)
    waiting = referral_create(
        actor=world.hub_admin,
        identification=identify_child(world, first_name="Joseph"),
        agency=agencies.one,
    )
    Case.objects.filter(pk=case.pk).update(step_due_at=timezone.now() - timedelta(hours=2))
    page = _text(client_for(world.case_manager).get(reverse("core:home")))
    assert "1 overdue" in page
    assert case.number in page
    assert "1 referral waiting" in page
    assert waiting.child.code in page


def test_home_pages_cost_the_same_for_one_case_or_many(world, agencies, client_for):
    accredit(world, agencies.one, capacity=50)
    case = advance(open_case(world), CaseState.IN_REMEDIATION, world.case_manager)
    clean_follow_up(world.case_manager, case)
    counts = {}
    for label in ("one", "many"):
        if label == "many":
            for name in ("Joseph", "Neema", "Furaha"):
                advance(
                    open_case(world, first_name=name), CaseState.PLAN_AGREED, world.case_manager
                )
        for persona in ("case_manager", "supervisor"):
            client = client_for(getattr(world, persona))
            client.get(reverse("core:home"))
            with CaptureQueriesContext(connection) as captured:
                client.get(reverse("core:home"))
            counts[(persona, label)] = len(captured)
    assert counts[("case_manager", "one")] == counts[("case_manager", "many")]
    assert counts[("supervisor", "one")] == counts[("supervisor", "many")]


def test_the_case_file_and_list_stay_under_the_page_budget(world, agencies, client_for):
    from core.tests.test_page_weight import BUDGET_BYTES, _weight

    case = advance(open_case(world), CaseState.FOLLOW_UP, world.case_manager)
    client = client_for(world.case_manager)
    for url in (case_url(case), reverse("cases:case_list"), reverse("cases:referral_inbox")):
        assert _weight(client, url) < BUDGET_BYTES


@pytest.mark.parametrize("persona", ["case_manager", *OUTSIDERS])
def test_only_the_desk_enters_a_manual_referral(world, agencies, client_for, persona):
    assert client_for(getattr(world, persona)).get(reverse("cases:referral_new")).status_code == 404


def test_the_desk_withdraws_a_referral_nobody_answers(world, waiting, client_for):
    client_for(world.hub_admin).post(
        reverse("cases:referral_withdraw", args=[waiting.pk]),
        {"withdraw-reason": "No answer after three days."},
    )
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.WITHDRAWN
    assert waiting.identification.status == IdentificationStatus.OPEN
    response = client_for(world.case_manager).post(
        reverse("cases:referral_withdraw", args=[waiting.pk]), {"withdraw-reason": "Mine."}
    )
    assert response.status_code == 404


def test_the_case_file_costs_the_same_with_more_follow_ups(world, agencies, client_for):
    case = advance(open_case(world), CaseState.FOLLOW_UP, world.case_manager)
    case = clean_follow_up(world.case_manager, case).case  # two: the closure rule is met
    client = client_for(world.case_manager)
    client.get(case_url(case))
    with CaptureQueriesContext(connection) as two:
        client.get(case_url(case))
    case = clean_follow_up(world.case_manager, case).case
    case = clean_follow_up(world.case_manager, case).case
    with CaptureQueriesContext(connection) as four:
        client.get(case_url(case))
    assert len(four) == len(two)


def test_a_supervisor_changes_the_case_manager(world, agencies, client_for):
    case = open_case(world)
    client = client_for(world.supervisor)
    assert "Change the case manager" in _text(client.get(case_url(case)))
    client.post(
        case_url(case, "cases:case_reassign"),
        {"version": case.version, "case_manager": world.supervisor.pk, "note": "Leave."},
    )
    case.refresh_from_db()
    assert case.case_manager == world.supervisor
    response = client_for(world.case_manager).post(
        case_url(case, "cases:case_reassign"),
        {"version": case.version, "case_manager": world.case_manager.pk},
    )
    assert "Only a supervisor of this agency can do this." in _text(response)
    case.refresh_from_db()
    assert case.case_manager == world.supervisor
    outsider = client_for(world.other_agency_case_manager)
    assert outsider.get(case_url(case, "cases:case_reassign")).status_code == 404


def test_an_agency_whose_staff_checks_lapsed_is_not_suggested(world, agencies, client_for):
    yesterday = timezone.localdate() - timedelta(days=1)
    world.other_agency_case_manager.background_checks.update(
        checked_on=yesterday - timedelta(days=365), expires_on=yesterday
    )
    identification = identify_child(world)
    page = _text(
        client_for(world.hub_admin).get(reverse("monitoring:desk_detail", args=[identification.pk]))
    )
    assert f'name="agency" value="{agencies.two.pk}"' not in page
    assert "Agency Two has no case manager with a valid background check" in page


def test_the_case_manager_sees_the_childs_name_the_hub_sees_the_code(world, agencies, client_for):
    case = open_case(world)
    assert "Amani" in _text(client_for(world.case_manager).get(case_url(case)))
    assert "Amani" not in _text(client_for(world.programme_manager).get(case_url(case)))
