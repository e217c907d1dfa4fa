"""The programme map draws stored area boundaries offline, and outlines areas without one."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from geo.models import Area
from geo.services import area_set_boundary
from geo.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

_LUBUDI = [[25.3, -10.6], [25.5, -10.6], [25.5, -10.8], [25.3, -10.8], [25.25, -10.7]]


def _sites(world) -> None:
    for n, (latitude, longitude) in enumerate(
        [("-10.70", "25.40"), ("-10.72", "25.43"), ("-10.68", "25.45")]
    ):
        SiteFactory(
            name=f"Pit {n}",
            area=world.village if n % 2 else world.other_village,
            latitude=Decimal(latitude),
            longitude=Decimal(longitude),
        )


def _map(client_for, user) -> str:
    response = client_for(user).get(reverse("reports:map"))
    assert response.status_code == 200
    return response.content.decode()


def _polygons(svg: str) -> list[str]:
    return re.findall(r"<polygon [^>]*>(?:<title>[^<]*</title></polygon>)?", svg)


def test_without_a_boundary_the_territory_is_outlined_around_its_points(world, client_for):
    _sites(world)
    page = _map(client_for, world.programme_manager)
    (outline,) = _polygons(page)
    assert 'stroke-width="14"' in outline  # the rounded hull around the three sites
    assert "<title>Lubudi</title></polygon>" not in page
    assert "https://" not in page.replace("http://www.w3.org/2000/svg", "")  # no tiles


def test_a_stored_boundary_is_drawn_with_every_point_on_a_plain_ground(world, client_for):
    _sites(world)
    territory = Area.objects.get(code="CD-LU-LUB")
    area_set_boundary(actor=world.hub_admin, area=territory, boundary=_LUBUDI)
    page = _map(client_for, world.programme_manager)
    (outline,) = _polygons(page)
    assert outline.endswith("<title>Lubudi</title></polygon>")
    points = re.search(r'points="([^"]+)"', outline)
    assert points is not None
    assert len(points.group(1).split()) == len(_LUBUDI)
    assert 'fill="#f6f8fa"' in page  # the plain background, no tiles
    assert 'font-size="18"' in page  # about 11 px when the map is 390 px wide


def test_only_hub_staff_see_the_map(world, client_for):
    _sites(world)
    area_set_boundary(
        actor=world.hub_admin, area=Area.objects.get(code="CD-LU-LUB"), boundary=_LUBUDI
    )
    for outsider in (world.company_member, world.facilitator, world.case_manager):
        assert client_for(outsider).get(reverse("reports:map")).status_code == 404
