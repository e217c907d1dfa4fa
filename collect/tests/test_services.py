"""Imports end to end through the services: every format, every kind of bad row, both modes,
idempotent re-imports, and the encrypted file's life."""

from __future__ import annotations

from datetime import date

import pytest

from audit.models import AuditEvent
from collect.models import ImportStatus
from collect.services.jobs import import_discard, import_map
from collect.storage import path_of
from collect.tests.conftest import csv_bytes, upload, xlsx_bytes
from core.errors import DomainError, NotFound
from monitoring.models import Activity, Child, Household, Identification, Observation, Visit
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db

HOUSEHOLD_HEADER = ["_uuid", "community_code", "head_name", "members_count", "phone"]
UUID_1 = "6f1c2f3e-1111-4a5b-9c8d-0123456789ab"
UUID_2 = "6f1c2f3e-2222-4a5b-9c8d-0123456789ab"


def _households(*rows):
    return csv_bytes([HOUSEHOLD_HEADER, *rows])


def _errors(job):
    return [
        (error.row_number, error.column, error.code)
        for error in job.row_errors.order_by("row_number", "id")
    ]


# Households ----------------------------------------------------------------------------------


def test_households_csv_is_checked_then_imported_with_kobo_ids(world, checked, imported):
    data = _households(
        [UUID_1, "V-KASULO", "Kabila Mwamba", "5", "+243 81 000 0001"],
        [UUID_2, "V-KANINA", "Ilunga Kasongo", "3", ""],
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "households"))
    assert (job.status, job.rows_total, job.rows_valid, job.rows_invalid) == ("validated", 2, 2, 0)
    assert not Household.objects.exists()  # the dry run kept nothing

    job = imported(world.hub_admin, job)
    assert (job.status, job.rows_created) == ("done", 2)
    household = Household.objects.get(external_id=f"kobo:{UUID_1}")
    assert household.head_name == "Kabila Mwamba"
    assert household.area == world.village
    assert household.members_count == 5
    # Each batch of rows is audited once (counts and job, never a name), and the import once.
    batch_event = AuditEvent.objects.get(action="import:batch")
    assert (batch_event.subject_type, batch_event.subject_id) == ("collect.importjob", str(job.pk))
    assert (batch_event.changes["households"], batch_event.changes["created"]) == (2, 2)
    assert "Kabila" not in str(batch_event.changes)
    assert AuditEvent.objects.get(action="import:run").changes["created"] == 2


def test_semicolon_csv_with_byte_order_mark_and_plain_ids(world, checked, imported):
    data = csv_bytes(
        [["external_id", "Code village", "Nom chef ménage"], ["H-1", "V-KASULO", "Mwamba"]],
        delimiter=";",
        bom=True,
    )
    job = checked(world.programme_manager, upload(world.programme_manager, data, "households"))
    assert job.mapping == {
        "external_id": "external_id",
        "area_code": "Code village",
        "head_name": "Nom chef ménage",
    }
    imported(world.programme_manager, job)
    assert Household.objects.get().external_id == "import:H-1"


def test_households_xlsx(world, checked, imported):
    data = xlsx_bytes(
        {"Sheet1": [HOUSEHOLD_HEADER, [UUID_1, "V-KASULO", "Kabila Mwamba", 5, 243810000001]]}
    )
    job = upload(world.hub_admin, data, "households", name="households.xlsx")
    assert job.file_format == "xlsx"
    job = imported(world.hub_admin, checked(world.hub_admin, job))
    household = Household.objects.get()
    assert (household.members_count, household.phone) == (5, "243810000001")


def test_reimporting_the_same_file_creates_nothing_new(world, checked, imported):
    data = _households([UUID_1, "V-KASULO", "Kabila Mwamba", "5", ""])
    imported(world.hub_admin, checked(world.hub_admin, upload(world.hub_admin, data, "households")))
    again = checked(world.hub_admin, upload(world.hub_admin, data, "households"))
    assert (again.rows_valid, again.rows_skipped) == (1, 1)
    again = imported(world.hub_admin, again)
    assert (again.rows_created, again.rows_skipped) == (0, 1)
    assert Household.objects.count() == 1


