"""Cases written in bulk: what happened to each identified child, as rows (no services).

`tell()` decides one child's path from identification to today in Python: referral, case,
assessment, consent, plan and its items, follow-ups, closure, with the deadlines of
cases/policy.py and the timeline events the services would have written. `CaseRows` writes
those stories with the monitoring scale writer (`Table`: ids given here, COPY on PostgreSQL,
executemany on SQLite), and the follow-up visits and observations with them, classified by the
engine. `seed --scale N` uses it for its N / 5 cases (`scale_cases`), and the demo for the
history of the identifications its hand-played cases do not take (core/seeding/cases_demo.py).

Nothing here is audited row by row: the seed's one `system:seed` event counts the rows.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from itertools import chain
from typing import TYPE_CHECKING, Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Organisation, OrganisationType, RoleAssignment
from accounts.roles import Role
from cases.choices import (
    AccreditationLevel,
    AccreditationStatus,
    BackgroundCheckType,
    CaseEventKind,
    CaseState,
    ClosureReason,
    ClosureStatus,
    Currency,
    NeedLevel,
    PlanItemKind,
    PlanItemStatus,
    PlanStatus,
    ReferralSource,
    ReferralStatus,
    RootCause,
)
from cases.models import (
    Accreditation,
    Assessment,
    BackgroundCheck,
    Case,
    CaseClosure,
    CaseEvent,
    CaseNumberCounter,
    CaseWorkerProfile,
    FollowUp,
    PlanItem,
    Referral,
    RemediationPlan,
)
from cases.policy import (
    ADULT_AGE,
    APPROVAL_WINDOW,
    PROTECTION_WINDOWS,
    REMEDIATION_START_WINDOW,
    eighteenth_birthday,
    next_follow_up_due,
    step_due_at,
)
from cases.services.numbers import format_case_number
from core.seeding import monitoring_rows as rows
from core.seeding.monitoring_scale import Table, TokenPool
from monitoring.choices import (
    ConsentKind,
    ConsentPurpose,
    IdentificationStatus,
    SchoolStatus,
    Urgency,
    VisitKind,
    VisitSource,
)
from monitoring.models import Child, Consent, Identification, Observation, Visit
from monitoring.services.identifications import URGENCY_WINDOWS

if TYPE_CHECKING:  # scale.py imports this module to list its step
    from core.seeding.scale import ScaleContext

# One case for every five children at scale (the 200,000 cases at 1M children): every
# identified child, and children referred by a grievance or a supplier audit to make up the rest.
CASES_PER_CHILD = 0.2
CHUNK_ROWS = 20_000
# Of the stories: closed early for another reason than the rule, and the reasons' weights.
OTHER_CLOSURE_SHARE = 0.12
_OTHER_REASONS = (
    (ClosureReason.MOVED, 40),
    (ClosureReason.LOST_CONTACT, 30),
    (ClosureReason.REFUSED, 20),
    (ClosureReason.STATE_SERVICES, 9),
    (ClosureReason.DECEASED, 1),
)
SPONSORED_SHARE = 0.3
_NOT_MONITORED = frozenset({ClosureReason.DECEASED, ClosureReason.STATE_SERVICES})

# What people wrote, in the languages they work in. Generated stories pick from these.
PROTECTION_NOTES = (
    "Enfant retiré du site minier le jour même; accord du chef de site et de la famille.",
    "L'enfant ne retourne plus au puits; hébergé chez sa tante en attendant l'évaluation.",
    "Removed from the washing pond the same afternoon; the mother was present.",
    "Retiré du dépôt avec l'appui du comité de protection du village.",
    "Child taken home from the site by the facilitator and the case manager.",
)
CLOSURE_NOTES = {
    ClosureReason.MOVED: (
        "La famille est partie à Kasumbalesa; dossier signalé à la DIVAS locale.",
        "Family moved to Lubumbashi; no partner agency there yet.",
    ),
    ClosureReason.LOST_CONTACT: (
        "Trois visites sans trouver la famille; les voisins disent qu'elle est partie.",
        "Phone off for two months; three home visits without finding anyone.",
    ),
    ClosureReason.REFUSED: (
        "Le père refuse la suite de l'accompagnement; l'enfant est scolarisé.",
        "The family declined further visits; the child is in school.",
    ),
    ClosureReason.STATE_SERVICES: (
        "Pris en charge par la Division des Affaires sociales (placement familial).",
    ),
    ClosureReason.DECEASED: ("Décès suite à une maladie; la famille a été accompagnée.",),
}
EVIDENCE_NOTES: dict[str, str] = {
    PlanItemKind.SCHOOL_REINTEGRATION: "Reçu de l'école et attestation de fréquentation.",
    PlanItemKind.SCHOOL_KIT: "Kit remis (uniforme, cahiers, sac); photo et signature.",
    PlanItemKind.MONTHLY_STIPEND: "Versements mensuels par mobile money, relevés joints.",
    PlanItemKind.HEALTH_CARE: "Consultation au centre de santé; fiche de soins.",
    PlanItemKind.BIRTH_REGISTRATION: "Acte de naissance délivré par l'état civil.",
    PlanItemKind.PSYCHOSOCIAL_SUPPORT: "Six séances tenues; compte rendu de la psychologue.",
    PlanItemKind.BRIDGING_CLASS: "Certificate of completion of the bridging class.",
    PlanItemKind.VOCATIONAL_TRAINING: "Attestation de fin de formation (couture).",
    PlanItemKind.FAMILY_LIVELIHOOD: "Petit commerce démarré; photos du stock.",
    PlanItemKind.SAVINGS_GROUP: "Membership card of the village savings group.",
    PlanItemKind.SIBLING_SCHOOL_SUPPORT: "Frais scolaires du frère cadet payés; reçu.",
    PlanItemKind.AFTER_SCHOOL_CENTRE: "Registre de présence du centre, trois mois.",
}
RISKS = (
    "Retour au site si les frais scolaires ne sont pas payés.",
    "Pression d'un oncle qui travaille au puits; l'enfant doit de l'argent au négociant.",
    "Risk of going back to the depot in the dry season when the family needs cash.",
    "Mère seule avec quatre enfants; revenus irréguliers.",
)
CHILD_VIEWS = (
    "« Je veux retourner à l'école et devenir infirmière. »",
    "« J'ai peur du trou, mais il faut manger à la maison. »",
    '"I want to learn mechanics with my cousin in Kolwezi."',
    "« Je veux jouer au football avec mes amis et aller à l'école. »",
    "« Ma mère est malade, c'est pour elle que j'allais au site. »",
)
# The plans: school for the young, training for the older, and support for the family.
_YOUNG_PLAN = (
    (PlanItemKind.SCHOOL_REINTEGRATION, Decimal("90"), 300),
    (PlanItemKind.SCHOOL_KIT, Decimal("35"), 14),
    (PlanItemKind.MONTHLY_STIPEND, Decimal("120"), 180),
)
_OLDER_PLAN = (
    (PlanItemKind.VOCATIONAL_TRAINING, Decimal("250"), 270),
    (PlanItemKind.MONTHLY_STIPEND, Decimal("150"), 180),
)
_EXTRA_ITEMS = (
    (PlanItemKind.HEALTH_CARE, Decimal("40"), 30),
    (PlanItemKind.PSYCHOSOCIAL_SUPPORT, Decimal("60"), 90),
    (PlanItemKind.BIRTH_REGISTRATION, Decimal("15"), 45),
    (PlanItemKind.FAMILY_LIVELIHOOD, Decimal("200"), 120),
    (PlanItemKind.SAVINGS_GROUP, Decimal("10"), 365),
    (PlanItemKind.AFTER_SCHOOL_CENTRE, Decimal("45"), 180),
)


# ---- One child's story ------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """Who acts: the desk, the agency's case manager and its full supervisor (if any)."""

    desk: int
    agency: int
    case_manager: int
    supervisor: int | None
    junior: bool  # the case manager's plans and closures wait for the supervisor


