"""Keep the summary tables current: refresh the facts of the children that changed, apply the
difference to the cube.

Which children changed is read from the source tables themselves, so every write path (web
forms, API, file imports with bulk inserts, phone submissions, the cases services) is caught
without a hook in each: append-only tables by id above a high-water mark, mutable rows by
`updated_at` (or `responded_at`) since the last refresh, both with a margin for transactions
that committed late. Refreshing a child twice is harmless: its old contributions are taken
away and its new ones added, in the same transaction as the fact is replaced.
docs/decisions/0005-indicator-summary-tables.md explains the choice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEvent
from cases.models import Case, CaseEvent, Referral
from core.tasks import enqueue_on_commit
from monitoring.models import Child, Identification, Observation
from reports.facts import compute_facts, contributions, key_string, same_fact
from reports.models import ChildFact, CubeCell, RefreshState
from reports.services.rebuild import rebuild

BATCH = 2000
# A write that took its id or timestamp before the last refresh but committed after it is still
# caught, as long as its transaction lasted less than this.
TIME_MARGIN = timedelta(minutes=15)
ID_MARGIN = 1000
# Pages ask for a background refresh at most this often.
STALE_AFTER = timedelta(seconds=60)
# Actions after which every fact may have changed: rebuild instead of tracking rows.
_REBUILD_ACTIONS = (Action.CLASSIFICATION_RERUN,)


@dataclass(frozen=True)
class RefreshResult:
    full: bool
    children: int
    cells_changed: int
    seconds: float


def _state() -> RefreshState:
    RefreshState.objects.get_or_create(pk=1)
    return RefreshState.objects.select_for_update().get(pk=1)


def _max_id(queryset: Any) -> int:
    return int(queryset.aggregate(top=Max("id"))["top"] or 0)


def _batches(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    batch: list[int] = []
    for child_id in ids:
        batch.append(child_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def refresh_indicators(*, full: bool = False) -> RefreshResult:
    """Bring ChildFact and CubeCell up to date with the source tables (one run at a time)."""
    started = time.perf_counter()
    state = _state()
    now = timezone.now()
    marks = {
        "observation_seen": _max_id(Observation.objects),
        "identification_seen": _max_id(Identification.objects),
        "referral_seen": _max_id(Referral.objects),
        "case_event_seen": _max_id(CaseEvent.objects),
        "audit_seen": _max_id(AuditEvent.objects),
    }
    if not full and state.last_run_at is not None:
        full = AuditEvent.objects.filter(
            id__gt=state.audit_seen, action__in=_REBUILD_ACTIONS
        ).exists()
    if full or state.last_run_at is None:
        children, cells = rebuild()
        full = True
        state.last_full_at = now
    else:
        changed = changed_children(state)
        children, cells = len(changed), 0
        for batch in _batches(sorted(changed)):
            cells += refresh_children(batch)
    for name, value in marks.items():
        setattr(state, name, value)
    state.changed_since = now
    state.last_run_at = now
    state.last_children = children
    state.last_seconds = time.perf_counter() - started
    state.save()
    return RefreshResult(full, children, cells, state.last_seconds)


def changed_children(state: RefreshState) -> set[int]:
    """Children whose facts may differ from the stored ones since the last refresh."""
    since = (state.changed_since or timezone.now()) - TIME_MARGIN
    ids: set[int] = set()
    ids.update(Child.objects.filter(updated_at__gte=since).values_list("id", flat=True))
    ids.update(Child.objects.filter(household__updated_at__gte=since).values_list("id", flat=True))
    ids.update(
        Observation.objects.filter(id__gt=state.observation_seen - ID_MARGIN).values_list(
            "child_id", flat=True
        )
    )
    ids.update(
        Identification.objects.filter(id__gt=state.identification_seen - ID_MARGIN).values_list(
            "child_id", flat=True
        )
    )
    ids.update(
        Referral.objects.filter(id__gt=state.referral_seen - ID_MARGIN).values_list(
            "child_id", flat=True
        )
    )
    ids.update(Referral.objects.filter(responded_at__gte=since).values_list("child_id", flat=True))
    ids.update(Case.objects.filter(updated_at__gte=since).values_list("child_id", flat=True))
    ids.update(
        CaseEvent.objects.filter(id__gt=state.case_event_seen - ID_MARGIN).values_list(
            "case__child_id", flat=True
        )
    )
    # A sibling may now be the child who counts the household: refresh whole households.
    households: set[int] = set()
    for batch in _batches(sorted(ids), 5000):
        households.update(
            Child.objects.filter(id__in=batch, household__isnull=False).values_list(
                "household_id", flat=True
            )
        )
    for batch in _batches(sorted(households), 5000):
        ids.update(Child.objects.filter(household_id__in=batch).values_list("id", flat=True))
    return ids


def refresh_children(child_ids: list[int]) -> int:
    """Recompute the facts of `child_ids` and apply old → new to the cube. Returns the number
    of cube cells changed."""
    old = ChildFact.objects.in_bulk(child_ids)
    new = compute_facts(child_ids)
    delta: Counter[str] = Counter()
    keys: dict[str, tuple[Any, ...]] = {}
    replaced: list[int] = []
    created: list[ChildFact] = []
    for child_id in child_ids:
        before, after = old.get(child_id), new.get(child_id)
        if before is not None and after is not None and same_fact(before, after):
            continue
        if before is not None:
            for key in contributions(before):
                text = key_string(key)
                delta[text] -= 1
                keys[text] = key
            replaced.append(child_id)
        if after is not None:
            for key in contributions(after):
                text = key_string(key)
                delta[text] += 1
                keys[text] = key
            created.append(after)
    if replaced:
        ChildFact.objects.filter(child_id__in=replaced).delete()
    if created:
        ChildFact.objects.bulk_create(created, batch_size=1000)
    return _apply(delta, keys)


def _apply(delta: Counter[str], keys: dict[str, tuple[Any, ...]]) -> int:
    changes = {text: n for text, n in delta.items() if n}
    if not changes:
        return 0
    texts = list(changes)
    existing: dict[str, CubeCell] = {}
    for start in range(0, len(texts), 500):
        for cell in CubeCell.objects.filter(key__in=texts[start : start + 500]):
            existing[cell.key] = cell
    updated, emptied, created = [], [], []
    for text, n in changes.items():
        found = existing.get(text)
        if found is None:
            created.append(_cell(text, keys[text], n))
        elif found.n + n == 0:
            emptied.append(found.pk)
        else:
            found.n += n
            updated.append(found)
    if emptied:
        CubeCell.objects.filter(pk__in=emptied).delete()
    if updated:
        CubeCell.objects.bulk_update(updated, ["n"], batch_size=500)
    if created:
        CubeCell.objects.bulk_create(created, batch_size=1000)
    return len(changes)


def _cell(text: str, key: tuple[Any, ...], n: int) -> CubeCell:
    grain, measure, month, area, site, sponsor, sex, band, detail = key
    return CubeCell(
        key=text,
        grain=grain,
        measure=measure,
        month=month,
        area_id=area,
        site_id=site,
        sponsor_id=sponsor,
        sex=sex,
        age_band=band,
        detail=detail,
        n=n,
    )


def refresh_if_stale() -> None:
    """Ask for a background refresh when the last one is older than STALE_AFTER.

    Pages call this; the refresh runs after the page's transaction, on a worker when there
    is one. Two requests in the same minute may both ask: the second waits for the lock and
    finds little to do.
    """
    state = RefreshState.objects.filter(pk=1).values_list("last_run_at", flat=True).first()
    if state is None or timezone.now() - state > STALE_AFTER:
        enqueue_on_commit(run_refresh)


def run_refresh() -> None:
    """The background job (importable by an rq worker)."""
    refresh_indicators()
