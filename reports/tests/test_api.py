"""The reports API: documented shapes, the same rights as the pages, suppressed company data."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken, Organisation
from accounts.services.tokens import _hash, create_api_token
from monitoring.models import Child
from reports.tests.test_views import programme  # noqa: F401 — the shared fixture
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

CATALOGUE = "/api/v1/reports/indicators"
PROGRAMME = "/api/v1/reports/programme"
COMPANY = "/api/v1/reports/companies/{company_id}"
ISSUED = "/api/v1/reports/issued/{report_id}"


def _headers(user) -> dict[str, str]:
    _row, token = create_api_token(actor=user, name="test", verified=True)
    return {"Authorization": f"Bearer {token}"}


def _forced_headers(user) -> dict[str, str]:
    """A token for a role that cannot create one (company member): what if one leaked?"""
    token = "kinga_abcd1234_" + "x" * 43
    ApiToken.objects.create(user=user, name="forced", prefix="abcd1234", secret_hash=_hash(token))
    return {"Authorization": f"Bearer {token}"}


def test_programme_indicators_for_hub_staff(world, programme, client):  # noqa: F811
    response = client.get(PROGRAMME, {"months": 24}, headers=_headers(world.programme_manager))
    assert response.status_code == 200
    assert_matches_schema(response, PROGRAMME)
    codes = {item["code"]: item for item in response.json()["indicators"]}
    assert codes["children_identified"]["numerator"] >= 6
    assert codes["spend_per_child"]["pending"] is True
    filtered = client.get(
        PROGRAMME, {"area_id": world.village.pk}, headers=_headers(world.hub_admin)
    )
    assert filtered.status_code == 200
    assert_matches_schema(filtered, PROGRAMME)
    outsider = client.get(PROGRAMME, headers=_headers(world.auditor))
    assert outsider.status_code == 404
    assert_matches_schema(outsider, PROGRAMME)
    assert client.get(PROGRAMME).status_code == 401


def test_catalogue(world, programme, client):  # noqa: F811
    response = client.get(CATALOGUE, headers=_headers(world.hub_admin))
    assert response.status_code == 200
    assert_matches_schema(response, CATALOGUE)
    assert client.get(CATALOGUE, headers=_headers(world.auditor)).status_code == 404


def test_company_figures_are_suppressed_and_scoped(world, programme, client):  # noqa: F811
    path = COMPANY.format(company_id=programme.pk)
    member = _forced_headers(world.company_member)
    response = client.get(path, headers=member)
    assert response.status_code == 200
    assert_matches_schema(response, COMPANY)
    body = response.content.decode()
    for child in Child.objects.all():
        assert child.code not in body
    for section in response.json()["sections"]:
        for value in section["headline"].values():
            assert value in {"<10", 0} or value >= 10
    other = Organisation.objects.create(name="Company Two", type="company")
    hidden = client.get(COMPANY.format(company_id=other.pk), headers=member)
    assert hidden.status_code == 404
    assert_matches_schema(hidden, COMPANY)
    assert client.get(path, headers=_headers(world.auditor)).status_code == 404
    assert client.get(path, headers=_headers(world.programme_manager)).status_code == 200


def test_issued_report_status(world, programme, client, django_capture_on_commit_callbacks):  # noqa: F811
    from datetime import date

    from reports.services.issue import report_request

    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(
            actor=world.programme_manager,
            company=programme,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 3, 31),
            language="en",
        )
    path = ISSUED.format(report_id=report.pk)
    response = client.get(path, headers=_headers(world.programme_manager))
    assert response.status_code == 200
    assert_matches_schema(response, ISSUED)
    assert response.json()["status"] == "issued"
    assert len(response.json()["pdf_sha256"]) == 64
    assert client.get(path, headers=_headers(world.auditor)).status_code == 404