@dataclass
class StoryEvent:
    at: datetime
    kind: str
    actor: int | None
    from_state: str = ""
    to_state: str = ""
    note: str = ""
    detail: str = ""
    follow_up: int | None = None  # index in Story.follow_ups, for the observation


@dataclass
class StoryItem:
    kind: str
    budget: Decimal
    starts_on: date
    ends_on: date
    created_at: datetime
    status: str = PlanItemStatus.PLANNED
    completed_on: date | None = None
    updated_at: datetime | None = None


@dataclass
class StoryFollowUp:
    at: datetime
    school_status: str
    in_training: bool


@dataclass
class Story:
    """One identified child's path, up to `now`. `accepted_at` None: the referral waits."""

    urgency: str
    referred_at: datetime
    deadline_at: datetime
    accepted_at: datetime | None = None
    state: str = CaseState.IDENTIFIED
    state_changed_at: datetime | None = None
    version: int = 1
    step_due_at: datetime | None = None
    remediation_started_on: date | None = None
    next_follow_up_due_on: date | None = None
    closed_at: datetime | None = None
    closure_reason: str = ""
    monitored_until: date | None = None
    plan_status: str = PlanStatus.DRAFT
    plan_revision: int = 0
    agreed_at: datetime | None = None
    agreed_by: int | None = None
    approved_at: datetime | None = None
    approved_by: int | None = None
    assessed_at: datetime | None = None
    consented_on: date | None = None
    items: list[StoryItem] = field(default_factory=list)
    follow_ups: list[StoryFollowUp] = field(default_factory=list)
    events: list[StoryEvent] = field(default_factory=list)
    closure_note: str = ""
    closure_requested_by: int | None = None
    closure_decided_by: int | None = None
    updated_at: datetime | None = None

    @property
    def is_case(self) -> bool:
        return self.accepted_at is not None


def _between(rng: random.Random, start: datetime, low: timedelta, high: timedelta) -> datetime:
    return start + low + (high - low) * rng.random()


