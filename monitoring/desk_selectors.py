"""Reads for the referral desk and the duplicate review, always within what the user may see.

Everything starts from access.monitoring (`identifications_visible_to`, `duplicates_visible_to`,
...), so a filter can only narrow what the user may see. Rows come with what their page shows
(child, community, latest observation) in one query, so a page costs the same at any size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from access.monitoring import (
    children_visible_to,
    duplicates_visible_to,
    identifications_visible_to,
    identity_visible,
    visits_visible_to,
)
from core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page
from geo.models import Area
from monitoring.choices import (
    CATEGORY_LABELS,
    HAZARD_LABELS,
    IDENTIFYING_CATEGORIES,
    WORST_FORM_LABELS,
    DuplicateStatus,
    IdentificationStatus,
    Sex,
    Urgency,
)
from monitoring.classification import Category
from monitoring.classification.rules import LANGUAGES
from monitoring.models import (
    Activity,
    Child,
    Consent,
    DuplicateCandidate,
    Identification,
    Observation,
)
from monitoring.selectors import Reason, explain_reasons
from monitoring.services.duplicates import (
    SAME_COMMUNITY_FIRST_NAME,
    SAME_HOUSEHOLD_FIRST_NAME,
    SAME_NAME_AND_BIRTH_DATE,
)

# Most urgent first; the id makes the keyset total.
DESK_ORDER = ("deadline_at", "id")
# Oldest first: the review queue is worked from its end.
DUPLICATE_ORDER = ("found_at", "id")

DUPLICATE_REASON_LABELS = {
    SAME_HOUSEHOLD_FIRST_NAME: gettext_lazy(
        "Same first name in the same household, born within two years of each other"
    ),
    SAME_NAME_AND_BIRTH_DATE: gettext_lazy(
        "Same full name and date of birth, in two different households"
    ),
    SAME_COMMUNITY_FIRST_NAME: gettext_lazy(
        "Same first name, born within two years of each other: one was met in the other's "
        "community without a known household"
    ),
}


# Wording shared by the desk, the duplicate review and the API ---------------------------------


@dataclass(frozen=True)
class Countdown:
    """The time left before a deadline, or past it, in words: "due in 5 hours"."""

    overdue: bool
    text: str


def deadline_countdown(deadline_at: datetime, now: datetime) -> Countdown:
    # One unit ("5 hours", "2 days") reads at a glance; the exact time is in <time datetime>.
    if deadline_at > now:
        return Countdown(
            False, _("due in %(time)s") % {"time": timeuntil(deadline_at, now, depth=1)}
        )
    return Countdown(
        True, _("overdue by %(time)s") % {"time": timesince(deadline_at, now, depth=1)}
    )


def _language() -> str:
    current = (get_language() or "en").split("-")[0]
    return current if current in LANGUAGES else "en"


def _labels(values: Iterable[str], labels: Mapping[Any, Any]) -> list[str]:
    by_value = {str(key.value): str(label) for key, label in labels.items()}
    return [by_value.get(value, value) for value in values]


def child_age(child: Child, on: date | None = None) -> int:
    return child.age_on(on or timezone.localdate())


def child_names(child: Child, shown: bool) -> str | None:
    """The child's name if the user may see identities, else None (the code stands alone)."""
    if not shown:
        return None
    return " ".join(part for part in (child.first_name, child.last_name) if part)


# The referral desk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskFilters:
    urgency: str = ""
    category: str = ""
    area: Area | None = None
    overdue_only: bool = False

    @property
    def active(self) -> bool:
        return bool(self.urgency or self.category or self.area or self.overdue_only)


