# ruff: noqa: E501 — the scenes below read as a table, one act per line
"""The demo programme's referrals and cases.

Two parts, in this order, both relative to the day of the run:

1. **Cases played through the services** (`SCENES`): about thirty children, one scene each,
   walked by the demo's people through `cases.services` at the moments the scene says (the
   clock is moved with time-machine), so their timelines, deadlines and audit events are the
   real ones: referrals waiting (one overdue, one declined and sent elsewhere), cases just
   identified or overdue, assessments, plans waiting for the supervisor's approval (junior
   case managers), remediation with school fees and stipends, follow-ups due and overdue, a
   closure waiting for approval, cases closed by the rule (school, decent work) and for other
   reasons, one relapse and one transfer, with notes in French and English. The demo users
   find this work on their home pages: demo-caseworker (junior, Tumaini), demo-supervisor
   (full, Tumaini), demo-caseworker2 (full, Ushindi), and the desk (demo-manager).
2. **The history** of the other identifications (`core.seeding.cases_scale`): every open
   identification the scenes did not take is referred, accepted and followed as it would have
   been since it was found, written in bulk like the monitoring rows, except a handful left at
   the desk (the latest findings, and a few overdue ones).

Staff: the demo's case workers get their levels and background checks, and each agency gets
its accreditation, through the services (as the Hub administrator). A few more agency staff,
who do not sign in, fill the agencies (Ushindi and Maisha Bora have no demo login of their
own). Everyone's role is dated from the start of the history, since they act in it.

Idempotent: the scenes and the history run only when no demo child has a referral yet; staff,
accreditations and checks are created only where missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation, RoleAssignment, User
from accounts.roles import Role
from cases.choices import (
    AccreditationLevel,
    AccreditationStatus,
    BackgroundCheckType,
    ClosureReason,
    Language,
    PlanItemKind,
    PlanItemStatus,
)
from cases.models import Accreditation, BackgroundCheck, Case, CaseWorkerProfile, PlanItem, Referral
from cases.services.agencies import (
    accreditation_set,
    background_check_record,
    caseworker_level_set,
    training_record_add,
)
from cases.services.closure import case_approve_closure, case_close
from cases.services.follow_ups import case_record_follow_up
from cases.services.lifecycle import (
    case_agree_plan,
    case_start_assessment,
    case_start_protection,
    case_start_remediation,
    plan_approve,
)
from cases.services.notifications import notify_deadlines
from cases.services.plans import (
    assessment_record,
    case_consent_record,
    plan_item_add,
    plan_item_set_status,
)
from cases.services.referrals import referral_accept, referral_create, referral_decline
from cases.services.transfers import case_transfer
from core.seeding import monitoring_rows as rows
from core.seeding.cases_scale import CaseRows, Staff, subjects_from_identifications, tell
from core.seeding.monitoring_demo import KEY_PREFIX
from geo.models import Area
from monitoring.choices import ConsentKind, IdentificationStatus, SchoolStatus, Urgency
from monitoring.models import Identification
from monitoring.services.visits import ActivityInput

if TYPE_CHECKING:  # demo.py imports this module to list its step
    from core.seeding.demo import DemoContext

HISTORY_DAYS = 730  # the monitoring history is 23 months; staff are in post from before
DESK = "demo-manager"
HUB_ADMIN = "demo-admin"


# ---- Staff and agencies -----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSpec:
    username: str
    full_name: str
    role: Role
    organisation: str  # an OrganisationSpec key (demo_people.py)
    level: str
    check_lapsed: bool = False


J, F = AccreditationLevel.JUNIOR.value, AccreditationLevel.FULL.value
# The demo logins' own levels, then staff who do not sign in (no password, no authenticator).
LEVELS = {"demo-caseworker": J, "demo-supervisor": F, "demo-caseworker2": F}
EXTRA_STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("demo-staff-tumaini-cm", "Pascal Mbayo", Role.CASE_MANAGER, "agency-tumaini", F),
    StaffSpec(
        "demo-staff-ushindi-supervisor", "Béatrice Kyungu", Role.CASE_SUPERVISOR,
        "agency-ushindi", F,
    ),
    StaffSpec("demo-staff-ushindi-cm", "Joseph Kitenge", Role.CASE_MANAGER, "agency-ushindi", J),
    StaffSpec(
        "demo-staff-maisha-supervisor", "Ruth Mwansa", Role.CASE_SUPERVISOR, "agency-maisha", F
    ),
    StaffSpec("demo-staff-maisha-cm", "Emmanuel Chanda", Role.CASE_MANAGER, "agency-maisha", J),
    # Her check lapsed: the agency cannot give her a case until it is renewed (the UI says why).
    StaffSpec(
        "demo-staff-maisha-cm2", "Aimée Lukusa", Role.CASE_MANAGER, "agency-maisha", F,
        check_lapsed=True,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class AgencySpec:
    key: str
    level: str
    capacity: int
    areas: tuple[str, ...]  # area codes served (each covers its subtree)
    languages: tuple[str, ...]
    valid_days: int  # accreditation valid for this many days from today
    # Where the history's cases go: territory or city codes, and who manages them (username,
    # share). The first areas are the agency's own; Ushindi also serves Kolwezi for transfers.
    home: tuple[str, ...]
    managers: tuple[tuple[str, int], ...]
    supervisor: str


AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        "agency-tumaini", F, 200, ("CD-LU-KZI", "CD-LU-MUT"), ("fr", "sw", "lun"), 420,
        ("CD-LU-KZI", "CD-LU-MUT"),
        (("demo-caseworker", 3), ("demo-staff-tumaini-cm", 2)), "demo-supervisor",
    ),
    AgencySpec(
        "agency-ushindi", F, 240, ("CD-LU-LUB", "CD-HK-LIK", "CD-HK-KBV", "CD-LU-KZI"),
        ("fr", "sw"), 700, ("CD-LU-LUB", "CD-HK-LIK", "CD-HK-KBV"),
        (("demo-caseworker2", 3), ("demo-staff-ushindi-cm", 2)), "demo-staff-ushindi-supervisor",
    ),
    AgencySpec(
        "agency-maisha", J, 110, ("CD-HK-LSH", "CD-HK-KIP"), ("fr", "en", "bem"), 60,
        ("CD-HK-LSH", "CD-HK-KIP"),
        (("demo-staff-maisha-cm", 1),), "demo-staff-maisha-supervisor",
    ),
)  # fmt: skip
_SERVICES = [kind for kind in PlanItemKind.values if kind != PlanItemKind.DECENT_WORK_PLACEMENT]


def seed_cases(context: DemoContext) -> None:
    """The `cases` demo step: staff and agencies, then the scenes and the history."""
    now = timezone.now()
    since = timezone.localdate(now) - timedelta(days=HISTORY_DAYS)
    people = _staff(context, since)
    _agencies(context, people, now)
    demo_children = Referral.objects.filter(child__external_id__startswith=KEY_PREFIX)
    if demo_children.exists():
        return
    played = play_scenes(context, people, now)
    _history(context, people, now, skip=played)
    # What cron would have told the desk, case managers and supervisors by now (no e-mail).
    told = notify_deadlines(now=now, mail=False)
    context.created["notifications"] += sum(told.values())


def _staff(context: DemoContext, since: date) -> dict[str, User]:
    people = dict(context.users)
    existing = User.objects.in_bulk([spec.username for spec in EXTRA_STAFF], field_name="username")
    for spec in EXTRA_STAFF:
        user = existing.get(spec.username)
        if user is None:
            user = User(
                username=spec.username,
                full_name=spec.full_name,
                email=f"{spec.username}@demo.kinga.invalid",
            )
            user.set_unusable_password()
            user.save()
            context.created["users"] += 1
        people[spec.username] = user
        _, made = RoleAssignment.objects.get_or_create(
            user=user,
            role=spec.role,
            organisation=context.organisations[spec.organisation],
            defaults={"starts_on": since},
        )
        if made:
            context.created["role assignments"] += 1
    # People act in the history: their roles start with it.
    RoleAssignment.objects.filter(
        user__in=[user.pk for user in people.values()], starts_on__gt=since
    ).update(starts_on=since)
    return people


def _agencies(context: DemoContext, people: dict[str, User], now: datetime) -> None:
    """Accreditation, levels, background checks and a training record, through the services."""
    admin = people[HUB_ADMIN]
    today = timezone.localdate(now)
    areas = {area.code: area for area in context.areas.values()}
    have = set(Accreditation.objects.values_list("agency_id", flat=True))
    for spec in AGENCIES:
        agency = context.organisations[spec.key]
        if agency.pk in have:
            continue
        accreditation_set(
            actor=admin,
            agency=agency,
            level=spec.level,
            status=AccreditationStatus.ACTIVE,
            valid_from=today - timedelta(days=HISTORY_DAYS + 60),
            valid_to=today + timedelta(days=spec.valid_days),
            capacity=spec.capacity,
            service_areas=[areas[code] for code in spec.areas],
            languages=[code for code in spec.languages if code in Language.values],
            services_offered=_SERVICES
            if spec.level == F
            else [*_SERVICES, PlanItemKind.DECENT_WORK_PLACEMENT],
        )
        context.created["accreditations"] += 1
    levels = {**LEVELS, **{spec.username: spec.level for spec in EXTRA_STAFF}}
    profiled = set(CaseWorkerProfile.objects.values_list("user_id", flat=True))
    checked = set(BackgroundCheck.objects.values_list("user_id", flat=True))
    lapsed = {spec.username for spec in EXTRA_STAFF if spec.check_lapsed}
    for number, (username, level) in enumerate(sorted(levels.items())):
        user = people[username]
        if user.pk not in profiled:
            caseworker_level_set(actor=admin, user=user, level=level)
            context.created["case worker levels"] += 1
        if user.pk not in checked:
            checked_on = today - timedelta(days=HISTORY_DAYS + 30 + number)
            background_check_record(
                actor=admin,
                user=user,
                type=BackgroundCheckType.CRIMINAL_RECORD,
                checked_on=checked_on,
                expires_on=today - timedelta(days=12)
                if username in lapsed
                else today + timedelta(days=200 + 37 * number),
                notes="Extrait de casier judiciaire, parquet de Kolwezi."
                if number % 2
                else "Police record check and two references.",
            )
            context.created["background checks"] += 1
            if username == "demo-caseworker":
                training_record_add(
                    actor=admin,
                    user=user,
                    course="Gestion de cas de protection de l'enfant (module 1)",
                    completed_on=today - timedelta(days=HISTORY_DAYS - 20),
                )
                context.created["training records"] += 1


# ---- The scenes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One act `days` ago (fractions allowed): `what` names a Play method, `args` its arguments."""

    days: float
    what: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Scene:
    key: str
    agency: str
    manager: str
    steps: tuple[Step, ...]
    urgency: str | None = None  # an identification of this urgency
    min_age: int = 0  # a child at least this old today (decent work)
    max_age: int = 17
    areas: tuple[str, ...] = ()  # narrower than the agency's own areas