# Bad rows ------------------------------------------------------------------------------------


def test_every_bad_household_row_is_reported_with_row_column_and_reason(world, checked):
    data = _households(
        [UUID_1, "V-KASULO", "Kabila Mwamba", "5", ""],
        ["h-2", "V-NOWHERE", "Ilunga", "3", ""],  # unknown community
        ["h-3", "V-KASULO", "Ilunga", "three", ""],  # not a number
        [UUID_1, "V-KASULO", "Kabila Mwamba", "5", ""],  # the same row twice
        ["", "V-KASULO", "Nobody", "2", ""],  # no id
        ["h-6", "V-KASULO", "  ", "2", ""],  # the service's own rule: a head's name
        ["h-7", "CD-LU", "Banza", "2", ""],  # a province, not a community
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "households"))
    assert (job.rows_total, job.rows_valid, job.rows_invalid) == (7, 1, 6)
    assert _errors(job) == [
        (3, "community_code", "import.area_unknown"),
        (4, "members_count", "import.not_integer"),
        (5, "_uuid", "import.duplicate_row"),
        (6, "_uuid", "import.required"),
        (7, "head_name", "household.head_name_required"),
        (8, "community_code", "household.area_not_community"),
    ]
    duplicate = job.row_errors.get(code="import.duplicate_row")
    assert "row 2" in duplicate.reason
    unknown = job.row_errors.get(code="import.area_unknown")
    assert (unknown.value, unknown.field) == ("V-NOWHERE", "area_code")


def test_names_are_never_echoed_in_the_error_report(world, checked):
    data = csv_bytes(
        [
            ["_uuid", "household_id", "first_name", "sex", "age"],
            ["c-1", "HH-UNKNOWN", "Amani", "x", "40"],
        ]
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "children"))
    values = list(job.row_errors.values_list("value", flat=True))
    assert "Amani" not in " ".join(values)


def test_all_or_nothing_imports_nothing_when_one_row_is_bad(world, checked, imported):
    data = _households(
        [UUID_1, "V-KASULO", "Kabila Mwamba", "5", ""],
        [UUID_2, "V-NOWHERE", "Ilunga", "3", ""],
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "households"))
    with pytest.raises(DomainError) as refused:
        imported(world.hub_admin, job, mode="all_or_nothing")
    assert refused.value.code == "import.rows_invalid"
    assert not Household.objects.exists()


def test_all_or_nothing_rolls_back_when_a_row_fails_at_import_time(world, checked, imported):
    data = _households(
        [UUID_1, "V-KASULO", "Kabila Mwamba", "5", ""],
        [UUID_2, "V-KANINA", "Ilunga", "3", ""],
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "households"))
    # Between the check and the import, the second community was retired.
    world.other_village.is_active = False
    world.other_village.save()
    job = imported(world.hub_admin, job, mode="all_or_nothing")
    assert job.status == ImportStatus.FAILED
    assert "nothing was imported" in job.failure_message
    assert _errors(job) == [(3, "community_code", "import.area_inactive")]
    assert not Household.objects.exists()
    assert job.rows_created == 0


def test_valid_rows_only_imports_the_rest_and_lists_the_bad_ones(world, checked, imported):
    data = _households(
        [UUID_1, "V-KASULO", "Kabila Mwamba", "5", ""],
        [UUID_2, "V-NOWHERE", "Ilunga", "3", ""],
        ["h-3", "V-KANINA", "Banza", "4", ""],
    )
    job = imported(
        world.hub_admin, checked(world.hub_admin, upload(world.hub_admin, data, "households"))
    )
    assert (job.status, job.rows_created, job.rows_invalid) == ("done", 2, 1)
    assert Household.objects.count() == 2
    assert _errors(job) == [(3, "community_code", "import.area_unknown")]

    # The user fixes that row and imports the whole file again: only it is new.
    fixed = _households(
        [UUID_1, "V-KASULO", "Kabila Mwamba", "5", ""],
        [UUID_2, "V-KASULO", "Ilunga", "3", ""],
        ["h-3", "V-KANINA", "Banza", "4", ""],
    )
    again = imported(
        world.hub_admin, checked(world.hub_admin, upload(world.hub_admin, fixed, "households"))
    )
    assert (again.rows_created, again.rows_skipped, again.rows_invalid) == (1, 2, 0)
    assert Household.objects.count() == 3


