from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from monitoring.choices import SchoolStatus, VisitKind
from monitoring.models import Observation
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record
from monitoring.tests.factories import make_child, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def fifteen_year_old_selling(world):
    household = make_household(world.facilitator, world.village)
    child = make_child(world.facilitator, household, birth_date=date(2011, 1, 1))
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.HOUSEHOLD,
        visited_on=date(2026, 10, 1),
        household=household,
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.ATTENDING_REGULARLY,
                activities=(ActivityInput("market_vending", 6),),
            )
        ],
    )
    return Observation.objects.get()


def test_rerunning_under_icls_reports_and_stores_what_changed(fifteen_year_old_selling):
    # Under Congolese law (minimum age 16) this is child labour; under ICLS at 15, it is not.
    assert fifteen_year_old_selling.category == "child_labour"
    out = StringIO()
    call_command("reclassify", "--rules", "ilo-icls", stdout=out)
    assert "1 changed category" in out.getvalue()
    assert "child_labour -> no_child_labour: 1" in out.getvalue()
    assert "  - DRC-MIN-AGE-16: 1" in out.getvalue()
    fifteen_year_old_selling.refresh_from_db()
    assert fifteen_year_old_selling.category == "no_child_labour"
    assert fifteen_year_old_selling.ruleset.startswith("ilo-icls@")
    assert AuditEvent.objects.filter(action="classification:rerun").exists()


def test_dry_run_changes_nothing(fifteen_year_old_selling):
    out = StringIO()
    call_command("reclassify", "--rules", "ilo-icls", "--dry-run", stdout=out)
    assert "1 would change category" in out.getvalue()
    fifteen_year_old_selling.refresh_from_db()
    assert fifteen_year_old_selling.category == "child_labour"


def test_unknown_rule_set_is_refused():
    with pytest.raises(CommandError, match="available"):
        call_command("reclassify", "--rules", "nope")


def test_rerunning_reads_the_place_from_the_visit_site_and_reports_the_move(world):
    """A result stored under drc@2026.1 (no place rule) moves up once re-run under 2026.2."""
    from geo.tests.factories import SiteFactory

    household = make_household(world.facilitator, world.village)
    child = make_child(world.facilitator, household, birth_date=date(2012, 1, 1))
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.SITE,
        visited_on=date(2026, 10, 1),
        site=SiteFactory(area=world.village, kind="artisanal_mine"),
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("market_vending", 6),),
            )
        ],
    )
    Observation.objects.update(
        category="child_labour", reasons=["DRC-MIN-AGE-16"], ruleset="drc@2026.1"
    )
    out = StringIO()

    call_command("reclassify", "--rules", "drc", stdout=out)

    assert "drc@2026.2: 1 observations examined, 1 changed category, 0 kept" in out.getvalue()
    assert "child_labour -> hazardous_child_labour: 1" in out.getvalue()
    observation = Observation.objects.get()
    assert observation.reasons == ["DRC-MINE-SITE-ANY-WORK", "DRC-MIN-AGE-16"]
    assert observation.ruleset == "drc@2026.2"


def test_a_new_reason_in_the_same_category_is_reported_apart(world):
    """A child digging on a mine site was already hazardous (mining); under drc@2026.2 the
    mine-site rule is one more reason, and the report says so without a category move."""
    from geo.tests.factories import SiteFactory

    household = make_household(world.facilitator, world.village)
    child = make_child(world.facilitator, household, birth_date=date(2012, 1, 1))
    visit_record(
        actor=world.facilitator,
        facilitator=world.facilitator,
        kind=VisitKind.SITE,
        visited_on=date(2026, 10, 1),
        site=SiteFactory(area=world.village, kind="artisanal_mine"),
        observations=[
            ObservationInput(
                child=child,
                school_status=SchoolStatus.NOT_ENROLLED,
                activities=(ActivityInput("digging", 20),),
            )
        ],
    )
    stored = Observation.objects.get()
    as_in_2026_1 = [rule for rule in stored.reasons if rule != "DRC-MINE-SITE-ANY-WORK"]
    assert as_in_2026_1[0] == "HAZ-SECTOR-MINING"
    Observation.objects.update(reasons=as_in_2026_1, ruleset="drc@2026.1")
    out = StringIO()

    call_command("reclassify", "--rules", "drc", stdout=out)

    assert "0 changed category, 1 kept their category with other reasons." in out.getvalue()
    assert "  + DRC-MINE-SITE-ANY-WORK: 1" in out.getvalue()
    rerun = AuditEvent.objects.get(action="classification:rerun")
    assert (rerun.changes["changed"], rerun.changes["reasons_changed"]) == (0, 1)
    assert rerun.changes["rules_added"] == {"DRC-MINE-SITE-ANY-WORK": 1}
    assert "DRC-MINE-SITE-ANY-WORK" in Observation.objects.get().reasons
