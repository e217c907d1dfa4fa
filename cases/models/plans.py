"""Best-interest assessments, remediation plans and their items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import Currency, NeedLevel, PlanItemKind, PlanItemStatus, PlanStatus
from core.crypto import EncryptedTextField


class Assessment(models.Model):
    """A best-interest assessment. A case may have several (a relapse calls for a new one);
    the plan is agreed on the latest."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    education_need = models.CharField(_("education"), max_length=10, choices=NeedLevel.choices)
    health_need = models.CharField(_("health"), max_length=10, choices=NeedLevel.choices)
    family_income_need = models.CharField(
        _("family income"), max_length=10, choices=NeedLevel.choices
    )
    safety_need = models.CharField(_("safety"), max_length=10, choices=NeedLevel.choices)
    psychosocial_need = models.CharField(
        _("psychosocial"), max_length=10, choices=NeedLevel.choices
    )
    root_causes = models.JSONField(_("root causes"), default=list)
    # Free text about a child can name people and places: encrypted like names.
    root_causes_note = EncryptedTextField(_("root causes, in detail"), blank=True, default="")
    risks = EncryptedTextField(_("risks"))
    child_views = EncryptedTextField(_("the child's own views, in their words"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.recorded_at:%Y-%m-%d}"


class RemediationPlan(models.Model):
    """The plan of a case. Agreeing it with the family starts a new revision; a relapse
    returns it to draft so that it is agreed (and approved) again."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="plan")
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    revision = models.PositiveIntegerField(default=0)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Supervisors' home pages look for the few plans awaiting approval among all of them.
        indexes = [
            models.Index(
                fields=["status"],
                condition=models.Q(status="awaiting_approval"),
                name="plan_awaiting_approval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.status} r{self.revision}"


class PlanItem(models.Model):
    plan = models.ForeignKey(RemediationPlan, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("support"), max_length=30, choices=PlanItemKind.choices)
    description = models.TextField(_("description"), blank=True)
    responsible_party = models.CharField(_("responsible party"), max_length=200)
    budget_amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=20, choices=PlanItemStatus.choices, default=PlanItemStatus.PLANNED
    )
    evidence_note = models.TextField(_("evidence"), blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="plan_item_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_amount__gte=0), name="plan_item_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"