def test_a_missing_required_column_stops_at_the_mapping(world):
    data = csv_bytes([["_uuid", "head_name"], [UUID_1, "Kabila"]])
    job = upload(world.hub_admin, data, "households")
    with pytest.raises(DomainError) as refused:
        import_map(
            actor=world.hub_admin,
            job=job,
            mapping={"external_id": "_uuid", "head_name": "head_name"},
        )
    assert (refused.value.code, refused.value.field) == ("import.mapping_required", "area_code")


def test_a_column_that_is_not_in_the_file_is_refused(world):
    job = upload(world.hub_admin, _households(), "households")
    with pytest.raises(DomainError) as refused:
        import_map(
            actor=world.hub_admin,
            job=job,
            mapping={"external_id": "_uuid", "area_code": "nope", "head_name": "head_name"},
        )
    assert refused.value.code == "import.mapping_column"


# Children --------------------------------------------------------------------------------------


def test_children_csv_attaches_to_households_by_id_or_code(world, checked, imported):
    by_id = make_household(world.hub_admin, world.village, external_id=f"kobo:{UUID_1}")
    by_code = make_household(world.hub_admin, world.village, head_name="Banza")
    data = csv_bytes(
        [
            [
                "child_id",
                "household_uuid",
                "first_name",
                "last_name",
                "sex",
                "dob",
                "age",
                "consent",
            ],
            ["c-1", UUID_1, "Amani", "Ilunga", "F", "2013-03-01", "", "oui"],
            ["c-2", by_code.code, "Jean", "Banza", "garçon", "", "12", "no"],
            ["c-3", "HH-NOPE-NOPE", "Esther", "", "F", "", "9", ""],  # unknown household
            ["c-4", UUID_1, "Marie", "", "F", "", "31", ""],  # impossible age
            ["c-5", UUID_1, "Ruth", "", "F", "31/02/2014", "", ""],  # not a date
        ]
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "children"))
    assert _errors(job) == [
        (4, "household_uuid", "import.household_unknown"),
        (5, "age", "child.age_range"),
        (6, "dob", "import.not_a_date"),
    ]
    job = imported(world.hub_admin, job)
    amani = Child.objects.get(external_id="import:c-1")
    assert (amani.household, amani.last_name, amani.birth_date_is_estimated) == (
        by_id,
        "Ilunga",
        False,
    )
    jean = Child.objects.get(external_id="import:c-2")
    assert (jean.household, jean.sex, jean.last_name) == (by_code, "male", "")  # no consent
    assert jean.birth_date_is_estimated


# Visits ------------------------------------------------------------------------------------------

VISIT_HEADER = [
    "visit_id",
    "child_id",
    "visit_date",
    "school_status",
    "chores_hours",
    "activity_1_task",
    "activity_1_hours",
    "activity_1_hazards",
    "activity_2_task",
    "activity_2_hours",
    "activity_2_hazards",
]


@pytest.fixture
def known_child(world):
    household = make_household(world.hub_admin, world.village)
    return make_child(
        world.hub_admin, household, external_id="import:c-1", birth_date=date(2013, 3, 1)
    )


