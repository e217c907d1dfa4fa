from __future__ import annotations

import pytest

from audit.actions import Action
from audit.models import AuditEvent
from geo.models import Area, AreaLevel, Site, SiteKind, SiteStatus
from geo.tests.factories import SiteFactory, make_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(world):
    """One mine in each village; the facilitator works in `village` only."""
    return {
        "mine": SiteFactory(name="Kasulo pit", code="MINE-KASULO", area=world.village),
        "other_mine": SiteFactory(name="Kanina pit", code="MINE-KANINA", area=world.other_village),
    }


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _urls(world, sites) -> list[str]:
    return [
        "/geo/areas/",
        f"/geo/areas/{world.village.pk}/",
        "/geo/sites/",
        f"/geo/sites/{sites['mine'].pk}/",
        "/geo/areas/new/",
        f"/geo/areas/{world.village.parent_id}/new/",
        f"/geo/areas/{world.village.pk}/edit/",
        "/geo/sites/new/",
        f"/geo/sites/{sites['mine'].pk}/edit/",
    ]


# Who may see what -------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(world, sites, client):
    for url in _urls(world, sites):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/login/"), url


@pytest.mark.parametrize("persona", ["company_member", "no_role_user"])
def test_users_without_geo_rights_get_404_everywhere(world, sites, client_for, persona):
    client = client_for(getattr(world, persona))
    for url in _urls(world, sites):
        assert client.get(url).status_code == 404, url
    menu = client.get("/").content.decode()
    assert "/geo/areas/" not in menu
    assert "/geo/sites/" not in menu


def test_facilitator_sees_only_their_village_and_its_sites(world, sites, client_for):
    client = client_for(world.facilitator)
    root = _page(client.get("/geo/areas/"))
    assert "Your communities" in root
    assert f'href="/geo/areas/{world.village.pk}/"' in root
    assert "DR Congo" in root  # ancestors place the village

    chiefdom = _page(client.get(f"/geo/areas/{world.village.parent_id}/"))
    assert "Kasulo" in chiefdom
    assert "Kanina" not in chiefdom
    assert "0 sub-areas · 1 site" in chiefdom.replace("\n", " ")

    village = _page(client.get(f"/geo/areas/{world.village.pk}/"))
    assert "Kasulo pit" in village
    assert "Edit area" not in village
    assert "Add a site" not in village

    listing = _page(client.get("/geo/sites/"))
    assert "Kasulo pit" in listing
    assert "Kanina pit" not in listing

    detail = _page(client.get(f"/geo/sites/{sites['mine'].pk}/"))
    assert "Kasulo pit" in detail
    assert "Edit site" not in detail


def test_facilitator_gets_404_for_the_other_village_and_its_sites(world, sites, client_for):
    client = client_for(world.facilitator)
    other = sites["other_mine"]
    for url in (
        f"/geo/areas/{world.other_village.pk}/",
        f"/geo/sites/{other.pk}/",
        f"/geo/sites/?area={world.other_village.pk}",
        f"/geo/sites/{other.pk}/edit/",
        f"/geo/sites/{sites['mine'].pk}/edit/",
        f"/geo/areas/{world.village.pk}/edit/",
        "/geo/sites/new/",
    ):
        assert client.get(url).status_code == 404, url


def test_unknown_or_malformed_ids_answer_404(world, client_for):
    client = client_for(world.hub_admin)
    for url in ("/geo/areas/999999/", "/geo/sites/999999/", "/geo/sites/?area=abc"):
        assert client.get(url).status_code == 404, url


def test_menu_lists_areas_and_sites_to_readers(world, client_for):
    menu = _page(client_for(world.facilitator).get("/"))
    assert 'href="/geo/areas/"' in menu
    assert 'href="/geo/sites/"' in menu


# Areas: browse and edit -------------------------------------------------------------------------


def test_area_page_shows_breadcrumbs_sub_areas_and_counts(world, sites, client_for):
    page = _page(client_for(world.case_manager).get(f"/geo/areas/{world.province.pk}/"))
    assert f'<a href="/geo/areas/{world.country.pk}/">DR Congo</a>' in page
    assert "Lubudi" in page
    assert "1 sub-area · 2 sites" in page.replace("\n", " ")
    assert "Edit area" not in page


