"""The summary tables equal what a raw GROUP BY of the source tables gives, after any mix of
writes and refreshes."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings as settings_module
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from cases.tests.factories import open_case
from companies.selectors import supply_chain_sites
from companies.services.cohorts import cohort_assign_case, cohort_remove_case
from companies.tests.factories import make_chain
from geo.models import Area, Site
from geo.tests.factories import SiteFactory
from monitoring.models import Child, DuplicateCandidate, Identification
from monitoring.services.duplicates import duplicate_merge
from reports.catalogue import Measure
from reports.facts import compute_facts, contributions, key_string, same_fact
from reports.models import ChildFact, CubeCell, Grain
from reports.selectors import Filters, chain_counts, counts_from_facts, read_counts
from reports.services import refresh
from reports.services.refresh import refresh_indicators
from reports.tests import factories

OPERATIONS = [
    "working",
    "clean",
    "see_again",
    "at_site",
    "met_at_site",
    "open",
    "step",
    "relapse",
    "sponsor",
    "close",
    "refresh",
]


class _Rollback(Exception):
    pass


def _apply(world, rng: random.Random, operation: str, company) -> None:
    children = list(Child.objects.order_by("id"))
    if operation in ("working", "clean") or not children:
        factories.add_child(world, rng, working=operation == "working")
    elif operation == "at_site":
        factories.see_at_site(world, rng, list(Site.objects.order_by("id")))
    elif operation == "met_at_site":
        factories.met_at_site(world, rng, rng.choice(list(Site.objects.order_by("id"))))
    elif operation == "see_again":
        in_households = [child for child in children if child.household_id is not None]
        if in_households:
            factories.see(world, rng.choice(in_households), working=rng.random() < 0.5)
    elif operation == "open":
        factories.open_a_case(world, rng)
    elif operation == "step":
        factories.step_case(world, rng)
    elif operation == "relapse":
        factories.relapse(world, rng)
    elif operation == "sponsor":
        factories.sponsor(world, rng, company)
    elif operation == "close":
        factories.close(world, rng)
    else:
        refresh_indicators()


def assert_tables_match_sources() -> None:
    """Facts equal a fresh computation; the cube equals the GROUP BY of the facts and, for
    the measures read straight from source rows, of the source tables."""
    stored = ChildFact.objects.in_bulk()
    fresh = compute_facts(Child.objects.values_list("id", flat=True))
    assert set(stored) == set(fresh)
    for child_id, fact in fresh.items():
        assert same_fact(stored[child_id], fact), child_id
    expected = Counter(key_string(key) for fact in stored.values() for key in contributions(fact))
    cube = {cell.key: cell.n for cell in CubeCell.objects.all()}
    assert cube == dict(expected)

    def cube_by_month(measure: Measure) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for cell in CubeCell.objects.filter(grain=Grain.PROGRAMME, measure=measure):
            totals[cell.month.strftime("%Y-%m")] += cell.n
        return dict(totals)

    assert cube_by_month(Measure.CHILDREN_MONITORED) == _raw_by_month(
        """SELECT MIN(v.visited_on) AS day FROM monitoring_observation o
           JOIN monitoring_visit v ON v.id = o.visit_id
           JOIN monitoring_child c ON c.id = o.child_id AND c.merged_into_id IS NULL
           GROUP BY o.child_id""",
        is_timestamp=False,
    )
    assert cube_by_month(Measure.CASES_OPENED) == _raw_by_month(
        """SELECT k.opened_at AS day FROM cases_case k
           WHERE k.id IN (SELECT MAX(id) FROM cases_case GROUP BY child_id)""",
        is_timestamp=True,
    )


def assert_reads_match_facts(company) -> None:
    """What the pages read from the cube equals counting the facts themselves: the whole
    programme, a territory, a sponsor, and the company's chain (its sites, their communities)."""
    everything = Filters(start=date(2000, 1, 1), end=timezone.localdate().replace(day=1))
    facts = ChildFact.objects.all()
    territory = facts.values_list("territory_id", flat=True).first()
    for filters, chosen in [
        (everything, facts),
        (
            Filters(everything.start, everything.end, sponsor_id=company.pk),
            facts.filter(sponsor_id=company.pk),
        ),
    ]:
        _assert_same_counts(
            read_counts(filters), counts_from_facts(chosen, filters, with_areas=True)
        )
    if territory is not None:
        area = Area.objects.get(pk=territory)
        filters = Filters(everything.start, everything.end, area=area)
        _assert_same_counts(
            read_counts(filters),
            counts_from_facts(facts.filter(territory_id=territory), filters, with_areas=True),
        )
    sites = supply_chain_sites(company)
    in_chain = facts.filter(
        Q(site_id__in=sites.values("id")) | Q(community_id__in=sites.values("area_id"))
    )
    expected = counts_from_facts(in_chain, everything)
    chain = chain_counts(company, everything)
    assert chain.by_month == expected.by_month
    assert chain.by_detail == expected.by_detail
    identified = {
        k: n for k, n in expected.by_sex_age.items() if k[0] == Measure.CHILDREN_IDENTIFIED
    }
    assert chain.by_sex_age == identified


def _assert_same_counts(read, expected) -> None:
    assert read.by_month == expected.by_month
    assert read.by_detail == expected.by_detail
    assert read.by_sex_age == expected.by_sex_age
    assert read.by_area == expected.by_area