def test_visits_csv_one_child_per_row_with_activities(world, known_child, checked, imported):
    data = csv_bytes(
        [
            VISIT_HEADER,
            [
                "v-1",
                "c-1",
                "2026-10-01",
                "not_enrolled",
                "2",
                "washing_ore",
                "10",
                "dust_or_chemicals",
                "carrying_sacks",
                "4,5",
                "heavy_loads",
            ],
            [
                "v-2",
                known_child.code,
                "2026-10-08",
                "attending_regularly",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ]
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "visits"))
    assert job.rows_valid == 2, _errors(job)
    assert job.mapping["activity_2.hours"] == "activity_2_hours"
    imported(world.hub_admin, job)
    visit = Visit.objects.get(external_id="import:v-1")
    assert (visit.source, visit.household, visit.facilitator) == (
        "import",
        known_child.household,
        world.hub_admin,
    )
    observation = Observation.objects.get(visit=visit)
    assert observation.category == "hazardous_child_labour"
    hours = sorted(
        Activity.objects.filter(observation=observation).values_list("hours_per_week", flat=True)
    )
    assert [str(h) for h in hours] == ["4.5", "10.0"]
    assert Identification.objects.filter(child=known_child).exists()
    assert Visit.objects.count() == 2


def test_every_bad_visit_row_points_at_its_cell(world, known_child, checked):
    def row(visit_id, **cells):
        values = dict.fromkeys(VISIT_HEADER, "")
        values.update(
            visit_id=visit_id, child_id="c-1", visit_date="2026-10-01", school_status="not_enrolled"
        )
        values.update(cells)
        return [values[name] for name in VISIT_HEADER]

    data = csv_bytes(
        [
            VISIT_HEADER,
            row("v-1", activity_1_task="washing_ore", activity_1_hours="lots"),
            row("v-2", activity_1_task="juggling", activity_1_hours="3"),
            row(
                "v-3", activity_1_task="digging", activity_1_hours="3", activity_1_hazards="dragons"
            ),
            row("v-4", child_id="c-404"),
            row("v-5", activity_2_task="digging", activity_2_hours="200"),
            row("v-6", school_status="sometimes"),
            row("v-7", visit_date=""),
        ]
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "visits"))
    assert job.rows_invalid == 7
    assert _errors(job) == [
        (2, "activity_1_hours", "visit.hours_format"),
        (3, "activity_1_task", "visit.task_unknown"),
        (4, "activity_1_hazards", "visit.hazard_unknown"),
        (5, "child_id", "import.child_unknown"),
        (6, "activity_2_hours", "visit.hours_range"),
        (7, "school_status", "visit.school_status"),
        (8, "visit_date", "import.required"),
    ]
    reasons = dict(job.row_errors.values_list("row_number", "reason"))
    assert reasons[2] == "Hours must be a number."
    assert reasons[3] == "Unknown task: juggling."
    assert not Visit.objects.exists()


# Kobo / ODK household visits ---------------------------------------------------------------------

KOBO_MAIN = [
    "start",
    "today",
    "grp_hh/community_code",
    "grp_hh/head_name",
    "grp_hh/members_count",
    "_id",
    "_uuid",
    "_submission_time",
    "_index",
]
KOBO_CHILD = [
    "first_name",
    "last_name",
    "sex",
    "age",
    "school_status",
    "consent_identification",
    "_index",
    "_parent_index",
    "_parent_table_name",
    "_submission__uuid",
]
KOBO_ACTIVITY = [
    "task",
    "hours",
    "hazards",
    "night",
    "_index",
    "_parent_index",
    "_parent_table_name",
]


def _kobo_workbook(main_rows, child_rows, activity_rows):
    return xlsx_bytes(
        {
            "household_visit": [KOBO_MAIN, *main_rows],
            "child": [KOBO_CHILD, *child_rows],
            "activity": [KOBO_ACTIVITY, *activity_rows],
        }
    )


def _kobo_main(index, uuid, community="V-KASULO"):
    return [
        "2026-10-01T09:12:00.000+02:00",
        "2026-10-01",
        community,
        "Kabila Mwamba",
        6,
        1000 + index,
        uuid,
        "2026-10-01T10:00:00",
        index,
    ]


