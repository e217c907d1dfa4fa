from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from access.geo import sites_visible_to
from accounts.models import Organisation, User
from accounts.tests.factories import OrganisationFactory
from audit.actions import Action
from audit.models import AuditEvent
from core.errors import DomainError
from geo import services
from geo.models import Area, AreaLevel, Site, SiteKind, SiteStatus
from geo.tests.factories import SiteFactory, make_area

pytestmark = pytest.mark.django_db


def _events(action: Action, subject) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, subject_id=str(subject.pk)).order_by("id"))


def _update_area(actor, area: Area, **changes) -> Area:
    values: dict[str, Any] = {
        "name": area.name,
        "code": area.code,
        "is_active": area.is_active,
        "parent": area.parent,
    }
    values.update(changes)
    return services.area_update(actor=actor, area=area, **values)


def _site_values(site: Site, **changes) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": site.code,
        "name": site.name,
        "kind": site.kind,
        "area": site.area,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "operator": site.operator,
        "operator_name": site.operator_name,
        "status": site.status,
    }
    values.update(changes)
    return values


def _refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call(*args, **kwargs)
    return refused.value


# area_create ---------------------------------------------------------------------------------


def test_hub_admin_creates_an_area_under_a_parent_with_its_path(world):
    chiefdom = world.village.parent
    area = services.area_create(
        actor=world.hub_admin, code="V-NEW", name="Mpala", level=AreaLevel.VILLAGE, parent=chiefdom
    )
    assert area.path == f"{chiefdom.path}{area.pk}/"
    (event,) = _events(Action.AREA_CREATE, area)
    assert event.actor == world.hub_admin
    assert event.changes["name"] == "Mpala"


@pytest.mark.parametrize("persona", ["programme_manager", "facilitator", "auditor", "no_role_user"])
def test_only_area_managers_create_areas(world, persona):
    error = _refused(
        services.area_create,
        actor=getattr(world, persona),
        code="V-X",
        name="X",
        level=AreaLevel.VILLAGE,
        parent=world.village.parent,
    )
    assert error.code == "area.not_allowed"
    assert not Area.objects.filter(code="V-X").exists()


def test_area_create_refuses_a_level_that_cannot_sit_under_the_parent(world):
    error = _refused(
        services.area_create,
        actor=world.hub_admin,
        code="V-X",
        name="X",
        level=AreaLevel.VILLAGE,
        parent=world.province,
    )
    assert (error.code, error.field) == ("area.level_mismatch", "level")


def test_area_create_refuses_an_inactive_parent(world):
    chiefdom = _update_area(world.hub_admin, world.village.parent, is_active=False)
    error = _refused(
        services.area_create,
        actor=world.hub_admin,
        code="V-X",
        name="X",
        level=AreaLevel.VILLAGE,
        parent=chiefdom,
    )
    assert (error.code, error.field) == ("area.parent_inactive", "parent")


# area_update ---------------------------------------------------------------------------------


def test_rename_records_old_and_new_values(world):
    _update_area(world.hub_admin, world.village, name="Kasulo-Centre", code="V-KASULO-C")
    world.village.refresh_from_db()
    assert (world.village.name, world.village.code) == ("Kasulo-Centre", "V-KASULO-C")
    (event,) = _events(Action.AREA_UPDATE, world.village)
    assert event.actor == world.hub_admin
    assert event.changes == {
        "name": {"old": "Kasulo", "new": "Kasulo-Centre"},
        "code": {"old": "V-KASULO", "new": "V-KASULO-C"},
    }


def test_deactivating_is_audited_and_saving_nothing_new_is_not(world):
    _update_area(world.hub_admin, world.village, is_active=False)
    _update_area(world.hub_admin, world.village)  # no change: no event
    world.village.refresh_from_db()
    assert world.village.is_active is False
    (event,) = _events(Action.AREA_UPDATE, world.village)
    assert event.changes == {"is_active": {"old": True, "new": False}}