def S(days: float, what: str, *args: Any) -> Step:
    return Step(days, what, args)


# Plans: school fees and stipends for most, training for the older ones.
SCHOOL = (
    (PlanItemKind.SCHOOL_REINTEGRATION, "Institut Mwangaza — frais scolaires", "85", 280),
    (PlanItemKind.SCHOOL_KIT, "Tumaini — kit scolaire", "30", 10),
    (PlanItemKind.MONTHLY_STIPEND, "Tumaini — allocation mensuelle à la mère", "120", 180),
)
TRAINING = (
    (PlanItemKind.VOCATIONAL_TRAINING, "Centre de formation Don Bosco — mécanique", "260", 240),
    (PlanItemKind.MONTHLY_STIPEND, "Allocation de transport", "90", 180),
)
HEALTH = ((PlanItemKind.HEALTH_CARE, "Centre de santé de Kanina", "40", 30),)
FAMILY = ((PlanItemKind.FAMILY_LIVELIHOOD, "Caisse d'épargne AVEC — petit commerce", "200", 120),)
DECENT_WORK = (
    (PlanItemKind.VOCATIONAL_TRAINING, "Atelier de soudure Kipushi", "180", 120),
    (PlanItemKind.DECENT_WORK_PLACEMENT, "Garage Mutombo, Lubumbashi (apprentice wage)", "0", 365),
)