def _day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _working_hours(moment: datetime) -> datetime:
    """The same day at a working hour (08:00 to 16:00, local): people act in office hours."""
    local = timezone.localtime(moment)
    hour = 8 + (local.minute + local.second) % 8
    return local.replace(hour=hour)


def tell(
    rng: random.Random,
    *,
    identified_at: datetime,
    urgency: str,
    birth_date: date,
    staff: Staff,
    now: datetime,
    other_closure_share: float = OTHER_CLOSURE_SHARE,
) -> Story | None:
    """What happened to a child identified at `identified_at`, up to `now`.

    None when the desk has not referred the child yet. Deadlines are met most of the time and
    missed some of the time, by the windows of cases/policy.py.
    """
    window = URGENCY_WINDOWS[Urgency(urgency)]
    late = rng.random() < 0.06
    referred = _between(rng, identified_at, window * 0.05, window * (1.6 if late else 0.7))
    if referred > now:
        return None
    story = Story(urgency=urgency, referred_at=referred, deadline_at=referred + window)
    accepted = _between(rng, referred, window * 0.1, window * (1.5 if rng.random() < 0.06 else 0.8))
    if accepted > now:
        return story
    cm = staff.case_manager
    story.accepted_at = accepted
    story.state_changed_at = accepted
    story.updated_at = accepted
    story.events.append(
        StoryEvent(accepted, CaseEventKind.OPENED, cm, to_state=CaseState.IDENTIFIED)
    )
    story.step_due_at = accepted + PROTECTION_WINDOWS[Urgency(urgency)]

    # Other closures happen at some point of the path; the path stops there.
    other_at: datetime | None = None
    if rng.random() < other_closure_share:
        other_at = _between(rng, accepted, timedelta(days=3), timedelta(days=240))

    def move(
        at: datetime,
        to_state: str,
        *,
        note: str = "",
        kind: str = CaseEventKind.TRANSITION,
        actor: int | None = cm,
        detail: str = "",
        follow_up: int | None = None,
    ) -> None:
        story.events.append(
            StoryEvent(at, kind, actor, story.state, to_state, note, detail, follow_up)
        )
        if to_state != story.state:
            story.state_changed_at = at
        story.state = to_state
        story.version += 1
        story.updated_at = at

    def reached(at: datetime) -> bool:
        """True when `at` is in the past and no other closure came first."""
        if other_at is not None and other_at <= at:
            return False
        return at <= now

    def step_due() -> datetime | None:
        assert story.state_changed_at is not None
        return step_due_at(
            story.state,
            since=story.state_changed_at,
            opened_at=accepted,
            urgency=urgency,
            awaiting_approval=story.plan_status == PlanStatus.AWAITING_APPROVAL,
        )

    protection_window = PROTECTION_WINDOWS[Urgency(urgency)]
    at = _between(rng, accepted, protection_window * 0.1, protection_window * 1.2)
    if reached(at):
        move(at, CaseState.IMMEDIATE_PROTECTION, note=rng.choice(PROTECTION_NOTES))
        at = _between(rng, at, timedelta(hours=6), timedelta(days=4))
        if reached(at):
            move(at, CaseState.ASSESSMENT)
            story.step_due_at = step_due()
            _assess(rng, story, at=at, birth_date=birth_date, staff=staff, now=now, reached=reached,
                    move=move)  # fmt: skip
    if other_at is not None and other_at <= now and story.state != CaseState.CLOSED:
        _close_other(rng, story, at=other_at, birth_date=birth_date, staff=staff)
    return story


