"""Households, children, caregivers, consent, visits, observations and identifications.

Names, phone numbers and household coordinates are EncryptedTextField: unreadable in the
database and its backups without the keys. Beside each name sits a keyed hash of its
normalised form, which is what search and duplicate detection compare.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from monitoring import choices

if TYPE_CHECKING:
    from geo.models import Area


class Task(models.Model):
    """One entry of the work-task catalogue (digging, washing ore, carrying sacks, ...).

    The catalogue is data (migration 0002) so a programme can add local tasks; each task
    brings its sector and the hazards it usually carries, which the visit form pre-ticks.
    """

    code = models.SlugField(max_length=60, unique=True)
    name_en = models.CharField(max_length=120)
    name_fr = models.CharField(max_length=120)
    sector = models.CharField(max_length=30, choices=choices.SECTOR_CHOICES)
    typical_hazards = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_en

    def label(self, language: str) -> str:
        return self.name_fr if language.startswith("fr") else self.name_en


class Household(models.Model):
    code = models.CharField(_("household code"), max_length=20, unique=True)
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("community"),
        db_index=False,  # led by the index (area, -id)
    )
    head_name = EncryptedTextField(_("head of household"))
    head_name_hash = models.CharField(max_length=64)
    phone = EncryptedTextField(_("phone number"), blank=True, default="")
    # "lat,lon" of the dwelling; encrypted because it leads straight to the child.
    location = EncryptedTextField(_("GPS location"), blank=True, default="")
    members_count = models.PositiveSmallIntegerField(_("people in household"), default=1)
    income_sources = models.JSONField(_("income sources"), default=list, blank=True)
    mining_dependence = models.CharField(
        _("dependence on mining"),
        max_length=20,
        choices=choices.MiningDependence.choices,
        default=choices.MiningDependence.NONE,
    )
    school_cost_burden = models.CharField(
        _("school costs burden"),
        max_length=20,
        choices=choices.SchoolCostBurden.choices,
        default=choices.SchoolCostBurden.NONE,
    )
    # Stable id from an import file or a phone form, so re-sending creates nothing new.
    external_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 — NULL when none: unique allows many NULLs, one ""
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Hashes and external ids are only compared whole, so their indexes are plain b-trees
        # declared here: a field's own `db_index`/`unique` would add a second, pattern index
        # on PostgreSQL that every insert pays for (decision 0012).
        indexes = [
            models.Index(fields=["area", "-id"]),
            models.Index(fields=["head_name_hash"], name="household_head_name_hash"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="household_external_id_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Caregiver(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="caregivers")
    name = EncryptedTextField(_("name"))
    relationship = models.CharField(
        _("relationship"), max_length=20, choices=choices.Relationship.choices
    )
    phone = EncryptedTextField(_("phone number"), blank=True, default="")
    is_head = models.BooleanField(_("head of household"), default=False)

    def __str__(self) -> str:
        return f"{self.get_relationship_display()} ({self.household.code})"


class Child(models.Model):
    """A child or young person (under 18 at identification) in a household.

    Siblings are the other children of the same household. `merged_into` is set when a
    duplicate record was merged: the row stays so old references and audit rows still resolve.

    A child met on a mine site whose family is not known yet has no household; `area` then
    says the community where the child was met, which is what scoping reads, until the
    household is found and attached (decision 0009). Exactly one of the two is set.
    """

    code = models.CharField(_("child code"), max_length=20, unique=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        db_index=False,  # led by the index (household, birth_date)
    )
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children_met_without_household",
        verbose_name=_("community where met"),
    )
    first_name = EncryptedTextField(_("first name"))
    # Withheld (empty) until a caregiver consents to identification: see docs/privacy.md.
    last_name = EncryptedTextField(_("last name"), blank=True, default="")
    # Keyed hashes of the normalised full name and first name: search and duplicate checks.
    name_hash = models.CharField(max_length=64)
    first_name_hash = models.CharField(max_length=64)
    sex = models.CharField(_("sex"), max_length=10, choices=choices.Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    birth_date_is_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    age_evidence = models.CharField(
        _("age evidence"), max_length=30, choices=choices.AgeEvidence.choices
    )
    age_confidence = models.CharField(
        _("confidence in age"), max_length=10, choices=choices.AgeConfidence.choices
    )
    # Keyed hash of normalised name + birth date + household (or, without one, the community
    # where the child was met), for exact duplicate checks.
    duplicate_key = models.CharField(max_length=64)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records"
    )
    external_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 — NULL when none: unique allows many NULLs, one ""
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "children"
        # Every index here is paid by every insert: each one serves a look-up (decision 0012).
        # Newest first reads the primary key backwards; a search by full name uses the
        # leading column of (name_hash, birth_date).
        indexes = [
            models.Index(fields=["household", "birth_date"]),
            # Duplicate candidates by full name and birth date (checked for a whole import batch).
            models.Index(fields=["name_hash", "birth_date"], name="child_name_birth_date"),
            models.Index(fields=["first_name_hash"], name="child_first_name_hash"),
            models.Index(fields=["duplicate_key"], name="child_duplicate_key"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="child_external_id_unique"),
            models.CheckConstraint(
                condition=models.Q(household__isnull=False, area__isnull=True)
                | models.Q(household__isnull=True, area__isnull=False),
                name="child_in_a_household_or_met_in_a_community",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def community(self) -> Area:
        """The community the child belongs to: the household's, or where the child was met."""
        if self.household is not None:
            return self.household.area
        return cast("Area", self.area)  # the check constraint: one of the two is set

    def age_on(self, day: date) -> int:
        """Completed years on `day`: what the classification rules use."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Consent(models.Model):
    """Caregiver consent or child assent, for one purpose, given or refused."""

    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        related_name="consents",
        db_index=False,  # led by the index (child, kind, purpose, -obtained_on)
    )
    kind = models.CharField(_("kind"), max_length=30, choices=choices.ConsentKind.choices)
    purpose = models.CharField(_("purpose"), max_length=30, choices=choices.ConsentPurpose.choices)
    given = models.BooleanField(_("given"))
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    obtained_on = models.DateField(_("obtained on"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-obtained_on", "-id"]
        indexes = [models.Index(fields=["child", "kind", "purpose", "-obtained_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} / {self.get_purpose_display()}"


class Visit(models.Model):
    kind = models.CharField(_("kind of visit"), max_length=20, choices=choices.VisitKind.choices)
    visited_on = models.DateField(_("date of visit"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits"
    )
    # Both led by the indexes of Meta.
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="visits", db_index=False
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        db_index=False,
    )
    site = models.ForeignKey(
        "geo.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    source = models.CharField(max_length=10, choices=choices.VisitSource.choices)
    # An ODK instanceID or an import row key: the same submission never makes two visits.
    external_id = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001 — NULL when none: unique allows many NULLs, one ""
    form_version = models.CharField(max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["area", "-visited_on"]),
            models.Index(fields=["household", "-visited_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="visit_external_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on}"


class Observation(models.Model):
    """One child seen on one visit: what they did in the last 7 days, school, and the result.

    The classification result is stored with the rule set and version that produced it, so a
    decision can be explained later and re-run when the law changes (`manage.py reclassify`).
    """

    # Both led by the unique (visit, child) and the index (child, -id).
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    age_at_visit = models.PositiveSmallIntegerField()
    household_chores_hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    school_status = models.CharField(
        _("school"), max_length=30, choices=choices.SchoolStatus.choices
    )
    worst_forms = models.JSONField(_("signs of worst forms"), default=list, blank=True)
    immediate_danger = models.BooleanField(_("child in immediate danger"), default=False)
    notes = models.TextField(_("observations"), blank=True)
    category = models.CharField(max_length=30, choices=choices.CATEGORY_CHOICES)
    reasons = models.JSONField(default=list)
    ruleset = models.CharField(max_length=40)
    classified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "child"], name="one_observation_per_child")
        ]
        indexes = [
            models.Index(fields=["child", "-id"]),
            models.Index(fields=["category"], name="observation_category"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} @ {self.visit_id}: {self.category}"


class Activity(models.Model):
    """One work activity in the last 7 days."""

    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="activities"
    )
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=30, choices=choices.SECTOR_CHOICES)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=1)
    hazards = models.JSONField(default=list, blank=True)
    night = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.task_id} {self.hours_per_week}h"


class Identification(models.Model):
    """A child found in child labour, waiting to reach a case manager before `deadline_at`.

    One open identification per child: a later visit that finds the child working again is
    linked to it (and can raise its urgency) instead of opening a second referral.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="identifications")
    first_observation = models.ForeignKey(Observation, on_delete=models.PROTECT, related_name="+")
    latest_observation = models.ForeignKey(Observation, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=choices.CATEGORY_CHOICES)
    urgency = models.CharField(max_length=20, choices=choices.Urgency.choices)
    identified_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField()
    status = models.CharField(
        max_length=20,
        choices=choices.IdentificationStatus.choices,
        default=choices.IdentificationStatus.OPEN,
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status="open"),
                name="one_open_identification_per_child",
            )
        ]
        indexes = [models.Index(fields=["status", "deadline_at"])]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.category} by {self.deadline_at:%Y-%m-%d %H:%M}"


class DuplicateCandidate(models.Model):
    """Two child records that may be the same child, for a person to review."""

    # Led by the unique (child, other).
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", db_index=False)
    other = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=choices.DuplicateStatus.choices, default=choices.DuplicateStatus.OPEN
    )
    found_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "other"], name="one_candidate_per_pair"),
            models.CheckConstraint(
                condition=models.Q(child__lt=models.F("other")), name="pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} ~ {self.other_id} ({self.reason})"
