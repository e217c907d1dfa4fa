"""The bulk import path (monitoring.services.batch) against the per-row services: the same file
gives the same records, the same refusals and the same counts; and the queries of a batch do
not grow with its size.

The per-row reference is `_record_one_by_one` below: the items the handlers prepared, each
recorded by household_create, child_register and visit_record in a savepoint (what the web
form, the API and the phones call), swapped in for record_batch and for check_batch (the dry
run, which writes nothing on the bulk path)."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from collect.readers import Table
from collect.services.handlers import HANDLERS, process_batch
from collect.services.records import records
from collect.tests.conftest import csv_bytes, upload
from core.errors import DomainError
from monitoring.choices import VisitKind, VisitSource
from monitoring.models import (
    Activity,
    Child,
    Consent,
    DuplicateCandidate,
    Household,
    Identification,
    Observation,
    Visit,
)
from monitoring.services import batch
from monitoring.services.children import birth_date_from, child_register, duplicate_key
from monitoring.services.households import household_create
from monitoring.services.visits import ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db
CODE = re.compile(r"CH-\w{4}-\w{4}")  # record codes are random

KOBO_HEADER = [
    "meta/instanceID",
    "visit_date",
    "community_code",
    "head_name",
    "members_count",
    "child_1_first_name",
    "child_1_last_name",
    "child_1_sex",
    "child_1_age",
    "child_1_school_status",
    "child_1_consent_identification",
    "child_1_worst_forms",
    "child_1_activity_1_task",
    "child_1_activity_1_hours",
    "child_1_activity_1_hazards",
    "child_1_activity_2_task",
    "child_1_activity_2_hours",
    "child_2_first_name",
    "child_2_sex",
    "child_2_age",
    "child_2_school_status",
]


def _uuid(number: int) -> str:
    return str(uuid.UUID(int=number, version=4))


def _kobo_row(number, **cells):
    values = dict.fromkeys(KOBO_HEADER, "")
    values.update(
        {
            "meta/instanceID": f"uuid:{_uuid(number)}",
            "visit_date": "2026-10-01",
            "community_code": "V-KASULO",
            "head_name": f"Kabila {number}",
            "members_count": "5",
            "child_1_first_name": "Amani",
            "child_1_last_name": "Ilunga",
            "child_1_sex": "F",
            "child_1_age": "13",
            "child_1_school_status": "not_enrolled",
        }
    )
    values.update(cells)
    return [values[name] for name in KOBO_HEADER]


def _kobo_file():
    return csv_bytes(
        [
            KOBO_HEADER,
            # hazardous, with consent: last name kept
            _kobo_row(
                1,
                child_1_consent_identification="oui",
                child_1_activity_1_task="digging",
                child_1_activity_1_hours="20",
                child_1_activity_1_hazards="underground",
                child_1_activity_2_task="sorting_ore",
                child_1_activity_2_hours="5",
            ),
            # no consent: last name withheld; a sibling who does not work
            _kobo_row(
                2,
                child_1_consent_identification="non",
                child_1_activity_1_task="market_vending",
                child_1_activity_1_hours="3",
                child_2_first_name="Jean",
                child_2_sex="M",
                child_2_age="8",
                child_2_school_status="attending_regularly",
            ),
            # worst forms, at once; and the same first name twice: the second is refused
            _kobo_row(3, child_1_worst_forms="trafficking", child_1_age="15"),
            _kobo_row(
                4,
                child_2_first_name="Amani",
                child_2_sex="F",
                child_2_age="13",
                child_2_school_status="not_enrolled",
            ),
            # a bad task, an unknown community, too many hours: each row refused whole
            _kobo_row(5, child_1_activity_1_task="juggling", child_1_activity_1_hours="3"),
            _kobo_row(6, community_code="V-NOWHERE"),
            _kobo_row(7, child_1_activity_1_task="digging", child_1_activity_1_hours="200"),
            # a later visit in the file: the same row id again is refused as a duplicate
            _kobo_row(1, visit_date="2026-10-03"),
            # named like the child of row 1, same birth date: a duplicate candidate
            _kobo_row(
                8,
                child_1_consent_identification="yes",
                child_1_activity_1_task="carrying_sacks",
                child_1_activity_1_hours="10",
            ),
        ]
    )


# The per-row reference ----------------------------------------------------------------------


class _Refusal(Exception):
    def __init__(self, result: batch.ItemResult) -> None:
        super().__init__(result.status)
        self.result = result


def _step(call, where, child_index=None):
    try:
        return call()
    except DomainError as error:
        raise _Refusal(batch.ItemResult(batch.INVALID, error, where, child_index)) from None


_RECORD_BATCH, _CHECK_BATCH = batch.record_batch, batch.check_batch


def _record_one_by_one(*, actor, items, source=VisitSource.IMPORT, job_id=None):
    """record_batch's contract, met by the per-row services, one item per savepoint."""
    results = []
    for item in items:
        try:
            with transaction.atomic():
                results.append(_record_item(actor, item, source))
        except _Refusal as refusal:
            results.append(refusal.result)
    return results