def test_kobo_workbook_with_repeat_group_sheets(world, checked, imported):
    data = _kobo_workbook(
        [_kobo_main(1, UUID_1), _kobo_main(2, UUID_2, "V-KANINA")],
        [
            [
                "Amani",
                "Ilunga",
                "female",
                13,
                "not_enrolled",
                "yes",
                1,
                1,
                "household_visit",
                UUID_1,
            ],
            [
                "Jean",
                "Ilunga",
                "male",
                9,
                "attending_regularly",
                "yes",
                2,
                1,
                "household_visit",
                UUID_1,
            ],
            ["Esther", "", "female", 15, "dropped_out", "no", 3, 2, "household_visit", UUID_2],
        ],
        [
            ["washing_ore", 12, "dust_or_chemicals", "no", 1, 1, "child"],
            ["carrying_sacks", 6, "heavy_loads", "no", 2, 1, "child"],
            ["market_vending", 8, "", "", 3, 3, "child"],
        ],
    )
    job = upload(world.hub_admin, data, "kobo_household_visit", name="kobo.xlsx")
    assert job.sheets == {"main": "household_visit", "children": "child", "activities": "activity"}
    job = checked(world.hub_admin, job)
    assert (job.rows_total, job.rows_valid) == (2, 2), _errors(job)
    assert job.mapping["visited_on"] == "today"
    assert job.mapping["child.first_name"] == "first_name"
    assert job.mapping["activity.hours"] == "hours"
    imported(world.hub_admin, job)

    visit = Visit.objects.get(external_id=f"kobo:{UUID_1}")
    assert visit.household == Household.objects.get(external_id=f"kobo:{UUID_1}")
    amani = Child.objects.get(external_id=f"kobo:{UUID_1}:child:1")
    assert (amani.first_name, amani.last_name, amani.household) == (
        "Amani",
        "Ilunga",
        visit.household,
    )
    observation = Observation.objects.get(visit=visit, child=amani)
    assert observation.activities.count() == 2
    assert observation.category == "hazardous_child_labour"
    esther = Child.objects.get(external_id=f"kobo:{UUID_2}:child:1")
    assert esther.last_name == ""
    assert Observation.objects.get(child=esther).activities.get().task.code == "market_vending"
    assert (Household.objects.count(), Child.objects.count(), Visit.objects.count()) == (2, 3, 2)


def test_a_bad_child_sheet_row_is_reported_on_its_sheet_and_the_visit_is_not_imported(
    world, checked, imported
):
    data = _kobo_workbook(
        [_kobo_main(1, UUID_1), _kobo_main(2, UUID_2)],
        [
            ["Amani", "", "female", 13, "not_enrolled", "", 1, 1, "household_visit", UUID_1],
            ["Jean", "", "female", 99, "not_enrolled", "", 2, 2, "household_visit", UUID_2],
        ],
        [["washing_ore", "many", "", "", 1, 1, "child"]],
    )
    job = checked(
        world.hub_admin, upload(world.hub_admin, data, "kobo_household_visit", name="k.xlsx")
    )
    rows = [(e.sheet, e.row_number, e.column, e.code) for e in job.row_errors.order_by("sheet")]
    assert rows == [
        ("activity", 2, "hours", "visit.hours_format"),
        ("child", 3, "age", "child.age_range"),
    ]
    with pytest.raises(DomainError) as refused:
        imported(world.hub_admin, job)
    assert refused.value.code == "import.nothing"
    # A submission lands whole or not at all: the dry run kept no household without its visit.
    assert not Household.objects.exists()


def test_kobo_sheets_out_of_order_are_refused_as_a_whole(world, checked):
    data = _kobo_workbook(
        [_kobo_main(1, UUID_1), _kobo_main(2, UUID_2)],
        [
            ["Jean", "", "male", 9, "not_enrolled", "", 1, 2, "household_visit", UUID_2],
            ["Amani", "", "female", 13, "not_enrolled", "", 2, 1, "household_visit", UUID_1],
        ],
        [],
    )
    job = checked(
        world.hub_admin, upload(world.hub_admin, data, "kobo_household_visit", name="k.xlsx")
    )
    assert job.status == ImportStatus.FAILED
    assert "without sorting" in job.failure_message
    assert not job.stored_name


