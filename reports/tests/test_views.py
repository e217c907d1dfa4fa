"""The reports pages: who sees what, and nothing child-level for a company."""

from __future__ import annotations

import hashlib
import random

import pytest
from django.urls import reverse

from accounts.models import Organisation
from audit.models import AuditEvent
from cases.models import Case
from monitoring.models import Child
from reports.models import IssuedReport, ReportStatus
from reports.services.issue import reproduce
from reports.services.refresh import refresh_indicators
from reports.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(world, agencies):
    """A few children identified, some with cases, one case sponsored by Company One."""
    rng = random.Random(3)
    company = Organisation.objects.get(name="Company One")
    for _ in range(6):
        factories.add_child(world, rng, working=True)
    factories.add_child(world, rng, working=False)
    for _ in range(3):
        factories.open_a_case(world, rng)
    factories.step_case(world, rng)
    case = Case.objects.order_by("id")[0]
    from cases.services import transfers

    transfers.case_set_sponsor(
        actor=world.hub_admin, case=case, expected_version=case.version, sponsor=company
    )
    refresh_indicators()
    return company


def _everyone(world):
    return {
        "hub_admin": world.hub_admin,
        "programme_manager": world.programme_manager,
        "facilitator": world.facilitator,
        "case_manager": world.case_manager,
        "supervisor": world.supervisor,
        "company_member": world.company_member,
        "auditor": world.auditor,
        "no_role_user": world.no_role_user,
    }


def test_programme_dashboard_is_for_hub_staff_only(world, programme, client_for):
    url = reverse("reports:dashboard")
    allowed = {"hub_admin", "programme_manager"}
    for name, user in _everyone(world).items():
        response = client_for(user).get(url)
        assert response.status_code == (200 if name in allowed else 404), name
    assert client_for(None).get(url).status_code == 302
    page = client_for(world.programme_manager).get(url, {"months": "12"}).content.decode()
    assert "<svg" in page
    assert "Children identified" in page
    map_url = reverse("reports:map")
    for name, user in _everyone(world).items():
        expected = 200 if name in allowed else 404
        assert client_for(user).get(map_url).status_code == expected, name
    assert (
        "No site has coordinates yet." in client_for(world.hub_admin).get(map_url).content.decode()
    )


def test_dashboard_filters_by_area_and_sponsor(world, programme, client_for):
    client = client_for(world.hub_admin)
    for params in (
        {"area": world.province.pk},
        {"area": world.village.pk},
        {"sponsor": programme.pk},
    ):
        assert client.get(reverse("reports:dashboard"), params).status_code == 200


def test_agency_dashboard_for_agency_staff(world, programme, client_for):
    url = reverse("reports:agency")
    for name, user in _everyone(world).items():
        expected = 200 if name in {"case_manager", "supervisor"} else 404
        assert client_for(user).get(url).status_code == expected, name
    assert client_for(world.other_agency_case_manager).get(url).status_code == 200


def test_company_page_for_its_members_and_the_hub_only(world, programme, client_for):
    url = reverse("reports:company", args=[programme.pk])
    for name, user in _everyone(world).items():
        expected = 200 if name in {"company_member", "programme_manager", "hub_admin"} else 404
        assert client_for(user).get(url).status_code == expected, name
    other = Organisation.objects.create(name="Company Two", type="company")
    assert (
        client_for(world.company_member)
        .get(reverse("reports:company", args=[other.pk]))
        .status_code
        == 404
    )


def test_company_sees_no_child_level_data(
    world, programme, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.company_member)
    pages = [
        client.get(reverse("reports:company", args=[programme.pk])),
        client.get(reverse("reports:company_export", args=[programme.pk])),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:company", args=[programme.pk]),
            {"period_start": "2025-01-01", "period_end": "2025-12-31", "language": "en"},
        )
    report = IssuedReport.objects.get()
    assert response.status_code == 302
    assert report.status == ReportStatus.ISSUED
    pages.append(client.get(reverse("reports:issued", args=[report.pk])))
    text = "".join(page.content.decode() for page in pages) + report.snapshot
    for child in Child.objects.all():
        assert child.code not in text
        assert child.first_name not in text
    for case in Case.objects.all():
        assert case.number not in text
    # Nothing child-level answers either.
    for url in ("/monitoring/children/", "/cases/", "/reports/", "/reports/export/"):
        assert client.get(url).status_code == 404, url


