"""The referral status a facilitator sees on a child's page: the agency and the answer only."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from cases.services.referrals import referral_create
from cases.tests.factories import identify_child

pytestmark = pytest.mark.django_db

TEMPLATE = Template("{% load cases %}{% referral_status child %}")


def _render(user, child) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return TEMPLATE.render(Context({"request": request, "child": child}))


def test_the_facilitator_who_found_the_child_sees_where_the_referral_stands(world, agencies):
    identification = identify_child(world)
    referral_create(actor=world.hub_admin, identification=identification, agency=agencies.one)
    text = _render(world.facilitator, identification.child)
    assert "Referred to Agency One" in text
    assert "Waiting for the agency" in text


@pytest.mark.parametrize("persona", ["other_facilitator", "company_member", "no_role_user"])
def test_others_see_nothing(world, agencies, persona):
    identification = identify_child(world)
    referral_create(actor=world.hub_admin, identification=identification, agency=agencies.one)
    assert _render(getattr(world, persona), identification.child).strip() == ""


# On the child's page (monitoring/child_detail.html) -----------------------------------------


def test_the_facilitator_sees_the_referral_status_on_the_childs_page(world, agencies, client_for):
    identification = identify_child(world)
    referral_create(actor=world.hub_admin, identification=identification, agency=agencies.one)
    url = f"/monitoring/children/{identification.child_id}/"

    response = client_for(world.facilitator).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="referral-status"' in html
    assert "Referred to Agency One" in html
    assert "Waiting for the agency" in html


def test_no_referral_status_on_the_page_before_a_referral(world, agencies, client_for):
    identification = identify_child(world)
    html = (
        client_for(world.facilitator)
        .get(f"/monitoring/children/{identification.child_id}/")
        .content.decode()
    )
    assert 'class="referral-status"' not in html


@pytest.mark.parametrize("persona", ["other_facilitator", "company_member", "no_role_user"])
def test_others_get_404_on_the_childs_page(world, agencies, client_for, persona):
    identification = identify_child(world)
    referral_create(actor=world.hub_admin, identification=identification, agency=agencies.one)
    response = client_for(getattr(world, persona)).get(
        f"/monitoring/children/{identification.child_id}/"
    )
    assert response.status_code == 404
