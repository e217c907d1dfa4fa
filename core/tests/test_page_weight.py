"""Pages stay light for phones on slow networks: HTML + CSS + JS of a page under 100 kB."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 100 * 1024


def _weight(client, url: str) -> int:
    html = client.get(url).content
    total = len(html)
    for asset in re.findall(rb'(?:src|href)="/static/([^"]+)"', html):
        path = finders.find(asset.decode())
        assert path, f"missing static file {asset!r}"
        with open(path, "rb") as handle:
            total += len(handle.read())
    return total


@pytest.mark.parametrize("persona", ["hub_admin", "facilitator", "company_member"])
def test_home_page_with_all_its_assets_is_under_budget(world, client_for, persona):
    assert _weight(client_for(getattr(world, persona)), "/") < BUDGET_BYTES


def test_sign_in_page_is_under_budget(client):
    assert _weight(client, "/account/login/") < BUDGET_BYTES
