"""From a stored submission to records, the review queue, corrections and re-processing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.services.devices import device_credential_create
from audit.models import AuditEvent
from collect.models import Submission, SubmissionStatus
from collect.openrosa.client import default_child, household_visit_xml, new_instance_id
from collect.openrosa.instance import InstanceError, parse_instance
from collect.openrosa.processing import form_path, process_submission, submission_correct
from collect.openrosa.receive import Outcome, submission_receive
from collect.openrosa.xlsform_spec import VERSIONS
from core.errors import DomainError
from monitoring.models import Child, Household, Identification, Visit

pytestmark = pytest.mark.django_db
VERSION = VERSIONS["kinga_household_visit"]


@pytest.fixture
def device(world):
    row, _secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="phone"
    )
    return row


@pytest.fixture
def receive(device, django_capture_on_commit_callbacks):
    def send(body: bytes):
        with django_capture_on_commit_callbacks(execute=True):
            received = submission_receive(device=device, body=body, files=[])
        received.submission.refresh_from_db()
        return received

    return send


def _body(world, *, community=None, children=None, version=VERSION, instance_id=None):
    return household_visit_xml(
        community=community or world.village.code,
        instance_id=instance_id or new_instance_id(),
        version=version,
        visited_on=timezone.localdate().isoformat(),
        children=children,
    )


def test_a_household_visit_lands_with_classification_and_identification(world, receive):
    received = receive(_body(world))
    submission = received.submission
    assert (received.outcome, submission.status) == (Outcome.CREATED, SubmissionStatus.PROCESSED)
    visit = submission.visit
    child = visit.observations.get().child
    assert child.external_id == f"odk:{submission.instance_id.removeprefix('uuid:')}:child:1"
    assert child.last_name == "Kalenga"  # the caregiver consented
    assert Identification.objects.get(child=child).status == "open"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"submission:receive", "submission:process", "visit:record"} <= actions


def test_processing_again_creates_nothing_new(world, receive):
    submission = receive(_body(world)).submission
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.RECEIVED)
    process_submission(submission.pk)
    assert Visit.objects.count() == Household.objects.count() == Child.objects.count() == 1
    assert Submission.objects.get().status == SubmissionStatus.PROCESSED


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"community": "V-NOWHERE"}, "submission.unknown_community", "community"),
        ({"children": [default_child(age="40")]}, "child.age_range", "child[1]/age"),
        ({"version": "1999"}, "submission.unknown_version", "@version"),
        (
            {"children": [default_child(activity=[{"task": "juggling", "hours": "3"}])]},
            "visit.task_unknown",
            "child[1]/activity[1]/task",
        ),
    ],
)
def test_refused_submissions_wait_in_review_with_the_reason(world, receive, kwargs, code, field):
    submission = receive(_body(world, **kwargs)).submission
    assert submission.status == SubmissionStatus.NEEDS_REVIEW
    assert (submission.review_code, submission.review_field) == (code, field)
    assert submission.review_reason
    assert not Visit.objects.exists()
    assert not Household.objects.exists()


def test_out_of_scope_community_is_reviewed_not_recorded(world, receive):
    submission = receive(_body(world, community=world.other_village.code)).submission
    assert submission.review_code == "monitoring.out_of_scope"


def test_staff_fix_and_process_again(world, receive, django_capture_on_commit_callbacks):
    body = _body(world, children=[default_child(age="40")])
    submission = receive(body).submission
    with django_capture_on_commit_callbacks(execute=True):
        submission_correct(
            actor=world.hub_admin, submission=submission, corrections={"child[1]/age": "14"}
        )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PROCESSED
    assert submission.corrections == {"child[1]/age": "14"}
    assert submission.xml.encode() == body  # the record of truth is untouched
    assert Visit.objects.get().observations.get().age_at_visit == 14
    with pytest.raises(DomainError):
        submission_correct(actor=world.hub_admin, submission=submission, corrections={})


def test_unknown_version_fixed_by_choosing_a_known_one(
    world, receive, django_capture_on_commit_callbacks
):
    submission = receive(_body(world, version="1999")).submission
    with django_capture_on_commit_callbacks(execute=True):
        submission_correct(
            actor=world.hub_admin, submission=submission, corrections={"@version": VERSION}
        )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PROCESSED
    assert submission.visit.form_version == VERSION


def _edit_of(world, first, **kwargs):
    """An edit as Collect sends it: finalised again, so `end` is later than the first's."""
    return household_visit_xml(
        community=world.village.code,
        instance_id=new_instance_id(),
        version=VERSION,
        visited_on=timezone.localdate().isoformat(),
        deprecated_id=first.instance_id,
        finished_at="09:15:00",
        **kwargs,
    )


