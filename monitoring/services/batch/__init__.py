"""Recording many submissions at once: the bulk path of file imports.

`record_batch` takes a chunk of already-parsed items (a household, its children, a visit and
the children seen) and records them with a fixed number of queries per chunk, whatever its
size: look-ups for the whole chunk first (records already imported, duplicate keys, tasks,
open identifications), then every rule checked in memory with the same helpers as the per-row
services (`validate_household`, `validate_child`, `validate_consent`, `check_visit`,
`check_children`, the pure classification engine), then `bulk_create` per table, and ONE
audit event for the chunk (counts and the import job; never a name). `check_batch` gives
the same answers without writing (the dry run of an import): every refusal is decided before
the first write.

The per-row services (`household_create`, `child_register`, `visit_record`) stay the path of
the web forms, the API and the phones; this module gives the same records for the same input
(collect/tests/test_batch.py replays the same items through those services and compares).

An item is all or nothing: a refusal anywhere in it (its household, one of its children, its
visit) keeps every part of it out, as if each item were recorded by the per-row services in
a savepoint, and the first refusal is reported, where it arose. Items already recorded (same
external id) are skipped.

Every look-up is by index, so a chunk costs the same against a large table as against an
empty one (decision 0011).

Modules: `items` (what a batch takes and answers), `plan` (look-ups and checks, in memory),
`write` (bulk inserts, duplicate candidates, identifications, planner statistics).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from audit.actions import Action
from audit.services import record_event
from monitoring.choices import VisitSource
from monitoring.services.batch.items import (
    CHILD,
    CREATED,
    HOUSEHOLD,
    INVALID,
    SKIPPED,
    VISIT,
    BatchItem,
    ItemResult,
    NewChild,
    NewHousehold,
    NewVisit,
    SeenChild,
)
from monitoring.services.batch.plan import check_items
from monitoring.services.batch.write import refresh_statistics, write_plans


@transaction.atomic
def record_batch(
    *,
    actor: Any,
    items: Sequence[BatchItem],
    source: str = VisitSource.IMPORT,
    job_id: int | None = None,
) -> list[ItemResult]:
    """Record a chunk of items; returns one result per item, in order."""
    results, plans = check_items(items, actor=actor, source=source)
    counts = write_plans(plans, actor=actor) if plans else Counter()
    statuses = Counter(result.status for result in results)
    record_event(
        actor=actor,
        action=Action.IMPORT_BATCH,
        subject_type="collect.importjob" if job_id is not None else "",
        subject_id=job_id if job_id is not None else "",
        changes={
            "job": job_id,
            "source": source,
            "items": len(items),
            "created": statuses[CREATED],
            "skipped": statuses[SKIPPED],
            "invalid": statuses[INVALID],
            **{name: counts[name] for name in sorted(counts) if not name.startswith("category:")},
            "categories": {
                name.split(":", 1)[1]: counts[name]
                for name in sorted(counts)
                if name.startswith("category:")
            },
        },
    )
    return results


def check_batch(
    *, actor: Any, items: Sequence[BatchItem], source: str = VisitSource.IMPORT
) -> list[ItemResult]:
    """What record_batch would answer for these items, without writing anything: the dry run
    of an import. Every refusal is decided before the first write (the chunk's own records
    are claimed in memory), so the answers are the same at about half the cost."""
    results, _plans = check_items(items, actor=actor, source=source)
    return results


__all__ = [
    "CHILD",
    "CREATED",
    "HOUSEHOLD",
    "INVALID",
    "SKIPPED",
    "VISIT",
    "BatchItem",
    "ItemResult",
    "NewChild",
    "NewHousehold",
    "NewVisit",
    "SeenChild",
    "check_batch",
    "record_batch",
    "refresh_statistics",
]