PROTECT_FR = "Enfant retiré du site le jour même, avec l'accord de sa mère; il reste à la maison."
PROTECT_EN = "Removed from the washing pond this morning; the uncle who took him there agreed."
VIEWS_FR = "« Je veux retourner à l'école. Au site on porte des sacs trop lourds. »"
VIEWS_EN = '"I want to learn a trade and help my mother, not dig."'
RISKS_FR = "Retour au site pendant la saison sèche; la famille a une dette envers le négociant."

# Days ago, oldest first. Tumaini's junior case manager (demo-caseworker) has the most varied
# caseload; his supervisor approves. Ushindi's demo-caseworker2 is full: no approval waits.
T, U, M = "agency-tumaini", "agency-ushindi", "agency-maisha"
CW, CW2, UCM, MCM = (
    "demo-caseworker",
    "demo-caseworker2",
    "demo-staff-ushindi-cm",
    "demo-staff-maisha-cm",
)
SUP, USUP, MSUP = "demo-supervisor", "demo-staff-ushindi-supervisor", "demo-staff-maisha-supervisor"

SCENES: tuple[Scene, ...] = (
    # -- Tumaini (demo-caseworker, junior; demo-supervisor, full) --
    Scene("t-referral-waiting", T, CW, (S(0.2, "refer", "Fillette de 11 ans vue au site de tri de Kasulo."),)),
    Scene("t-referral-overdue", T, CW, (S(4, "refer", "Garçon de 14 ans, lavage de minerai, sans école."),),
          urgency=Urgency.HIGH),
    Scene("t-identified", T, CW, (S(0.6, "refer"), S(0.3, "accept"))),
    Scene("t-identified-overdue", T, CW, (S(6, "refer"), S(5, "accept"), S(1, "note",
          "Visite prévue vendredi avec le chef de quartier; la mère travaille au dépôt.")),
          urgency=Urgency.HIGH),
    Scene("t-protection", T, CW, (S(3, "refer"), S(2.5, "accept"), S(2, "protect", PROTECT_FR))),
    Scene("t-assessment", T, CW, (S(12, "refer"), S(11, "accept"), S(10, "protect", PROTECT_FR),
          S(9, "assess"), S(6, "consent"), S(4, "assessment", VIEWS_FR))),
    Scene("t-awaiting-approval", T, CW, (S(20, "refer"), S(19, "accept"), S(18, "protect", PROTECT_EN),
          S(17, "assess"), S(12, "consent"), S(10, "assessment", VIEWS_FR), S(4, "items", SCHOOL),
          S(2, "agree", "Plan discuté avec la mère et l'enfant; signé par les deux."))),
    Scene("t-approval-overdue", T, CW, (S(30, "refer"), S(29, "accept"), S(28, "protect", PROTECT_FR),
          S(27, "assess"), S(22, "consent"), S(20, "assessment", VIEWS_EN),
          S(12, "items", SCHOOL + HEALTH), S(10, "agree"))),
    Scene("t-approved", T, CW, (S(35, "refer"), S(34, "accept"), S(33, "protect", PROTECT_FR),
          S(32, "assess"), S(28, "consent"), S(26, "assessment", VIEWS_FR), S(20, "items", SCHOOL),
          S(16, "agree"), S(12, "approve", SUP, "Budget conforme; démarrer avant la rentrée."))),
    Scene("t-remediation", T, CW, (S(70, "refer"), S(69, "accept"), S(68, "protect", PROTECT_FR),
          S(67, "assess"), S(62, "consent"), S(60, "assessment", VIEWS_FR),
          S(55, "items", SCHOOL + FAMILY), S(50, "agree"), S(47, "approve", SUP),
          S(25, "start"), S(24, "progress"), S(20, "done", PlanItemKind.SCHOOL_KIT))),
    Scene("t-follow-up-overdue", T, CW, (S(130, "refer"), S(129, "accept"), S(128, "protect", PROTECT_EN),
          S(127, "assess"), S(122, "consent"), S(120, "assessment", VIEWS_EN),
          S(115, "items", TRAINING), S(110, "agree"), S(108, "approve", SUP), S(100, "start"),
          S(99, "progress"), S(68, "follow_up", SchoolStatus.NOT_ENROLLED, True,
          "Suit la formation au centre Don Bosco, assidu selon le formateur."),
          S(36, "follow_up", SchoolStatus.NOT_ENROLLED, True))),
    Scene("t-closure-pending", T, CW, (S(160, "refer"), S(159, "accept"), S(158, "protect", PROTECT_FR),
          S(157, "assess"), S(152, "consent"), S(150, "assessment", VIEWS_FR),
          S(145, "items", SCHOOL), S(140, "agree"), S(138, "approve", SUP), S(130, "start"),
          S(129, "progress"), S(100, "follow_up", SchoolStatus.ATTENDING_REGULARLY),
          S(68, "follow_up", SchoolStatus.ATTENDING_REGULARLY, False, "Bulletin du trimestre: 62 %."),
          S(36, "follow_up", SchoolStatus.ATTENDING_REGULARLY),
          S(3, "close", ClosureReason.COMPLETED, ""))),
    Scene("t-closed-rule", T, CW, (S(260, "refer"), S(259, "accept"), S(258, "protect", PROTECT_FR),
          S(257, "assess"), S(252, "consent"), S(250, "assessment", VIEWS_FR),
          S(245, "items", SCHOOL), S(240, "agree"), S(238, "approve", SUP), S(230, "start"),
          S(229, "progress"), S(200, "follow_up", SchoolStatus.ATTENDING_IRREGULARLY),
          S(170, "follow_up", SchoolStatus.ATTENDING_REGULARLY),
          S(140, "follow_up", SchoolStatus.ATTENDING_REGULARLY, False, "Passe en 5e année."),
          S(135, "close", ClosureReason.COMPLETED, ""),
          S(134, "approve_closure", SUP, "Deux visites conformes; suivi post-clôture jusqu'à 18 ans."))),
    Scene("t-relapse", T, CW, (S(150, "refer"), S(149, "accept"), S(148, "protect", PROTECT_FR),
          S(147, "assess"), S(142, "consent"), S(140, "assessment", VIEWS_FR),
          S(135, "items", SCHOOL), S(130, "agree"), S(128, "approve", SUP), S(120, "start"),
          S(119, "progress"), S(90, "follow_up", SchoolStatus.ATTENDING_REGULARLY),
          S(58, "relapse", "Retrouvé au puits de Kasulo un samedi; dit que l'allocation est en retard."),
          S(50, "note", "Allocation de septembre versée en retard: erreur de numéro mobile money."),
          S(40, "assessment", "« Je vais au puits le samedi pour acheter du savon. »"))),
    Scene("t-closed-moved", T, CW, (S(90, "refer"), S(89, "accept"), S(88, "protect", PROTECT_FR),
          S(87, "assess"), S(60, "close", ClosureReason.MOVED,
          "La famille est partie à Likasi chez le grand-père; signalé à la DIVAS."),
          S(59, "approve_closure", SUP))),
    Scene("t-transfer", T, CW, (S(75, "refer"), S(74, "accept"), S(73, "protect", PROTECT_EN),
          S(72, "assess"), S(66, "consent"), S(64, "assessment", VIEWS_EN),
          S(40, "transfer", U, CW2, "Ushindi runs the bridging class in Manika this year.",
            "Removal from the site, consent and assessment done; plan not drafted yet."),
          S(30, "items_by", CW2, TRAINING), S(28, "agree_by", CW2)), areas=("CD-LU-KZI",)),
    # -- Ushindi (demo-caseworker2, full) --
    Scene("u-referral-waiting", U, CW2, (S(0.5, "refer", "Two brothers seen at the Tenke depot; the younger is 9."),)),
    Scene("t-declined", T, CW, (S(9, "refer_to", U), S(8, "decline", CW2,
          "Nous n'avons plus de place dans la classe passerelle de Manika ce trimestre."),
          S(7, "refer"), S(6, "accept"), S(5, "protect", PROTECT_FR), S(4, "assess")),
          areas=("CD-LU-KZI",)),
    Scene("u-assessment-overdue", U, CW2, (S(30, "refer"), S(29, "accept"), S(28, "protect", PROTECT_FR),
          S(27, "assess"), S(20, "consent"))),
    Scene("u-plan-agreed", U, CW2, (S(25, "refer"), S(24, "accept"), S(23, "protect", PROTECT_FR),
          S(22, "assess"), S(18, "consent"), S(16, "assessment", VIEWS_FR),
          S(10, "items", SCHOOL + HEALTH), S(6, "agree", "Accord de la tante, tutrice légale."))),
    Scene("u-remediation", U, CW2, (S(60, "refer"), S(59, "accept"), S(58, "protect", PROTECT_FR),
          S(57, "assess"), S(52, "consent"), S(50, "assessment", VIEWS_FR),
          S(45, "items", SCHOOL + FAMILY), S(40, "agree"), S(33, "start"), S(32, "progress"),
          S(4, "follow_up", SchoolStatus.ATTENDING_REGULARLY, False,
          "Va à l'école tous les jours; la mère a ouvert son étal au marché."))),
    Scene("u-follow-up-due", U, CW2, (S(100, "refer"), S(99, "accept"), S(98, "protect", PROTECT_EN),
          S(97, "assess"), S(92, "consent"), S(90, "assessment", VIEWS_EN),
          S(85, "items", SCHOOL), S(80, "agree"), S(60, "start"), S(59, "progress"),
          S(28, "follow_up", SchoolStatus.ATTENDING_IRREGULARLY, False,
          "Misses Mondays: market day, looks after her little brother."))),
    Scene("u-closed-rule", U, CW2, (S(300, "refer"), S(299, "accept"), S(298, "protect", PROTECT_FR),
          S(297, "assess"), S(290, "consent"), S(288, "assessment", VIEWS_FR),
          S(280, "items", SCHOOL), S(275, "agree"), S(270, "start"), S(269, "progress"),
          S(239, "follow_up", SchoolStatus.ATTENDING_REGULARLY),
          S(208, "follow_up", SchoolStatus.ATTENDING_REGULARLY),
          S(205, "close", ClosureReason.COMPLETED, "Reintegrated in school; two clean visits."))),
    Scene("u-closed-lost", U, UCM, (S(120, "refer"), S(119, "accept"), S(118, "protect", PROTECT_FR),
          S(117, "assess"), S(80, "close", ClosureReason.LOST_CONTACT,
          "Trois visites sans trouver personne; le téléphone est éteint depuis juillet."),
          S(78, "approve_closure", USUP))),
    Scene("u-closed-refused", U, CW2, (S(45, "refer"), S(44, "accept"), S(43, "protect", PROTECT_FR),
          S(30, "close", ClosureReason.REFUSED,
          "Le père refuse l'accompagnement; l'enfant est inscrit à l'école du quartier."))),
    Scene("u-junior-awaiting", U, UCM, (S(18, "refer"), S(17, "accept"), S(16, "protect", PROTECT_FR),
          S(15, "assess"), S(10, "consent"), S(8, "assessment", VIEWS_FR), S(5, "items", SCHOOL),
          S(3, "agree"))),
    # -- Maisha Bora (junior case manager, full supervisor) --
    Scene("m-remediation", M, MCM, (S(80, "refer"), S(79, "accept"), S(78, "protect", PROTECT_EN),
          S(77, "assess"), S(72, "consent"), S(70, "assessment", VIEWS_EN),
          S(66, "items", SCHOOL), S(64, "agree"), S(62, "approve", MSUP), S(55, "start"),
          S(54, "progress"), S(24, "follow_up", SchoolStatus.ATTENDING_REGULARLY))),
    Scene("m-decent-work", M, MCM, (S(200, "refer"), S(199, "accept"), S(198, "protect", PROTECT_EN),
          S(197, "assess"), S(192, "consent"), S(190, "assessment", VIEWS_EN),
          S(185, "items", DECENT_WORK), S(183, "agree"), S(181, "approve", MSUP), S(175, "start"),
          S(174, "progress"), S(140, "follow_up", SchoolStatus.COMPLETED, True),
          S(60, "done", PlanItemKind.VOCATIONAL_TRAINING),
          S(55, "done", PlanItemKind.DECENT_WORK_PLACEMENT),
          S(50, "follow_up", SchoolStatus.COMPLETED, True, "Apprentice at the garage, 30 hours a week, paid."),
          S(45, "close", ClosureReason.DECENT_WORK, ""), S(44, "approve_closure", MSUP)),
          min_age=17),
    Scene("m-state-services", M, MCM, (S(50, "refer"), S(49, "accept"), S(48, "protect", PROTECT_FR),
          S(20, "close", ClosureReason.STATE_SERVICES,
          "Orpheline; placement familial par la Division des Affaires sociales de Lubumbashi."),
          S(19, "approve_closure", MSUP))),
)  # fmt: skip


