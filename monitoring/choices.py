"""Choices for monitoring records, with translated labels.

Sector, hazard, worst-form and category values are defined once, in the pure classification
package; this module only gives them labels in the user's language.
"""

from __future__ import annotations

from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from monitoring.classification.categories import Category
from monitoring.classification.observation import Hazard, Sector, WorstForm


@cache
def choice_values(choices: type[models.TextChoices]) -> frozenset[str]:
    """The stored values of a choice list, built once.

    Django rebuilds `.values` as a new list on every call, and a bulk import checks each row
    against a dozen lists: that was 15% of the checking time.
    """
    return frozenset(choices.values)


SECTOR_LABELS = {
    Sector.MINING: _("Mining"),
    Sector.AGRICULTURE: _("Agriculture"),
    Sector.MANUFACTURING: _("Manufacturing"),
    Sector.DOMESTIC_SERVICE: _("Domestic service"),
    Sector.TRADE: _("Trade"),
    Sector.SERVICES: _("Services"),
    Sector.OTHER: _("Other"),
}
HAZARD_LABELS = {
    Hazard.UNDERGROUND: _("Underground"),
    Hazard.HEAVY_LOADS: _("Heavy loads"),
    Hazard.DUST_OR_CHEMICALS: _("Dust or chemicals"),
    Hazard.DANGEROUS_TOOLS: _("Dangerous tools"),
    Hazard.HEIGHTS: _("Heights"),
    Hazard.EXTREME_TEMPERATURE: _("Extreme temperature"),
    Hazard.ABUSE: _("Abuse"),
    Hazard.NIGHT_WORK: _("Night work"),
}
WORST_FORM_LABELS = {
    WorstForm.TRAFFICKING: _("Trafficking"),
    WorstForm.FORCED_LABOUR: _("Forced labour"),
    WorstForm.DEBT_BONDAGE: _("Debt bondage"),
    WorstForm.SEXUAL_EXPLOITATION: _("Sexual exploitation"),
    WorstForm.ILLICIT_ACTIVITIES: _("Illicit activities"),
    WorstForm.ARMED_CONFLICT: _("Armed groups or conflict"),
}
CATEGORY_LABELS = {
    Category.NOT_APPLICABLE: _("Not applicable (age)"),
    Category.NO_CHILD_LABOUR: _("No child labour"),
    Category.CHILD_LABOUR: _("Child labour"),
    Category.HAZARDOUS_CHILD_LABOUR: _("Hazardous child labour"),
    Category.WORST_FORMS: _("Worst forms of child labour"),
}

SECTOR_CHOICES = [(member.value, label) for member, label in SECTOR_LABELS.items()]
HAZARD_CHOICES = [(member.value, label) for member, label in HAZARD_LABELS.items()]
WORST_FORM_CHOICES = [(member.value, label) for member, label in WORST_FORM_LABELS.items()]
CATEGORY_CHOICES = [(member.value, label) for member, label in CATEGORY_LABELS.items()]

# Categories that make a child "identified": they start a referral.
IDENTIFYING_CATEGORIES = frozenset(
    {Category.CHILD_LABOUR, Category.HAZARDOUS_CHILD_LABOUR, Category.WORST_FORMS}
)


class Sex(models.TextChoices):
    FEMALE = "female", _("Girl / woman")
    MALE = "male", _("Boy / man")


class AgeEvidence(models.TextChoices):
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    SCHOOL_RECORD = "school_record", _("School record")
    MEDICAL_ESTIMATE = "medical_estimate", _("Medical estimate")
    CAREGIVER_REPORT = "caregiver_report", _("Caregiver's report")
    SELF_REPORT = "self_report", _("Child's own report")


class AgeConfidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class MiningDependence(models.TextChoices):
    NONE = "none", _("Not dependent on mining")
    PARTLY = "partly", _("Partly dependent on mining")
    MAINLY = "mainly", _("Mainly dependent on mining")


class SchoolCostBurden(models.TextChoices):
    NONE = "none", _("No school costs")
    MANAGEABLE = "manageable", _("Manageable")
    HEAVY = "heavy", _("Heavy")
    UNAFFORDABLE = "unaffordable", _("Cannot pay")


class IncomeSource(models.TextChoices):
    ARTISANAL_MINING = "artisanal_mining", _("Artisanal mining")
    MINERAL_TRADE = "mineral_trade", _("Mineral trade")
    FARMING = "farming", _("Farming")
    PETTY_TRADE = "petty_trade", _("Petty trade")
    WAGE_WORK = "wage_work", _("Wage work")
    CRAFTS = "crafts", _("Crafts")
    SUPPORT = "support", _("Support from relatives or aid")
    OTHER = "other", _("Other")


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    SIBLING = "sibling", _("Adult sibling")
    OTHER = "other", _("Other caregiver")


class ConsentKind(models.TextChoices):
    CAREGIVER_CONSENT = "caregiver_consent", _("Caregiver consent")
    CHILD_ASSENT = "child_assent", _("Child assent")


class ConsentPurpose(models.TextChoices):
    IDENTIFICATION = "identification", _("Identification and referral")
    CASE_MANAGEMENT = "case_management", _("Case management and follow-up")
    PHOTO = "photo", _("Taking and keeping a photo")


class VisitKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household visit")
    SITE = "site", _("Mine or work site visit")
    SCHOOL = "school", _("School check")
    FOLLOW_UP = "follow_up", _("Follow-up visit")


class VisitSource(models.TextChoices):
    WEB = "web", _("Web form")
    ODK = "odk", _("ODK / KoboCollect")
    IMPORT = "import", _("File import")
    API = "api", _("API")


class SchoolStatus(models.TextChoices):
    ATTENDING_REGULARLY = "attending_regularly", _("Enrolled, attends regularly")
    ATTENDING_IRREGULARLY = "attending_irregularly", _("Enrolled, attends irregularly")
    ENROLLED_NOT_ATTENDING = "enrolled_not_attending", _("Enrolled, not attending")
    NOT_ENROLLED = "not_enrolled", _("Not enrolled")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    COMPLETED = "completed", _("Completed school")


class Urgency(models.TextChoices):
    """How fast an identified child must reach a case manager (DESIGN.md, lifecycle)."""

    IMMEDIATE = "immediate", _("Immediate (24 hours)")
    HIGH = "high", _("Hazardous (72 hours)")
    STANDARD = "standard", _("Standard (7 days)")


class IdentificationStatus(models.TextChoices):
    OPEN = "open", _("Waiting for referral")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not the same child")