def test_hub_admin_creates_a_village_from_its_chiefdom(world, client_for):
    client = client_for(world.hub_admin)
    chiefdom_id = world.village.parent_id
    form = _page(client.get(f"/geo/areas/{chiefdom_id}/new/"))
    assert "Village or quarter" in form
    response = client.post(
        f"/geo/areas/{chiefdom_id}/new/", {"code": "V-MPALA", "name": "Mpala", "level": "village"}
    )
    area = Area.objects.get(code="V-MPALA")
    assert response.status_code == 302
    assert response["Location"] == f"/geo/areas/{area.pk}/"
    assert area.parent_id == chiefdom_id
    assert "Mpala" in _page(client.get(response["Location"]))


def test_area_form_keeps_input_and_names_the_faulty_field(world, client_for):
    client = client_for(world.hub_admin)
    page = _page(
        client.post(
            f"/geo/areas/{world.village.parent_id}/new/",
            {"code": "V-KANINA", "name": "Mpala", "level": "village"},
        )
    )
    assert "Another area already has this code." in page
    assert 'value="Mpala"' in page
    assert Area.objects.filter(name="Mpala").count() == 0
    page = _page(
        client.post(f"/geo/areas/{world.village.parent_id}/new/", {"code": "", "name": "Mpala"})
    )
    assert "This field is required." in page


def test_hub_admin_renames_and_moves_an_area(world, client_for):
    territory = world.village.parent.parent
    other_chiefdom = make_area("Kaponda", AreaLevel.CHIEFDOM, territory, code="C-KAPONDA")
    client = client_for(world.hub_admin)
    response = client.post(
        f"/geo/areas/{world.village.pk}/edit/",
        {"code": "V-KASULO", "name": "Kasulo II", "parent": "C-KAPONDA", "is_active": "on"},
    )
    assert response.status_code == 302
    world.village.refresh_from_db()
    assert world.village.name == "Kasulo II"
    assert world.village.path == f"{other_chiefdom.path}{world.village.pk}/"
    assert AuditEvent.objects.filter(
        action=Action.AREA_UPDATE, subject_id=str(world.village.pk)
    ).exists()


def test_area_edit_turns_a_refused_move_into_a_parent_error(world, client_for):
    chiefdom = world.village.parent
    client = client_for(world.hub_admin)
    page = _page(
        client.post(
            f"/geo/areas/{chiefdom.pk}/edit/",
            {"code": chiefdom.code, "name": "Bayeke renamed", "parent": "V-KASULO"},
        )
    )
    assert "An area cannot move under itself or one of its own sub-areas." in page
    assert 'value="Bayeke renamed"' in page
    page = _page(
        client.post(
            f"/geo/areas/{chiefdom.pk}/edit/",
            {"code": chiefdom.code, "name": chiefdom.name, "parent": "NOPE"},
        )
    )
    assert "No area you can see has this code." in page
    chiefdom.refresh_from_db()
    assert chiefdom.name == "Bayeke"


def test_programme_manager_cannot_edit_areas(world, client_for):
    client = client_for(world.programme_manager)
    assert client.get(f"/geo/areas/{world.village.pk}/edit/").status_code == 404
    response = client.post(
        f"/geo/areas/{world.village.pk}/edit/",
        {"code": "V-KASULO", "name": "Hacked", "parent": "CD-LU-LUB-BAY"},
    )
    assert response.status_code == 404
    world.village.refresh_from_db()
    assert world.village.name == "Kasulo"


# Sites: list, detail, edit ----------------------------------------------------------------------


def test_site_list_searches_name_and_code_in_any_case(world, sites, client_for):
    client = client_for(world.auditor)
    by_name = _page(client.get("/geo/sites/", {"q": "KANINA P"}))
    assert "Kanina pit" in by_name
    assert "Kasulo pit" not in by_name
    by_code = _page(client.get("/geo/sites/", {"q": "mine-kas"}))
    assert "Kasulo pit" in by_code
    assert "Kanina pit" not in by_code
    assert 'value="mine-kas"' in by_code  # the search box keeps what was typed


def test_site_list_filters_by_area_subtree_kind_and_status(world, sites, client_for):
    SiteFactory(name="Kasulo school", area=world.village, kind=SiteKind.SCHOOL)
    SiteFactory(name="Old depot", area=world.village, status=SiteStatus.CLOSED)
    client = client_for(world.programme_manager)
    in_village = _page(client.get("/geo/sites/", {"area": world.village.pk}))
    assert "Kasulo pit" in in_village
    assert "Kanina pit" not in in_village
    assert "Sites in Kasulo and beneath it." in in_village
    in_province = _page(client.get("/geo/sites/", {"area": world.province.pk}))
    assert "Kasulo pit" in in_province
    assert "Kanina pit" in in_province
    schools = _page(client.get("/geo/sites/", {"kind": "school"}))
    assert "Kasulo school" in schools
    assert "Kasulo pit" not in schools
    closed = _page(client.get("/geo/sites/", {"status": "closed"}))
    assert "Old depot" in closed
    assert "Kasulo pit" not in closed
    nothing = _page(client.get("/geo/sites/", {"q": "zzz"}))
    assert "No site matches these filters." in nothing