def test_kobo_flat_export_with_prefixed_child_columns(world, checked, imported):
    header = [
        "meta/instanceID",
        "visit_date",
        "community_code",
        "head_name",
        "child_1_first_name",
        "child_1_sex",
        "child_1_age",
        "child_1_school_status",
        "child_1_activity_1_task",
        "child_1_activity_1_hours",
        "child_1_activity_2_task",
        "child_1_activity_2_hours",
        "child_2_first_name",
        "child_2_sex",
        "child_2_age",
        "child_2_school_status",
    ]
    data = csv_bytes(
        [
            header,
            [
                f"uuid:{UUID_1}",
                "2026-10-01",
                "V-KASULO",
                "Kabila",
                "Amani",
                "F",
                "13",
                "not_enrolled",
                "digging",
                "20",
                "sorting_ore",
                "5",
                "Jean",
                "M",
                "8",
                "attending_regularly",
            ],
            [
                f"uuid:{UUID_2}",
                "2026-10-02",
                "V-KASULO",
                "Banza",
                "Ruth",
                "F",
                "10",
                "attending_regularly",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ]
    )
    job = checked(world.hub_admin, upload(world.hub_admin, data, "kobo_household_visit"))
    assert job.rows_valid == 2, _errors(job)
    assert job.mapping["child_1.activity_2.hours"] == "child_1_activity_2_hours"
    imported(world.hub_admin, job)
    visit = Visit.objects.get(external_id=f"kobo:{UUID_1}")
    assert visit.observations.count() == 2
    amani = Child.objects.get(external_id=f"kobo:{UUID_1}:child:1")
    assert amani.observations.get().activities.count() == 2
    assert Visit.objects.get(external_id=f"kobo:{UUID_2}").observations.count() == 1


# The file ----------------------------------------------------------------------------------------


def test_the_uploaded_file_is_encrypted_on_disk_and_deleted_after_import(world, checked, imported):
    data = _households([UUID_1, "V-KASULO", "Kabila Mwamba", "5", ""])
    job = upload(world.hub_admin, data, "households")
    on_disk = path_of(job.stored_name).read_bytes()
    assert b"Kabila" not in on_disk
    assert b"V-KASULO" not in on_disk
    stored = path_of(job.stored_name)
    imported(world.hub_admin, checked(world.hub_admin, job))
    job.refresh_from_db()
    assert not stored.exists()
    assert (job.stored_name, job.headers) == ("", {})


def test_a_discarded_job_loses_its_file(world):
    job = upload(world.hub_admin, _households(), "households")
    stored = path_of(job.stored_name)
    import_discard(actor=world.hub_admin, job=job)
    assert not stored.exists()
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert AuditEvent.objects.filter(action="import:discard").exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "import.file_empty"),
        (b"\r\n\r\n", "import.no_header"),
        (b"PK\x03\x04 not really a zip", "import.file_xlsx_unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "import.file_old_excel"),
        ("nom;prénom\n".encode("latin-1"), "import.file_not_utf8"),
        (b"\x00\x01\x02binary", "import.file_not_table"),
    ],
)
def test_unreadable_files_are_refused_at_upload_and_deleted(world, media_root, data, code):
    with pytest.raises(DomainError) as refused:
        upload(world.hub_admin, data, "households")
    assert refused.value.code == code
    assert not any((media_root / "imports").iterdir())


@pytest.mark.parametrize("persona", ["facilitator", "case_manager", "company_member", "auditor"])
def test_only_importers_may_upload(world, persona):
    with pytest.raises(NotFound):
        upload(getattr(world, persona), _households(), "households")


def test_another_importer_cannot_touch_my_job(world):
    job = upload(world.hub_admin, _households(), "households")
    with pytest.raises(NotFound):
        import_discard(actor=world.programme_manager, job=job)
