"""Accredited agencies and the staff who work with children.

An agency is an `accounts.Organisation` of type "agency"; its accreditation says where, in which
languages, with which services and for how many open cases it may take children. Staff carry a
level (junior or full), background checks and training records.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import AccreditationLevel, AccreditationStatus, BackgroundCheckType


class Accreditation(models.Model):
    """One agency's accreditation. Renewal updates this row; the audit log keeps the history."""

    agency = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="accreditation",
        limit_choices_to={"type": "agency"},
    )
    level = models.CharField(_("level"), max_length=10, choices=AccreditationLevel.choices)
    status = models.CharField(_("status"), max_length=10, choices=AccreditationStatus.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    # An area covers its whole subtree: a territory covers its chiefdoms and villages.
    service_areas = models.ManyToManyField(
        "geo.Area", related_name="accreditations", verbose_name=_("service areas")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("maximum open cases"))
    services_offered = models.JSONField(_("services offered"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="accreditation_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.level} {self.status} until {self.valid_to}"

    def is_valid_on(self, day: date) -> bool:
        return self.status == AccreditationStatus.ACTIVE and self.valid_from <= day <= self.valid_to


class CaseWorkerProfile(models.Model):
    """A case manager's or supervisor's own accreditation level. Without a profile: junior."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caseworker_profile"
    )
    level = models.CharField(_("level"), max_length=10, choices=AccreditationLevel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.level}"


class BackgroundCheck(models.Model):
    """A check on someone who works with children; it protects them until `expires_on`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_checks"
    )
    type = models.CharField(_("type"), max_length=30, choices=BackgroundCheckType.choices)
    checked_on = models.DateField(_("checked on"))
    expires_on = models.DateField(_("expires on"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-expires_on", "-id"]
        indexes = [models.Index(fields=["user", "-expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("checked_on")),
                name="background_check_expires_after_check",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.type} until {self.expires_on}"


class TrainingRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.course} ({self.completed_on})"
