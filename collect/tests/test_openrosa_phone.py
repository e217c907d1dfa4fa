"""ODK Collect, as it talks to Kinga, over real HTTP against a running server on 127.0.0.1.

Form list, form download and hash check, manifest and media, HEAD, POST, repeated POST,
concurrent duplicate POSTs, a conflicting POST, split attachments, a deprecatedID edit, bad
credentials, an oversized body and malformed XML.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import re
import threading

import pytest
from defusedxml.ElementTree import fromstring
from django.utils import timezone

from accounts.services.devices import device_credential_create
from collect.models import Submission, SubmissionAttachment, SubmissionStatus
from collect.openrosa.client import Phone, default_child, household_visit_xml, new_instance_id
from collect.openrosa.xlsform_spec import VERSIONS
from collect.tests.phone_server import running_server
from monitoring.models import Child, Household, Identification, Visit

pytestmark = pytest.mark.django_db(transaction=True)
FORM = "kinga_household_visit"
LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"


@pytest.fixture(autouse=True)
def task_catalogue(transactional_db):
    """Transactional tests empty every table, the task catalogue of migration 0002 too."""
    from django.apps import apps

    from monitoring.models import Task

    if not Task.objects.exists():
        importlib.import_module("monitoring.migrations.0002_task_catalogue").load(apps, None)


@pytest.fixture
def server():
    with running_server() as url:
        yield url


@pytest.fixture
def phone(world, server):
    credential, secret = device_credential_create(
        actor=world.facilitator, user=world.facilitator, label="Tecno 1"
    )
    client = Phone(server, credential.name, secret)
    yield client
    client.close()


def _visit(world, **kwargs):
    version = VERSIONS[FORM]
    return household_visit_xml(
        community=world.village.code,
        version=version,
        visited_on=timezone.localdate().isoformat(),
        **{"instance_id": new_instance_id(), **kwargs},
    )


def _openrosa(reply):
    assert reply.header("X-OpenRosa-Version") == "1.0"
    return reply


def test_form_list_and_download_match_their_md5(phone):
    reply = _openrosa(phone.request("GET", "formList"))
    assert reply.status == 200
    forms = fromstring(reply.body).findall(f"{LIST_NS}xform")
    assert {f.findtext(f"{LIST_NS}formID") for f in forms} == {
        "kinga_household_visit",
        "kinga_mine_site_visit",
        "kinga_case_follow_up",
    }
    for entry in forms:
        download = _openrosa(phone.request("GET", entry.findtext(f"{LIST_NS}downloadUrl")))
        assert download.status == 200
        digest = "md5:" + hashlib.md5(download.body, usedforsecurity=False).hexdigest()
        assert entry.findtext(f"{LIST_NS}hash") == digest
        assert entry.findtext(f"{LIST_NS}version") in download.body.decode()


def test_manifest_lists_only_the_facilitators_communities(phone, world):
    reply = _openrosa(phone.request("GET", "forms/kinga_household_visit/manifest"))
    media = fromstring(reply.body).find(f"{MANIFEST_NS}mediaFile")
    assert media.findtext(f"{MANIFEST_NS}filename") == "communities.csv"
    csv = _openrosa(phone.request("GET", media.findtext(f"{MANIFEST_NS}downloadUrl")))
    digest = "md5:" + hashlib.md5(csv.body, usedforsecurity=False).hexdigest()
    assert media.findtext(f"{MANIFEST_NS}hash") == digest
    assert world.village.code in csv.body.decode()
    assert world.other_village.code not in csv.body.decode()


def test_head_answers_204_with_the_accepted_length(phone):
    reply = _openrosa(phone.request("HEAD", "submission"))
    assert reply.status == 204
    assert int(reply.header("X-OpenRosa-Accept-Content-Length")) > 0


def test_post_creates_the_visit_classified_and_identified(phone, world):
    reply = _openrosa(phone.submit(_visit(world)))
    assert reply.status == 201
    assert b"OpenRosaResponse" in reply.body
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.PROCESSED, submission.review_reason
    assert submission.form_version == VERSIONS[FORM]
    visit = Visit.objects.get()
    assert (visit.source, visit.facilitator, visit.area) == (
        "odk",
        world.facilitator,
        world.village,
    )
    assert visit.form_version == submission.form_version
    observation = visit.observations.get()
    assert observation.category == "hazardous_child_labour"
    assert Identification.objects.filter(child=observation.child, status="open").exists()


def test_repeated_post_stores_one_record(phone, world):
    body = _visit(world)
    assert phone.submit(body).status == 201
    again = _openrosa(phone.submit(body))
    assert again.status == 201
    assert Submission.objects.count() == 1
    assert Visit.objects.count() == Household.objects.count() == Child.objects.count() == 1


def test_concurrent_duplicate_posts_store_exactly_one(phone, world, server):
    body = _visit(world)
    statuses = []
    start = threading.Barrier(6)

    def send():
        client = Phone(server, phone.name, phone.secret)
        start.wait()
        statuses.append(client.submit(body).status)
        client.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 6
    assert Submission.objects.count() == 1
    assert Visit.objects.count() == Household.objects.count() == 1


def test_conflicting_post_is_refused_and_the_first_kept(phone, world):
    instance_id = new_instance_id()
    assert phone.submit(_visit(world, instance_id=instance_id)).status == 201
    other = _visit(world, instance_id=instance_id, head_name="Someone Else")
    reply = _openrosa(phone.submit(other))
    assert reply.status == 409
    assert (
        Submission.objects.get().xml_sha256
        == hashlib.sha256(_visit(world, instance_id=instance_id)).hexdigest()
    )


def test_attachments_split_over_several_posts_are_joined(phone, world):
    today = timezone.localdate().isoformat()
    version = VERSIONS["kinga_mine_site_visit"]
    instance_id = new_instance_id()
    body = (
        f'<data id="kinga_mine_site_visit" version="{version}"><site>S-1</site>'
        f"<visited_on>{today}</visited_on><site_photo>pit.jpg</site_photo>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()
    assert phone.submit(body, {"other.jpg": b"ignored"}).status == 201
    submission = Submission.objects.get()
    assert submission.attachments_missing == ["pit.jpg"]
    assert phone.submit(body, {"pit.jpg": b"\xff\xd8photo"}).status == 201
    attachment = SubmissionAttachment.objects.get()
    assert (attachment.name, base64.b64decode(attachment.content)) == ("pit.jpg", b"\xff\xd8photo")
    assert Submission.objects.get().attachments_missing == []


def test_deprecated_id_edit_becomes_a_linked_version(phone, world):
    first_id = new_instance_id()
    stranger = default_child(age="40")  # refused: goes to review, not to records
    assert phone.submit(_visit(world, instance_id=first_id, children=[stranger])).status == 201
    first = Submission.objects.get()
    assert first.status == SubmissionStatus.NEEDS_REVIEW
    edit = _visit(world, instance_id=new_instance_id(), deprecated_id=first_id)
    assert phone.submit(edit).status == 201
    later = Submission.objects.exclude(pk=first.pk).get()
    assert later.previous == first
    assert later.status == SubmissionStatus.PROCESSED
    first.refresh_from_db()
    assert first.status == SubmissionStatus.SUPERSEDED
    assert Visit.objects.count() == 1


def test_an_edit_after_processing_corrects_the_child_and_reclassifies(phone, world):
    first_id = new_instance_id()
    adult = default_child(age="19")
    assert phone.submit(_visit(world, instance_id=first_id, children=[adult])).status == 201
    assert not Identification.objects.exists()
    edit = _visit(world, deprecated_id=first_id, children=[default_child(age="13")])
    assert _openrosa(phone.submit(edit)).status == 201
    later = Submission.objects.get(deprecated_id=first_id)
    assert later.status == SubmissionStatus.PROCESSED, later.review_reason
    assert Visit.objects.count() == Child.objects.count() == 1
    assert Visit.objects.get().observations.get().category == "hazardous_child_labour"
    assert Identification.objects.filter(status="open").count() == 1


@pytest.mark.parametrize("credentials", [None, ("phone-nobody", "x"), ("wrong", "")])
def test_bad_credentials_get_a_basic_challenge(world, server, credentials):
    client = Phone(server, *(credentials or ("", "")))
    for method, path in (("GET", "formList"), ("HEAD", "submission")):
        reply = _openrosa(client.request(method, path))
        assert reply.status == 401
        assert re.match(r'Basic realm="Kinga"', reply.header("WWW-Authenticate"))
    assert client.submit(_visit(world)).status == 401
    client.close()
    assert Submission.objects.count() == 0


def test_revoked_credential_is_refused(phone, world):
    from accounts.models import DeviceCredential
    from accounts.services.devices import device_credential_revoke

    credential = DeviceCredential.objects.get(name=phone.name)
    device_credential_revoke(actor=world.facilitator, credential=credential)
    assert phone.request("GET", "formList").status == 401


def test_oversized_body_is_refused_before_reading(phone, world, settings):
    settings.KINGA_COLLECT_MAX_SUBMISSION_BYTES = 2048
    reply = _openrosa(phone.submit(_visit(world), {"big.jpg": b"x" * 4096}))
    assert reply.status == 413
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"<data id='kinga_household_visit'><unclosed></data>",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><data id="x">&a;</data>',
        b"<data id='kinga_household_visit'><meta></meta></data>",
    ],
)
def test_malformed_xml_is_refused(phone, body):
    reply = _openrosa(phone.submit(body))
    assert reply.status == 400
    assert Submission.objects.count() == 0