def _record_item(actor, item, source):
    if item.visit is not None and Visit.objects.filter(external_id=item.visit.external_id):
        return batch.ItemResult(batch.SKIPPED)
    household = None
    if (new := item.household) is not None:
        household = Household.objects.filter(external_id=new.external_id).first() or _step(
            lambda: household_create(
                actor=actor,
                area=new.area,
                head_name=new.head_name,
                phone=new.phone,
                location=new.location,
                members_count=new.members_count,
                income_sources=list(new.income_sources),
                mining_dependence=new.mining_dependence,
                school_cost_burden=new.school_cost_burden,
                external_id=new.external_id,
            ),
            batch.HOUSEHOLD,
        )
    children = []
    for index, child in enumerate(item.children):
        children.append(
            Child.objects.filter(external_id=child.external_id).first()
            or _step(
                lambda child=child: child_register(
                    actor=actor,
                    household=child.household or household,
                    first_name=child.first_name,
                    last_name=child.last_name,
                    sex=child.sex,
                    age_evidence=child.age_evidence,
                    age_confidence=child.age_confidence,
                    birth_date=child.birth_date,
                    estimated_age=child.estimated_age,
                    estimated_on=child.estimated_on,
                    consents=list(child.consents),
                    external_id=child.external_id,
                ),
                batch.CHILD,
                index,
            )
        )
    if (visit := item.visit) is not None:
        at_home = visit.kind in (VisitKind.HOUSEHOLD, VisitKind.FOLLOW_UP)
        observations = [
            ObservationInput(
                child=seen.child or children[seen.new_child or 0],
                school_status=seen.school_status,
                activities=seen.activities,
                household_chores_hours=seen.household_chores_hours,
                worst_forms=seen.worst_forms,
                immediate_danger=seen.immediate_danger,
                notes=seen.notes,
            )
            for seen in visit.seen
        ]
        _step(
            lambda: visit_record(
                actor=actor,
                kind=visit.kind,
                visited_on=visit.visited_on,
                facilitator=visit.facilitator,
                observations=observations,
                source=source,
                household=visit.household or (household if at_home else None),
                site=visit.site,
                external_id=visit.external_id,
                form_version=visit.form_version,
                notes=visit.notes,
            ),
            batch.VISIT,
        )
    return batch.ItemResult(batch.CREATED)


# Both paths compared ---------------------------------------------------------------------------


def _snapshot():
    """Every record an import made, described without ids or random codes."""
    households = {
        h.external_id: (
            h.area.code,
            h.head_name,
            h.head_name_hash,
            h.members_count,
            h.income_sources,
            h.mining_dependence,
            h.school_cost_burden,
            h.created_by_id,
        )
        for h in Household.objects.exclude(external_id=None).select_related("area")
    }
    children = {}
    for c in Child.objects.exclude(external_id=None).select_related("household", "area"):
        assert c.duplicate_key == duplicate_key(
            c.first_name, c.birth_date, c.household, met_in=c.area
        )
        children[c.external_id] = (
            c.household.external_id if c.household else None,
            c.first_name,
            c.last_name,
            c.name_hash,
            c.first_name_hash,
            c.sex,
            c.birth_date,
            c.birth_date_is_estimated,
            c.age_evidence,
            c.age_confidence,
            c.created_by_id,
        )
    consents = sorted(
        (c.child.external_id, c.kind, c.purpose, c.given, c.obtained_on, c.obtained_by_id)
        for c in Consent.objects.select_related("child")
    )
    visits = {
        v.external_id: (
            v.kind,
            v.visited_on,
            v.facilitator_id,
            v.area_id,
            v.household.external_id if v.household else None,
            v.site_id,
            v.source,
            v.notes,
        )
        for v in Visit.objects.exclude(external_id=None).select_related("household")
    }
    observations = sorted(
        (
            o.visit.external_id,
            o.child.external_id,
            o.age_at_visit,
            o.household_chores_hours,
            o.school_status,
            o.worst_forms,
            o.immediate_danger,
            o.category,
            o.reasons,
            o.ruleset,
            sorted(
                (a.task.code, a.sector, a.hours_per_week, a.hazards, a.night)
                for a in o.activities.all()
            ),
        )
        for o in Observation.objects.select_related("visit", "child").prefetch_related(
            "activities__task"
        )
    )
    identifications = sorted(
        (
            i.child.external_id,
            i.first_observation.visit.external_id,
            i.latest_observation.visit.external_id,
            i.category,
            i.urgency,
            i.status,
            i.deadline_at,
            i.area_id,
        )
        for i in Identification.objects.select_related(
            "child", "first_observation__visit", "latest_observation__visit"
        )
    )
    candidates = sorted(
        (
            *sorted((d.child.external_id or d.child.code, d.other.external_id or d.other.code)),
            d.reason,
        )
        for d in DuplicateCandidate.objects.select_related("child", "other")
    )
    return {
        "households": households,
        "children": children,
        "consents": consents,
        "visits": visits,
        "observations": observations,
        "identifications": identifications,
        "candidates": candidates,
    }