def test_an_edit_after_processing_corrects_the_records_and_reclassifies(world, receive):
    first = receive(_body(world, children=[default_child(age="19")])).submission
    observation = first.visit.observations.get()
    assert observation.category == "not_applicable"  # an adult's work is not child labour
    assert not Identification.objects.exists()
    # The facilitator reopens the form: the child is 14, not 19, and the head's name was wrong.
    edit = _edit_of(world, first, head_name="Ilunga Kalenga", children=[default_child(age="14")])
    later = receive(edit).submission
    assert (later.status, later.previous, later.visit) == (
        SubmissionStatus.PROCESSED,
        first,
        first.visit,
    )
    first.refresh_from_db()
    assert first.status == SubmissionStatus.SUPERSEDED
    assert Visit.objects.count() == Household.objects.count() == Child.objects.count() == 1
    observation.refresh_from_db()
    assert observation.category == "hazardous_child_labour"
    assert Identification.objects.get().child == observation.child
    assert Household.objects.get().head_name == "Ilunga Kalenga"
    event = AuditEvent.objects.filter(action="submission:process", subject_id=str(later.pk)).get()
    assert event.changes["edit_of"] == first.pk
    assert event.changes["corrected"] == ["child[1]/age", "head_name"]
    assert AuditEvent.objects.filter(action="child:update").exists()


def test_an_edit_of_an_edit_corrects_the_same_child(world, receive):
    first = receive(_body(world, children=[default_child(age="19")])).submission
    second = receive(_edit_of(world, first, children=[default_child(age="14")])).submission
    third = receive(
        _edit_of(world, second, children=[default_child(age="13", first_name="Amina")])
    ).submission
    assert third.status == SubmissionStatus.PROCESSED, third.review_reason
    assert (third.previous, third.visit) == (second, first.visit)
    child = Child.objects.get()
    assert child.first_name == "Amina"
    assert child.observations.get().age_at_visit == 13


def test_an_edit_changing_what_was_observed_waits_for_a_person_who_is_told_what_to_do(
    world, receive, django_capture_on_commit_callbacks
):
    first = receive(_body(world)).submission
    fewer_hours = [{"task": "digging", "hours": "6", "hazards": "heavy_loads", "night": "no"}]
    edit = _edit_of(
        world, first, head_name="Ilunga Kalenga", children=[default_child(activity=fewer_hours)]
    )
    later = receive(edit).submission
    assert later.status == SubmissionStatus.NEEDS_REVIEW
    assert later.review_code == "submission.edit_changes_observations"
    assert later.review_field == "child[1]/activity[1]/hazards"
    assert "child[1]/activity[1]/hours" in later.review_reason
    assert "head_name" not in later.review_reason  # that one a service can correct
    assert Household.objects.get().head_name == "Mwamba Kalenga"  # nothing applied yet
    # Staff set the observed answers back to the first version's: the rest is applied.
    with django_capture_on_commit_callbacks(execute=True):
        submission_correct(
            actor=world.hub_admin,
            submission=later,
            corrections={
                "child[1]/activity[1]/hours": "20",
                "child[1]/activity[1]/hazards": "heavy_loads dangerous_tools",
            },
        )
    later.refresh_from_db()
    assert later.status == SubmissionStatus.PROCESSED, later.review_reason
    assert Household.objects.get().head_name == "Ilunga Kalenga"
    assert Visit.objects.count() == 1


