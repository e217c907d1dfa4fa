"""The phone pages: credentials (create, list, revoke with confirmation) and the review queue."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import DeviceCredential
from accounts.services.devices import device_credential_create, device_for_credentials
from collect.models import SubmissionStatus
from collect.openrosa.client import default_child, household_visit_xml, new_instance_id
from collect.openrosa.receive import submission_receive
from collect.openrosa.xlsform_spec import VERSIONS

pytestmark = pytest.mark.django_db
PHONES, REVIEW = "/collect/phones/", "/collect/review/"


def test_a_facilitator_creates_sees_the_secret_once_and_lists_their_phones(world, client_for):
    client = client_for(world.facilitator)
    response = client.post(PHONES, {"label": "Tecno 12"})
    assert response.status_code == 200
    row = DeviceCredential.objects.get()
    assert row.user == world.facilitator
    page = response.content.decode()
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert device_for_credentials(row.name, secret) == row
    assert "http://testserver/collect" in page
    again = client.get(PHONES).content.decode()
    assert row.name in again
    assert secret not in again


def test_a_facilitator_sees_only_their_own_phones(world, client_for):
    device_credential_create(actor=world.facilitator, user=world.facilitator, label="Mine")
    theirs, _s = device_credential_create(
        actor=world.other_facilitator, user=world.other_facilitator, label="Theirs"
    )
    page = client_for(world.facilitator).get(PHONES).content.decode()
    assert "Mine" in page
    assert "Theirs" not in page
    assert client_for(world.facilitator).get(f"{PHONES}{theirs.pk}/revoke/").status_code == 404
    assert client_for(world.facilitator).post(f"{PHONES}{theirs.pk}/revoke/").status_code == 404
    assert DeviceCredential.objects.get(pk=theirs.pk).revoked_at is None


def test_revoking_asks_first_then_revokes(world, client_for):
    row, secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="Lost phone"
    )
    client = client_for(world.facilitator)
    confirm = client.get(f"{PHONES}{row.pk}/revoke/")
    assert confirm.status_code == 200
    assert "Lost phone" in confirm.content.decode()
    assert device_for_credentials(row.name, secret) is not None
    response = client.post(f"{PHONES}{row.pk}/revoke/")
    assert response.status_code == 302
    assert device_for_credentials(row.name, secret) is None


def test_a_hub_admin_creates_a_credential_for_a_facilitator(world, client_for):
    client = client_for(world.hub_admin)
    response = client.post(PHONES, {"label": "Spare", "username": "facilitator"})
    assert response.status_code == 200
    assert DeviceCredential.objects.get().user == world.facilitator
    refused = client.post(PHONES, {"label": "x", "username": "case-manager"})
    assert "Only people who record visits" in refused.content.decode()
    assert DeviceCredential.objects.count() == 1


@pytest.mark.parametrize("persona", ["case_manager", "company_member", "auditor", "no_role_user"])
def test_others_do_not_see_the_phone_pages(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(PHONES).status_code == 404
    assert client.post(PHONES, {"label": "x"}).status_code == 404
    assert client.get(REVIEW).status_code == 404


def test_anonymous_is_sent_to_sign_in(client_for):
    assert client_for(None).get(PHONES).status_code == 302


def _refused_submission(world, django_capture_on_commit_callbacks):
    device, _secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="phone"
    )
    body = household_visit_xml(
        community=world.village.code,
        instance_id=new_instance_id(),
        version=VERSIONS["kinga_household_visit"],
        visited_on=timezone.localdate().isoformat(),
        children=[default_child(age="40")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_receive(device=device, body=body, files=[]).submission
    submission.refresh_from_db()
    return submission


def test_staff_review_fix_and_process_again(world, client_for, django_capture_on_commit_callbacks):
    submission = _refused_submission(world, django_capture_on_commit_callbacks)
    client = client_for(world.hub_admin)
    listing = client.get(REVIEW).content.decode()
    assert f"{REVIEW}{submission.pk}/" in listing
    assert "child[1]/age" in listing
    detail = client.get(f"{REVIEW}{submission.pk}/")
    assert detail.status_code == 200
    assert 'name="child[1]/age"' in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{REVIEW}{submission.pk}/", {"child[1]/age": "13"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PROCESSED
    assert "child[1]/age" not in client.get(REVIEW).content.decode()


def test_an_edit_in_review_shows_the_first_versions_answers_beside_the_edits(
    world, client_for, django_capture_on_commit_callbacks
):
    device, _secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="phone"
    )
    first_id, today = new_instance_id(), timezone.localdate().isoformat()
    version = VERSIONS["kinga_household_visit"]
    fewer = [{"task": "digging", "hours": "6", "hazards": "heavy_loads", "night": "no"}]
    for instance_id, deprecated_id, children in (
        (first_id, "", [default_child()]),
        (new_instance_id(), first_id, [default_child(activity=fewer)]),
    ):
        body = household_visit_xml(
            community=world.village.code,
            instance_id=instance_id,
            deprecated_id=deprecated_id,
            version=version,
            visited_on=today,
            children=children,
        )
        with django_capture_on_commit_callbacks(execute=True):
            submission = submission_receive(device=device, body=body, files=[]).submission
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NEEDS_REVIEW
    page = client_for(world.hub_admin).get(f"{REVIEW}{submission.pk}/").content.decode()
    assert "First version: 20" in page  # the hours the edit changed, to set back
    assert "First version: Amani" not in page  # unchanged answers carry no note
    assert client_for(world.other_facilitator).get(f"{REVIEW}{submission.pk}/").status_code == 404


def test_the_review_queue_is_for_staff_only(world, client_for, django_capture_on_commit_callbacks):
    submission = _refused_submission(world, django_capture_on_commit_callbacks)
    for persona in ("facilitator", "programme_manager", "case_manager", "no_role_user"):
        client = client_for(getattr(world, persona))
        assert client.get(f"{REVIEW}{submission.pk}/").status_code == 404
        assert client.post(f"{REVIEW}{submission.pk}/", {"child[1]/age": "9"}).status_code == 404
    submission.refresh_from_db()
    assert submission.corrections == {}


def test_review_list_queries_do_not_grow_with_rows(
    world, client_for, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(3):
        _refused_submission(world, django_capture_on_commit_callbacks)
    client = client_for(world.hub_admin)
    client.get(REVIEW)
    with django_assert_max_num_queries(12):
        client.get(REVIEW)


def test_a_phone_visit_shows_in_the_facilitators_lists_and_on_the_referral_desk(
    world, client_for, django_capture_on_commit_callbacks
):
    device, _secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="phone"
    )
    body = household_visit_xml(
        community=world.village.code,
        instance_id=new_instance_id(),
        version=VERSIONS["kinga_household_visit"],
        visited_on=timezone.localdate().isoformat(),
        head_name="Mwamba Kalenga",
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_receive(device=device, body=body, files=[]).submission
    submission.refresh_from_db()
    visit = submission.visit
    assert visit is not None
    household = visit.household
    assert household is not None
    facilitator = client_for(world.facilitator)
    assert household.code in facilitator.get("/monitoring/households/").content.decode()
    visit_page = facilitator.get(f"/monitoring/visits/{submission.visit_id}/").content.decode()
    assert "Hazardous child labour" in visit_page
    child = visit.observations.get().child
    desk = client_for(world.hub_admin).get("/monitoring/desk/").content.decode()
    assert child.code in desk
    assert (
        household.code
        not in client_for(world.other_facilitator).get("/monitoring/households/").content.decode()
    )
