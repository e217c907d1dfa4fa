"""Summary tables for indicators, and the company reports issued from them.

`ChildFact` holds one row per child: what the indicators need to know about that child, derived
from monitoring and case data. `CubeCell` holds counts of those facts by dimension and month; it
is kept equal to a GROUP BY over the facts by applying, for each refreshed child, the difference
between its old and new contributions (docs/decisions/0005-indicator-summary-tables.md).
Both are derived data: `manage.py refresh_indicators --full` rebuilds them from scratch.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgeBand(models.TextChoices):
    """The disaggregation bands of the indicators (ILO age groups for child labour)."""

    UNDER_5 = "0-4", _("under 5")
    AGE_5_11 = "5-11", _("5-11")
    AGE_12_14 = "12-14", _("12-14")
    AGE_15_17 = "15-17", _("15-17")
    ADULT = "18+", _("18 and over")
    UNKNOWN = "", _("unknown")


class ChildFact(models.Model):
    """What the indicators know about one child. Ids are plain integers: derived data that
    is rebuilt, never the source of a decision, and no join is needed to count it."""

    child_id = models.BigIntegerField(primary_key=True)
    # None for a child met without a household (monitoring decision 0009).
    household_id = models.BigIntegerField(null=True)
    community_id = models.BigIntegerField()
    # The territory or city above the community: the area grain of the programme cube.
    territory_id = models.BigIntegerField()
    # The site of the visit that first identified the child, when it was a site visit.
    site_id = models.BigIntegerField(null=True)
    sex = models.CharField(max_length=10)
    age_band = models.CharField(max_length=5, choices=AgeBand.choices, blank=True)
    # The lowest-id child of the household: counting these counts households once.
    counts_household = models.BooleanField(default=False)
    first_observed_on = models.DateField(null=True)
    latest_category = models.CharField(max_length=30, blank=True)
    identified_on = models.DateField(null=True)
    identification_category = models.CharField(max_length=30, blank=True)
    referral_due_on = models.DateField(null=True)
    referred_in_time = models.BooleanField(default=False)
    case_id = models.BigIntegerField(null=True)
    agency_id = models.BigIntegerField(null=True)
    case_manager_id = models.BigIntegerField(null=True)
    sponsor_id = models.BigIntegerField(null=True)
    case_opened_on = models.DateField(null=True)
    days_to_case = models.PositiveIntegerField(null=True)
    case_open = models.BooleanField(default=False)
    plan_agreed = models.BooleanField(default=False)
    reached_remediation = models.BooleanField(default=False)
    follow_ups = models.PositiveIntegerField(default=0)
    clear_at_last_follow_up = models.BooleanField(default=False)
    clear_streak = models.PositiveIntegerField(default=0)
    relapsed = models.BooleanField(default=False)
    closed_on = models.DateField(null=True)
    closure_reason = models.CharField(max_length=20, blank=True)
    decent_work = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["case_id"], name="fact_case"),
            models.Index(fields=["case_open", "case_manager_id"], name="fact_open_case_manager"),
            models.Index(fields=["agency_id"], name="fact_agency"),
            models.Index(fields=["community_id"], name="fact_community"),
            models.Index(fields=["site_id"], name="fact_site"),
        ]

    def __str__(self) -> str:
        return f"fact of child {self.child_id}"


class Grain(models.TextChoices):
    """Which dimensions a cube cell keeps; the others hold 0 or ''.

    `area_id` is the territory at the programme grains and the child's community at the
    community and site grains (docs/decisions/0010-cube-grains-and-company-chain.md).
    """

    TOTAL = "total", _("Whole programme: sex, age band")
    PROGRAMME = "programme", _("Programme: territory, sponsor")
    PROGRAMME_SEX_AGE = "programme_sex_age", _("Programme: territory, sponsor, sex, age band")
    COMMUNITY = "community", _("Community")
    COMMUNITY_SEX_AGE = "community_sex_age", _("Community: sex, age band")
    SITE = "site", _("Site: site, community")
    SITE_SEX_AGE = "site_sex_age", _("Site: site, community, sex, age band")


class CubeCell(models.Model):
    """How many children contribute `measure` in `month` for one combination of dimensions."""

    # All the dimensions below joined with "|": one unique, indexed lookup for delta updates.
    key = models.CharField(max_length=200, unique=True)
    grain = models.CharField(max_length=20, choices=Grain.choices)
    measure = models.CharField(max_length=30)
    month = models.DateField()
    area_id = models.BigIntegerField(default=0)
    site_id = models.BigIntegerField(default=0)
    sponsor_id = models.BigIntegerField(default=0)
    sex = models.CharField(max_length=10, blank=True)
    age_band = models.CharField(max_length=5, blank=True)
    detail = models.CharField(max_length=30, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["grain", "measure", "month"], name="cube_grain_measure_month"),
            models.Index(fields=["grain", "site_id", "month"], name="cube_grain_site_month"),
            # A company's chain reads the cells of its communities.
            models.Index(fields=["grain", "area_id", "month"], name="cube_grain_area_month"),
            models.Index(fields=["grain", "sponsor_id", "month"], name="cube_grain_sponsor_month"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.n}"


class RefreshState(models.Model):
    """The single row that says how far the summary tables have read the source tables.

    Refreshes lock it (SELECT … FOR UPDATE), so two never run at once.
    """

    changed_since = models.DateTimeField(null=True)
    observation_seen = models.BigIntegerField(default=0)
    identification_seen = models.BigIntegerField(default=0)
    referral_seen = models.BigIntegerField(default=0)
    case_event_seen = models.BigIntegerField(default=0)
    audit_seen = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True)
    last_full_at = models.DateTimeField(null=True)
    last_children = models.PositiveIntegerField(default=0)
    last_seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"refreshed {self.last_run_at}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    ISSUED = "issued", _("Issued")
    FAILED = "failed", _("Failed")


class IssuedReport(models.Model):
    """A company's due-diligence report for a period, frozen once issued.

    The snapshot holds the (already suppressed) figures the files were drawn from; its SHA-256
    is printed in the files, and the SHA-256 of each file is shown beside its download link.
    Downloads serve the stored bytes, so a report reads the same years later.
    """

    company = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="issued_reports",
        verbose_name=_("company"),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=10, choices=ReportStatus.choices)
    progress = models.PositiveSmallIntegerField(default=0)
    parameters = models.JSONField(default=dict)
    # JSON text, not a JSON column: PostgreSQL's jsonb reorders keys, and the files list the
    # figures in the snapshot's order, so reproducing them needs the text as written.
    snapshot = models.TextField(default="{}")
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.BinaryField(default=b"")
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx = models.BinaryField(default=b"")
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["company", "-requested_at"], name="report_company_newest")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.period_start} to {self.period_end} ({self.status})"

    @property
    def snapshot_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.snapshot)
        return data
