"""Reads for the phone pages: credentials a user may manage, and the review queue.

Unseen rows answer 404, like every other record in Kinga.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from access.principal import principal_for
from accounts.models import DeviceCredential, User
from accounts.roles import Permission
from collect.models import Submission, SubmissionStatus
from collect.openrosa.values import FORM_METADATA, VERSION_FIELD, submission_values
from collect.openrosa.xlsforms import published_form
from core.pagination import Page, keyset_page

DEVICE_LIST_LIMIT = 200


def may_use_device_pages(user: Any) -> bool:
    principal = principal_for(user)
    return principal.has(Permission.VISIT_RECORD) or principal.has(
        Permission.DEVICE_CREDENTIAL_MANAGE
    )


def devices_visible_to(user: Any) -> QuerySet[DeviceCredential]:
    """A user's own phones; every phone for DEVICE_CREDENTIAL_MANAGE holders."""
    principal = principal_for(user)
    rows = DeviceCredential.objects.select_related("user", "created_by")
    if principal.has(Permission.DEVICE_CREDENTIAL_MANAGE):
        return rows
    if principal.has(Permission.VISIT_RECORD):
        return rows.filter(user_id=user.pk)
    return rows.none()


def device_list(user: Any) -> list[DeviceCredential]:
    return list(
        devices_visible_to(user).order_by("revoked_at", "-created_at", "-id")[:DEVICE_LIST_LIMIT]
    )


def get_device_for_user(user: Any, device_id: int) -> DeviceCredential:
    device = devices_visible_to(user).filter(pk=device_id).first()
    if device is None:
        raise Http404("No such phone")
    return device


def active_user_named(username: str) -> User | None:
    return User.objects.filter(username=username.strip(), is_active=True).first()


def _review_rows(user: Any) -> QuerySet[Submission]:
    if not principal_for(user).has(Permission.SUBMISSION_REVIEW):
        return Submission.objects.none()
    return Submission.objects.select_related("submitted_by", "device")


def review_page(user: Any, *, cursor: str | None = None) -> Page[Submission]:
    rows = _review_rows(user).filter(status=SubmissionStatus.NEEDS_REVIEW)
    return keyset_page(rows, order=("-id",), cursor=cursor)


def review_count(user: Any) -> int:
    return _review_rows(user).filter(status=SubmissionStatus.NEEDS_REVIEW).count()


def get_submission_for_review(user: Any, submission_id: int) -> Submission:
    submission = _review_rows(user).filter(pk=submission_id).first()
    if submission is None:
        raise Http404("No such submission")
    return submission


def fixable_fields(submission: Submission) -> list[tuple[str, str, str, str | None]]:
    """(path, value as received, value now, replaced version's value) for every answer.

    The version comes first. The last item is set only for an edit whose answer differs from
    the version it directly replaces (`submission.previous`), which is what staff set back when
    an edit changed observed answers.
    """
    from collect.openrosa.instance import parse_instance

    received = parse_instance(submission.xml.encode()).values
    replaced = submission_values(submission.previous) if submission.previous else {}
    rows: list[tuple[str, str, str, str | None]] = [
        (
            VERSION_FIELD,
            submission.form_version,
            submission.corrections.get(VERSION_FIELD, submission.form_version),
            None,
        )
    ]
    for path, value in received.items():
        if path in FORM_METADATA:
            continue
        now = submission.corrections.get(path, value)
        before = replaced.get(path) if replaced and replaced.get(path) != value else None
        rows.append((path, value, now, before))
    return rows


def known_versions(submission: Submission) -> list[str]:
    form = published_form(submission.form_id)
    return sorted(form.known_versions) if form is not None else []
