"""Agencies, referrals, cases, plans and follow-ups (one module each)."""

from cases.models.agencies import Accreditation, BackgroundCheck, CaseWorkerProfile, TrainingRecord
from cases.models.cases import (
    Case,
    CaseAttachment,
    CaseClosure,
    CaseEvent,
    CaseNumberCounter,
    CaseTransfer,
)
from cases.models.follow_ups import FollowUp
from cases.models.notifications import Notification
from cases.models.plans import Assessment, PlanItem, RemediationPlan
from cases.models.referrals import Referral

__all__ = [
    "Accreditation",
    "Assessment",
    "BackgroundCheck",
    "Case",
    "CaseAttachment",
    "CaseClosure",
    "CaseEvent",
    "CaseNumberCounter",
    "CaseTransfer",
    "CaseWorkerProfile",
    "FollowUp",
    "Notification",
    "PlanItem",
    "Referral",
    "RemediationPlan",
    "TrainingRecord",
]