def _raw_by_month(subquery: str, *, is_timestamp: bool) -> dict[str, int]:
    """`SELECT month, COUNT(*) … GROUP BY month` over the `day` column of `subquery`, with
    timestamps read in the programme's time zone as the facts read them."""
    zone = settings_module.TIME_ZONE
    if connection.vendor == "postgresql":
        day = f"(day AT TIME ZONE '{zone}')" if is_timestamp else "day"
        month = f"to_char({day}, 'YYYY-MM')"
    else:
        # SQLite stores UTC text; the programme's zone (UTC+2, no summer time) is added here.
        offset = int(timezone.localtime().utcoffset().total_seconds() // 3600)  # type: ignore[union-attr]
        day = f"datetime(day, '{offset:+d} hours')" if is_timestamp else "day"
        month = f"strftime('%Y-%m', {day})"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {month} AS m, COUNT(*) FROM ({subquery}) t GROUP BY 1")  # noqa: S608
        return dict(cursor.fetchall())


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operations=st.lists(st.sampled_from(OPERATIONS), min_size=3, max_size=14),
    seed=st.integers(0, 10_000),
)
def test_cube_equals_group_by_after_random_writes(world, agencies, operations, seed):
    rng = random.Random(seed)
    company = Organisation.objects.get(name="Company One")
    try:
        with transaction.atomic():
            _chain_and_a_mine_outside_it(world, company)
            refresh_indicators(full=True)
            for operation in ["working", "at_site", *operations]:
                _apply(world, rng, operation, company)
            refresh_indicators()
            assert_tables_match_sources()
            assert_reads_match_facts(company)
            # The full rebuild (facts by range, cube by SQL GROUP BY) gives the same tables.
            incremental = {cell.key: cell.n for cell in CubeCell.objects.all()}
            refresh_indicators(full=True)
            assert incremental == {cell.key: cell.n for cell in CubeCell.objects.all()}
            raise _Rollback
    except _Rollback:
        pass


def _chain_and_a_mine_outside_it(world, company):
    """The company's chain has a mine in `village`; another mine lies in `other_village`, so
    children of either village are seen at a chain site or outside the chain."""
    SiteFactory(name="Mine outside the chain", area=world.other_village)
    return make_chain(world, company)


def test_chain_counts_a_child_at_its_site_once_wherever_the_child_lives(world, agencies):
    """Identified at the chain's mine: a child of the chain's village (already counted by its
    community) and a child of the other village (counted through the site); a child of the
    other village identified at home is outside the chain."""
    rng = random.Random(3)
    company = Organisation.objects.get(name="Company One")
    chain = _chain_and_a_mine_outside_it(world, company)
    for area in (world.village, world.other_village):
        child = factories.add_child(world, rng, working=False, area=area)
        factories.see_at_site(world, rng, [chain.deep_site], child=child)
    factories.add_child(world, rng, working=True, area=world.other_village)
    # Met at the chain's mine without a household: counted in the mine's community, once.
    met = factories.met_at_site(world, rng, chain.deep_site)
    refresh_indicators()
    assert ChildFact.objects.filter(site_id=chain.deep_site.pk).count() == 3
    fact = ChildFact.objects.get(child_id=met.pk)
    assert (fact.household_id, fact.community_id) == (None, world.village.pk)
    assert not fact.counts_household
    everything = Filters(start=date(2000, 1, 1), end=timezone.localdate().replace(day=1))
    assert chain_counts(company, everything).total(Measure.CHILDREN_IDENTIFIED) == 3
    assert read_counts(everything).total(Measure.CHILDREN_IDENTIFIED) == 4
    assert_reads_match_facts(company)


def test_a_merge_and_a_cohort_place_reach_a_later_refresh(world, agencies, monkeypatch):
    """Both write with queryset updates, an hour after the last refresh (beyond its time
    margin): the refresh must still see the children they change. With no id margin, only
    what the writes themselves mark is re-read."""
    monkeypatch.setattr(refresh, "ID_MARGIN", 0)
    rng = random.Random(11)
    company = Organisation.objects.get(name="Company One")
    chain = _chain_and_a_mine_outside_it(world, company)
    met = factories.met_at_site(world, rng, chain.deep_site)
    at_home = factories.add_child(world, rng, working=True, area=world.village)
    # The kept record's case (a case of the merged record stays with it: not this test's point).
    case = open_case(world, identification=Identification.objects.get(child=met))
    refresh_indicators()
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        first, second = sorted([met, at_home], key=lambda child: child.pk)
        candidate = DuplicateCandidate.objects.create(child=first, other=second, reason="test")
        duplicate_merge(actor=world.hub_admin, candidate=candidate, keep=met)
        cohort_assign_case(actor=world.hub_admin, cohort=chain.cohort, case=case)
        refresh_indicators()
        assert_tables_match_sources()
        assert ChildFact.objects.get(child_id=met.pk).household_id == at_home.household_id
        assert ChildFact.objects.get(child_id=case.child_id).sponsor_id == company.pk
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        cohort_remove_case(actor=world.hub_admin, case=case)
        refresh_indicators()
        assert ChildFact.objects.get(child_id=case.child_id).sponsor_id is None


def test_full_rebuild_gives_the_same_tables_as_increments(world, agencies):
    rng = random.Random(7)
    company = Organisation.objects.get(name="Company One")
    _chain_and_a_mine_outside_it(world, company)
    refresh_indicators()
    for operation in [
        "working",
        "working",
        "at_site",
        "clean",
        "at_site",
        "open",
        "open",
        "step",
        "step",
        "step",
        "step",
        "sponsor",
        "relapse",
        "close",
        "see_again",
    ]:
        _apply(world, rng, operation, company)
        refresh_indicators()
    incremental = {cell.key: cell.n for cell in CubeCell.objects.all()}
    result = refresh_indicators(full=True)
    assert result.full
    assert incremental == {cell.key: cell.n for cell in CubeCell.objects.all()}
    assert_tables_match_sources()
    assert_reads_match_facts(company)
