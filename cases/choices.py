"""Choices for agencies, referrals, cases, plans and follow-ups, with translated labels.

Values are stable strings stored in the database; labels are what a person reads.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccreditationLevel(models.TextChoices):
    """Of an agency, and of each of its case workers: junior work needs a full supervisor."""

    JUNIOR = "junior", _("Junior")
    FULL = "full", _("Full")


class AccreditationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


class Language(models.TextChoices):
    """Languages an agency's staff work in (ISO 639 codes)."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    SWAHILI = "sw", _("Swahili")
    LINGALA = "ln", _("Lingala")
    TSHILUBA = "lua", _("Tshiluba")
    KIKONGO = "kg", _("Kikongo")
    BEMBA = "bem", _("Bemba")
    LUNDA = "lun", _("Lunda")
    CHOKWE = "cjk", _("Chokwe")


class BackgroundCheckType(models.TextChoices):
    CRIMINAL_RECORD = "criminal_record", _("Criminal record check")
    REFERENCES = "references", _("Reference check")
    SAFEGUARDING_DECLARATION = "safeguarding_declaration", _("Signed safeguarding declaration")


class ReferralSource(models.TextChoices):
    """Where a referral came from. Only identification is wired today."""

    IDENTIFICATION = "identification", _("Monitoring identification")
    GRIEVANCE = "grievance", _("Grievance")
    SUPPLIER_AUDIT = "supplier_audit", _("Supplier audit finding")
    MANUAL = "manual", _("Manual entry")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the agency")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn by the referral desk")


class CaseState(models.TextChoices):
    """The case lifecycle (docs/cases.md), in order."""

    IDENTIFIED = "identified", _("Identified")
    IMMEDIATE_PROTECTION = "immediate_protection", _("Immediate protection")
    ASSESSMENT = "assessment", _("Assessment")
    PLAN_AGREED = "plan_agreed", _("Plan agreed")
    IN_REMEDIATION = "in_remediation", _("In remediation")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


OPEN_CASE_STATES = frozenset(CaseState.values) - {CaseState.CLOSED.value}


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    TRANSITION = "transition", _("Moved to a new stage")
    RELAPSE = "relapse", _("Relapse: back to assessment")
    REIDENTIFIED = "reidentified", _("Re-identified by a monitoring visit")
    REOPENED = "reopened", _("Reopened after a relapse")
    CONSENT = "consent", _("Consent recorded")
    ASSESSMENT = "assessment", _("Assessment recorded")
    PLAN_ITEM = "plan_item", _("Plan item changed")
    PLAN_APPROVED = "plan_approved", _("Plan approved")
    FOLLOW_UP = "follow_up", _("Follow-up recorded")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSURE_REJECTED = "closure_rejected", _("Closure not approved")
    TRANSFERRED = "transferred", _("Transferred to another agency")
    REASSIGNED = "reassigned", _("Case manager changed")
    NOTE = "note", _("Note")
    ATTACHMENT = "attachment", _("File attached")


class NeedLevel(models.TextChoices):
    NONE = "none", _("No need")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RootCause(models.TextChoices):
    POVERTY = "poverty", _("Household poverty")
    SCHOOL_COSTS = "school_costs", _("School fees and costs")
    NO_SCHOOL_NEARBY = "no_school_nearby", _("No school within reach")
    FAMILY_PRESSURE = "family_pressure", _("Pressure from family")
    PEER_PRESSURE = "peer_pressure", _("Pressure from other children")
    SEPARATED_OR_ORPHANED = "separated_or_orphaned", _("Orphaned or separated from parents")
    HOUSEHOLD_DEBT = "household_debt", _("Household debt")
    NO_BIRTH_REGISTRATION = "no_birth_registration", _("No birth certificate")
    WORK_SITE_NEAR_HOME = "work_site_near_home", _("Mine or work site close to home")
    OTHER = "other", _("Other")


class PlanItemKind(models.TextChoices):
    """The remediation catalogue (DESIGN.md)."""

    SCHOOL_REINTEGRATION = "school_reintegration", _("School reintegration and fees")
    SCHOOL_KIT = "school_kit", _("School kit")
    BRIDGING_CLASS = "bridging_class", _("Bridging class")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training or apprenticeship")
    MONTHLY_STIPEND = "monthly_stipend", _("Monthly stipend")
    HEALTH_CARE = "health_care", _("Health check and treatment")
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support", _("Psychosocial support")
    BIRTH_REGISTRATION = "birth_registration", _("Birth registration")
    FAMILY_LIVELIHOOD = "family_livelihood", _("Family livelihood support")
    SAVINGS_GROUP = "savings_group", _("Savings group membership")
    SIBLING_SCHOOL_SUPPORT = "sibling_school_support", _("Sibling school support")
    AFTER_SCHOOL_CENTRE = "after_school_centre", _("After-school centre")
    DECENT_WORK_PLACEMENT = "decent_work_placement", _("Decent-work placement at legal age")
    EMERGENCY_SUPPORT = "emergency_support", _("Emergency support")


class Currency(models.TextChoices):
    USD = "USD", _("US dollar")
    CDF = "CDF", _("Congolese franc")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Agreed, waiting for supervisor approval")
    AGREED = "agreed", _("Agreed")


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ClosureReason(models.TextChoices):
    """Why a case closed: the two successes first, then the other closures."""

    COMPLETED = "completed", _("Out of child labour and in school or training")
    DECENT_WORK = "decent_work", _("Reached working age and in decent work")
    MOVED = "moved", _("Moved away")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    REFUSED = "refused", _("Child or family refused further support")
    DECEASED = "deceased", _("Deceased")
    STATE_SERVICES = "state_services", _("Transferred to state services")


SUCCESS_CLOSURES = frozenset({ClosureReason.COMPLETED.value, ClosureReason.DECENT_WORK.value})


class ClosureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for supervisor approval")
    APPROVED = "approved", _("Closed")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled by a later event")


class FollowUpSchedule(models.TextChoices):
    MONTHLY = "monthly", _("Every month")
    THREE_AND_SIX_MONTHS = "three_and_six_months", _("3 and 6 months after remediation starts")


class NotificationKind(models.TextChoices):
    """A deadline someone missed (or an end coming), and who is told: docs/cases.md."""

    # The referral desk
    IDENTIFICATION_OVERDUE = "identification_overdue", _("Child not referred in time")
    REFERRAL_OVERDUE = "referral_overdue", _("Referral not answered in time")
    # The case manager
    STEP_OVERDUE = "step_overdue", _("Case step overdue")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up overdue")
    PLAN_ITEM_ENDING = "plan_item_ending", _("Plan item ending")
    # The supervisors of the agency
    PLAN_APPROVAL_OVERDUE = "plan_approval_overdue", _("Plan waiting too long for approval")
    CLOSURE_APPROVAL_OVERDUE = (
        "closure_approval_overdue",
        _("Closure waiting too long for approval"),
    )
