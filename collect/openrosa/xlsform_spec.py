"""The three field questionnaires, as XLSForm rows: the source of xlsforms/*.xlsx.

Choice lists of tasks and hazards come from Kinga's catalogues (the Task table, the Hazard
and WorstForm enums) when the forms are built (`manage.py build_xlsforms`); the French labels
of the other lists are written here because a questionnaire is worded for the field, once.
A test fails when a committed form drifts from the catalogues or changes without a new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monitoring.classification.observation import Hazard, WorstForm

# Bump the version of a form whenever its rows or its choice lists change.
VERSIONS = {
    "kinga_household_visit": "2026112301",
    "kinga_mine_site_visit": "2026112301",
    "kinga_case_follow_up": "2026112301",
}

EN, FR = "label::English (en)", "label::Français (fr)"
SURVEY_COLUMNS = (
    "type",
    "name",
    EN,
    FR,
    "hint::English (en)",
    "hint::Français (fr)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "constraint_message::Français (fr)",
    "default",
    "appearance",
)
CHOICE_COLUMNS = ("list_name", "name", EN, FR)


@dataclass(frozen=True)
class Question:
    type: str
    name: str
    en: str = ""
    fr: str = ""
    hint_en: str = ""
    hint_fr: str = ""
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_en: str = ""
    constraint_fr: str = ""
    default: str = ""
    appearance: str = ""

    def row(self) -> tuple[str, ...]:
        return (
            self.type,
            self.name,
            self.en,
            self.fr,
            self.hint_en,
            self.hint_fr,
            "yes" if self.required else "",
            self.relevant,
            self.constraint,
            self.constraint_en,
            self.constraint_fr,
            self.default,
            self.appearance,
        )


@dataclass(frozen=True)
class FormSpec:
    form_id: str
    title_en: str
    title_fr: str
    questions: tuple[Question, ...]
    choice_lists: tuple[str, ...]
    media: tuple[str, ...] = ()  # per-user CSV files the form reads (select_one_from_file)
    binary_fields: tuple[str, ...] = field(default=())  # questions whose answer is a file

    @property
    def version(self) -> str:
        return VERSIONS[self.form_id]


HAZARD_FR = {
    Hazard.UNDERGROUND: "Sous terre",
    Hazard.HEAVY_LOADS: "Charges lourdes",
    Hazard.DUST_OR_CHEMICALS: "Poussière ou produits chimiques",
    Hazard.DANGEROUS_TOOLS: "Outils dangereux",
    Hazard.HEIGHTS: "Hauteurs",
    Hazard.EXTREME_TEMPERATURE: "Températures extrêmes",
    Hazard.ABUSE: "Maltraitance",
    Hazard.NIGHT_WORK: "Travail de nuit",
}
HAZARD_EN = {
    Hazard.UNDERGROUND: "Underground",
    Hazard.HEAVY_LOADS: "Heavy loads",
    Hazard.DUST_OR_CHEMICALS: "Dust or chemicals",
    Hazard.DANGEROUS_TOOLS: "Dangerous tools",
    Hazard.HEIGHTS: "Heights",
    Hazard.EXTREME_TEMPERATURE: "Extreme temperature",
    Hazard.ABUSE: "Abuse",
    Hazard.NIGHT_WORK: "Night work",
}
WORST_FORM_EN_FR = {
    WorstForm.TRAFFICKING: ("Trafficking", "Traite"),
    WorstForm.FORCED_LABOUR: ("Forced labour", "Travail forcé"),
    WorstForm.DEBT_BONDAGE: ("Debt bondage", "Servitude pour dettes"),
    WorstForm.SEXUAL_EXPLOITATION: ("Sexual exploitation", "Exploitation sexuelle"),
    WorstForm.ILLICIT_ACTIVITIES: ("Illicit activities", "Activités illicites"),
    WorstForm.ARMED_CONFLICT: ("Armed groups or conflict", "Groupes armés ou conflit"),
}

# Lists that do not come from a catalogue: (name, English, French).
FIXED_CHOICES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "yes_no": (("yes", "Yes", "Oui"), ("no", "No", "Non")),
    "sex": (("female", "Girl", "Fille"), ("male", "Boy", "Garçon")),
    "age_evidence": (
        ("birth_certificate", "Birth certificate", "Acte de naissance"),
        ("school_record", "School record", "Registre scolaire"),
        ("medical_estimate", "Medical estimate", "Estimation médicale"),
        ("caregiver_report", "Caregiver's report", "Déclaration du parent"),
        ("self_report", "Child's own report", "Déclaration de l'enfant"),
    ),
    "school_status": (
        ("attending_regularly", "Enrolled, attends regularly", "Inscrit, va à l'école"),
        ("attending_irregularly", "Enrolled, attends irregularly", "Inscrit, irrégulier"),
        ("enrolled_not_attending", "Enrolled, not attending", "Inscrit, n'y va pas"),
        ("not_enrolled", "Not enrolled", "Pas inscrit"),
        ("dropped_out", "Dropped out", "A abandonné"),
        ("completed", "Completed school", "A terminé l'école"),
    ),
    "mining_dependence": (
        ("none", "Not dependent on mining", "Ne dépend pas des mines"),
        ("partly", "Partly dependent on mining", "Dépend en partie des mines"),
        ("mainly", "Mainly dependent on mining", "Dépend surtout des mines"),
    ),
    "school_cost_burden": (
        ("none", "No school costs", "Pas de frais scolaires"),
        ("manageable", "Manageable", "Supportables"),
        ("heavy", "Heavy", "Lourds"),
        ("unaffordable", "Cannot pay", "Impossible à payer"),
    ),
}

Q = Question
VISIT_DAY = Q(
    "date",
    "visited_on",
    "Date of the visit",
    "Date de la visite",
    required=True,
    default="today()",
    constraint=". <= today()",
    constraint_en="The visit cannot be in the future.",
    constraint_fr="La visite ne peut pas être dans le futur.",
)
CHILD_CODE = Q(
    "text",
    "child_code",
    "Child code (on the child's card)",
    "Code de l'enfant (sur sa carte)",
    hint_en="For example CH-AB12-CD34",
    hint_fr="Par exemple CH-AB12-CD34",
    required=True,
)
WORK = (
    Q(
        "select_one yes_no",
        "works",
        "Did the child work in the last 7 days?",
        "L'enfant a-t-il travaillé ces 7 derniers jours ?",
        required=True,
    ),
    Q(
        "begin_repeat",
        "activity",
        "Work activity",
        "Activité de travail",
        relevant="${works} = 'yes'",
    ),
    Q("select_one task", "task", "Task", "Tâche", required=True),
    Q(
        "decimal",
        "hours",
        "Hours in the last 7 days",
        "Heures ces 7 derniers jours",
        required=True,
        constraint=". >= 0 and . <= 168",
        constraint_en="Between 0 and 168 hours.",
        constraint_fr="Entre 0 et 168 heures.",
    ),
    Q("select_multiple hazard", "hazards", "Hazards seen", "Dangers constatés"),
    Q(
        "select_one yes_no",
        "night",
        "Any of it between 19:00 and 07:00?",
        "En partie entre 19 h et 7 h ?",
        default="no",
    ),
    Q("end_repeat", "activity"),
)
PROTECTION = (
    Q(
        "select_multiple worst_form",
        "worst_forms",
        "Signs of worst forms",
        "Signes des pires formes",
    ),
    Q(
        "select_one yes_no",
        "immediate_danger",
        "Is the child in immediate danger?",
        "L'enfant est-il en danger immédiat ?",
        required=True,
        default="no",
    ),
    Q("text", "child_notes", "Observations", "Observations"),
)
SCHOOL = Q(
    "select_one school_status",
    "school_status",
    "School",
    "École",
    required=True,
)
NOTES = Q("text", "notes", "Notes on the visit", "Notes sur la visite", appearance="multiline")

HOUSEHOLD_VISIT = FormSpec(
    form_id="kinga_household_visit",
    title_en="Kinga household visit",
    title_fr="Kinga visite de ménage",
    media=("communities.csv",),
    questions=(
        Q("start", "start"),
        Q("end", "end"),
        Q(
            "select_one_from_file communities.csv",
            "community",
            "Community",
            "Communauté",
            required=True,
        ),
        VISIT_DAY,
        Q("text", "head_name", "Head of household", "Chef de ménage", required=True),
        Q("text", "phone", "Phone number", "Numéro de téléphone", appearance="numbers"),
        Q("geopoint", "location", "GPS location of the home", "Position GPS du logement"),
        Q(
            "integer",
            "members_count",
            "People in the household",
            "Personnes dans le ménage",
            required=True,
            constraint=". >= 1 and . <= 60",
            constraint_en="Between 1 and 60.",
            constraint_fr="Entre 1 et 60.",
        ),
        Q(
            "select_one mining_dependence",
            "mining_dependence",
            "Dependence on mining",
            "Dépendance aux mines",
            required=True,
        ),
        Q(
            "select_one school_cost_burden",
            "school_cost_burden",
            "School costs",
            "Frais scolaires",
            required=True,
        ),
        Q("begin_repeat", "child", "Child seen", "Enfant vu"),
        Q("text", "first_name", "First name", "Prénom", required=True),
        Q(
            "text",
            "last_name",
            "Last name",
            "Nom",
            hint_en="Kept only if the caregiver consents.",
            hint_fr="Gardé seulement si le parent consent.",
        ),
        Q("select_one sex", "sex", "Sex", "Sexe", required=True),
        Q(
            "select_one yes_no",
            "birth_date_known",
            "Is the date of birth known?",
            "La date de naissance est-elle connue ?",
            required=True,
        ),
        Q(
            "date",
            "birth_date",
            "Date of birth",
            "Date de naissance",
            required=True,
            relevant="${birth_date_known} = 'yes'",
            constraint=". <= today()",
            constraint_en="The date of birth cannot be in the future.",
            constraint_fr="La date de naissance ne peut pas être dans le futur.",
        ),
        Q(
            "integer",
            "age",
            "Age in completed years",
            "Âge en années révolues",
            required=True,
            relevant="${birth_date_known} = 'no'",
            constraint=". >= 0 and . <= 99",
            constraint_en="Between 0 and 99.",
            constraint_fr="Entre 0 et 99.",
        ),
        Q(
            "select_one age_evidence",
            "age_evidence",
            "How is the age known?",
            "Comment l'âge est-il connu ?",
            required=True,
        ),
        Q(
            "select_one yes_no",
            "caregiver_consent",
            "Caregiver consents to identification and referral",
            "Le parent consent à l'identification et à l'orientation",
            required=True,
        ),
        Q(
            "select_one yes_no",
            "child_assent",
            "Child agrees",
            "L'enfant est d'accord",
        ),
        SCHOOL,
        Q(
            "decimal",
            "chores_hours",
            "Household chores, hours in the last 7 days",
            "Tâches ménagères, heures ces 7 derniers jours",
            default="0",
            constraint=". >= 0 and . <= 168",
            constraint_en="Between 0 and 168 hours.",
            constraint_fr="Entre 0 et 168 heures.",
        ),
        *WORK,
        *PROTECTION,
        Q("end_repeat", "child"),
        NOTES,
    ),
    choice_lists=(
        "yes_no",
        "sex",
        "age_evidence",
        "school_status",
        "mining_dependence",
        "school_cost_burden",
        "task",
        "hazard",
        "worst_form",
    ),
)

MINE_SITE_VISIT = FormSpec(
    form_id="kinga_mine_site_visit",
    title_en="Kinga mine site visit",
    title_fr="Kinga visite de site minier",
    media=("sites.csv",),
    binary_fields=("site_photo",),
    questions=(
        Q("start", "start"),
        Q("end", "end"),
        Q("select_one_from_file sites.csv", "site", "Site", "Site", required=True),
        VISIT_DAY,
        Q("begin_repeat", "child", "Child seen at work", "Enfant vu au travail"),
        CHILD_CODE,
        SCHOOL,
        *WORK,
        *PROTECTION,
        Q("end_repeat", "child"),
        Q(
            "image",
            "site_photo",
            "Photo of the site, with no person in it",
            "Photo du site, sans personne",
        ),
        NOTES,
    ),
    choice_lists=("yes_no", "school_status", "task", "hazard", "worst_form"),
)

CASE_FOLLOW_UP = FormSpec(
    form_id="kinga_case_follow_up",
    title_en="Kinga follow-up visit",
    title_fr="Kinga visite de suivi",
    questions=(
        Q("start", "start"),
        Q("end", "end"),
        CHILD_CODE,
        VISIT_DAY,
        SCHOOL,
        *WORK,
        *PROTECTION,
        NOTES,
    ),
    choice_lists=("yes_no", "school_status", "task", "hazard", "worst_form"),
)

FORMS = (HOUSEHOLD_VISIT, MINE_SITE_VISIT, CASE_FOLLOW_UP)
FORMS_BY_ID = {form.form_id: form for form in FORMS}
REPEATS = frozenset({"child", "activity"})
