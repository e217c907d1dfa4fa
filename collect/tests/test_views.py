"""The import pages: the whole flow as an importer clicks through it, and the outsiders."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collect.models import ImportJob, ImportStatus
from collect.services.jobs import import_validate
from collect.storage import path_of
from collect.tests.conftest import csv_bytes, upload
from monitoring.models import Household

pytestmark = pytest.mark.django_db

UUID_1 = "6f1c2f3e-1111-4a5b-9c8d-0123456789ab"
GOOD_AND_BAD = csv_bytes(
    [
        ["_uuid", "community_code", "head_name", "members_count"],
        [UUID_1, "V-KASULO", "Kabila Mwamba", "5"],
        ["h-2", "=HYPERLINK(1)", "Ilunga Kasongo", "3"],
    ]
)


def _post_file(client, data=GOOD_AND_BAD, name="households.csv", kind="households"):
    return client.post(
        reverse("collect:import_upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def _check(client, job, django_capture_on_commit_callbacks, **overrides):
    fields = {
        "step": "columns",
        "external_id": "_uuid",
        "area_code": "community_code",
        "head_name": "head_name",
        "members_count": "members_count",
        **overrides,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("collect:import_mapping", args=[job.pk]), fields)


def test_the_whole_flow_upload_match_check_confirm(
    world, client_for, media_root, django_capture_on_commit_callbacks
):
    client = client_for(world.hub_admin)
    assert client.get(reverse("collect:import_upload")).status_code == 200

    response = _post_file(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("collect:import_mapping", args=[job.pk])
    # Encrypted from the first byte: no name in the stored file, and no other file left behind.
    assert b"Kabila" not in path_of(job.stored_name).read_bytes()
    assert [p.name for p in (media_root / "imports").iterdir()] == [job.stored_name]

    page = client.get(reverse("collect:import_mapping", args=[job.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="community_code" selected>' in html  # suggested by its name
    assert 'name="external_id"' in html

    response = _check(client, job, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("collect:import_detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.rows_valid, job.rows_invalid) == ("validated", 1, 1)

    detail = client.get(job_url := reverse("collect:import_detail", args=[job.pk])).content.decode()
    assert "Unknown community code." in detail
    assert "Kabila" not in detail  # never a name on the page
    assert "Ilunga" not in detail
    assert "valid_rows_only" in detail

    # All or nothing is refused while a row is bad; valid rows only goes through.
    response = client.post(
        reverse("collect:import_confirm", args=[job.pk]), {"mode": "all_or_nothing"}
    )
    assert response["Location"] == job_url
    assert not Household.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("collect:import_confirm", args=[job.pk]), {"mode": "valid_rows_only"})
    job.refresh_from_db()
    assert (job.status, job.rows_created) == ("done", 1)
    assert Household.objects.count() == 1
    assert not any((media_root / "imports").iterdir())
    assert "1 row imported." in client.get(job_url).content.decode()


def test_a_missing_required_column_is_shown_on_its_select(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.hub_admin)
    _post_file(client)
    job = ImportJob.objects.get()
    response = _check(client, job, django_capture_on_commit_callbacks, area_code="")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


@pytest.mark.parametrize(
    ("upload_case"),
    [
        (b"", "empty.csv", "file is empty."),
        (b"\r\n", "blank.csv", "The file has no header row"),
        (b"PK\x03\x04garbage", "broken.xlsx", "This XLSX file cannot be read."),
        (b"a,b\n1,2\n", "notes.pdf", "Upload a .csv or .xlsx file."),
    ],
)
def test_bad_uploads_are_explained_and_leave_no_file(world, client_for, media_root, upload_case):
    data, name, message = upload_case
    response = _post_file(client_for(world.hub_admin), data=data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    imports = media_root / "imports"
    assert not imports.exists() or not any(imports.iterdir())


def test_a_file_over_the_size_limit_is_refused(world, client_for, media_root, settings):
    settings.KINGA_IMPORT_MAX_BYTES = 1000
    response = _post_file(client_for(world.hub_admin), data=GOOD_AND_BAD + b"x" * 2000)
    assert "The file is larger than" in response.content.decode()
    assert not ImportJob.objects.exists()
    imports = media_root / "imports"
    assert not imports.exists() or not any(imports.iterdir())


def test_the_upload_form_checks_csrf(world, client_for):
    client = client_for(world.hub_admin)
    client.handler.enforce_csrf_checks = True
    assert _post_file(client).status_code == 403
    assert not ImportJob.objects.exists()


def test_progress_fragment_polls_while_running_and_refreshes_when_done(world, client_for, checked):
    job = upload(world.hub_admin, GOOD_AND_BAD, "households")
    from collect.services.jobs import import_map, suggested_mapping

    job = import_map(actor=world.hub_admin, job=job, mapping=suggested_mapping(job))
    import_validate(actor=world.hub_admin, job=job)  # the worker has not started yet
    client = client_for(world.hub_admin)
    url = reverse("collect:import_progress", args=[job.pk])
    running = client.get(url, headers={"HX-Request": "true"})
    html = running.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "Checking rows" in html
    assert "HX-Refresh" not in running
    # Without JavaScript, the job page itself shows the same progress and a reload link.
    assert (
        "Reload to see the progress"
        in client.get(reverse("collect:import_detail", args=[job.pk])).content.decode()
    )

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATED)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    assert "every 2s" not in finished.content.decode()


def test_error_list_downloads_as_csv_without_formulas(world, client_for, checked):
    job = checked(world.hub_admin, upload(world.hub_admin, GOOD_AND_BAD, "households"))
    response = client_for(world.hub_admin).get(reverse("collect:import_errors_csv", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "sheet,row,column,field,value,reason"
    assert lines[1] == ",3,community_code,area_code,'=HYPERLINK(1),Unknown community code."
    assert "Ilunga" not in text


def test_discard_deletes_the_file(world, client_for):
    job = upload(world.hub_admin, GOOD_AND_BAD, "households")
    stored = path_of(job.stored_name)
    response = client_for(world.hub_admin).post(reverse("collect:import_discard", args=[job.pk]))
    assert response["Location"] == reverse("collect:import_list")
    assert not stored.exists()


def test_import_list_shows_my_jobs_without_n_plus_one(
    world, client_for, django_assert_max_num_queries
):
    for number in range(5):
        upload(world.hub_admin, GOOD_AND_BAD, "households", name=f"file-{number}.csv")
    upload(world.programme_manager, GOOD_AND_BAD, "households", name="someone-else.csv")
    client = client_for(world.hub_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("collect:import_list"))
    html = response.content.decode()
    assert "file-4.csv" in html
    assert "someone-else.csv" not in html


def test_empty_import_list_says_what_to_do(world, client_for):
    html = client_for(world.programme_manager).get(reverse("collect:import_list")).content.decode()
    assert "You have not imported a file yet." in html
    assert reverse("collect:import_upload") in html


def test_job_page_errors_are_paged_without_n_plus_one(
    world, client_for, checked, django_assert_max_num_queries
):
    rows = [["_uuid", "community_code", "head_name"]] + [
        [f"h-{n}", "V-NOPE", "X"] for n in range(60)
    ]
    job = checked(world.hub_admin, upload(world.hub_admin, csv_bytes(rows), "households"))
    client = client_for(world.hub_admin)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("collect:import_detail", args=[job.pk]))
    html = first.content.decode()
    assert html.count("Unknown community code.") == 50
    assert 'rel="next"' in html


def test_menu_shows_imports_to_importers_only(world, client_for):
    url = reverse("collect:import_list")
    assert url in client_for(world.hub_admin).get(reverse("core:home")).content.decode()
    assert url not in client_for(world.facilitator).get(reverse("core:home")).content.decode()


OUTSIDERS = [
    "facilitator",
    "case_manager",
    "supervisor",
    "company_member",
    "auditor",
    "no_role_user",
]


def _urls(job):
    return [
        ("get", reverse("collect:import_list")),
        ("get", reverse("collect:import_upload")),
        ("post", reverse("collect:import_upload")),
        ("get", reverse("collect:import_detail", args=[job.pk])),
        ("get", reverse("collect:import_mapping", args=[job.pk])),
        ("post", reverse("collect:import_mapping", args=[job.pk])),
        ("post", reverse("collect:import_validate", args=[job.pk])),
        ("post", reverse("collect:import_confirm", args=[job.pk])),
        ("post", reverse("collect:import_discard", args=[job.pk])),
        ("get", reverse("collect:import_progress", args=[job.pk])),
        ("get", reverse("collect:import_errors_csv", args=[job.pk])),
    ]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_everywhere(world, client_for, persona):
    job = upload(world.hub_admin, GOOD_AND_BAD, "households")
    client = client_for(getattr(world, persona))
    for method, url in _urls(job):
        assert getattr(client, method)(url).status_code == 404, url
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_another_importer_gets_404_on_my_job(world, client_for):
    job = upload(world.hub_admin, GOOD_AND_BAD, "households")
    client = client_for(world.programme_manager)
    for method, url in _urls(job)[3:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert path_of(job.stored_name).exists()


def test_anonymous_is_sent_to_sign_in(world, client_for):
    job = upload(world.hub_admin, GOOD_AND_BAD, "households")
    client = client_for(None)
    for method, url in _urls(job):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_kobo_workbook_mapping_page_offers_the_sheets_and_each_group(world, client_for):
    from collect.tests.conftest import xlsx_bytes

    data = xlsx_bytes(
        {
            "household_visit": [["_uuid", "today", "community_code", "head_name", "_index"]],
            "child": [["first_name", "sex", "age", "school_status", "_index", "_parent_index"]],
            "activity": [["task", "hours", "_index", "_parent_index"]],
        }
    )
    job = upload(world.hub_admin, data, "kobo_household_visit", name="kobo.xlsx")
    client = client_for(world.hub_admin)
    url = reverse("collect:import_mapping", args=[job.pk])
    html = client.get(url).content.decode()
    assert "Sheet of the children" in html
    assert 'name="child__first_name"' in html
    assert 'name="activity__hours"' in html
    assert "sheet “activity”" in html

    # Swapping the children and activities sheets is the user's call; the mapping restarts.
    client.post(url, {"step": "sheets", "main": "household_visit", "children": "activity"})
    job.refresh_from_db()
    assert job.sheets == {"main": "household_visit", "children": "activity"}
    assert 'name="activity__hours"' not in client.get(url).content.decode()
