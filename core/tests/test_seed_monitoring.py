"""The monitoring rows of `seed --demo` and `seed --scale N`.

The demo is seeded once for this module (it takes seconds) inside a transaction that is rolled
back afterwards; each test runs in a savepoint inside it, so what one test writes is gone
before the next.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import timezone

from access.monitoring import children_visible_to
from accounts.models import RoleAssignment, User
from accounts.roles import Role
from audit.actions import Action
from audit.models import AuditEvent
from cases.models import Case
from core.crypto import decrypt
from core.seeding.monitoring_demo import KEY_PREFIX, plan_demo
from core.seeding.monitoring_rows import MINING_TASKS, OTHER_TASKS
from core.seeding.monitoring_scale import VISITS_PER_CHILD
from core.seeding.scale import ScalePlan
from geo.models import SiteKind
from monitoring.choices import (
    IDENTIFYING_CATEGORIES,
    ConsentKind,
    ConsentPurpose,
    DuplicateStatus,
    IdentificationStatus,
    SchoolStatus,
    Urgency,
    VisitKind,
)
from monitoring.classification import Category
from monitoring.models import (
    Caregiver,
    Child,
    Consent,
    DuplicateCandidate,
    Household,
    Identification,
    Observation,
    Task,
    Visit,
)
from monitoring.services.children import child_name_hash, duplicate_key, first_name_hash
from monitoring.services.classification import ActivityFacts, classify_facts, place_of_visit
from monitoring.services.duplicates import (
    SAME_HOUSEHOLD_FIRST_NAME,
    SAME_NAME_AND_BIRTH_DATE,
    duplicate_merge,
)
from monitoring.services.households import head_name_hash
from monitoring.services.identifications import URGENCY_WINDOWS

pytestmark = pytest.mark.django_db  # also makes pytest-django set up the test database
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo programme, seeded once for the module and rolled back after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, DEMO_PASSWORD="a-demo-password"),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or name.startswith("test_"), "not a test database"
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed("--demo")
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


demo = pytest.mark.usefixtures("seeded")


def demo_children():
    return Child.objects.filter(external_id__startswith=KEY_PREFIX)


def facts_of(observation: Observation) -> list[ActivityFacts]:
    return [
        ActivityFacts(
            task_code=activity.task.code,
            sector=activity.sector,
            hours_per_week=activity.hours_per_week,
            hazards=tuple(activity.hazards),
            night=activity.night,
        )
        for activity in observation.activities.all()
    ]


def test_the_plan_is_the_same_for_the_same_moment_and_moves_with_the_date():
    now = timezone.now()
    first, again = plan_demo(now=now, households=300), plan_demo(now=now, households=300)

    def signature(plan, shift=timedelta(0)):
        return [
            (visit.key, visit.at + shift, [(o.child.code, o.verdict) for o in visit.observations])
            for visit in plan.visits
            if ":recent:" not in visit.key
        ] + [(c.code, c.first_name, c.last_name, c.birth_date) for c in plan.children]

    assert signature(first) == signature(again)
    # Three days later, the same history, three days later (ages may have moved, not names).
    later = plan_demo(now=now + timedelta(days=3), households=300)
    assert [(v.key, v.at + timedelta(days=3)) for v in first.visits if ":recent:" not in v.key] == [
        (v.key, v.at) for v in later.visits if ":recent:" not in v.key
    ]
    assert [c.code for c in first.children] == [c.code for c in later.children]


@demo
def test_second_demo_run_creates_no_monitoring_row():
    models = (Household, Caregiver, Child, Consent, Visit, Observation, Identification)
    counts = {model: model.objects.count() for model in models}
    candidates = DuplicateCandidate.objects.count()
    assert "nothing changed" in seed("--demo")
    assert {model: model.objects.count() for model in models} == counts
    assert DuplicateCandidate.objects.count() == candidates


@demo
def test_households_children_and_caregivers_look_like_a_programme():
    assert Household.objects.filter(external_id__startswith=KEY_PREFIX).count() == 2000
    children = list(demo_children().select_related("household__area"))
    assert 4500 <= len(children) <= 5500
    ages = Counter(child.age_on(child.created_at.date()) for child in children)
    assert min(ages) >= 3
    assert max(ages) <= 20  # 19, or a year older for a duplicate recorded with another year
    assert all(ages[age] > 100 for age in range(3, 20))
    sexes = Counter(child.sex for child in children)
    assert 0.45 < sexes["female"] / len(children) < 0.55
    per_household = Household.objects.annotate(
        carers=Count("caregivers"), heads=Count("caregivers", filter=Q(caregivers__is_head=True))
    ).values_list("carers", "heads")
    assert {heads for _carers, heads in per_household} == {1}
    assert {carers for carers, _heads in per_household} == {1, 2}
    head = Caregiver.objects.filter(is_head=True).select_related("household").first()
    assert head is not None
    assert head.household.head_name == head.name
    # More households where the mines are.
    by_area = Counter(Household.objects.values_list("area__code", flat=True))
    assert by_area["CD-LU-KZI-DIL-KASULO"] > 2 * by_area["CD-HK-LSH-KAM-BELAIR"]


@demo
def test_names_are_encrypted_in_the_raw_columns_and_hashed_as_the_services_hash():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.first_name, c.last_name, c.name_hash, c.first_name_hash, "
            "c.duplicate_key, h.head_name, h.head_name_hash, h.phone "
            "FROM monitoring_child c JOIN monitoring_household h ON h.id = c.household_id "
            "WHERE c.external_id LIKE 'demo:%%' AND c.last_name <> '' AND h.phone <> '' "
            "ORDER BY c.id LIMIT 40"
        )
        raw_rows = cursor.fetchall()
    assert len(raw_rows) == 40
    for child_id, first, last, name_hash, first_hash, key, head, head_hash, phone in raw_rows:
        child = Child.objects.select_related("household").get(pk=child_id)
        household = child.household
        assert household is not None  # the demo records every child in a household
        for raw, plain in (
            (first, child.first_name),
            (last, child.last_name),
            (head, household.head_name),
            (phone, household.phone),
        ):
            assert raw.startswith("gAAAAA")  # a Fernet token, not the name
            assert plain not in raw
            assert decrypt(raw) == plain
        assert household.phone.startswith("+243 ")
        assert name_hash == child_name_hash(child.first_name, child.last_name)
        assert first_hash == first_name_hash(child.first_name)
        assert key == duplicate_key(child.first_name, child.birth_date, household)
        assert head_hash == head_name_hash(household.head_name)


@demo
def test_without_consent_a_child_keeps_a_first_name_only():
    refused = set(
        Consent.objects.filter(
            kind=ConsentKind.CAREGIVER_CONSENT, purpose=ConsentPurpose.IDENTIFICATION, given=False
        ).values_list("child_id", flat=True)
    )
    children = list(demo_children())
    assert 0.05 < len(refused) / len(children) < 0.15
    for child in children:
        if child.pk in refused:
            assert child.last_name == ""
            assert child.name_hash == child_name_hash(child.first_name, "")
        else:
            assert child.last_name != ""
    # (Case management asks again, for its own purpose: test_cases_seed.py.)
    assert not Consent.objects.filter(
        child__in=refused, given=True, purpose=ConsentPurpose.IDENTIFICATION
    ).exists()


@demo
def test_every_stored_category_is_what_the_engine_says():
    observations = Observation.objects.select_related("visit__site").prefetch_related(
        "activities__task"
    )
    assert observations.count() > 6000
    categories: Counter[str] = Counter()
    mine_site_rule = 0
    for observation in observations:
        result = classify_facts(
            age=observation.age_at_visit,
            activities=facts_of(observation),
            chores_hours=observation.household_chores_hours,
            worst_forms=observation.worst_forms,
            place=place_of_visit(
                observation.visit.site, at_household=observation.visit.household_id is not None
            ),
        )
        stored = (observation.category, observation.reasons, observation.ruleset)
        assert stored == (result.category.value, list(result.reason_ids), result.ruleset_ref)
        categories[observation.category] += 1
        mine_site_rule += "DRC-MINE-SITE-ANY-WORK" in observation.reasons
    assert set(categories) == set(Category)
    assert mine_site_rule > 0  # the demo's mine-site visits are classified with their place
    tasks = {task.code: task.sector for task in Task.objects.all()}
    for spec in MINING_TASKS + OTHER_TASKS:
        assert tasks[spec.code] == spec.sector, spec.code


@demo
def test_about_one_child_in_six_works_mostly_in_the_mines_and_out_of_school():
    working = set(
        Observation.objects.filter(activities__isnull=False).values_list("child_id", flat=True)
    )
    children = demo_children().count()
    assert 0.12 < len(working) / children < 0.25
    mining = set(
        Observation.objects.filter(activities__sector="mining").values_list("child_id", flat=True)
    )
    assert len(mining) > 0.6 * len(working)
    worst = set(Observation.objects.exclude(worst_forms=[]).values_list("child_id", flat=True))
    assert 3 <= len(worst) <= 12
    school_age = Observation.objects.filter(age_at_visit__range=(6, 17))
    regular = SchoolStatus.ATTENDING_REGULARLY

    def share_regular(queryset):
        statuses = Counter(queryset.values_list("school_status", flat=True))
        return statuses[regular] / sum(statuses.values())

    at_work = school_age.filter(activities__isnull=False).distinct()
    not_at_work = school_age.filter(activities__isnull=True)
    assert share_regular(at_work) < 0.35
    assert share_regular(not_at_work) > 0.6


@demo
def test_identifications_follow_the_desk_rules_from_the_visit():
    identifications = list(
        Identification.objects.select_related(
            "first_observation__visit", "latest_observation__visit"
        )
    )
    assert len(identifications) > 400
    now = timezone.now()
    assert {i.urgency for i in identifications} == set(Urgency)
    # identify() leaves them open; the cases step then refers most (test_cases_seed.py).
    assert {i.status for i in identifications} <= set(IdentificationStatus.values)
    for urgency in Urgency:  # each urgency has one waiting and, except the rare one, overdue
        mine = [i for i in identifications if i.urgency == urgency]
        assert any(i.deadline_at > now for i in mine), urgency
        assert any(i.deadline_at < now for i in mine) or urgency == Urgency.IMMEDIATE
    for found in identifications:
        first = found.first_observation
        assert first.child_id == found.child_id == found.latest_observation.child_id
        assert found.area_id == first.visit.area_id
        assert found.identified_at == first.visit.created_at
        # A later finding may raise the urgency; the deadline only ever moves earlier.
        assert found.deadline_at <= found.identified_at + URGENCY_WINDOWS[Urgency.STANDARD]
        if found.first_observation_id == found.latest_observation_id:
            assert found.category == first.category
            window = URGENCY_WINDOWS[Urgency(found.urgency)]
            assert found.deadline_at == found.identified_at + window
    identified = {
        child
        for child, category in Observation.objects.values_list("child_id", "category")
        if Category(category) in IDENTIFYING_CATEGORIES
    }
    assert identified == {i.child_id for i in identifications}


@demo
def test_visits_are_made_by_the_facilitators_of_their_communities():
    # Case follow-ups are visits by the case manager (cases seed, test_cases_seed.py).
    visits = list(
        Visit.objects.filter(observations__follow_up__isnull=True)
        .distinct()
        .select_related("site", "household")
    )
    kinds = Counter(visit.kind for visit in visits)
    assert kinds[VisitKind.HOUSEHOLD] > 2000
    assert kinds[VisitKind.SITE] > 100
    assert kinds[VisitKind.SCHOOL] > 20
    communities = {
        assignment.user_id: set(assignment.areas.values_list("id", flat=True))
        for assignment in RoleAssignment.objects.filter(role=Role.FACILITATOR)
    }
    today = timezone.localdate()
    for visit in visits:
        assert visit.area_id in communities[visit.facilitator_id]
        assert today - timedelta(days=700) <= visit.visited_on <= today
        if visit.kind == VisitKind.HOUSEHOLD:
            assert visit.household is not None
            assert visit.household.area_id == visit.area_id
        else:
            assert visit.site is not None
            assert visit.site.area_id == visit.area_id
            wanted = SiteKind.ARTISANAL_MINE if visit.kind == VisitKind.SITE else SiteKind.SCHOOL
            assert visit.site.kind == wanted
    strays = Observation.objects.filter(visit__household__isnull=False).exclude(
        child__household=F("visit__household")
    )
    assert not strays.exists()
    assert not Observation.objects.filter(classified_at__lt=F("child__created_at")).exists()
    # Some children are seen again on a later household visit.
    again = (
        Observation.objects.filter(visit__kind=VisitKind.HOUSEHOLD)
        .values("child")
        .annotate(visits=Count("id"))
        .filter(visits__gte=2)
    )
    assert again.count() > 300


@demo
def test_duplicate_candidates_are_there_to_review_and_can_be_merged():
    candidates = list(DuplicateCandidate.objects.select_related("child", "other"))
    assert 8 <= len(candidates) <= 14
    assert {c.reason for c in candidates} == {SAME_HOUSEHOLD_FIRST_NAME, SAME_NAME_AND_BIRTH_DATE}
    assert all(c.status == DuplicateStatus.OPEN for c in candidates)
    for candidate in candidates:
        child, other = candidate.child, candidate.other
        if candidate.reason == SAME_HOUSEHOLD_FIRST_NAME:
            assert child.household_id == other.household_id
            assert child.first_name_hash == other.first_name_hash
            assert child.first_name != other.first_name  # spelt another way
            assert abs(child.birth_date.year - other.birth_date.year) == 1
        else:
            assert child.household_id != other.household_id
            assert (child.name_hash, child.birth_date) == (other.name_hash, other.birth_date)
    admin = User.objects.get(username="demo-admin")
    # A merge keeps the record holding a case (cases/tests/test_duplicate_merge.py).
    with_case = set(Case.objects.values_list("child_id", flat=True))
    candidate = next(c for c in candidates if c.other_id not in with_case)
    kept = duplicate_merge(actor=admin, candidate=candidate, keep=candidate.child)
    assert Child.objects.get(pk=candidate.other_id).merged_into == kept


@demo
def test_a_facilitator_sees_only_the_children_of_their_communities():
    facilitator = User.objects.get(username="demo-facilitator")
    codes = [
        "CD-LU-KZI-DIL-KASULO", "CD-LU-KZI-DIL-KANINA", "CD-LU-KZI-DIL-MUSOMPO",
        "CD-LU-KZI-DIL-MWANGEJI", "CD-LU-KZI-MAN-MUTOSHI", "CD-LU-KZI-MAN-KAPATA",
    ]  # fmt: skip
    visible = set(children_visible_to(facilitator).values_list("id", flat=True))
    theirs = set(Child.objects.filter(household__area__code__in=codes).values_list("id", flat=True))
    assert visible == theirs
    assert len(visible) > 300
    other = User.objects.get(username="demo-facilitator-fungurume")
    elsewhere = set(children_visible_to(other).values_list("id", flat=True))
    assert elsewhere
    assert not visible & elsewhere


@demo
def test_scale_adds_monitoring_rows_in_proportion():
    seed("--scale", "2000")
    plan = ScalePlan.for_children(2000)
    children = Child.objects.filter(code__startswith="S-CH-")
    assert children.count() == plan.children == 2000
    households = Household.objects.filter(code__startswith="S-HH-")
    assert 700 <= households.count() <= 900
    visits = Visit.objects.filter(
        area__code__startswith="S-VIL-", observations__follow_up__isnull=True
    ).distinct()
    assert visits.count() == VISITS_PER_CHILD * 2000
    assert set(visits.values_list("kind", flat=True)) >= {
        VisitKind.HOUSEHOLD,
        VisitKind.SITE,
        VisitKind.FOLLOW_UP,
    }
    observations = Observation.objects.filter(child__in=children)
    assert observations.count() >= visits.count()
    assert not observations.filter(classified_at__lt=F("child__created_at")).exists()
    hours = {timezone.localtime(at).hour for at in visits.values_list("created_at", flat=True)}
    assert hours <= set(range(8, 16))  # facilitators visit in working hours
    assert Identification.objects.filter(child__in=children).count() > 50
    per_household = households.annotate(
        carers=Count("caregivers"), heads=Count("caregivers", filter=Q(caregivers__is_head=True))
    )
    assert set(per_household.values_list("heads", flat=True)) == {1}
    # Names are real ciphertexts (pooled), hashes the services' own.
    child = children.select_related("household").order_by("id").last()
    assert child is not None
    assert child.name_hash == child_name_hash(child.first_name, child.last_name)
    assert child.duplicate_key == duplicate_key(child.first_name, child.birth_date, child.household)
    scale_observations = observations.select_related("visit__site").prefetch_related(
        "activities__task"
    )
    for observation in scale_observations[:500]:
        result = classify_facts(
            age=observation.age_at_visit,
            activities=facts_of(observation),
            chores_hours=observation.household_chores_hours,
            worst_forms=observation.worst_forms,
            place=place_of_visit(
                observation.visit.site, at_household=observation.visit.household_id is not None
            ),
        )
        assert observation.category == result.category.value
        assert observation.reasons == list(result.reason_ids)
    # The audit history reads children that exist.
    viewed = AuditEvent.objects.filter(action=Action.CHILD_VIEW).exclude(request_id="")
    ids = {int(subject) for subject in viewed.values_list("subject_id", flat=True)}
    assert ids
    assert ids <= set(children.values_list("id", flat=True))
    if connection.vendor == "postgresql":  # statistics refreshed after the load
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'monitoring_visit'")
            assert cursor.fetchone()[0] >= Visit.objects.count() * 0.9
    # Ids were given by the seed; the next row the application writes still gets a new one.
    newest = households.order_by("-id").first()
    assert newest is not None
    fresh = Household.objects.create(
        code="HH-TEST-0001", area=newest.area, head_name="Test", head_name_hash="x"
    )
    assert fresh.pk > newest.pk
