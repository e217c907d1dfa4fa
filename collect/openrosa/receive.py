"""Storing what a phone sends, exactly once per form instance.

The unique constraint on (form, instanceID) decides, not a look-up before the insert: two
copies of a submission arriving at the same moment both try to insert, one wins, and the
other finds the winner's row and answers success without writing anything. Attachments sent
over several requests are joined on the stored submission.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from enum import StrEnum

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from accounts.models import DeviceCredential
from audit.actions import Action
from audit.services import record_event
from collect.models import Submission, SubmissionAttachment
from collect.openrosa.instance import Instance, parse_instance
from collect.openrosa.xlsforms import published_form
from core.tasks import enqueue_on_commit


class Outcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"  # the same instance again: success, nothing new but attachments
    CONFLICT = "conflict"  # another body under a known instanceID: refused, the first is kept


@dataclass(frozen=True)
class Received:
    outcome: Outcome
    submission: Submission


def expected_attachments(instance: Instance) -> list[str]:
    form = published_form(instance.form_id)
    if form is None:
        return []
    names = {
        value
        for path, value in instance.values.items()
        if value and path.rsplit("/", 1)[-1] in form.spec.binary_fields
    }
    return sorted(names)


def _add_attachments(submission: Submission, files: list[UploadedFile]) -> int:
    if not files:
        return 0
    wanted = set(submission.attachments_expected)
    have = set(submission.attachments.values_list("name", flat=True))
    added = 0
    for upload in files:
        name = upload.name or ""
        if name not in wanted or name in have:
            continue
        data = upload.read()
        try:
            with transaction.atomic():
                SubmissionAttachment.objects.create(
                    submission=submission,
                    name=name,
                    content_type=(upload.content_type or "")[:100],
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    content=base64.b64encode(data).decode(),
                )
        except IntegrityError:  # the same file arrived in a concurrent request
            continue
        have.add(name)
        added += 1
    return added


def submission_receive(
    *, device: DeviceCredential, body: bytes, files: list[UploadedFile]
) -> Received:
    """Store one submission (and its files) from `device`; raises InstanceError on a bad body.

    Not one transaction around both paths: on PostgreSQL a failed insert aborts its
    transaction, so the new-instance path (nearly every request) would need a savepoint, two
    more round trips. Instead the insert runs in its own transaction with its audit row; when
    the constraint refuses it, that transaction is gone and the duplicate path opens another.
    Inside a caller's transaction the inner blocks become savepoints and the result is the same.
    """
    instance = parse_instance(body)
    digest = hashlib.sha256(body).hexdigest()
    try:
        return _store_new(device=device, instance=instance, body=body, digest=digest, files=files)
    except IntegrityError:
        return _join_existing(instance=instance, digest=digest, files=files)


@transaction.atomic
def _store_new(
    *,
    device: DeviceCredential,
    instance: Instance,
    body: bytes,
    digest: str,
    files: list[UploadedFile],
) -> Received:
    previous = None
    if instance.deprecated_id:
        previous = Submission.objects.filter(
            form_id=instance.form_id, instance_id=instance.deprecated_id
        ).first()
    submission = Submission.objects.create(
        form_id=instance.form_id,
        form_version=instance.version,
        instance_id=instance.instance_id,
        deprecated_id=instance.deprecated_id,
        previous=previous,
        device=device,
        submitted_by=device.user,
        xml=body.decode("utf-8", errors="replace"),
        xml_sha256=digest,
        attachments_expected=expected_attachments(instance),
    )
    _add_attachments(submission, files)
    record_event(
        actor=device.user,
        action=Action.SUBMISSION_RECEIVE,
        subject=submission,
        changes={
            "form": instance.form_id,
            "version": instance.version,
            "device": device.name,
            "edit_of": previous.pk if previous is not None else None,
        },
    )
    from collect.openrosa.processing import process_submission

    enqueue_on_commit(process_submission, submission.pk)
    return Received(Outcome.CREATED, submission)


@transaction.atomic
def _join_existing(*, instance: Instance, digest: str, files: list[UploadedFile]) -> Received:
    """The instance is already stored (a retry, or a copy that lost the race to insert)."""
    existing = Submission.objects.filter(
        form_id=instance.form_id, instance_id=instance.instance_id
    ).first()
    if existing is None:  # the refusal was another constraint: not ours to hide
        raise IntegrityError(f"submission {instance.instance_id} refused but not stored")
    if existing.xml_sha256 != digest:
        return Received(Outcome.CONFLICT, existing)
    _add_attachments(existing, files)
    return Received(Outcome.DUPLICATE, existing)
