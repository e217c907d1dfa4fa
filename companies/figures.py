"""Figures a company may read: counts only, small ones suppressed (docs/privacy.md).

The suppression rule is reports.suppression's, the one rule for every figure a company sees:
any count from 1 to 9 is shown as "fewer than 10", and a breakdown shown with its total gets
secondary suppression. Counts are computed by aggregate queries; no child-level row ever
leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, OrganisationType
from cases.choices import CaseState
from cases.models import Case
from companies.models import Cohort, CohortCase
from companies.selectors import company_cohorts, supply_chain_sites
from monitoring.models import Child, Household
from reports.suppression import Figure, suppress_figure, suppress_list

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
        table = suppress_list(_stage_counts(by_cohort[cohort.pk]), list(STAGE_GROUPS))
        result.append(
            CohortFigures(
                cohort=cohort,
                places=cohort.places,
                placed=table.total,
                stages=[
                    StageFigure(key, str(STAGE_LABELS[key]), table.cells[(key, "n")])
                    for key in STAGE_GROUPS
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
        households_monitored=suppress_figure(Household.objects.count()),
        children_monitored=suppress_figure(Child.objects.filter(merged_into__isnull=True).count()),
        open_cases=suppress_figure(sum(case_states.values()) - closed),
        closed_cases=suppress_figure(closed),
    )