def _assess(  # noqa: PLR0912, PLR0915 — the path after the assessment, step by step
    rng: random.Random,
    story: Story,
    *,
    at: datetime,
    birth_date: date,
    staff: Staff,
    now: datetime,
    reached: Any,
    move: Any,
) -> None:
    """From the assessment on: consent, plan, approval, remediation, follow-ups, closure."""
    cm, sup = staff.case_manager, staff.supervisor
    accepted = story.accepted_at
    assert accepted is not None
    consent_at = _between(rng, at, timedelta(days=1), timedelta(days=5))
    if not reached(consent_at):
        return
    story.consented_on = _day(consent_at)
    story.events.append(
        StoryEvent(consent_at, CaseEventKind.CONSENT, cm, detail=ConsentKind.CAREGIVER_CONSENT)
    )
    story.events.append(
        StoryEvent(consent_at, CaseEventKind.CONSENT, cm, detail=ConsentKind.CHILD_ASSENT)
    )
    assessed = _between(rng, consent_at, timedelta(hours=2), timedelta(days=6))
    if not reached(assessed):
        return
    story.assessed_at = assessed
    story.events.append(StoryEvent(assessed, CaseEventKind.ASSESSMENT, cm))
    age = rows.age_on(birth_date, _day(assessed))
    plan = list(_OLDER_PLAN if age >= 15 else _YOUNG_PLAN)
    plan += rng.sample(_EXTRA_ITEMS, rng.randint(0, 2))
    start_on = _day(assessed) + timedelta(days=rng.randint(10, 25))
    for kind, budget, days in plan:
        story.items.append(
            StoryItem(
                kind=kind,
                budget=budget * Decimal(rng.choice((1, 1, 1.2, 0.8))).quantize(Decimal("1")),
                starts_on=start_on,
                ends_on=start_on + timedelta(days=days),
                created_at=assessed,
            )
        )
        story.events.append(
            StoryEvent(assessed, CaseEventKind.PLAN_ITEM, cm, detail=f"{kind}:planned")
        )
    agreed = _between(rng, assessed, timedelta(days=1), timedelta(days=12))
    if not reached(agreed):
        return
    awaiting = staff.junior and sup is not None
    story.plan_status = PlanStatus.AWAITING_APPROVAL if awaiting else PlanStatus.AGREED
    story.plan_revision = 1
    story.agreed_at, story.agreed_by = agreed, cm
    if not awaiting:
        story.approved_at, story.approved_by = agreed, cm
    move(agreed, CaseState.PLAN_AGREED)
    story.step_due_at = agreed + (APPROVAL_WINDOW if awaiting else REMEDIATION_START_WINDOW)
    ready = agreed
    if awaiting:
        assert sup is not None
        approved = _between(rng, agreed, timedelta(hours=4), APPROVAL_WINDOW * 1.3)
        if not reached(approved):
            return
        story.plan_status = PlanStatus.AGREED
        story.approved_at, story.approved_by = approved, sup
        move(approved, CaseState.PLAN_AGREED, kind=CaseEventKind.PLAN_APPROVED, actor=sup)
        story.step_due_at = approved + REMEDIATION_START_WINDOW
        ready = approved
    started = _between(rng, ready, timedelta(days=1), timedelta(days=20))
    if not reached(started):
        return
    started_on = _day(started)
    story.remediation_started_on = started_on
    story.next_follow_up_due_on = next_follow_up_due(
        remediation_started_on=started_on, follow_ups_since_start=0, last_visit_on=None
    )
    move(started, CaseState.IN_REMEDIATION)
    story.step_due_at = None
    for item in story.items:
        item.status, item.updated_at = PlanItemStatus.IN_PROGRESS, started
        story.events.append(
            StoryEvent(started, CaseEventKind.PLAN_ITEM, cm, detail=f"{item.kind}:in_progress")
        )

    # Follow-ups near each due date; the child is in school (or training) more often than not.
    older = rows.age_on(birth_date, started_on) >= 15
    clean_run = 0
    needed = 2
    while True:
        due = story.next_follow_up_due_on
        assert due is not None
        visit_day = due + timedelta(days=rng.randint(-4, 7))
        visit_at = _working_hours(
            timezone.make_aware(datetime.combine(visit_day, datetime.min.time()))
        )
        if not reached(visit_at) or visit_day > _day(now):
            break
        attending = rng.random() < 0.8
        school = (
            SchoolStatus.ATTENDING_REGULARLY
            if attending
            else rng.choice(
                (SchoolStatus.ENROLLED_NOT_ATTENDING, SchoolStatus.ATTENDING_IRREGULARLY)
            )
        )
        in_training = older and rng.random() < 0.7
        story.follow_ups.append(StoryFollowUp(visit_at, school, in_training))
        enrolled = school in (SchoolStatus.ATTENDING_REGULARLY, SchoolStatus.ATTENDING_IRREGULARLY)
        clean_run = clean_run + 1 if enrolled or in_training else 0
        story.next_follow_up_due_on = next_follow_up_due(
            remediation_started_on=started_on,
            follow_ups_since_start=len(story.follow_ups),
            last_visit_on=visit_day,
        )
        move(visit_at, CaseState.FOLLOW_UP, kind=CaseEventKind.FOLLOW_UP,
             follow_up=len(story.follow_ups) - 1)  # fmt: skip
        # Items end as their periods do.
        for item in story.items:
            if item.status == PlanItemStatus.IN_PROGRESS and item.ends_on <= visit_day:
                item.status, item.completed_on, item.updated_at = (
                    PlanItemStatus.DONE,
                    item.ends_on,
                    visit_at,
                )
                story.events.append(
                    StoryEvent(visit_at, CaseEventKind.PLAN_ITEM, cm, detail=f"{item.kind}:done")
                )
        if clean_run >= needed:
            close_at = _between(rng, visit_at, timedelta(days=1), timedelta(days=8))
            if reached(close_at):
                _close(story, at=close_at, reason=ClosureReason.COMPLETED, note="",
                       birth_date=birth_date, staff=staff)  # fmt: skip
            break
        if len(story.follow_ups) >= 8:  # a long case: closes for another reason below
            break