def test_moving_an_area_rewrites_the_path_of_its_whole_subtree(world):
    territory = world.village.parent.parent
    chiefdom = world.village.parent
    other_territory = make_area("Mutshatsha", AreaLevel.TERRITORY, world.province, code="T-MUT")
    site = SiteFactory(area=world.village)
    # A sibling whose id shares the chiefdom id's leading digits must not be touched.
    bystander = make_area("Luilu", AreaLevel.CHIEFDOM, territory, code="C-LUILU")
    bystander_path = bystander.path

    moved = _update_area(world.hub_admin, chiefdom, parent=other_territory)

    assert moved.path == f"{other_territory.path}{chiefdom.pk}/"
    for village in (world.village, world.other_village):
        village.refresh_from_db()
        assert village.path == f"{moved.path}{village.pk}/"
    bystander.refresh_from_db()
    assert bystander.path == bystander_path
    assert Area.objects.get(pk=chiefdom.pk).parent_id == other_territory.pk
    # Sites follow their area, and the facilitator still sees the site in their village.
    facilitator = User.objects.get(pk=world.facilitator.pk)  # fresh: no cached scope
    assert list(sites_visible_to(facilitator)) == [site]
    (event,) = _events(Action.AREA_UPDATE, chiefdom)
    assert event.changes["parent_id"] == {"old": territory.pk, "new": other_territory.pk}
    assert event.changes["path"]["new"] == moved.path
    assert event.changes["sub_areas_moved"] == 2


def test_a_move_under_itself_or_a_descendant_is_refused(world):
    chiefdom = world.village.parent
    territory = chiefdom.parent
    for area, new_parent in (
        (chiefdom, chiefdom),
        (chiefdom, world.village),
        (territory, chiefdom),
    ):
        error = _refused(_update_area, world.hub_admin, area, parent=new_parent)
        assert (error.code, error.field) == ("area.move_into_itself", "parent")
    chiefdom.refresh_from_db()
    assert chiefdom.parent_id == territory.pk
    assert not _events(Action.AREA_UPDATE, chiefdom)


def test_a_move_must_respect_the_levels(world):
    error = _refused(_update_area, world.hub_admin, world.village, parent=world.province)
    assert (error.code, error.field) == ("area.level_mismatch", "parent")
    error = _refused(_update_area, world.hub_admin, world.village, parent=None)
    assert (error.code, error.field) == ("area.parent_required", "parent")


def test_a_move_under_an_inactive_parent_is_refused(world):
    territory = world.village.parent.parent
    sector = make_area("Kando", AreaLevel.SECTOR, territory, code="S-KANDO")
    _update_area(world.hub_admin, sector, is_active=False)
    error = _refused(_update_area, world.hub_admin, world.village, parent=sector)
    assert (error.code, error.field) == ("area.parent_inactive", "parent")


def test_area_update_refuses_taken_codes_and_names_and_blanks(world):
    error = _refused(_update_area, world.hub_admin, world.village, code="V-KANINA")
    assert (error.code, error.field) == ("area.code_taken", "code")
    error = _refused(_update_area, world.hub_admin, world.village, name="kanina")
    assert (error.code, error.field) == ("area.name_taken", "name")
    error = _refused(_update_area, world.hub_admin, world.village, name="   ")
    assert (error.code, error.field) == ("area.fields_required", "name")


def test_a_move_refuses_a_name_already_used_under_the_new_parent(world):
    territory = world.village.parent.parent
    other_chiefdom = make_area("Kaponda", AreaLevel.CHIEFDOM, territory, code="C-KAPONDA")
    make_area("Kasulo", AreaLevel.VILLAGE, other_chiefdom, code="V-KASULO-2")
    error = _refused(_update_area, world.hub_admin, world.village, parent=other_chiefdom)
    assert (error.code, error.field) == ("area.name_taken", "name")


@pytest.mark.parametrize("persona", ["programme_manager", "facilitator", "company_member"])
def test_only_area_managers_update_areas(world, persona):
    error = _refused(_update_area, getattr(world, persona), world.village, name="Renamed")
    assert error.code == "area.not_allowed"
    world.village.refresh_from_db()
    assert world.village.name == "Kasulo"