def test_site_list_reports_a_bad_filter_value_and_ignores_it(world, sites, client_for):
    page = _page(client_for(world.hub_admin).get("/geo/sites/", {"kind": "quarry"}))
    assert "Select a valid choice." in page
    assert "Kasulo pit" in page


def test_site_list_sorts_by_recent_update(world, sites, client_for):
    from geo import services

    site = sites["other_mine"]
    services.site_update(
        actor=world.hub_admin,
        site=site,
        code=site.code,
        name="Zebra pit",
        kind=site.kind,
        area=site.area,
        latitude=None,
        longitude=None,
        operator=None,
        operator_name="",
        status=site.status,
    )
    page = _page(client_for(world.hub_admin).get("/geo/sites/", {"sort": "updated"}))
    assert page.index("Zebra pit") < page.index("Kasulo pit")
    page = _page(client_for(world.hub_admin).get("/geo/sites/", {"sort": "name"}))
    assert page.index("Kasulo pit") < page.index("Zebra pit")


def test_site_list_pages_with_a_next_link_that_keeps_the_filters(world, client_for):
    for number in range(55):
        SiteFactory(name=f"Pit {number:02d}", area=world.village)
    SiteFactory(name="Pit school", area=world.village, kind=SiteKind.SCHOOL)
    client = client_for(world.hub_admin)
    first = _page(client.get("/geo/sites/", {"kind": "artisanal_mine"}))
    assert "Pit 49" in first
    assert "Pit 50" not in first
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "kind=artisanal_mine" in next_link
    second = _page(client.get("/geo/sites/" + next_link.replace("&amp;", "&")))
    assert "Pit 50" in second
    assert "Pit 54" in second
    assert "Pit 49" not in second
    assert "Pit school" not in second
    assert 'rel="next"' not in second
    assert "First page" in second


def test_a_damaged_page_link_shows_the_first_page_with_a_message(world, sites, client_for):
    page = _page(client_for(world.hub_admin).get("/geo/sites/", {"cursor": "garbage"}))
    assert "This page link is not valid." in page
    assert "Kasulo pit" in page


def test_htmx_filtering_answers_only_the_results(world, sites, client_for):
    response = client_for(world.hub_admin).get(
        "/geo/sites/", {"q": "kanina"}, headers={"HX-Request": "true"}
    )
    page = _page(response)
    assert page.lstrip().startswith('<div id="site-results"')
    assert "<html" not in page
    assert "Kanina pit" in page
    assert "HX-Request" in response["Vary"]


def test_empty_site_list_says_what_to_do(world, client_for):
    assert "Add a site" in _page(client_for(world.hub_admin).get("/geo/sites/"))
    page = _page(client_for(world.facilitator).get("/geo/sites/"))
    assert "No site is recorded in your areas yet." in page


def test_site_detail_shows_kind_area_path_coordinates_and_operator(world, client_for):
    site = SiteFactory(
        name="Tenke depot",
        kind=SiteKind.TRADING_DEPOT,
        area=world.village,
        latitude="-10.612345",
        longitude="26.123456",
        operator_name="Dépôt Mwanga SARL",
    )
    client = client_for(world.hub_admin)
    client.cookies["django_language"] = "fr"  # coordinates keep their decimal point
    page = _page(client.get(f"/geo/sites/{site.pk}/"))
    assert "Dépôt Mwanga SARL" in page
    assert 'href="geo:-10.612345,26.123456"' in page
    assert f'<a href="/geo/areas/{world.country.pk}/">DR Congo</a>' in page
    assert f'<a href="/geo/areas/{world.village.pk}/">Kasulo</a>' in page