def _close(
    story: Story, *, at: datetime, reason: str, note: str, birth_date: date, staff: Staff
) -> None:
    """Closed, approved by the supervisor for junior work (requested a day before)."""
    approver = staff.supervisor if staff.junior and staff.supervisor else staff.case_manager
    if approver != staff.case_manager:
        story.events.append(
            StoryEvent(
                at - timedelta(days=1),
                CaseEventKind.CLOSURE_REQUESTED,
                staff.case_manager,
                story.state,
                story.state,
                note,
                reason,
            )
        )
        story.version += 1
    story.events.append(
        StoryEvent(
            at, CaseEventKind.TRANSITION, approver, story.state, CaseState.CLOSED, note, reason
        )
    )
    story.state, story.state_changed_at, story.version = CaseState.CLOSED, at, story.version + 1
    story.closed_at, story.closure_reason, story.closure_note = at, reason, note
    story.closure_requested_by, story.closure_decided_by = staff.case_manager, approver
    story.step_due_at = story.next_follow_up_due_on = None
    story.updated_at = at
    for item in story.items:
        if item.status in (PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS):
            item.status, item.updated_at = PlanItemStatus.CANCELLED, at
    monitored = reason not in _NOT_MONITORED and rows.age_on(birth_date, _day(at)) < ADULT_AGE
    story.monitored_until = eighteenth_birthday(birth_date) if monitored else None


def _close_other(
    rng: random.Random, story: Story, *, at: datetime, birth_date: date, staff: Staff
) -> None:
    reason = rows.weighted(rng, _OTHER_REASONS)
    _close(story, at=at, reason=reason, note=rng.choice(CLOSURE_NOTES[reason]),
           birth_date=birth_date, staff=staff)  # fmt: skip


def due_at_of(story: Story) -> datetime | None:
    """The case's next wait on one column (cases.policy.due_at, kept by save_case)."""
    if story.step_due_at is not None:
        return story.step_due_at
    if story.next_follow_up_due_on is not None:
        return timezone.make_aware(
            datetime.combine(story.next_follow_up_due_on, datetime.max.time())
        )
    return None


# ---- Writing stories --------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """The child a story is about, and where it came from."""

    child: int
    household: int
    area: int  # the household's community
    birth_date: date
    identification: int | None  # None: a grievance or supplier-audit referral
    identified_at: datetime
    urgency: str
    referral_area: int  # where the child was found


_TABLES: tuple[tuple[str, type[models.Model], tuple[str, ...]], ...] = (
    ("referrals", Referral, (
        "child", "source", "identification", "agency", "area", "urgency", "status", "note",
        "referred_by", "referred_at", "deadline_at", "responded_by", "responded_at",
        "decline_reason",
    )),
    ("cases", Case, (
        "number", "child", "agency", "case_manager", "referral", "sponsor", "state", "version",
        "urgency", "opened_at", "opened_by", "state_changed_at", "step_due_at",
        "remediation_started_on", "next_follow_up_due_on", "due_at", "closed_at",
        "closure_reason", "post_closure_monitoring_until", "updated_at",
    )),
    ("plans", RemediationPlan, (
        "case", "status", "revision", "agreed_by", "agreed_at", "approved_by", "approved_at",
    )),
    ("plan items", PlanItem, (
        "plan", "kind", "description", "responsible_party", "budget_amount", "currency",
        "starts_on", "ends_on", "status", "evidence_note", "completed_on", "created_by",
        "created_at", "updated_at",
    )),
    ("assessments", Assessment, (
        "case", "education_need", "health_need", "family_income_need", "safety_need",
        "psychosocial_need", "root_causes", "root_causes_note", "risks", "child_views",
        "recorded_by", "recorded_at",
    )),
    ("case consents", Consent, (
        "child", "kind", "purpose", "given", "caregiver", "obtained_by", "obtained_on", "notes",
        "recorded_at",
    )),
    ("follow-up visits", Visit, (
        "kind", "visited_on", "facilitator", "area", "household", "site", "source",
        "form_version", "notes", "created_at",
    )),
    ("follow-up observations", Observation, (
        "visit", "child", "age_at_visit", "household_chores_hours", "school_status",
        "worst_forms", "immediate_danger", "notes", "category", "reasons", "ruleset",
        "classified_at",
    )),
    ("follow-ups", FollowUp, (
        "case", "observation", "visited_on", "in_training", "recorded_by", "recorded_at",
    )),
    ("case events", CaseEvent, (
        "case", "kind", "from_state", "to_state", "actor", "occurred_at", "note", "detail",
        "observation",
    )),
    ("closures", CaseClosure, (
        "case", "reason", "note", "status", "requested_by", "requested_at", "decided_by",
        "decided_at", "decision_note",
    )),
)  # fmt: skip

_NEEDS = (NeedLevel.LOW, NeedLevel.MEDIUM, NeedLevel.HIGH)
_CAUSES = (
    RootCause.POVERTY, RootCause.POVERTY, RootCause.SCHOOL_COSTS, RootCause.SCHOOL_COSTS,
    RootCause.WORK_SITE_NEAR_HOME, RootCause.FAMILY_PRESSURE, RootCause.PEER_PRESSURE,
    RootCause.HOUSEHOLD_DEBT, RootCause.NO_BIRTH_REGISTRATION, RootCause.SEPARATED_OR_ORPHANED,
)  # fmt: skip


