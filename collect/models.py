"""Imports of survey exports (CSV, XLSX): one job per uploaded file, and its bad rows; and the
submissions phones send through the OpenRosa server (collect/openrosa/, docs/collect.md).

The uploaded file itself never sits in the database: it is stored encrypted under
MEDIA_ROOT/imports/ (collect/storage.py) and deleted as soon as the job ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField


class ImportKind(models.TextChoices):
    HOUSEHOLDS = "households", _("Households (one per row)")
    CHILDREN = "children", _("Children (one per row, with their household's id)")
    VISITS = "visits", _("Visits (one child per row, with the child's id)")
    KOBO_HOUSEHOLD_VISIT = (
        "kobo_household_visit",
        _("KoboToolbox / ODK household visit (household, children and their work)"),
    )


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: import only if every row is valid")
    VALID_ROWS_ONLY = "valid_rows_only", _("Valid rows only: import them and list the others")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Columns matched")
    VALIDATING = "validating", _("Checking rows")
    VALIDATED = "validated", _("Checked")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


# The job's file is gone in these states; nothing more can happen to the job.
FINISHED_STATUSES = frozenset({ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.DISCARDED})
RUNNING_STATUSES = frozenset({ImportStatus.VALIDATING, ImportStatus.IMPORTING})


class ImportJob(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(_("what the file holds"), max_length=30, choices=ImportKind.choices)
    file_format = models.CharField(max_length=10, choices=ImportFormat.choices)
    original_filename = models.CharField(_("file name"), max_length=255)
    # Name of the encrypted file under MEDIA_ROOT/imports/; empty once it was deleted.
    stored_name = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    # Column headers found in the file, per sheet ({"": [...]} for a CSV).
    headers = models.JSONField(default=dict)
    # Kobo exports: which sheet holds what ({"main": ..., "children": ..., "activities": ...}).
    sheets = models.JSONField(default=dict, blank=True)
    # Our field name -> the file's column header.
    mapping = models.JSONField(default=dict, blank=True)
    mode = models.CharField(
        _("how to import"), max_length=20, choices=ImportMode.choices, blank=True
    )
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    # A problem with the whole file (unreadable, sheets out of order), never a person's data.
    failure_message = models.TextField(blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_by", "-id"])]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.kind}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES


class ImportRowError(models.Model):
    """One reason a row cannot be imported, located as the user sees their spreadsheet."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    # Spreadsheet row number: the header is row 1, the first data row is row 2.
    row_number = models.PositiveIntegerField()
    sheet = models.CharField(max_length=100, blank=True)
    column = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=60, blank=True)
    # Shortened, and always empty for names, phone numbers, places and notes.
    value = models.CharField(max_length=60, blank=True)
    code = models.CharField(max_length=60)
    reason = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["job", "row_number", "id"])]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.code}"


class ImportRowKey(models.Model):
    """Ids already met in the current pass over a job's file: how a row repeated in the same
    file is caught without holding every id of a large file in memory."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=130)
    row_number = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="one_key_per_job")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.key}"


# Phone submissions (OpenRosa) -----------------------------------------------------------------


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", _("Received, waiting to be processed")
    PROCESSED = "processed", _("Turned into records")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    SUPERSEDED = "superseded", _("Replaced by an edited version")


class Submission(models.Model):
    """One form instance sent by a phone, kept as the record of truth.

    The raw XML is stored encrypted, exactly as received, and never changed: staff corrections
    of a submission that could not be processed live beside it in `corrections`. A form
    instance is stored once (unique form + instanceID), whatever the number of retries.
    """

    form_id = models.CharField(max_length=100)
    form_version = models.CharField(max_length=40, blank=True)
    instance_id = models.CharField(max_length=100)
    # An edit names the instance it replaces (meta/deprecatedID); `previous` is that row.
    deprecated_id = models.CharField(max_length=100, blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="later_versions"
    )
    device = models.ForeignKey(
        "accounts.DeviceCredential", on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    xml = EncryptedTextField()
    xml_sha256 = models.CharField(max_length=64)
    # File names the instance refers to in its binary (photo) questions.
    attachments_expected = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED
    )
    review_code = models.CharField(max_length=60, blank=True)
    review_reason = models.TextField(blank=True)
    review_field = models.CharField(max_length=200, blank=True)
    # Staff corrections: field path -> value, applied over the XML when processing again.
    corrections = models.JSONField(default=dict, blank=True)
    visit = models.ForeignKey(
        "monitoring.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form_id", "instance_id"], name="one_submission_per_instance"
            )
        ]
        indexes = [models.Index(fields=["status", "-id"])]

    def __str__(self) -> str:
        return f"{self.form_id} {self.instance_id} ({self.status})"

    @property
    def attachments_missing(self) -> list[str]:
        received = {attachment.name for attachment in self.attachments.all()}
        return [name for name in self.attachments_expected if name not in received]


class SubmissionAttachment(models.Model):
    """A file sent with a submission (a photo), base64 inside an encrypted text field."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = EncryptedTextField()
    received_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="one_attachment_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.name}"
