from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("hub_admin", "Administration"),
        ("programme_manager", "Programme"),
        ("facilitator", "Your communities"),
        ("case_manager", "Your cases"),
        ("supervisor", "Supervision"),
        ("company_member", "Your company"),
        ("auditor", "Audit trail"),
    ],
)
def test_each_role_sees_its_own_home(world, client_for, persona, heading):
    response = client_for(getattr(world, persona)).get("/")
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_facilitator_home_lists_only_assigned_communities(world, client_for):
    page = client_for(world.facilitator).get("/").content.decode()
    assert "Kasulo" in page
    assert "Kanina" not in page


def test_user_without_role_is_told_to_ask_for_one(world, client_for):
    page = client_for(world.no_role_user).get("/").content.decode()
    assert "No role yet" in page


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_home_is_french_when_asked(world, client_for):
    client = client_for(world.facilitator)
    client.cookies["django_language"] = "fr"
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page


def test_pages_with_personal_data_are_not_cached(world, client_for):
    response = client_for(world.hub_admin).get("/")
    assert "no-store" in response["Cache-Control"]


def test_csp_allows_no_inline_script(world, client_for):
    policy = client_for(world.hub_admin).get("/")["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if "script-src" in part)
    assert "'unsafe-inline'" not in script_src
    assert "'self'" in script_src
    page = client_for(world.hub_admin).get("/").content.decode()
    assert "<script>" not in page


def test_healthz_answers_without_sign_in(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_latest_activity_shows_each_action_in_words(world, client_for):
    from audit.actions import Action
    from audit.services import record_event

    record_event(actor=world.hub_admin, action=Action.SITE_CREATE)
    page = client_for(world.hub_admin).get("/").content.decode()
    assert "Site created" in page


def test_programme_home_names_site_kinds_and_organisation_types_in_the_reader_language(
    world, client_for
):
    from geo.tests.factories import SiteFactory

    SiteFactory(area=world.village, kind="artisanal_mine")
    client = client_for(world.programme_manager)
    client.cookies["django_language"] = "fr"
    page = client.get("/").content.decode()
    assert "Site minier artisanal" in page
    assert "Artisanal_mine" not in page
    assert "Agency:" not in page