def _outcome(job):
    errors = [
        (e.row_number, e.sheet, e.column, e.field, e.value, e.code, CODE.sub("CH-…", e.reason))
        for e in job.row_errors.order_by("row_number", "id")
    ]
    counts = (
        job.status,
        job.rows_total,
        job.rows_valid,
        job.rows_invalid,
        job.rows_created,
        job.rows_skipped,
    )
    return counts, errors


def _forget_imported():
    imported = Child.objects.exclude(external_id=None).filter(external_id__startswith="kobo:")
    DuplicateCandidate.objects.all().delete()
    Identification.objects.all().delete()
    Activity.objects.all().delete()
    Observation.objects.all().delete()
    Visit.objects.all().delete()
    Consent.objects.filter(child__in=imported).delete()
    imported.delete()
    Household.objects.filter(external_id__startswith="kobo:").delete()


def _run(world, checked, imported, data, kind, *, bulk, monkeypatch, mode="valid_rows_only"):
    # The dry run of the bulk path writes nothing (check_batch); the per-row one writes and
    # rolls back, as the services cannot check without writing.
    monkeypatch.setattr(batch, "record_batch", _RECORD_BATCH if bulk else _record_one_by_one)
    monkeypatch.setattr(batch, "check_batch", _CHECK_BATCH if bulk else _record_one_by_one)
    job = checked(world.hub_admin, upload(world.hub_admin, data, kind))
    dry_run = _outcome(job)
    job = imported(world.hub_admin, job, mode)
    return dry_run, _outcome(job), _snapshot()


def test_bulk_and_per_row_imports_make_the_same_records(world, checked, imported, monkeypatch):
    data = _kobo_file()
    per_row = _run(world, checked, imported, data, "kobo_household_visit", bulk=False,
                   monkeypatch=monkeypatch)  # fmt: skip
    _forget_imported()
    bulk = _run(world, checked, imported, data, "kobo_household_visit", bulk=True,
                monkeypatch=monkeypatch)  # fmt: skip
    assert bulk == per_row
    (_dry, (counts, errors), records) = bulk
    assert counts == ("done", 9, 4, 5, 4, 0)
    assert [(row, code) for row, _s, _c, _f, _v, code, _r in errors] == [
        (5, "child.already_recorded"),
        (6, "visit.task_unknown"),
        (7, "import.area_unknown"),
        (8, "visit.hours_range"),
        (9, "import.duplicate_row"),
    ]
    assert len(records["visits"]) == 4
    assert {i[3] for i in records["identifications"]} >= {"hazardous_child_labour", "worst_forms"}
    assert records["candidates"], "the same name and birth date in two households is a candidate"


def test_bulk_and_per_row_agree_on_known_children_and_open_identifications(
    world, checked, imported, monkeypatch
):
    household = make_household(world.hub_admin, world.village)
    make_child(world.hub_admin, household, external_id="import:c-1", birth_date=date(2013, 3, 1))
    header = ["visit_id", "child_id", "visit_date", "school_status", "activity_1_task",
              "activity_1_hours", "activity_1_hazards", "worst_forms"]  # fmt: skip
    data = csv_bytes(
        [
            header,
            ["v-1", "c-1", "2026-10-01", "not_enrolled", "market_vending", "4", "", ""],
            ["v-2", "c-1", "2026-10-02", "not_enrolled", "digging", "10", "underground", ""],
            ["v-3", "c-1", "2026-10-03", "not_enrolled", "", "", "", "trafficking"],
            ["v-4", "c-404", "2026-10-03", "not_enrolled", "", "", "", ""],
        ]
    )
    per_row = _run(world, checked, imported, data, "visits", bulk=False, monkeypatch=monkeypatch)
    Identification.objects.all().delete()
    Activity.objects.all().delete()
    Observation.objects.all().delete()
    Visit.objects.all().delete()
    bulk = _run(world, checked, imported, data, "visits", bulk=True, monkeypatch=monkeypatch)
    assert bulk == per_row
    [identification] = bulk[2]["identifications"]
    # one identification, raised to worst forms and immediate urgency by the later visits
    assert identification[1:5] == ("import:v-1", "import:v-3", "worst_forms", "immediate")