class Play:
    """Acts a scene through the services, each step at its moment (time-machine)."""

    def __init__(self, scene: Scene, people: dict[str, User], agencies: dict[str, Organisation],
                 identification: Identification, now: datetime) -> None:  # fmt: skip
        self.scene, self.people, self.agencies = scene, people, agencies
        self.identification, self.now = identification, now
        self.case: Case | None = None
        self.referral: Referral | None = None
        self.plan_items: list[PlanItem] = []

    def at(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    @property
    def manager(self) -> User:
        return self.people[self.scene.manager]

    def _case(self) -> Case:
        assert self.case is not None
        self.case.refresh_from_db()
        return self.case

    # Each act is named in the scenes; `day` is the act's date.

    def refer(self, day: date, note: str = "") -> None:
        self.refer_to(day, self.scene.agency, note)

    def refer_to(self, day: date, agency: str, note: str = "") -> None:
        fresh = Identification.objects.get(pk=self.identification.pk)
        self.referral = referral_create(
            actor=self.people[DESK], identification=fresh, agency=self.agencies[agency], note=note
        )

    def decline(self, day: date, by: str, reason: str) -> None:
        assert self.referral is not None
        referral_decline(actor=self.people[by], referral=self.referral, reason=reason)

    def accept(self, day: date) -> None:
        assert self.referral is not None
        self.case = referral_accept(
            actor=self.manager, referral=self.referral, case_manager=self.manager,
            sponsor=self.agencies.get("sponsor") if self.scene.key.endswith(("rule", "remediation")) else None,
        )  # fmt: skip

    def protect(self, day: date, note: str) -> None:
        case = self._case()
        case_start_protection(
            actor=self.manager, case=case, expected_version=case.version, note=note
        )

    def assess(self, day: date) -> None:
        case = self._case()
        case_start_assessment(actor=self.manager, case=case, expected_version=case.version)

    def consent(self, day: date) -> None:
        case = self._case()
        household = case.child.household
        caregiver = household.caregivers.filter(is_head=True).first() if household else None
        for kind in (ConsentKind.CAREGIVER_CONSENT, ConsentKind.CHILD_ASSENT):
            case_consent_record(
                actor=self.manager, case=case, kind=kind, given=True, obtained_on=day,
                caregiver=caregiver if kind == ConsentKind.CAREGIVER_CONSENT else None,
                notes="Formulaire signé, lu en swahili." if kind == ConsentKind.CAREGIVER_CONSENT else "",
            )  # fmt: skip

    def assessment(self, day: date, views: str) -> None:
        assessment_record(
            actor=self.manager, case=self._case(), education_need="high", health_need="low",
            family_income_need="high", safety_need="medium", psychosocial_need="medium",
            root_causes=["poverty", "school_costs", "work_site_near_home"], risks=RISKS_FR,
            child_views=views,
            root_causes_note="Père décédé en 2024; la mère vend des beignets au marché.",
        )  # fmt: skip

    def items(self, day: date, items: tuple[tuple[str, str, str, int], ...]) -> None:
        self.items_by(day, self.scene.manager, items)

    def items_by(
        self, day: date, username: str, items: tuple[tuple[str, str, str, int], ...]
    ) -> None:
        start = day + timedelta(days=10)
        for kind, responsible, budget, days in items:
            self.plan_items.append(
                plan_item_add(
                    actor=self.people[username], case=self._case(), kind=kind,
                    responsible_party=responsible, budget_amount=Decimal(budget), currency="USD",
                    starts_on=start, ends_on=start + timedelta(days=days),
                )
            )  # fmt: skip

    def agree(self, day: date, note: str = "") -> None:
        self.agree_by(day, self.scene.manager, note)

    def agree_by(self, day: date, username: str, note: str = "") -> None:
        case = self._case()
        case_agree_plan(
            actor=self.people[username], case=case, expected_version=case.version, note=note
        )

    def approve(self, day: date, by: str, note: str = "") -> None:
        case = self._case()
        plan_approve(actor=self.people[by], case=case, expected_version=case.version, note=note)

    def start(self, day: date) -> None:
        case = self._case()
        case_start_remediation(
            actor=self.manager, case=case, expected_version=case.version, started_on=day
        )

    def progress(self, day: date) -> None:
        for item in self.plan_items:
            plan_item_set_status(actor=self.manager, item=item, status=PlanItemStatus.IN_PROGRESS)

    def done(self, day: date, kind: str) -> None:
        for item in self.plan_items:
            if item.kind == kind:
                plan_item_set_status(
                    actor=self.manager, item=item, status=PlanItemStatus.DONE, completed_on=day,
                    evidence_note="Reçu signé et photo au dossier.",
                )  # fmt: skip

    def follow_up(self, day: date, school: str, in_training: bool = False, notes: str = "") -> None:
        case = self._case()
        case_record_follow_up(
            actor=self.manager, case=case, expected_version=case.version, visited_on=day,
            school_status=school, in_training=in_training, notes=notes,
        )  # fmt: skip

    def relapse(self, day: date, notes: str) -> None:
        case = self._case()
        case_record_follow_up(
            actor=self.manager, case=case, expected_version=case.version, visited_on=day,
            school_status=SchoolStatus.ATTENDING_IRREGULARLY, notes=notes,
            activities=[ActivityInput(task_code="washing_ore", hours_per_week=12,
                                      hazards=("dust_or_chemicals",))],
        )  # fmt: skip

    def close(self, day: date, reason: str, note: str) -> None:
        case = self._case()
        case_close(
            actor=self.manager, case=case, expected_version=case.version, reason=reason, note=note
        )

    def approve_closure(self, day: date, by: str, note: str = "") -> None:
        case = self._case()
        case_approve_closure(
            actor=self.people[by], case=case, expected_version=case.version, note=note
        )

    def transfer(self, day: date, agency: str, to: str, reason: str, summary: str) -> None:
        case = self._case()
        case_transfer(
            actor=self.people[SUP], case=case, expected_version=case.version,
            to_agency=self.agencies[agency], to_case_manager=self.people[to], reason=reason,
            summary=summary,
        )  # fmt: skip
        self.scene = Scene(self.scene.key, agency, to, self.scene.steps)

    def note(self, day: date, text: str) -> None:
        try:
            from cases.services.notes import case_note_add
        except ImportError:  # notes arrive with the case pages
            return
        case_note_add(actor=self.manager, case=self._case(), note=text)


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    import time_machine  # a development dependency, installed by `make install`

    with time_machine.travel(moment, tick=False):
        yield


def play_scenes(context: DemoContext, people: dict[str, User], now: datetime) -> set[int]:
    """Play every scene; returns the identifications they used."""
    agencies = {spec.key: context.organisations[spec.key] for spec in AGENCIES}
    agencies["sponsor"] = context.organisations["company-aurora"]
    used: set[int] = set()
    candidates = _candidates()
    paths = dict(Area.objects.values_list("code", "path"))
    for scene in SCENES:
        identification = _pick(scene, now, used, candidates, paths)
        if identification is None:
            context.write(f"    (no child for the scene {scene.key}; skipped)")
            continue
        used.add(identification.pk)
        play = Play(scene, people, agencies, identification, now)
        for step in scene.steps:
            moment = _office_hours(play.at(step.days), now)
            with _clock(moment):
                act: Callable[..., None] = getattr(play, step.what)
                act(timezone.localdate(), *step.args)
        if play.case is not None:
            context.created["cases (played)"] += 1
        context.created["referrals (played)"] += 1
    return used


def _office_hours(moment: datetime, now: datetime) -> datetime:
    """Whole days back are moved to 10:00 local; fractions of a day stay as they are."""
    if now - moment < timedelta(days=1):
        return moment
    return timezone.localtime(moment).replace(hour=10, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Candidate:
    """An open identification a scene may take (read once for all the scenes)."""

    identification: int
    path: str
    urgency: str
    identified_at: datetime
    birth_date: date
    seen_again: bool  # observed again after the identification


def _candidates() -> list[Candidate]:
    """Open identifications of demo children, newest first, in one query."""
    rows = (
        Identification.objects.filter(
            status=IdentificationStatus.OPEN,
            child__external_id__startswith=KEY_PREFIX,
            child__merged_into__isnull=True,
        )
        .annotate(last_seen=Max("child__observations__classified_at"))
        .order_by("-identified_at", "id")
        .values_list(
            "id", "area__path", "urgency", "identified_at", "child__birth_date", "last_seen"
        )
    )
    return [
        Candidate(pk, path, urgency, at, birth, bool(seen and seen > at + timedelta(hours=1)))
        for pk, path, urgency, at, birth, seen in rows
    ]


def _pick(
    scene: Scene, now: datetime, used: set[int], candidates: list[Candidate], paths: dict[str, str]
) -> Identification | None:
    """An open identification of the scene's area found before the scene starts (the latest),
    of a child not seen working again since (so that follow-ups and the closure rule hold)."""
    first = now - timedelta(days=scene.steps[0].days) - timedelta(hours=2)
    spec = next(spec for spec in AGENCIES if spec.key == scene.agency)
    prefixes = tuple(paths[code] for code in scene.areas or spec.home)
    today = timezone.localdate(now)
    for candidate in candidates:
        if (
            candidate.identification in used
            or candidate.seen_again
            or candidate.identified_at >= first
            or not candidate.path.startswith(prefixes)
            or (scene.urgency and candidate.urgency != scene.urgency)
        ):
            continue
        age = rows.age_on(candidate.birth_date, today)
        if scene.min_age <= age <= scene.max_age:
            return Identification.objects.select_related("child").get(pk=candidate.identification)
    return None


# ---- The history -------------------------------------------------------------------------------

# Left at the desk: the findings of the last days (deadlines running) and a few overdue ones.
WAITING_RECENT = timedelta(days=2)
OVERDUE_LEFT = 4


def _history(
    context: DemoContext, people: dict[str, User], now: datetime, *, skip: set[int]
) -> None:
    desk = people[DESK].pk
    staff: dict[int, list[Staff]] = {}
    territory: dict[str, int] = {}
    for spec in AGENCIES:
        agency = context.organisations[spec.key].pk
        supervisor = people[spec.supervisor].pk
        levels = {**LEVELS, **{s.username: s.level for s in EXTRA_STAFF}}
        staff[agency] = [
            Staff(desk=desk, agency=agency, case_manager=people[username].pk,
                  supervisor=supervisor, junior=levels[username] == J)
            for username, share in spec.managers
            for _ in range(share)
        ]  # fmt: skip
        for code in spec.home:
            territory[context.areas[code].path] = agency
    writer = CaseRows(
        sponsors=[context.organisations[key].pk for key in ("company-aurora", "company-meridian", "company-kito")],
        seed="kinga-demo-cases",
    )  # fmt: skip
    rng = writer.rng
    identifications = Identification.objects.filter(
        child__external_id__startswith=KEY_PREFIX
    ).exclude(pk__in=skip)
    paths = dict(Area.objects.values_list("id", "path"))
    subjects = list(subjects_from_identifications(identifications))
    overdue = [
        s for s in subjects if now - timedelta(days=40) < s.identified_at < now - timedelta(days=8)
    ]
    left = {s.identification for s in rng.sample(overdue, min(OVERDUE_LEFT, len(overdue)))}
    for subject in subjects:
        if subject.identification in left or subject.identified_at > now - WAITING_RECENT:
            continue
        path = paths[subject.referral_area]
        served = [a for prefix, a in territory.items() if path.startswith(prefix)]
        if not served:
            continue
        who = rng.choice(staff[served[0]])
        story = tell(rng, identified_at=subject.identified_at, urgency=subject.urgency,
                     birth_date=subject.birth_date, staff=who, now=now)  # fmt: skip
        if story is not None:
            writer.add(subject, story, who)
    for label, count in writer.finish().items():
        if count:
            context.created[label] += count


__all__ = ["SCENES", "play_scenes", "seed_cases"]