class CaseRows:
    """Stories as rows: `add` each story with its subject and staff, then `finish()`."""

    def __init__(self, *, sponsors: Sequence[int] = (), seed: str = "kinga-cases") -> None:
        self.rng = random.Random(seed)  # noqa: S311 — fake data, no secret
        self.tables = {label: Table(model, fields, label) for label, model, fields in _TABLES}
        self.sponsors = list(sponsors)
        self.tokens = TokenPool()
        self.classifier = rows.Classifier()
        self.responsible: dict[int, str] = dict(
            Organisation.objects.filter(type=OrganisationType.AGENCY).values_list(
                "id", "short_name"
            )
        )
        counters = dict(CaseNumberCounter.objects.values_list("year", "last_number"))
        self.numbers: Counter[int] = Counter(counters)
        self.referred: list[int] = []  # identifications now referred
        self.closed: list[int] = []  # identifications whose case closed
        self.written = 0

    def pending(self) -> int:
        return sum(len(table.pending) for table in self.tables.values())

    def add(self, subject: Subject, story: Story, staff: Staff) -> None:
        t = self.tables
        rng = self.rng
        accepted = story.accepted_at
        source = ReferralSource.IDENTIFICATION
        if subject.identification is None:
            source = (
                ReferralSource.GRIEVANCE if rng.random() < 0.7 else ReferralSource.SUPPLIER_AUDIT
            )
        referral = t["referrals"].add(
            subject.child, source, subject.identification, staff.agency, subject.referral_area,
            story.urgency, ReferralStatus.ACCEPTED if accepted else ReferralStatus.PENDING, "",
            staff.desk, story.referred_at, story.deadline_at,
            staff.case_manager if accepted else None, accepted, "",
        )  # fmt: skip
        if subject.identification is not None:
            if story.state == CaseState.CLOSED:
                self.closed.append(subject.identification)
            else:
                self.referred.append(subject.identification)
        if accepted is None:
            return
        year = _day(accepted).year
        self.numbers[year] += 1
        sponsor = (
            rng.choice(self.sponsors) if self.sponsors and rng.random() < SPONSORED_SHARE else None
        )
        cm = staff.case_manager
        case = t["cases"].add(
            format_case_number(year, self.numbers[year]), subject.child, staff.agency, cm,
            referral, sponsor, story.state, story.version, story.urgency, accepted, cm,
            story.state_changed_at, story.step_due_at, story.remediation_started_on,
            story.next_follow_up_due_on, due_at_of(story), story.closed_at,
            story.closure_reason, story.monitored_until, story.updated_at,
        )  # fmt: skip
        plan = t["plans"].add(
            case, story.plan_status, story.plan_revision, story.agreed_by, story.agreed_at,
            story.approved_by, story.approved_at,
        )  # fmt: skip
        responsible = self.responsible.get(staff.agency, "Agency")
        for item in story.items:
            t["plan items"].add(
                plan, item.kind, "", responsible, item.budget, Currency.USD, item.starts_on,
                item.ends_on, item.status,
                EVIDENCE_NOTES.get(item.kind, "") if item.status == PlanItemStatus.DONE else "",
                item.completed_on, cm, item.created_at, item.updated_at or item.created_at,
            )  # fmt: skip
        if story.assessed_at is not None:
            causes = tuple(dict.fromkeys(rng.sample(_CAUSES, rng.randint(1, 3))))
            t["assessments"].add(
                case, rng.choice(_NEEDS), rng.choice(_NEEDS), rng.choice(_NEEDS),
                rng.choice(_NEEDS), rng.choice(_NEEDS), causes, "",
                self.tokens(rng.choice(RISKS)), self.tokens(rng.choice(CHILD_VIEWS)), cm,
                story.assessed_at,
            )  # fmt: skip
        if story.consented_on is not None:
            for kind in (ConsentKind.CAREGIVER_CONSENT, ConsentKind.CHILD_ASSENT):
                t["case consents"].add(
                    subject.child, kind, ConsentPurpose.CASE_MANAGEMENT, True, None, cm,
                    story.consented_on, "", story.updated_at,
                )  # fmt: skip
        observations: list[int] = []
        for visit in story.follow_ups:
            day = _day(visit.at)
            age = rows.age_on(subject.birth_date, day)
            verdict = self.classifier.verdict(age, rows.WorkFacts())
            visit_id = t["follow-up visits"].add(
                VisitKind.FOLLOW_UP, day, cm, subject.area, subject.household, None,
                VisitSource.WEB, "", "", visit.at,
            )  # fmt: skip
            observation = t["follow-up observations"].add(
                visit_id, subject.child, age, Decimal("0.0"), visit.school_status, (), False,
                "", verdict.category, verdict.reasons, verdict.ruleset, visit.at,
            )  # fmt: skip
            observations.append(observation)
            t["follow-ups"].add(case, observation, day, visit.in_training, cm, visit.at)
        for event in story.events:
            seen = observations[event.follow_up] if event.follow_up is not None else None
            t["case events"].add(
                case, event.kind, event.from_state, event.to_state, event.actor, event.at,
                event.note, event.detail, seen,
            )  # fmt: skip
        if story.state == CaseState.CLOSED:
            assert story.closed_at is not None
            requested = story.closure_requested_by
            decided = story.closure_decided_by
            t["closures"].add(
                case, story.closure_reason, story.closure_note, ClosureStatus.APPROVED, requested,
                story.closed_at - timedelta(days=1) if requested != decided else story.closed_at,
                decided, story.closed_at, "",
            )  # fmt: skip

    def flush(self) -> int:
        """Write what is pending, parents first, in one transaction."""
        with transaction.atomic(), connection.cursor() as cursor:
            if self.skip_foreign_key_checks:
                # The rows' ids come from this writer and from rows read back just before, so
                # PostgreSQL's per-row foreign-key triggers (about a third of the write, run at
                # commit) only re-prove what is true; a superuser may skip them for this
                # transaction, as pg_restore does. Decision 0008.
                cursor.execute("SET LOCAL session_replication_role = replica")
            written = sum(table.flush(cursor) for table in self.tables.values())
        self.written += written
        return written

    @cached_property
    def skip_foreign_key_checks(self) -> bool:
        """On PostgreSQL, when the seed runs as a superuser (benchmarks, never production)."""
        if connection.vendor != "postgresql":
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        return bool(row and row[0])

    def finish(self) -> Counter[str]:
        """Flush, move the sequences, mark identifications, advance the case number counters."""
        self.flush()
        with transaction.atomic():
            statements = connection.ops.sequence_reset_sql(
                no_style(), [model for _label, model, _fields in _TABLES]
            )
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            for status, ids in (
                (IdentificationStatus.REFERRED, self.referred),
                (IdentificationStatus.CLOSED, self.closed),
            ):
                for start in range(0, len(ids), 900):
                    Identification.objects.filter(pk__in=ids[start : start + 900]).update(
                        status=status
                    )
            for year, last in self.numbers.items():
                CaseNumberCounter.objects.update_or_create(
                    year=year, defaults={"last_number": last}
                )
        rows.refresh_statistics()
        if connection.vendor == "postgresql":
            tables = ", ".join(
                connection.ops.quote_name(model._meta.db_table) for _l, model, _f in _TABLES
            )
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {tables}")
        return Counter({label: table.written for label, table in self.tables.items()})


