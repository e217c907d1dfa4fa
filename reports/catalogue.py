"""The indicator catalogue: one entry per indicator of issue 5, in one place.

Each indicator names the cube measures it is read from (numerator, and denominator for a
rate), its plain definition in the reader's language (EN/FR through gettext), and the
disaggregations it allows. docs/indicators.md is the same list for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Children counted as "no longer in child labour" after this many clear follow-ups in a row.
CONSECUTIVE_CLEAR_FOLLOW_UPS = 3
# Days from identification to the first service are counted up to this cap ("90 or more").
DAYS_CAP = 90


class Measure(StrEnum):
    """What one child contributes to the cube, and in which month (see reports/facts.py)."""

    HOUSEHOLDS_MONITORED = "households_monitored"  # month first observed
    CHILDREN_MONITORED = "children_monitored"  # month first observed
    CHILDREN_IDENTIFIED = "children_identified"  # month identified; detail: category
    REFERRAL_DUE = "referral_due"  # month of the referral deadline
    REFERRED_IN_TIME = "referred_in_time"  # month of the referral deadline
    DAYS_TO_CASE = "days_to_case"  # month the case opened; detail: days (capped)
    CASES_OPENED = "cases_opened"  # month the case opened (the cohort of the case rates)
    OPEN_CASES = "open_cases"
    PLAN_AGREED = "plan_agreed"
    REACHED_REMEDIATION = "reached_remediation"
    FOLLOWED_UP = "followed_up"
    CLEAR_AT_LAST_FOLLOW_UP = "clear_last_follow_up"
    CLEAR_CONSECUTIVE = "clear_consecutive"
    RELAPSED = "relapsed"
    CLOSED = "closed"  # month closed; detail: closure reason
    DECENT_WORK = "decent_work"  # month closed (or opened, while the case runs)
    # Open cases per case manager (detail: the case manager's id), in one constant month:
    # its cells are the case managers holding open cases, their sum the open cases.
    CASELOAD = "caseload"


# The counts shown by sex and age band, and by territory, on the dashboard.
BREAKDOWN_MEASURES = (Measure.CHILDREN_MONITORED, Measure.CHILDREN_IDENTIFIED)


class Dimension(StrEnum):
    SEX = "sex"
    AGE_BAND = "age_band"
    AREA = "area"
    SITE = "site"
    SPONSOR = "sponsor"
    PERIOD = "period"


ALL_DIMENSIONS = frozenset(Dimension)


class Kind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    MEDIAN_DAYS = "median_days"
    BY_DETAIL = "by_detail"
    RATIO = "ratio"
    PENDING = "pending"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    definition: str | Promise
    kind: Kind
    numerator: Measure | None = None
    denominator: Measure | None = None
    numerator_text: str | Promise = ""
    denominator_text: str | Promise = ""
    dimensions: frozenset[Dimension] = ALL_DIMENSIONS


M = Measure
CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "households_monitored",
        _("Households monitored"),
        _(
            "Households where a facilitator saw at least one child, by the month of the "
            "first visit."
        ),
        Kind.COUNT,
        M.HOUSEHOLDS_MONITORED,
        numerator_text=_("households with at least one child observed"),
        dimensions=frozenset({Dimension.AREA, Dimension.PERIOD}),
    ),
    Indicator(
        "children_monitored",
        _("Children monitored"),
        _("Children seen at least once on a household, site or school visit."),
        Kind.COUNT,
        M.CHILDREN_MONITORED,
        numerator_text=_("children with at least one observation"),
    ),
    Indicator(
        "children_identified",
        _("Children identified in child labour"),
        _(
            "Children found in child labour, hazardous child labour or its worst forms, by the "
            "category of their latest identification."
        ),
        Kind.BY_DETAIL,
        M.CHILDREN_IDENTIFIED,
        numerator_text=_("children with an identification"),
    ),
    Indicator(
        "identified_share",
        _("Share of monitored children identified"),
        _("Children identified in child labour, as a share of the children monitored."),
        Kind.RATE,
        M.CHILDREN_IDENTIFIED,
        M.CHILDREN_MONITORED,
        _("children identified"),
        _("children monitored"),
    ),
    Indicator(
        "referred_in_time",
        _("Referred within the deadline"),
        _(
            "Children referred to an agency before the deadline set by their urgency (24 hours, "
            "72 hours or 7 days), by the month of the deadline."
        ),
        Kind.RATE,
        M.REFERRED_IN_TIME,
        M.REFERRAL_DUE,
        _("children whose first referral was made by the deadline"),
        _("children identified whose referral deadline falls in the period"),
    ),
    Indicator(
        "median_days_to_first_service",
        _("Median days from identification to first service"),
        _(
            "Days from the identification of a child to the opening of their case by an agency "
            "(the first service), median over the cases opened in the period."
        ),
        Kind.MEDIAN_DAYS,
        M.DAYS_TO_CASE,
        numerator_text=_("days from identification to case opening"),
        denominator_text=_("cases opened in the period"),
    ),
    Indicator(
        "plan_agreed",
        _("Cases with an agreed plan"),
        _(
            "Cases opened in the period whose remediation plan was agreed with the child and "
            "family."
        ),
        Kind.RATE,
        M.PLAN_AGREED,
        M.CASES_OPENED,
        _("cases with an agreed plan"),
        _("cases opened in the period"),
    ),
    Indicator(
        "follow_up_completion",
        _("Follow-up completion"),
        _("Cases that reached remediation and have at least one follow-up recorded."),
        Kind.RATE,
        M.FOLLOWED_UP,
        M.REACHED_REMEDIATION,
        _("cases with a follow-up"),
        _("cases that reached remediation"),
    ),
    Indicator(
        "clear_at_last_follow_up",
        _("No longer in child labour at the last follow-up"),
        _("Followed-up cases whose latest follow-up found the child out of child labour."),
        Kind.RATE,
        M.CLEAR_AT_LAST_FOLLOW_UP,
        M.FOLLOWED_UP,
        _("cases clear at the latest follow-up"),
        _("cases with a follow-up"),
    ),
    Indicator(
        "clear_consecutive",
        _("No longer in child labour after consecutive follow-ups"),
        _("Followed-up cases whose last three follow-ups in a row found the child out of work."),
        Kind.RATE,
        M.CLEAR_CONSECUTIVE,
        M.FOLLOWED_UP,
        _("cases clear at the last three follow-ups"),
        _("cases with a follow-up"),
    ),
    Indicator(
        "relapse_rate",
        _("Relapse rate"),
        _("Cases in which a follow-up or a visit found the child working again."),
        Kind.RATE,
        M.RELAPSED,
        M.CASES_OPENED,
        _("cases with a relapse"),
        _("cases opened in the period"),
    ),
    Indicator(
        "closures_by_reason",
        _("Closures by reason"),
        _("Cases closed in the period, by reason of closure."),
        Kind.BY_DETAIL,
        M.CLOSED,
        numerator_text=_("cases closed"),
    ),
    Indicator(
        "caseload_per_case_manager",
        _("Caseload per case manager"),
        _(
            "Open cases today divided by the case managers holding at least one open case, "
            "programme-wide (not filtered by period, area or sponsor)."
        ),
        Kind.RATIO,
        M.OPEN_CASES,
        numerator_text=_("open cases"),
        denominator_text=_("case managers with an open case"),
        dimensions=frozenset(),
    ),
    Indicator(
        "youth_in_decent_work",
        _("Youth placed in decent work"),
        _(
            "Young people whose case closed in decent work at legal working age, or whose "
            "decent-work placement is done."
        ),
        Kind.COUNT,
        M.DECENT_WORK,
        numerator_text=_("young people placed"),
    ),
    Indicator(
        "spend_per_child",
        _("Spend and cost per child"),
        _("Pending: computed once the funds module records disbursements."),
        Kind.PENDING,
        dimensions=frozenset(),
    ),
)

BY_CODE = {indicator.code: indicator for indicator in CATALOGUE}