# area_set_boundary ---------------------------------------------------------------------------

_RING = [[26.0, -10.4], [26.6, -10.3], [26.7, -10.8], [26.1, -10.9]]


def _territory() -> Area:
    return Area.objects.get(code="CD-LU-LUB")


def test_a_boundary_is_stored_rounded_audited_and_removable(world):
    area = services.area_set_boundary(
        actor=world.hub_admin, area=_territory(), boundary=[[26.00000004, -10.4], *_RING[1:]]
    )
    assert area.boundary == _RING
    assert _events(Action.AREA_UPDATE, area)[-1].changes == {
        "boundary_points": {"old": 0, "new": 4}
    }
    services.area_set_boundary(actor=world.hub_admin, area=area, boundary=_RING)
    assert len(_events(Action.AREA_UPDATE, area)) == 1  # nothing new, nothing recorded
    services.area_set_boundary(actor=world.hub_admin, area=area, boundary=None)
    area.refresh_from_db()
    assert area.boundary is None


@pytest.mark.parametrize(
    "boundary",
    [
        [[26.0, -10.4], [26.6, -10.3]],  # two points are no outline
        [[26.0, -10.4], [26.6, -10.3], [26.7]],  # a point without a latitude
        [[26.0, -10.4], [26.6, -10.3], [200.0, -10.8]],  # longitude out of range
        [[26.0, -10.4], [26.6, -10.3], [26.7, -95.0]],  # latitude out of range
        [[26.0, -10.4], [26.6, -10.3], ["26.7", "-10.8"]],  # text, not numbers
        [[26.0, -10.4], [26.6, -10.3], [True, False]],
        [[26.0, -10.4], [26.6, -10.3], [float("nan"), -10.8]],
        {"type": "Polygon"},  # GeoJSON object instead of a ring
        "26,-10 27,-10 27,-11",
        [[26.0, -10.4]] * 501,  # more than a sketch needs
    ],
)
def test_a_bad_boundary_is_refused_and_names_the_field(world, boundary):
    error = _refused(
        services.area_set_boundary, actor=world.hub_admin, area=_territory(), boundary=boundary
    )
    assert (error.code, error.field) == ("area.boundary_invalid", "boundary")
    assert _territory().boundary is None


@pytest.mark.parametrize("persona", ["programme_manager", "facilitator", "company_member"])
def test_only_area_managers_set_boundaries(world, persona):
    error = _refused(
        services.area_set_boundary,
        actor=getattr(world, persona),
        area=_territory(),
        boundary=_RING,
    )
    assert error.code == "area.not_allowed"


# site_create / site_update -------------------------------------------------------------------


def _create_site(actor, area, **overrides) -> Site:
    values: dict[str, Any] = {
        "code": "MINE-1",
        "name": "Kasulo pit",
        "kind": SiteKind.ARTISANAL_MINE,
    }
    values.update(overrides)
    return services.site_create(actor=actor, area=area, **values)


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager"])
def test_site_managers_create_sites(world, persona):
    site = _create_site(
        getattr(world, persona),
        world.village,
        latitude=Decimal("-10.7123456"),
        longitude=Decimal("25.4"),
    )
    assert site.latitude == Decimal("-10.712346")  # six places, as stored
    (event,) = _events(Action.SITE_CREATE, site)
    assert event.actor == getattr(world, persona)