# ---- seed --scale -----------------------------------------------------------------------------


def subjects_from_identifications(queryset: models.QuerySet[Identification]) -> Iterator[Subject]:
    """Open identifications, oldest first, as subjects (one query, streamed)."""
    values = (
        queryset.filter(status=IdentificationStatus.OPEN).order_by("identified_at", "id")
    ).values_list(
        "id", "child_id", "child__household_id", "child__household__area_id",
        "child__birth_date", "identified_at", "urgency", "area_id",
    )  # fmt: skip
    for ident, child, household, area, birth, at, urgency, found_in in values.iterator(
        chunk_size=5000
    ):
        yield Subject(child, household, area, birth, ident, at, urgency, found_in)


def scale_cases(context: ScaleContext) -> None:
    """About N / 5 cases for N children, across the generated agencies and case managers."""
    plan, write = context.plan, context.write
    wanted = round(plan.children * CASES_PER_CHILD)
    agencies = context.organisation_ids.get("agency", [])
    if not agencies or not wanted:
        return
    now = timezone.now()
    started = time.monotonic()
    staff = _scale_staff(context, agencies, now)
    sponsors = context.organisation_ids.get("company", [])
    writer = CaseRows(sponsors=sponsors, seed=f"kinga-scale-cases:{plan.children}")
    rng = writer.rng
    # Each community's cases go to one agency (agencies serve sectors), to its case managers.
    # Blocks of neighbouring communities (a sector's, at full size) per agency, round-robin.
    block = max(1, min(40, len(context.communities) // len(agencies)))
    community_agency = {
        community.id: agencies[(index // block) % len(agencies)]
        for index, community in enumerate(context.communities)
    }

    def staff_for(area: int) -> Staff:
        agency = community_agency.get(area) or agencies[area % len(agencies)]
        return rng.choice(staff[agency])

    identified = Identification.objects.filter(child__code__startswith="S-")
    subjects = chain(subjects_from_identifications(identified), _grievances(rng, now))
    made = 0
    for subject in subjects:
        if made >= wanted:
            break
        who = staff_for(subject.area)
        story = tell(
            rng,
            identified_at=subject.identified_at,
            urgency=subject.urgency,
            birth_date=subject.birth_date,
            staff=who,
            now=now,
        )
        if story is None:
            continue
        writer.add(subject, story, who)
        made += 1
        if writer.pending() >= CHUNK_ROWS:
            writer.flush()
            write(f"  cases: {made:,}/{wanted:,} ({writer.written:,} rows)")
    created = writer.finish()
    for label, count in created.items():
        if count:
            context.created[label] += count
    elapsed = time.monotonic() - started
    write(
        f"  cases: {made:,} cases, {writer.written:,} rows in {elapsed:.1f} s "
        f"({writer.written / max(elapsed, 1e-6):,.0f} rows/s)"
    )


def _grievances(rng: random.Random, now: datetime) -> Iterator[Subject]:
    """Children never identified by monitoring, referred by a grievance or a supplier audit:
    at a moment after they were registered and once of school age."""
    others = (
        Child.objects.filter(code__startswith="S-", identifications__isnull=True)
        .order_by("id")
        .values_list("id", "household_id", "household__area_id", "birth_date", "created_at")
    )
    latest = now - timedelta(days=1)
    for child, household, area, birth, registered in others.iterator(chunk_size=5000):
        school_age = datetime.combine(birth, datetime.min.time()) + timedelta(days=6 * 366)
        earliest = max(registered, timezone.make_aware(school_age))
        if earliest >= latest:
            continue
        at = earliest + (latest - earliest) * rng.random()
        urgency = Urgency.STANDARD if rng.random() < 0.7 else Urgency.HIGH
        yield Subject(child, household, area, birth, None, at, urgency, area)


def _scale_staff(
    context: ScaleContext, agencies: list[int], now: datetime
) -> dict[int, list[Staff]]:
    """Accredit the generated agencies, clear their staff, and say who works where.

    Each agency's first case manager is junior (their plans wait for the supervisor); the
    others and the supervisors are full. Staff start two years back, like the history.
    """
    today = _day(now)
    since = today - timedelta(days=3 * 365 + 30)
    by_agency: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for role in (Role.CASE_MANAGER, Role.CASE_SUPERVISOR):
        for user in context.user_ids.get(role, []):
            agency = context.user_organisation.get(user)
            if agency in agencies:
                by_agency[agency][role.value].append(user)
    users = [user for roles in by_agency.values() for ids in roles.values() for user in ids]
    RoleAssignment.objects.filter(user_id__in=users, starts_on__gt=since).update(starts_on=since)
    hub_admin = context.demo.users.get("demo-admin")
    verifier = hub_admin.pk if hub_admin is not None else users[0]
    counts = dict(
        Case.objects.filter(agency_id__in=agencies).values_list("agency_id").annotate(n=Count("id"))
    )
    capacity = max(50, round(context.plan.children * CASES_PER_CHILD / len(agencies)))
    territories = [area for area in context.demo.areas.values() if area.level == "territory"]
    with transaction.atomic():
        accreditations = Accreditation.objects.bulk_create(
            Accreditation(
                agency_id=agency, level=AccreditationLevel.FULL, status=AccreditationStatus.ACTIVE,
                valid_from=since, valid_to=today + timedelta(days=730),
                capacity=capacity + counts.get(agency, 0), languages=["fr", "sw"],
                services_offered=list(PlanItemKind.values),
            )
            for agency in agencies
            if not Accreditation.objects.filter(agency_id=agency).exists()
        )  # fmt: skip
        through = Accreditation.service_areas.through
        through.objects.bulk_create(
            through(accreditation_id=accreditation.pk, area_id=territory.pk)
            for accreditation in accreditations
            for territory in territories
        )
        juniors = {
            ids[Role.CASE_MANAGER.value][0]
            for ids in by_agency.values()
            if ids[Role.CASE_MANAGER.value]
        }
        CaseWorkerProfile.objects.bulk_create(
            CaseWorkerProfile(
                user_id=user,
                level=AccreditationLevel.JUNIOR if user in juniors else AccreditationLevel.FULL,
            )
            for user in users
        )  # fmt: skip
        BackgroundCheck.objects.bulk_create(
            BackgroundCheck(
                user_id=user, type=BackgroundCheckType.CRIMINAL_RECORD, checked_on=since,
                expires_on=today + timedelta(days=365 + user % 365), verified_by_id=verifier,
            )
            for user in users
        )  # fmt: skip
    context.created["accreditations"] += len(accreditations)
    context.created["background checks"] += len(users)
    desks = context.user_ids.get(Role.PROGRAMME_MANAGER) or [verifier]
    staff: dict[int, list[Staff]] = {}
    for agency in agencies:
        roles = by_agency.get(agency, {})
        supervisors = roles.get(Role.CASE_SUPERVISOR.value, [])
        managers = roles.get(Role.CASE_MANAGER.value, []) or supervisors
        supervisor = supervisors[0] if supervisors else None
        staff[agency] = [
            Staff(
                desk=desks[0],
                agency=agency,
                case_manager=manager,
                supervisor=supervisor,
                junior=manager in juniors and supervisor is not None,
            )
            for manager in managers
        ]
    return staff


__all__ = [
    "CaseRows",
    "Staff",
    "Story",
    "Subject",
    "scale_cases",
    "subjects_from_identifications",
    "tell",
]
