"""Cases, their numbers, their timeline, their closures and their transfers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    CaseEventKind,
    CaseState,
    ClosureReason,
    ClosureStatus,
    PlanItemKind,
    PlanItemStatus,
)
from core.crypto import EncryptedTextField
from monitoring.choices import CATEGORY_CHOICES, ConsentKind, Urgency

_DETAIL_LABELS: dict[str, Any] = {
    **dict(CATEGORY_CHOICES),
    **{
        value: label
        for choices in (ConsentKind, PlanItemKind, PlanItemStatus, ClosureReason)
        for value, label in choices.choices
    },
}


class CaseNumberCounter(models.Model):
    """The last case number given in a year; services lock this row to take the next one."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Case(models.Model):
    """One child followed by one agency, from identification to closure (docs/cases.md).

    Every change of state goes through a service in cases/services that checks `version`
    (optimistic locking: two people editing the same case cannot overwrite each other) and
    writes a CaseEvent and an audit event.
    """

    number = models.CharField(_("case number"), max_length=24, unique=True)
    child = models.ForeignKey("monitoring.Child", on_delete=models.PROTECT, related_name="cases")
    agency = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_cases"
    )
    referral = models.OneToOneField("cases.Referral", on_delete=models.PROTECT, related_name="case")
    sponsor = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_cases",
        limit_choices_to={"type": "company"},
        verbose_name=_("sponsor"),
    )
    state = models.CharField(
        _("stage"), max_length=30, choices=CaseState.choices, default=CaseState.IDENTIFIED
    )
    version = models.PositiveIntegerField(default=1)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state_changed_at = models.DateTimeField(default=timezone.now)
    # The deadline of the current step (protection, assessment, plan, approval); None when
    # the wait is a follow-up (next_follow_up_due_on) or the case is closed.
    step_due_at = models.DateTimeField(_("current step due by"), null=True, blank=True)
    remediation_started_on = models.DateField(null=True, blank=True)
    next_follow_up_due_on = models.DateField(_("next follow-up due on"), null=True, blank=True)
    # The earlier of the two waits above, kept by cases.services.state.save_case so that the
    # case list can sort by "due next" on one indexed column. None once closed.
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    # Closed cases of children under 18 stay watched until the 18th birthday: a monitoring
    # visit finding the child working again reopens the case (a relapse).
    post_closure_monitoring_until = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=~models.Q(state="closed"),
                name="one_open_case_per_child",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "state", "-id"]),
            models.Index(fields=["state", "step_due_at"]),
            models.Index(fields=["next_follow_up_due_on"]),
            models.Index(fields=["child", "-id"]),
            models.Index(fields=["agency", "due_at", "id"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED


class CaseEvent(models.Model):
    """One line of the case timeline: who did what, when, from which stage to which."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=CaseEventKind.choices)
    from_state = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    # None when the system acted (a phone submission re-identifying the child).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # Stable codes saying what changed ("caregiver_consent", "school_kit:done"), rendered in
    # the reader's language by `detail_label`; free text from people goes in `note`.
    detail = models.CharField(max_length=80, blank=True)
    observation = models.ForeignKey(
        "monitoring.Observation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "id"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.from_state}→{self.to_state}"

    def detail_label(self) -> str:
        """`detail` in the reader's language."""
        codes = self.detail.split(":") if self.detail else []
        return ": ".join(str(_DETAIL_LABELS.get(code, code)) for code in codes)


class CaseClosure(models.Model):
    """A closure: approved at once for a full case manager, waiting for a supervisor for a
    junior one. A case closed, reopened and closed again has two approved closures."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    reason = models.CharField(_("reason"), max_length=20, choices=ClosureReason.choices)
    note = models.TextField(_("explanation"), blank=True)
    status = models.CharField(max_length=20, choices=ClosureStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_closure_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.reason} ({self.status})"


class CaseTransfer(models.Model):
    """What the old agency did before a case moved on: all it keeps once the case has gone."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    case_number = models.CharField(max_length=24)
    from_agency = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_agency = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="transfers_in"
    )
    from_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state_at_transfer = models.CharField(max_length=30, choices=CaseState.choices)
    held_since = models.DateTimeField()
    transferred_at = models.DateTimeField(default=timezone.now)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    summary = models.TextField(_("what the agency did"))
    follow_ups_recorded = models.PositiveIntegerField(default=0)
    plan_items_done = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-transferred_at", "-id"]
        indexes = [
            models.Index(fields=["from_agency", "-id"]),
            models.Index(fields=["to_agency", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_number}: {self.from_agency_id} → {self.to_agency_id}"


class CaseAttachment(models.Model):
    """A file kept with a case (a consent form, a school certificate, a photo of evidence).

    The bytes are encrypted at rest under MEDIA_ROOT/case_attachments/ (cases/attachments.py);
    the file name is encrypted too, since it often names the child.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    stored_name = models.CharField(max_length=64, unique=True)
    file_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["case", "-id"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.stored_name}"