def test_issued_report_is_frozen_and_reproducible(
    world, programme, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.programme_manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:company", args=[programme.pk]),
            {"period_start": "2025-10-01", "period_end": "2025-12-31", "language": "fr"},
        )
    report = IssuedReport.objects.get()
    assert report.status == ReportStatus.ISSUED
    assert report.progress == 100
    first = client.get(reverse("reports:issued_download", args=[report.pk, "pdf"])).content
    # More data arrives; the issued report does not change.
    factories.add_child(world, random.Random(9), working=True)
    refresh_indicators()
    second = client.get(reverse("reports:issued_download", args=[report.pk, "pdf"])).content
    assert first == second
    assert hashlib.sha256(first).hexdigest() == report.pdf_sha256
    xlsx = client.get(reverse("reports:issued_download", args=[report.pk, "xlsx"])).content
    assert hashlib.sha256(xlsx).hexdigest() == report.xlsx_sha256
    pdf_again, xlsx_again = reproduce(report)
    assert pdf_again == first
    assert xlsx_again == xlsx
    page = client.get(reverse("reports:issued", args=[report.pk])).content.decode()
    assert report.pdf_sha256 in page
    assert report.snapshot_sha256 in page
    assert AuditEvent.objects.filter(action="report:download").count() == 3
    outsider = client_for(world.no_role_user)
    assert outsider.get(reverse("reports:issued", args=[report.pk])).status_code == 404
    assert (
        outsider.get(reverse("reports:issued_download", args=[report.pk, "pdf"])).status_code == 404
    )


def test_hub_export_needs_reauthentication_and_a_purpose(world, programme, client_for):
    url = reverse("reports:export")
    client = client_for(world.hub_admin)
    world.hub_admin.set_password("correct horse battery")
    world.hub_admin.save()
    client = client_for(world.hub_admin)
    refused = client.post(
        url,
        {
            "dataset": "facts",
            "file_format": "csv",
            "purpose": "Annual evaluation by the Hub",
            "secret": "wrong",
        },
    )
    assert refused.status_code == 200
    assert not AuditEvent.objects.filter(action="export:create").exists()
    response = client.post(
        url,
        {
            "dataset": "facts",
            "file_format": "csv",
            "purpose": "Annual evaluation by the Hub",
            "secret": "correct horse battery",
        },
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("child_code,")
    for child in Child.objects.all():
        assert child.first_name not in body
    event = AuditEvent.objects.get(action="export:create")
    assert event.reason == "Annual evaluation by the Hub"
    xlsx = client.post(
        url,
        {
            "dataset": "counts",
            "file_format": "xlsx",
            "purpose": "Annual evaluation by the Hub",
            "secret": "correct horse battery",
        },
    )
    assert xlsx.content[:2] == b"PK"
    for name, user in _everyone(world).items():
        if name not in {"hub_admin", "programme_manager"}:
            assert client_for(user).get(url).status_code == 404, name


def test_small_counts_read_fewer_than_10_for_a_company(world, programme, client_for):
    from reports.selectors import Filters, company_indicators

    sections = company_indicators(programme, Filters.last_months(12))
    whole = next(section for section in sections if section.key == "programme")
    identified = whole.as_json()["headline"]["Children identified in child labour"]
    assert identified == "<10"  # six children were identified
    page = client_for(world.company_member).get(reverse("reports:company", args=[programme.pk]))
    assert "fewer than 10" in page.content.decode()


def test_agency_dashboard_counts_only_its_own_cases(world, programme, client_for):
    from reports.agency import agency_dashboard

    mine = agency_dashboard(world.case_manager)
    theirs = agency_dashboard(world.other_agency_case_manager)
    assert mine.open_total == Case.objects.filter(agency__name="Agency One").count() == 3
    assert theirs.open_total == 0
    page = client_for(world.supervisor).get(reverse("reports:agency")).content.decode()
    assert "Caseload: 3 open cases" in page


def test_home_shows_indicator_tiles_to_hub_staff(world, programme, client_for):
    page = client_for(world.programme_manager).get("/").content.decode()
    assert "Open the programme dashboard" in page
    assert "Open the programme dashboard" not in client_for(world.auditor).get("/").content.decode()


def test_refresh_command_and_stale_refresh(world, programme, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    from reports.models import RefreshState
    from reports.services.refresh import refresh_if_stale

    out = StringIO()
    call_command("refresh_indicators", "--full", stdout=out)
    assert "rebuilt" in out.getvalue()
    RefreshState.objects.filter(pk=1).update(last_run_at=None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refresh_if_stale()
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refresh_if_stale()
    assert callbacks == []


def test_dashboard_stays_under_100_kb_with_many_sites(world, programme, client_for):
    import re
    from decimal import Decimal

    from django.contrib.staticfiles import finders

    from geo.models import Site, SiteKind

    Site.objects.bulk_create(
        Site(
            code=f"BULK-{n}",
            name=f"Artisanal mine site number {n}",
            kind=SiteKind.ARTISANAL_MINE,
            area=world.village if n % 2 else world.other_village,
            latitude=Decimal("-10.7") + Decimal(n) / 1000,
            longitude=Decimal("25.4") + Decimal(n) / 1000,
        )
        for n in range(600)
    )
    client = client_for(world.hub_admin)
    for url in (reverse("reports:dashboard"), reverse("reports:map")):
        html = client.get(url).content
        total = len(html)
        for asset in re.findall(rb'(?:src|href)="/static/([^"]+)"', html):
            with open(str(finders.find(asset.decode())), "rb") as handle:
                total += len(handle.read())
        assert total < 100 * 1024, url
    assert b"smaller points are left off" in html
    assert b"Kasulo" in html  # the community, placed at the centre of its sites