@pytest.mark.parametrize("persona", ["facilitator", "auditor", "case_manager", "company_member"])
def test_others_cannot_create_sites(world, persona):
    error = _refused(_create_site, getattr(world, persona), world.village)
    assert error.code == "site.not_allowed"
    assert not Site.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"code": " "}, "site.fields_required", "code"),
        ({"name": ""}, "site.fields_required", "name"),
        ({"kind": "quarry"}, "site.kind_unknown", "kind"),
        ({"status": "open"}, "site.status_unknown", "status"),
        ({"latitude": Decimal(1)}, "site.coordinates_incomplete", "longitude"),
        ({"longitude": Decimal(1)}, "site.coordinates_incomplete", "latitude"),
        (
            {"latitude": Decimal("91"), "longitude": Decimal(0)},
            "site.coordinates_out_of_range",
            "latitude",
        ),
        (
            {"latitude": Decimal(0), "longitude": Decimal("-180.5")},
            "site.coordinates_out_of_range",
            "longitude",
        ),
        ({"operator_name": "Coop", "operator": "org"}, "site.operator_twice", "operator_name"),
    ],
)
def test_site_create_names_the_field_at_fault(world, overrides, code, field):
    if overrides.get("operator") == "org":
        overrides["operator"] = OrganisationFactory()
    error = _refused(_create_site, world.hub_admin, world.village, **overrides)
    assert (error.code, error.field) == (code, field)
    assert not Site.objects.exists()


def test_site_create_refuses_a_taken_code_an_inactive_area_or_operator(world):
    _create_site(world.hub_admin, world.village)
    error = _refused(_create_site, world.hub_admin, world.other_village)
    assert (error.code, error.field) == ("site.code_taken", "code")

    _update_area(world.hub_admin, world.other_village, is_active=False)
    world.other_village.refresh_from_db()
    error = _refused(_create_site, world.hub_admin, world.other_village, code="MINE-2")
    assert (error.code, error.field) == ("site.area_inactive", "area")

    closed = OrganisationFactory(is_active=False)
    error = _refused(_create_site, world.hub_admin, world.village, code="MINE-3", operator=closed)
    assert (error.code, error.field) == ("site.operator_inactive", "operator")


def test_site_update_records_old_and_new_values(world):
    site = _create_site(world.hub_admin, world.village)
    created_updated_at = site.updated_at
    operator = OrganisationFactory(name="Coopérative Kasulo")
    services.site_update(
        actor=world.programme_manager,
        site=site,
        **_site_values(
            site,
            name="Kasulo pit 2",
            area=world.other_village,
            status=SiteStatus.CLOSED,
            operator=operator,
            latitude=Decimal("-10.5"),
            longitude=Decimal("25.25"),
        ),
    )
    site.refresh_from_db()
    assert (site.name, site.area, site.status, site.operator) == (
        "Kasulo pit 2",
        world.other_village,
        SiteStatus.CLOSED,
        operator,
    )
    assert site.updated_at > created_updated_at
    (event,) = _events(Action.SITE_UPDATE, site)
    assert event.actor == world.programme_manager
    assert event.changes == {
        "name": {"old": "Kasulo pit", "new": "Kasulo pit 2"},
        "area_id": {"old": world.village.pk, "new": world.other_village.pk},
        "status": {"old": "active", "new": "closed"},
        "operator_id": {"old": None, "new": operator.pk},
        "latitude": {"old": None, "new": "-10.500000"},
        "longitude": {"old": None, "new": "25.250000"},
    }


def test_site_update_keeps_its_own_code_and_skips_empty_edits(world):
    site = _create_site(world.hub_admin, world.village)
    services.site_update(actor=world.hub_admin, site=site, **_site_values(site))
    assert not _events(Action.SITE_UPDATE, site)


def test_site_update_applies_the_same_rules_as_create(world):
    site = _create_site(world.hub_admin, world.village)
    _create_site(world.hub_admin, world.village, code="MINE-2")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"code": "MINE-2"}, "site.code_taken"),
        ({"kind": "quarry"}, "site.kind_unknown"),
        ({"latitude": Decimal(1)}, "site.coordinates_incomplete"),
        (
            {"operator": Organisation.objects.first(), "operator_name": "Coop"},
            "site.operator_twice",
        ),
    ]
    for overrides, code in cases:
        error = _refused(
            services.site_update,
            actor=world.hub_admin,
            site=site,
            **_site_values(site, **overrides),
        )
        assert error.code == code
        site.refresh_from_db()
    assert site.code == "MINE-1"
    error = _refused(
        services.site_update, actor=world.auditor, site=site, **_site_values(site, name="x")
    )
    assert error.code == "site.not_allowed"
    assert not _events(Action.SITE_UPDATE, site)
