"""What each kind of import reads: our fields, the column names they are recognised by, and
the column patterns of repeated groups (`activity_2_hours`, `child_1_activity_2_task`).

Suggesting a mapping compares normalised header names (accents, case, punctuation and Kobo
group paths removed: "grp_hh/Nom_Chef_Ménage" → "nom_chef_menage") with each field's aliases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from collect.models import ImportKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAIN, CHILDREN, ACTIVITIES = "main", "children", "activities"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: StrOrPromise
    aliases: tuple[str, ...]
    required: bool = False
    # Names, phone numbers, places and free text: never echoed back in an error report.
    personal: bool = False
    help: StrOrPromise = ""
    group: str = MAIN


def normalise_header(header: str) -> str:
    last = header.rsplit("/", 1)[-1]
    decomposed = unicodedata.normalize("NFKD", last)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def _f(name: str, label: StrOrPromise, *aliases: str, **options: object) -> FieldSpec:
    return FieldSpec(name, label, (name, *aliases), **options)  # type: ignore[arg-type]


HOUSEHOLD_FIELDS = (
    _f(
        "area_code",
        _("Community code"),
        "community_code",
        "village_code",
        "community",
        "village",
        "area",
        "code_village",
        required=True,
        help=_("The code of the village or quarter, as in Kinga's areas."),
    ),
    _f(
        "head_name",
        _("Head of household"),
        "head_of_household",
        "household_head",
        "nom_chef_menage",
        "chef_menage",
        "head",
        required=True,
        personal=True,
    ),
    _f("phone", _("Phone number"), "telephone", "phone_number", "tel", personal=True),
    _f(
        "location",
        _("GPS location"),
        "gps",
        "geopoint",
        "coordinates",
        "household_location",
        "gps_location",
        personal=True,
        help=_("“latitude,longitude” or a Kobo geopoint “latitude longitude altitude accuracy”."),
    ),
    _f(
        "members_count",
        _("People in household"),
        "household_size",
        "members",
        "hh_size",
        "taille_menage",
        help=_("1 if not given."),
    ),
    _f(
        "income_sources",
        _("Income sources"),
        "income",
        "sources_revenu",
        help=_("Codes separated by spaces."),
    ),
    _f("mining_dependence", _("Dependence on mining"), "dependence_mining", "mining"),
    _f("school_cost_burden", _("School costs burden"), "school_costs", "school_cost"),
)

CHILD_FIELDS = (
    _f(
        "first_name",
        _("First name"),
        "child_first_name",
        "prenom",
        "given_name",
        "name",
        required=True,
        personal=True,
    ),
    _f(
        "last_name",
        _("Last name"),
        "child_last_name",
        "nom",
        "family_name",
        "surname",
        personal=True,
        help=_("Kept only with the caregiver's consent to identification."),
    ),
    _f("sex", _("Sex"), "gender", "sexe", "child_sex", required=True),
    _f(
        "birth_date",
        _("Date of birth"),
        "date_of_birth",
        "dob",
        "date_naissance",
        help=_("Give a date of birth or an age."),
    ),
    _f(
        "age",
        _("Age in years"),
        "estimated_age",
        "child_age",
        "age_years",
        help=_("Used when there is no date of birth."),
    ),
    _f(
        "age_evidence",
        _("How the age is known"),
        "age_source",
        help=_("Caregiver's report if not given."),
    ),
    _f(
        "age_confidence",
        _("Confidence in age"),
        help=_("Medium with a date of birth, low with an age, if not given."),
    ),
    _f(
        "consent_identification",
        _("Caregiver consents to identification"),
        "consent",
        "caregiver_consent",
        "consentement",
        help=_("yes / no"),
    ),
    _f("consent_date", _("Date consent was given"), "date_consent"),
)

OBSERVATION_FIELDS = (
    _f("school_status", _("School status"), "school", "scolarite", "schooling", required=True),
    _f(
        "household_chores_hours",
        _("Household chores (hours a week)"),
        "chores_hours",
        "chores",
        "hours_chores",
    ),
    _f("worst_forms", _("Signs of worst forms"), "wfcl", help=_("Codes separated by spaces.")),
    _f("immediate_danger", _("Child in immediate danger"), "danger", help=_("yes / no")),
)

ACTIVITY_FIELDS = (
    _f("task", _("Task"), "task_code", "tache", "activity", required=True, group=ACTIVITIES),
    _f(
        "hours",
        _("Hours a week"),
        "hours_per_week",
        "heures",
        "hours_week",
        required=True,
        group=ACTIVITIES,
    ),
    _f(
        "hazards",
        _("Hazards"),
        "dangers",
        "risques",
        group=ACTIVITIES,
        help=_("Codes separated by spaces."),
    ),
    _f("night", _("Night work"), "nuit", "night_work", group=ACTIVITIES, help=_("yes / no")),
)

_EXTERNAL_ID_ALIASES = ("uuid", "instanceid", "external_id", "id")
_VISIT_FIELDS = (
    _f(
        "visited_on",
        _("Date of visit"),
        "visit_date",
        "date",
        "today",
        "start",
        "submission_time",
        required=True,
    ),
    _f(
        "facilitator",
        _("Facilitator's Kinga username"),
        # Not Kobo's `username` or `_submitted_by`: those are Kobo accounts, not Kinga users.
        "facilitator_username",
        "kinga_username",
        help=_("You, if not given."),
    ),
)


def _external_id(label: StrOrPromise, *extra: str) -> FieldSpec:
    return FieldSpec(
        "external_id",
        label,
        (*_EXTERNAL_ID_ALIASES, *extra),
        required=True,
        help=_(
            "A column that never repeats, such as _uuid. Re-importing the same ids creates "
            "nothing new."
        ),
    )


def _grouped(fields: tuple[FieldSpec, ...], group: str) -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(f.name, f.label, f.aliases, f.required, f.personal, f.help, group) for f in fields
    )


KIND_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    ImportKind.HOUSEHOLDS: (_external_id(_("Household id"), "household_id"), *HOUSEHOLD_FIELDS),
    ImportKind.CHILDREN: (
        _external_id(_("Child id"), "child_id"),
        _f(
            "household_external_id",
            _("Household id or code"),
            "household_id",
            "household_uuid",
            "household",
            "household_code",
            "submission_uuid",
            required=True,
        ),
        *CHILD_FIELDS,
    ),
    ImportKind.VISITS: (
        _external_id(_("Visit id"), "visit_id"),
        _f(
            "child_external_id",
            _("Child id or code"),
            "child_id",
            "child_uuid",
            "child_code",
            "child",
            required=True,
        ),
        *_VISIT_FIELDS,
        _f(
            "visit_kind",
            _("Kind of visit"),
            "kind",
            "type_visit",
            help=_("household, follow_up, site or school; household if not given."),
        ),
        _f("site_code", _("Site code"), "site", help=_("For site and school visits.")),
        *OBSERVATION_FIELDS,
        _f("notes", _("Notes"), "observations", "comments", personal=True),
    ),
    ImportKind.KOBO_HOUSEHOLD_VISIT: (
        _external_id(_("Submission id")),
        *HOUSEHOLD_FIELDS,
        *_VISIT_FIELDS,
        _f("notes", _("Notes"), "observations", "comments", personal=True),
        *_grouped(CHILD_FIELDS, CHILDREN),
        *_grouped(OBSERVATION_FIELDS, CHILDREN),
        *ACTIVITY_FIELDS,
    ),
}


def fields_for(kind: str, group: str | None = None) -> tuple[FieldSpec, ...]:
    fields = KIND_FIELDS[kind]
    return fields if group is None else tuple(f for f in fields if f.group == group)


@cache
def field_named(kind: str, key: str) -> FieldSpec | None:
    """The spec behind a mapping key ("area_code", "child.sex", "child_2.activity_1.hours")."""
    name = key.rsplit(".", 1)[-1]
    for spec in KIND_FIELDS[kind]:
        if spec.name == name:
            return spec
    return None


def _match(fields: tuple[FieldSpec, ...], headers: list[str]) -> dict[str, str]:
    """Field name → header, by aliases in order of preference; each header used once."""
    normalised: dict[str, str] = {}
    for header in headers:
        normalised.setdefault(normalise_header(header), header)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for spec in fields:
        for alias in spec.aliases:
            found = normalised.get(alias)
            if found is not None and found not in used:
                mapping[spec.name] = found
                used.add(found)
                break
    return mapping


def suggest_mapping(kind: str, headers: list[str], group: str = MAIN) -> dict[str, str]:
    """The columns we guess for each field of `group`; repeated groups are not included."""
    return _match(fields_for(kind, group), headers)


_ACTIVITY_COLUMN = re.compile(r"^(?:activity|activite)_?(\d+)_(.+)$")
_CHILD_COLUMN = re.compile(r"^(?:child|enfant)_?(\d+)_(.+)$")


def _alias_index(fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in fields:
        for alias in spec.aliases:
            index.setdefault(alias, spec.name)
    return index


def repeated_columns(kind: str, headers: list[str]) -> dict[str, str]:
    """Mapping keys of repeated groups found in a flat file's headers.

    Visits: `activity_<n>_<field>` → "activity_<n>.<field>". Kobo household visits with
    prefixed columns: `child_<n>_<field>` → "child_<n>.<field>" and
    `child_<n>_activity_<m>_<field>` → "child_<n>.activity_<m>.<field>".
    """
    activity_aliases = _alias_index(ACTIVITY_FIELDS)
    child_aliases = _alias_index(fields_for(kind, CHILDREN)) if kind in KIND_FIELDS else {}
    found: dict[str, str] = {}

    def activity_key(name: str) -> str | None:
        match = _ACTIVITY_COLUMN.match(name)
        if match and match.group(2) in activity_aliases:
            return f"activity_{int(match.group(1))}.{activity_aliases[match.group(2)]}"
        return None

    for header in headers:
        name = normalise_header(header)
        key: str | None = None
        if kind == ImportKind.VISITS:
            key = activity_key(name)
        elif kind == ImportKind.KOBO_HOUSEHOLD_VISIT:
            child = _CHILD_COLUMN.match(name)
            if child:
                rest, prefix = child.group(2), f"child_{int(child.group(1))}"
                inner = activity_key(rest)
                if inner is not None:
                    key = f"{prefix}.{inner}"
                elif rest in child_aliases:
                    key = f"{prefix}.{child_aliases[rest]}"
        if key is not None and key not in found:
            found[key] = header
    return found


def group_numbers(mapping: dict[str, str], prefix: str) -> list[int]:
    """The numbers n of the "<prefix>_<n>." groups present in a mapping, in order."""
    pattern = re.compile(rf"^{prefix}_(\d+)\.")
    return sorted({int(m.group(1)) for key in mapping if (m := pattern.match(key))})
