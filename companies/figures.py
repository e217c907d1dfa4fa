"""Figures a company may read: counts only, small ones suppressed (docs/privacy.md).

Any count from 1 to 9 is shown as "fewer than 10". In a breakdown shown with its total, one
suppressed cell could be recovered by subtraction, so a second cell is suppressed with it
(the smallest other non-zero one): secondary suppression. Counts are computed by aggregate
queries; no child-level row ever leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, OrganisationType
from cases.choices import CaseState
from cases.models import Case
from companies.models import Cohort, CohortCase
from companies.selectors import company_cohorts, supply_chain_sites
from monitoring.models import Child, Household

SUPPRESSION_THRESHOLD = 10


@dataclass(frozen=True)
class Figure:
    """A count as a company may see it: `value` is None when suppressed."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.value is None:
            return str(_("fewer than %(n)s") % {"n": SUPPRESSION_THRESHOLD})
        return f"{self.value:,}".replace(",", "\u202f")


def figure(count: int) -> Figure:
    """One count on its own: 1 to 9 suppressed, 0 and 10+ shown."""
    return Figure(None if 0 < count < SUPPRESSION_THRESHOLD else count)


def breakdown(counts: dict[str, int]) -> tuple[Figure, dict[str, Figure]]:
    """A total and its parts, with primary and secondary suppression.

    If exactly one part is suppressed while the total is shown, the smallest other non-zero
    part is suppressed too, so that no part equals "total minus the parts shown".
    """
    total = figure(sum(counts.values()))
    parts = {key: figure(value) for key, value in counts.items()}
    if not total.suppressed:
        hidden = [key for key, shown in parts.items() if shown.suppressed]
        if len(hidden) == 1:
            others = sorted(
                (value, key) for key, value in counts.items() if key not in hidden and value > 0
            )
            if others:
                parts[others[0][1]] = Figure(None)
    return total, parts


# The stages a company reads: the case lifecycle folded into what a sponsor needs to know.
STAGE_GROUPS: dict[str, tuple[str, ...]] = {
    "assessment": (
        CaseState.IDENTIFIED,
        CaseState.IMMEDIATE_PROTECTION,
        CaseState.ASSESSMENT,
        CaseState.PLAN_AGREED,
    ),
    "remediation": (CaseState.IN_REMEDIATION,),
    "follow_up": (CaseState.FOLLOW_UP,),
    "closed": (CaseState.CLOSED,),
}
STAGE_LABELS = {
    "assessment": gettext_lazy("Being assessed or planned"),
    "remediation": gettext_lazy("In remediation"),
    "follow_up": gettext_lazy("In follow-up"),
    "closed": gettext_lazy("Closed"),
}


@dataclass(frozen=True)
class StageFigure:
    key: str
    label: str
    figure: Figure


@dataclass(frozen=True)
class CohortFigures:
    cohort: Cohort
    places: int
    placed: Figure
    stages: list[StageFigure]


def _stage_counts(case_states: dict[str, int]) -> dict[str, int]:
    return {
        group: sum(case_states.get(state, 0) for state in states)
        for group, states in STAGE_GROUPS.items()
    }


def cohort_figures(cohort: Cohort) -> CohortFigures:
    return figures_for_cohorts([cohort])[0]


def company_cohort_figures(company: Organisation) -> list[CohortFigures]:
    """Every cohort of the company with its counts."""
    return figures_for_cohorts(list(company_cohorts(company)))


def figures_for_cohorts(cohorts: list[Cohort]) -> list[CohortFigures]:
    """Counts of each cohort, in one query whatever the number of cohorts."""
    rows = (
        CohortCase.objects.filter(cohort__in=cohorts)
        .values_list("cohort_id", "case__state")
        .annotate(n=Count("id"))
    )
    by_cohort: dict[int, dict[str, int]] = {cohort.pk: {} for cohort in cohorts}
    for cohort_id, state, count in rows:
        by_cohort[cohort_id][state] = count
    result = []
    for cohort in cohorts:
        placed, parts = breakdown(_stage_counts(by_cohort[cohort.pk]))
        result.append(
            CohortFigures(
                cohort=cohort,
                places=cohort.places,
                placed=placed,
                stages=[
                    StageFigure(key, str(STAGE_LABELS[key]), parts[key]) for key in STAGE_GROUPS
                ],
            )
        )
    return result


@dataclass(frozen=True)
class ProgrammeFigures:
    member_companies: int
    sites_in_chain: int
    households_monitored: Figure
    children_monitored: Figure
    open_cases: Figure
    closed_cases: Figure


def programme_figures(company: Organisation) -> ProgrammeFigures:
    """Programme-wide counts (every company reads the same), plus the company's site count."""
    case_states = dict(
        Case.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    closed = case_states.get(CaseState.CLOSED, 0)
    return ProgrammeFigures(
        member_companies=Organisation.objects.filter(
            type=OrganisationType.COMPANY, membership__isnull=False
        ).count(),
        sites_in_chain=supply_chain_sites(company).count(),
        households_monitored=figure(Household.objects.count()),
        children_monitored=figure(Child.objects.filter(merged_into__isnull=True).count()),
        open_cases=figure(sum(case_states.values()) - closed),
        closed_cases=figure(closed),
    )