def desk_page(
    user: Any,
    filters: DeskFilters,
    *,
    now: datetime,
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[Identification]:
    """Open identifications the user may see, most urgent deadline first."""
    rows = identifications_visible_to(user).filter(status=IdentificationStatus.OPEN)
    if filters.urgency:
        rows = rows.filter(urgency=filters.urgency)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.area is not None:
        rows = rows.filter(area__path__startswith=filters.area.path)
    if filters.overdue_only:
        rows = rows.filter(deadline_at__lt=now)
    rows = rows.select_related("child", "area", "latest_observation")
    return keyset_page(rows, order=DESK_ORDER, cursor=cursor, size=size)


@dataclass(frozen=True)
class DeskRow:
    identification: Identification
    child: Child
    names: str | None
    age: int
    sex_label: str
    category_label: str
    urgency_label: str
    countdown: Countdown
    reasons: list[Reason]


def desk_rows(
    user: Any, identifications: Iterable[Identification], *, now: datetime
) -> list[DeskRow]:
    """What each desk row shows; no query beyond the page's own (rows are select_related)."""
    shown = identity_visible(user)
    today = timezone.localdate()
    rows = []
    for identification in identifications:
        child = identification.child
        latest = identification.latest_observation
        rows.append(
            DeskRow(
                identification=identification,
                child=child,
                names=child_names(child, shown),
                age=child_age(child, today),
                sex_label=str(Sex(child.sex).label),
                category_label=str(CATEGORY_LABELS[Category(identification.category)]),
                urgency_label=str(Urgency(identification.urgency).label),
                countdown=deadline_countdown(identification.deadline_at, now),
                reasons=explain_reasons(latest.ruleset, latest.reasons),
            )
        )
    return rows


@dataclass(frozen=True)
class ActivityView:
    task_label: str
    hours_per_week: Decimal
    night: bool
    hazard_labels: list[str]


@dataclass(frozen=True)
class ObservationView:
    observation: Observation
    category_label: str
    reasons: list[Reason]
    activities: list[ActivityView]
    worst_form_labels: list[str]
    is_first: bool
    is_latest: bool


def _activity_views(observation: Observation, language: str) -> list[ActivityView]:
    return [
        ActivityView(
            task_label=activity.task.label(language),
            hours_per_week=activity.hours_per_week,
            night=activity.night,
            hazard_labels=_labels(activity.hazards, HAZARD_LABELS),
        )
        for activity in observation.activities.all()
    ]


def identification_observations(user: Any, identification: Identification) -> list[ObservationView]:
    """The visits that found this child working, from the first to the latest, newest first.

    Observations from the visits between the first and the latest that also found child labour
    count too: a visit that confirmed the finding is part of why the child is on the desk.
    """
    first_id = identification.first_observation_id
    latest_id = identification.latest_observation_id
    bounds = Observation.objects.filter(pk__in=[first_id, latest_id]).select_related("visit")
    days = [observation.visit.visited_on for observation in bounds]
    observations = (
        Observation.objects.filter(
            child_id=identification.child_id, visit__in=visits_visible_to(user).values("id")
        )
        .filter(
            Q(pk__in=[first_id, latest_id])
            | Q(
                category__in=[category.value for category in IDENTIFYING_CATEGORIES],
                visit__visited_on__gte=min(days, default=date.min),
                visit__visited_on__lte=max(days, default=date.max),
            )
        )
        .select_related("visit__area", "visit__household", "visit__site", "visit__facilitator")
        .prefetch_related(
            Prefetch("activities", queryset=Activity.objects.select_related("task").order_by("id"))
        )
        .order_by("-visit__visited_on", "-id")
    )
    language = _language()
    return [
        ObservationView(
            observation=observation,
            category_label=str(CATEGORY_LABELS[Category(observation.category)]),
            reasons=explain_reasons(observation.ruleset, observation.reasons),
            activities=_activity_views(observation, language),
            worst_form_labels=_labels(observation.worst_forms, WORST_FORM_LABELS),
            is_first=observation.pk == first_id,
            is_latest=observation.pk == latest_id,
        )
        for observation in observations
    ]


@dataclass(frozen=True)
class ChildReferralStatus:
    """Where a child stands with the referral desk, for pages about the child."""

    identification_id: int
    status: str
    status_label: str
    urgency: str
    urgency_label: str
    category: str
    deadline_at: datetime
    overdue: bool


def identification_status_for_children(
    user: Any, child_ids: Iterable[int]
) -> dict[int, ChildReferralStatus]:
    """Each child's open identification, or else its most recent one, in one query.

    Children without an identification the user may see are absent from the result.
    """
    ids = list(child_ids)
    if not ids:
        return {}
    now = timezone.now()
    found: dict[int, ChildReferralStatus] = {}
    rows = (
        identifications_visible_to(user)
        .filter(child_id__in=ids)
        .order_by("child_id", "-identified_at", "-id")
    )
    for row in rows:
        current = found.get(row.child_id)
        is_open = row.status == IdentificationStatus.OPEN
        if current is not None and (current.status == IdentificationStatus.OPEN or not is_open):
            continue
        found[row.child_id] = ChildReferralStatus(
            identification_id=row.pk,
            status=row.status,
            status_label=str(IdentificationStatus(row.status).label),
            urgency=row.urgency,
            urgency_label=str(Urgency(row.urgency).label),
            category=row.category,
            deadline_at=row.deadline_at,
            overdue=is_open and row.deadline_at < now,
        )
    return found


@dataclass(frozen=True)
class UrgencyCount:
    urgency: str
    label: str
    count: int


@dataclass(frozen=True)
class DeskSummary:
    by_urgency: list[UrgencyCount]
    overdue: int

    @property
    def total(self) -> int:
        return sum(row.count for row in self.by_urgency)


def desk_summary(user: Any, *, now: datetime | None = None) -> DeskSummary:
    """Open identifications by urgency and how many are overdue, in one query."""
    now = now or timezone.now()
    counts = identifications_visible_to(user).aggregate(
        overdue=Count("id", filter=Q(status=IdentificationStatus.OPEN, deadline_at__lt=now)),
        **{
            urgency.value: Count(
                "id", filter=Q(status=IdentificationStatus.OPEN, urgency=urgency.value)
            )
            for urgency in Urgency
        },
    )
    return DeskSummary(
        by_urgency=[
            UrgencyCount(urgency.value, str(urgency.label), counts[urgency.value] or 0)
            for urgency in Urgency
        ],
        overdue=counts["overdue"] or 0,
    )


# The duplicate review ------------------------------------------------------------------------


def duplicate_page(
    user: Any, *, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE
) -> Page[DuplicateCandidate]:
    """Open candidate pairs the user may review, oldest first, with both children placed."""
    rows = (
        duplicates_visible_to(user)
        .filter(status=DuplicateStatus.OPEN)
        .select_related(
            "child__household__area", "child__area", "other__household__area", "other__area"
        )
    )
    return keyset_page(rows, order=DUPLICATE_ORDER, cursor=cursor, size=size)


def duplicate_reason_label(reason: str) -> str:
    label = DUPLICATE_REASON_LABELS.get(reason)
    return str(label) if label is not None else reason


@dataclass
class ChildSide:
    """One column of the side-by-side comparison."""

    child: Child
    names: str | None
    age: int
    visit_count: int = 0
    latest_category_label: str = ""
    latest_visit_on: date | None = None
    consents: list[Consent] = field(default_factory=list)
    identifications: list[Identification] = field(default_factory=list)


def duplicate_sides(user: Any, candidate: DuplicateCandidate) -> list[ChildSide]:
    """Both records of a pair with what tells them apart, in a fixed number of queries."""
    shown = identity_visible(user)
    children = list(
        children_visible_to(user)
        .filter(pk__in=[candidate.child_id, candidate.other_id])
        .select_related("household__area", "area", "merged_into")
        .order_by("id")
    )
    sides = {
        child.pk: ChildSide(child, child_names(child, shown), child_age(child))
        for child in children
    }
    observations = (
        Observation.objects.filter(child_id__in=sides)
        .select_related("visit")
        .order_by("child_id", "-visit__visited_on", "-id")
    )
    for observation in observations:
        side = sides[observation.child_id]
        if side.visit_count == 0:
            side.latest_category_label = str(CATEGORY_LABELS[Category(observation.category)])
            side.latest_visit_on = observation.visit.visited_on
        side.visit_count += 1
    for consent in Consent.objects.filter(child_id__in=sides).order_by("-obtained_on", "-id"):
        sides[consent.child_id].consents.append(consent)
    for identification in (
        identifications_visible_to(user)
        .filter(child_id__in=sides)
        .order_by("-identified_at", "-id")
    ):
        sides[identification.child_id].identifications.append(identification)
    return list(sides.values())