def test_an_edit_with_an_impossible_age_points_at_the_answer(world, receive):
    first = receive(_body(world)).submission
    born = Child.objects.get().birth_date
    later = receive(_edit_of(world, first, children=[default_child(age="140")])).submission
    assert later.status == SubmissionStatus.NEEDS_REVIEW
    assert later.review_field == "child[1]/age"
    assert Child.objects.get().birth_date == born  # nothing changed


def test_parse_refuses_entities_and_missing_ids():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;">]><data id="f">&b;</data>'
    )
    for body in (bomb, b"<data><meta><instanceID>x</instanceID></meta></data>", b"<data id='f'/>"):
        with pytest.raises(InstanceError):
            parse_instance(body)


def test_values_are_flattened_with_repeat_positions(world):
    two = [default_child(), default_child(first_name="Neema", sex="female")]
    values = parse_instance(_body(world, children=two)).values
    assert values["child[2]/first_name"] == "Neema"
    assert values["child[1]/activity[1]/task"] == "digging"


def test_service_fields_map_to_form_paths():
    assert form_path("children[0].activities[1].hours_per_week") == "child[1]/activity[2]/hours"
    assert form_path("children[2].estimated_age") == "child[3]/age"
    assert form_path("household.head_name") == "head_name"
    assert form_path("household.area") == "community"
    assert form_path(None) == ""


def _child_in_village(world, receive):
    """A child registered through a household visit, to be seen again by code."""
    return receive(_body(world)).submission.visit.observations.get().child


def _work_xml() -> str:
    return (
        "<school_status>not_enrolled</school_status><works>yes</works>"
        "<activity><task>washing_ore</task><hours>12</hours>"
        "<hazards>dust_or_chemicals</hazards><night>no</night></activity>"
        "<worst_forms/><immediate_danger>no</immediate_danger><child_notes/>"
    )


def test_a_mine_site_visit_observes_children_by_code(world, receive):
    from geo.tests.factories import SiteFactory
    from monitoring.choices import VisitKind

    child = _child_in_village(world, receive)
    site = SiteFactory(area=world.village)
    version = VERSIONS["kinga_mine_site_visit"]
    body = (
        f'<data id="kinga_mine_site_visit" version="{version}"><site>{site.code}</site>'
        f"<visited_on>{timezone.localdate().isoformat()}</visited_on>"
        f"<child><child_code>{child.code.lower()}</child_code>{_work_xml()}</child>"
        f"<site_photo/><notes/><meta><instanceID>{new_instance_id()}</instanceID></meta></data>"
    ).encode()
    submission = receive(body).submission
    assert submission.status == SubmissionStatus.PROCESSED, submission.review_reason
    assert (submission.visit.kind, submission.visit.site) == (VisitKind.SITE, site)
    assert submission.visit.observations.get().child == child


def test_a_follow_up_visit_lands_at_the_childs_household(world, receive):
    from monitoring.choices import VisitKind

    child = _child_in_village(world, receive)
    version = VERSIONS["kinga_case_follow_up"]
    body = (
        f'<data id="kinga_case_follow_up" version="{version}">'
        f"<child_code>{child.code}</child_code>"
        f"<visited_on>{timezone.localdate().isoformat()}</visited_on>{_work_xml()}"
        f"<notes/><meta><instanceID>{new_instance_id()}</instanceID></meta></data>"
    ).encode()
    submission = receive(body).submission
    assert submission.status == SubmissionStatus.PROCESSED, submission.review_reason
    visit = submission.visit
    assert (visit.kind, visit.household) == (VisitKind.FOLLOW_UP, child.household)
    assert visit.observations.get().category == "hazardous_child_labour"


def test_an_unknown_child_code_waits_in_review(world, receive):
    version = VERSIONS["kinga_case_follow_up"]
    body = (
        f'<data id="kinga_case_follow_up" version="{version}"><child_code>CH-NONE</child_code>'
        f"<visited_on>{timezone.localdate().isoformat()}</visited_on>{_work_xml()}"
        f"<meta><instanceID>{new_instance_id()}</instanceID></meta></data>"
    ).encode()
    submission = receive(body).submission
    assert (submission.review_code, submission.review_field) == (
        "submission.unknown_child",
        "child_code",
    )