def test_bulk_and_per_row_find_the_same_candidates_among_known_children(
    world, checked, imported, monkeypatch
):
    # Known children named like the imported one: a live one in another household is a
    # candidate, a merged record is not, nor one born on another day.
    born, _estimated = birth_date_from(
        birth_date=None, estimated_age=13, estimated_on=date(2026, 10, 1)
    )
    twin = make_child(world.hub_admin, make_household(world.hub_admin, world.village),
                      birth_date=born, external_id="import:twin")  # fmt: skip
    merged = make_child(world.hub_admin, make_household(world.hub_admin, world.village),
                        birth_date=born, external_id="import:merged")  # fmt: skip
    make_child(world.hub_admin, make_household(world.hub_admin, world.village),
               birth_date=date(2013, 3, 1), external_id="import:older")  # fmt: skip
    # Met on a mine site of the same community, household not known: offered too (0009).
    make_child(world.hub_admin, None, last_name="", birth_date=born, met_in=world.village,
               external_id="import:met")  # fmt: skip
    Child.objects.filter(pk=merged.pk).update(merged_into=twin)
    DuplicateCandidate.objects.all().delete()
    data = csv_bytes([KOBO_HEADER, _kobo_row(1, child_1_consent_identification="oui")])
    per_row = _run(world, checked, imported, data, "kobo_household_visit", bulk=False,
                   monkeypatch=monkeypatch)  # fmt: skip
    _forget_imported()
    bulk = _run(world, checked, imported, data, "kobo_household_visit", bulk=True,
                monkeypatch=monkeypatch)  # fmt: skip
    assert bulk == per_row
    assert sorted(bulk[2]["candidates"]) == [
        ("import:met", f"kobo:{_uuid(1)}:child:1", "same_community_first_name"),
        ("import:twin", f"kobo:{_uuid(1)}:child:1", "same_name_and_birth_date"),
    ]


def test_all_or_nothing_keeps_its_meaning_on_the_bulk_path(world, checked, imported, monkeypatch):
    data = csv_bytes([KOBO_HEADER, _kobo_row(1), _kobo_row(2)])
    job = checked(world.hub_admin, upload(world.hub_admin, data, "kobo_household_visit"))
    world.village.is_active = False  # meanwhile, the community closed
    world.village.save(update_fields=["is_active"])
    job = imported(world.hub_admin, job, "all_or_nothing")
    assert job.status == "failed"
    assert not Visit.objects.exists()
    assert not Child.objects.filter(external_id__startswith="kobo:").exists()


def _letters(number: int) -> str:
    """A distinct name per number (names are compared without their digits)."""
    text = ""
    while number:
        number, digit = divmod(number, 26)
        text += "abcdefghijklmnopqrstuvwxyz"[digit]
    return f"Amani {text}"


def _queries_for(world, checked, rows: int, first: int) -> int:
    data = csv_bytes(
        [
            KOBO_HEADER,
            *[
                _kobo_row(
                    first + number,
                    child_1_first_name=_letters(first + number),
                    child_1_consent_identification="oui",
                    child_1_activity_1_task="digging",
                    child_1_activity_1_hours="12",
                    child_2_first_name="Jean",
                    child_2_sex="M",
                    child_2_age="9",
                    child_2_school_status="attending_regularly",
                )
                for number in range(rows)
            ],
        ]
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "kobo_household_visit"))
    assert job.rows_valid == rows
    handler = HANDLERS[job.kind]()
    with Table(job.stored_name, job.file_format) as table:
        batch = list(records(job, table))
    with CaptureQueriesContext(connection) as captured:
        lookups = handler.preload(batch)
        outcomes = process_batch(handler, batch, lookups, world.hub_admin, job.pk)
    assert {outcome.status for outcome in outcomes} == {"created"}
    return len(captured)


def test_queries_per_batch_do_not_grow_with_its_size_or_the_tables(world, checked):
    small = _queries_for(world, checked, 5, first=100)
    # 25 rows: every bulk INSERT still fits in one statement under SQLite's 999 parameters
    large = _queries_for(world, checked, 25, first=200)
    assert small == large, (small, large)
    assert large <= 21  # look-ups (and codes not yet taken), an INSERT per table, candidates, audit
    _queries_for(world, checked, 300, first=1000)  # 600 more children, 300 households
    # The look-ups (already imported, duplicate keys, duplicate candidates) stay index
    # look-ups: a batch against a larger table sends the same statements.
    assert _queries_for(world, checked, 5, first=2000) == small