@pytest.mark.parametrize("persona", ["hub_admin", "programme_manager"])
def test_site_managers_create_a_site_from_an_area(world, client_for, persona):
    client = client_for(getattr(world, persona))
    form = _page(client.get("/geo/sites/new/", {"area": world.village.pk}))
    assert 'value="V-KASULO"' in form  # the area comes filled in
    response = client.post(
        "/geo/sites/new/",
        {
            "code": "MINE-NEW",
            "name": "New pit",
            "kind": "artisanal_mine",
            "area": "V-KASULO",
            "latitude": "-10.5",
            "longitude": "25.5",
            "status": "active",
        },
    )
    site = Site.objects.get(code="MINE-NEW")
    assert response["Location"] == f"/geo/sites/{site.pk}/"
    assert site.area == world.village
    assert "New pit" in _page(client.get(response["Location"]))


def test_site_form_keeps_input_and_names_the_faulty_field(world, sites, client_for):
    client = client_for(world.hub_admin)
    data = {
        "code": "MINE-KANINA",  # taken: the service refuses it
        "name": "Half-typed pit",
        "kind": "artisanal_mine",
        "area": "V-KASULO",
        "status": "active",
    }
    page = _page(client.post("/geo/sites/new/", data))
    assert "Another site already has this code." in page
    assert 'value="Half-typed pit"' in page
    page = _page(client.post("/geo/sites/new/", {**data, "code": "MINE-X", "latitude": "-10.5"}))
    # The refusal sits on the missing half, and what was typed stays.
    assert 'id="id_longitude-error" role="alert">Give both latitude and longitude' in page
    assert 'name="latitude" value="-10.5"' in page
    page = _page(client.post("/geo/sites/new/", {**data, "code": "MINE-X", "area": "NOWHERE"}))
    assert "No area you can see has this code." in page
    page = _page(
        client.post(
            "/geo/sites/new/", {**data, "code": "MINE-X", "latitude": "95", "longitude": "1"}
        )
    )
    assert "Ensure this value is less than or equal to 90." in page
    assert not Site.objects.filter(name="Half-typed pit").exists()


def test_site_edit_saves_and_is_audited(world, sites, client_for):
    site = sites["mine"]
    client = client_for(world.programme_manager)
    form = _page(client.get(f"/geo/sites/{site.pk}/edit/"))
    assert 'value="Kasulo pit"' in form
    response = client.post(
        f"/geo/sites/{site.pk}/edit/",
        {
            "code": site.code,
            "name": "Kasulo pit (north)",
            "kind": "artisanal_mine",
            "area": "V-KANINA",
            "status": "inactive",
        },
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.area, site.status) == (
        "Kasulo pit (north)",
        world.other_village,
        "inactive",
    )
    event = AuditEvent.objects.get(action=Action.SITE_UPDATE, subject_id=str(site.pk))
    assert event.changes["area_id"] == {"old": world.village.pk, "new": world.other_village.pk}


@pytest.mark.parametrize("persona", ["case_manager", "auditor", "facilitator"])
def test_readers_cannot_create_or_edit_sites(world, sites, client_for, persona):
    client = client_for(getattr(world, persona))
    site = sites["mine"]
    assert client.get("/geo/sites/new/").status_code == 404
    data = {"code": "X", "name": "X", "kind": "farm", "area": "V-KASULO", "status": "active"}
    assert client.post("/geo/sites/new/", data).status_code == 404
    assert client.post(f"/geo/sites/{site.pk}/edit/", data).status_code == 404
    site.refresh_from_db()
    assert site.name == "Kasulo pit"
    assert not Site.objects.filter(code="X").exists()


# Query counts -----------------------------------------------------------------------------------


def test_site_list_page_costs_the_same_for_a_full_page(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.facilitator)
    for number in range(60):
        SiteFactory(name=f"Pit {number}", area=world.village, operator_name="Coop")
    client.get("/geo/sites/")  # warm the session and principal as any page would
    # Five queries any signed-in page makes (session, user, device, role assignments and their
    # areas), then one for the whole page of sites with their areas and operators.
    with django_assert_max_num_queries(6):
        page = _page(client.get("/geo/sites/", {"q": "pit", "kind": "artisanal_mine"}))
    assert page.count("/geo/sites/") > 50


def test_area_page_costs_a_fixed_number_of_queries(
    world, sites, client_for, django_assert_max_num_queries
):
    chiefdom = world.village.parent
    for number in range(20):
        make_area(f"Village {number}", AreaLevel.VILLAGE, chiefdom, code=f"V-{number}")
    client = client_for(world.hub_admin)
    # Five per signed-in page, then the area, its breadcrumbs, its sub-areas, their site counts
    # and its own sites: one query each, however many sub-areas there are.
    with django_assert_max_num_queries(10):
        page = _page(client.get(f"/geo/areas/{chiefdom.pk}/"))
    assert "Village 19" in page
