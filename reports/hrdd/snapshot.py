"""The data snapshot of a company's due-diligence report: every figure it prints, suppressed.

The snapshot is plain JSON (numbers, "<10" for suppressed counts, text already translated into
the report's language). The PDF and the XLSX are drawn from it alone, so the stored snapshot
reproduces the files, and its SHA-256 (over canonical JSON) is printed in both.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from reports.catalogue import CATALOGUE, CONSECUTIVE_CLEAR_FOLLOW_UPS, Kind, Measure
from reports.selectors import (
    Filters,
    add_months,
    chain_counts,
    company_indicators,
    month_start,
    read_counts,
)
from reports.suppression import THRESHOLD, suppress_figure

SNAPSHOT_FORMAT = 1


def canonical(snapshot: dict[str, Any]) -> bytes:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def snapshot_sha256(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def period_filters(start: date, end: date) -> Filters:
    return Filters(start=month_start(start), end=month_start(end))


def _monthly(counts: Any, filters: Filters) -> list[list[Any]]:
    months, month = [], filters.start
    while month <= filters.end:
        months.append(month)
        month = add_months(month, 1)
    return [
        [
            f"{month:%Y-%m}",
            suppress_figure(
                counts.by_month.get((Measure.CHILDREN_IDENTIFIED.value, month), 0)
            ).as_json(),
        ]
        for month in months
    ]


def _supply_chain(company: Organisation) -> dict[str, Any]:
    from companies.selectors import nomination_counts, supply_chain_links, supply_chain_sites

    tiers: dict[str, int] = {}
    for link in supply_chain_links(company):
        tiers[str(link.tier)] = tiers.get(str(link.tier), 0) + 1
    kinds = dict(
        supply_chain_sites(company)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "suppliers_by_tier": dict(sorted(tiers.items())),
        "sites_by_kind": dict(sorted(kinds.items())),
        "nominations": nomination_counts(company),
    }


def build_snapshot(
    company: Organisation, start: date, end: date, *, language: str, issued_at: datetime
) -> dict[str, Any]:
    """Every figure and sentence of the report, in `language`."""
    from monitoring.services.classification import ruleset_in_force

    filters = period_filters(start, end)
    with translation.override(language):
        sections = company_indicators(company, filters)
        ruleset = ruleset_in_force()
        return {
            "format": SNAPSHOT_FORMAT,
            "language": language,
            "company": {"id": company.pk, "name": company.name},
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "issued_at": issued_at.isoformat(timespec="seconds"),
            "ruleset": f"{ruleset.name}@{ruleset.version}",
            "supply_chain": _supply_chain(company),
            "sections": [section.as_json() for section in sections],
            "monthly_identified": {
                "chain": _monthly(chain_counts(company, filters), filters),
                "programme": _monthly(read_counts(filters, with_areas=False), filters),
            },
            "definitions": [
                {
                    "code": indicator.code,
                    "name": str(indicator.name),
                    "definition": str(indicator.definition),
                    "numerator": str(indicator.numerator_text),
                    "denominator": str(indicator.denominator_text),
                    "pending": indicator.kind == Kind.PENDING,
                }
                for indicator in CATALOGUE
            ],
            "methodology": [
                str(
                    _(
                        "Community facilitators visit households, mine sites and schools and "
                        "record what each child did in the last seven days. A versioned rules "
                        "engine (%(ruleset)s) classifies each child; children in child labour are "
                        "referred to accredited case managers, who agree a remediation plan "
                        "with the child and family and follow the child until they are safely "
                        "out of work."
                    )
                    % {"ruleset": f"{ruleset.name}@{ruleset.version}"}
                ),
                str(
                    _(
                        "Sites in your supply chain are the sites your suppliers (any tier) "
                        "operate or are linked to in Kinga. A child counts for your chain when "
                        "the visit that first identified them took place at one of those sites, "
                        "or when they live in a community where one of those sites is."
                    )
                ),
                str(
                    _(
                        "Rates for cases are computed on the cases opened in the period; a case "
                        "counts as no longer in child labour after %(n)s clear follow-ups in a "
                        "row."
                    )
                    % {"n": CONSECUTIVE_CLEAR_FOLLOW_UPS}
                ),
                str(
                    _(
                        "Figures come from summary tables refreshed from the programme's records "
                        "just before the report was generated. This report was frozen when "
                        "issued: its figures will not change if the records are corrected later."
                    )
                ),
            ],
            "suppression_rule": str(
                _(
                    "To protect children, any count from 1 to %(max)s is shown as “fewer than "
                    "%(threshold)s”. Where a single hidden figure could be worked out from a "
                    "total, another figure is hidden too (secondary suppression). Shares and "
                    "medians based on fewer than %(threshold)s children are not shown. No name, "
                    "photo, household location, date of birth or child-level row appears in "
                    "this report."
                )
                % {"max": THRESHOLD - 1, "threshold": THRESHOLD}
            ),
        }
