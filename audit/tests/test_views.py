"""The audit log viewer: who may read it, what each row shows, and that reading is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.actions import Action
from audit.models import AuditEvent
from audit.services import record_event

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "programme_manager",
    "facilitator",
    "case_manager",
    "supervisor",
    "other_agency_case_manager",
    "company_member",
    "no_role_user",
]


def _events(response) -> list[AuditEvent]:
    return [row.event for row in response.context["rows"]]


@pytest.mark.parametrize("persona", ["hub_admin", "auditor"])
def test_hub_admin_and_auditor_read_the_log(world, client_for, persona):
    record_event(actor=world.facilitator, action=Action.LOGIN)
    response = client_for(getattr(world, persona)).get("/audit/")
    assert response.status_code == 200
    assert "Signed in" in response.content.decode()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_else_gets_404(world, client_for, persona):
    assert client_for(getattr(world, persona)).get("/audit/").status_code == 404
    assert not AuditEvent.objects.filter(action=Action.AUDIT_VIEW).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_menu_shows_the_audit_log_to_auditors_only(world, client_for):
    assert "/audit/" in client_for(world.auditor).get("/").content.decode()
    assert "/audit/" not in client_for(world.programme_manager).get("/").content.decode()


def test_each_row_shows_time_actor_organisation_subject_reason_ip_and_changes(world, client_for):
    record_event(
        actor=world.hub_admin,
        action=Action.USER_UPDATE,
        subject=world.facilitator,
        changes={"full_name": {"old": "Old Name", "new": "New Name"}, "note": [1, 2]},
        reason="Typo in the name",
    )
    page = client_for(world.auditor).get("/audit/", {"action": "user:update"}).content.decode()
    assert "User updated" in page
    assert "hub-admin" in page
    assert "Child Rights Hub" in page
    assert f"accounts.user #{world.facilitator.pk}" in page
    assert "Typo in the name" in page
    assert "<del>Old Name</del>" in page
    assert "<ins>New Name</ins>" in page
    assert "[1, 2]" in page
    assert "<details>" in page


def test_ip_address_is_shown_and_filterable(world, client_for):
    client = client_for(world.auditor)
    client.get("/audit/", REMOTE_ADDR="10.1.2.3")  # writes an audit:view from this address
    response = client.get("/audit/", {"ip_address": "10.1.2.3"})
    events = _events(response)
    assert events
    assert {event.ip_address for event in events} == {"10.1.2.3"}
    assert "10.1.2.3" in response.content.decode()
    assert not _events(client.get("/audit/", {"ip_address": "10.9.9.9"}))


def test_filters_by_action_actor_subject_and_dates(world, client_for):
    record_event(actor=world.hub_admin, action=Action.USER_UPDATE, subject=world.facilitator)
    record_event(actor=world.hub_admin, action=Action.USER_UPDATE, subject=world.auditor)
    record_event(actor=world.facilitator, action=Action.LOGIN)
    client = client_for(world.auditor)

    by_action = _events(client.get("/audit/", {"action": "user:update"}))
    assert {e.subject_id for e in by_action} == {str(world.facilitator.pk), str(world.auditor.pk)}
    by_actor = _events(client.get("/audit/", {"actor": "facilitator"}))
    assert [e.action for e in by_actor] == [Action.LOGIN]
    by_subject = _events(
        client.get(
            "/audit/", {"subject_type": "accounts.user", "subject_id": str(world.auditor.pk)}
        )
    )
    assert [e.action for e in by_subject] == [Action.USER_UPDATE]

    today = timezone.localdate()
    assert _events(client.get("/audit/", {"date_from": today, "date_to": today}))
    yesterday = today - timedelta(days=1)
    assert not _events(client.get("/audit/", {"date_to": yesterday}))
    assert not _events(client.get("/audit/", {"date_from": today + timedelta(days=1)}))


def test_newest_first_with_keyset_pages(world, client_for):
    for _ in range(60):
        record_event(actor=world.facilitator, action=Action.LOGIN)
    client = client_for(world.auditor)
    first = client.get("/audit/", {"action": "auth:login"})
    ids = [e.pk for e in _events(first)]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 50
    cursor = first.context["page"].next_cursor
    second = _events(client.get("/audit/", {"action": "auth:login", "cursor": cursor}))
    assert len(second) == 10
    assert max(e.pk for e in second) < min(ids)


def test_first_page_of_a_search_is_recorded_but_not_each_next_page(world, client_for):
    for _ in range(60):
        record_event(actor=world.facilitator, action=Action.LOGIN)
    client = client_for(world.auditor)
    first = client.get("/audit/", {"action": "auth:login", "actor": "facilitator"})
    views = AuditEvent.objects.filter(action=Action.AUDIT_VIEW)
    assert views.count() == 1
    view = views.get()
    assert view.actor == world.auditor
    assert view.changes == {"filters": {"action": "auth:login", "actor": "facilitator"}}
    cursor = first.context["page"].next_cursor
    client.get("/audit/", {"action": "auth:login", "actor": "facilitator", "cursor": cursor})
    assert views.count() == 1
    # The recorded view is not in the page that was being read.
    assert view.pk not in {e.pk for e in _events(first)}


def test_bad_filters_are_reported_and_ignored(world, client_for):
    response = client_for(world.auditor).get(
        "/audit/", {"ip_address": "not-an-ip", "action": "no:such"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid IPv4 or IPv6 address." in page
    assert "Select a valid choice." in page


def test_damaged_cursor_shows_the_first_page(world, client_for):
    response = client_for(world.auditor).get("/audit/", {"cursor": "###"})
    assert response.status_code == 200
    assert "This page link is not valid." in response.content.decode()


def test_the_page_costs_the_same_queries_for_many_actors(
    world, client_for, django_assert_max_num_queries
):
    for number in range(40):
        record_event(actor=UserFactory(username=f"actor-{number}"), action=Action.LOGIN)
    client = client_for(world.auditor)
    client.get("/audit/")  # warm the session's first-touch writes
    with django_assert_max_num_queries(7):
        response = client.get("/audit/", {"action": "auth:login"})
    assert len(_events(response)) == 40
    assert "actor-39" in response.content.decode()


def test_htmx_search_answers_only_the_results(world, client_for):
    response = client_for(world.auditor).get(
        "/audit/", {"action": "auth:login"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.startswith('<div id="event-results"')
    assert "<html" not in page


def test_a_date_range_pages_by_time_without_losing_ties(world, client_for):
    same_moment = timezone.now()
    for _ in range(55):  # all at one instant: only the id orders them
        AuditEvent.objects.create(
            occurred_at=same_moment, actor=world.facilitator, action="auth:login"
        )
    today = timezone.localdate()
    client = client_for(world.auditor)
    params = {"action": "auth:login", "date_from": today, "date_to": today}
    first = client.get("/audit/", params)
    second = client.get("/audit/", {**params, "cursor": first.context["page"].next_cursor})
    seen = [e.pk for e in _events(first)] + [e.pk for e in _events(second)]
    assert len(seen) == len(set(seen)) == 55
    times = [e.occurred_at for e in _events(first) + _events(second)]
    assert times == sorted(times, reverse=True)
