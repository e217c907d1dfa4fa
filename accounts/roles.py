"""Roles and permissions: the one place that says who may do what.

Permissions are a single enum of stable strings (`subject:action`). Roles map to sets of them
here and nowhere else; code asks `principal.has(Permission.CASE_READ)`, never "is this user a
case manager?", so that a change of policy is a change to this file.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Permission(StrEnum):
    # Administration
    USER_MANAGE = "user:manage"
    ORGANISATION_MANAGE = "organisation:manage"
    CONFIGURATION_MANAGE = "configuration:manage"
    # Geography
    AREA_READ = "area:read"
    AREA_MANAGE = "area:manage"
    SITE_READ = "site:read"
    SITE_MANAGE = "site:manage"
    # Audit
    AUDIT_READ = "audit:read"
    # Monitoring (households, children, visits)
    HOUSEHOLD_READ = "household:read"
    VISIT_RECORD = "visit:record"
    CHILD_READ_IDENTIFIED = "child:read_identified"
    # Sees identities only after stating a reason, each time (programme managers).
    CHILD_READ_IDENTIFIED_WITH_REASON = "child:read_identified_with_reason"
    CHILD_READ_PSEUDONYMISED = "child:read_pseudonymised"
    CHILD_MERGE = "child:merge"
    MONITORING_IMPORT = "monitoring:import"
    # Referral and cases
    REFERRAL_MANAGE = "referral:manage"
    CASE_READ = "case:read"
    CASE_WRITE = "case:write"
    CASE_APPROVE = "case:approve"
    # Reports
    REPORT_PROGRAMME_READ = "report:programme:read"
    REPORT_COMPANY_READ = "report:company:read"
    EXPORT_CREATE = "export:create"
    # Member companies: memberships, supply chains, cohorts (Hub); nominations (companies)
    COMPANY_MANAGE = "company:manage"
    SUPPLIER_NOMINATE = "supplier:nominate"
    # Personal API tokens
    API_TOKEN_CREATE = "api_token:create"  # noqa: S105 — a permission name, not a secret
    # Field phones (ODK Collect / KoboCollect): credentials for anyone's phone; review queue.
    DEVICE_CREDENTIAL_MANAGE = "device_credential:manage"
    SUBMISSION_REVIEW = "submission:review"


class Role(models.TextChoices):
    HUB_ADMIN = "hub_admin", _("Hub administrator")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    FACILITATOR = "facilitator", _("Community facilitator")
    CASE_MANAGER = "case_manager", _("Case manager")
    CASE_SUPERVISOR = "case_supervisor", _("Case supervisor")
    COMPANY_MEMBER = "company_member", _("Company member")
    AUDITOR = "auditor", _("Auditor")


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.HUB_ADMIN: frozenset(
        {
            P.USER_MANAGE,
            P.ORGANISATION_MANAGE,
            P.CONFIGURATION_MANAGE,
            P.AREA_READ,
            P.AREA_MANAGE,
            P.SITE_READ,
            P.SITE_MANAGE,
            P.AUDIT_READ,
            P.HOUSEHOLD_READ,
            P.CHILD_READ_IDENTIFIED,
            P.CHILD_MERGE,
            P.MONITORING_IMPORT,
            P.REFERRAL_MANAGE,
            P.CASE_READ,
            P.REPORT_PROGRAMME_READ,
            P.COMPANY_MANAGE,
            P.EXPORT_CREATE,
            P.API_TOKEN_CREATE,
            P.DEVICE_CREDENTIAL_MANAGE,
            P.SUBMISSION_REVIEW,
        }
    ),
    Role.PROGRAMME_MANAGER: frozenset(
        {
            P.AREA_READ,
            P.SITE_READ,
            P.SITE_MANAGE,
            P.HOUSEHOLD_READ,
            P.CHILD_READ_PSEUDONYMISED,
            P.CHILD_READ_IDENTIFIED_WITH_REASON,
            P.CHILD_MERGE,
            P.MONITORING_IMPORT,
            P.REFERRAL_MANAGE,
            P.CASE_READ,
            P.REPORT_PROGRAMME_READ,
            P.REPORT_COMPANY_READ,
            P.COMPANY_MANAGE,
            P.EXPORT_CREATE,
            P.API_TOKEN_CREATE,
        }
    ),
    Role.FACILITATOR: frozenset(
        {P.AREA_READ, P.SITE_READ, P.HOUSEHOLD_READ, P.VISIT_RECORD, P.CHILD_READ_IDENTIFIED}
    ),
    Role.CASE_MANAGER: frozenset(
        {P.AREA_READ, P.SITE_READ, P.CHILD_READ_IDENTIFIED, P.CASE_READ, P.CASE_WRITE}
    ),
    Role.CASE_SUPERVISOR: frozenset(
        {
            P.AREA_READ,
            P.SITE_READ,
            P.CHILD_READ_IDENTIFIED,
            P.CASE_READ,
            P.CASE_WRITE,
            P.CASE_APPROVE,
        }
    ),
    Role.COMPANY_MEMBER: frozenset({P.REPORT_COMPANY_READ, P.SUPPLIER_NOMINATE}),
    Role.AUDITOR: frozenset(
        {P.AREA_READ, P.SITE_READ, P.AUDIT_READ, P.CHILD_READ_PSEUDONYMISED, P.API_TOKEN_CREATE}
    ),
}

# Anyone who can see a child's identity must prove a second factor (DESIGN.md, privacy).
MFA_PERMISSIONS = frozenset(
    {P.CHILD_READ_IDENTIFIED, P.CHILD_READ_IDENTIFIED_WITH_REASON, P.USER_MANAGE, P.AUDIT_READ}
)

# The organisation type each role belongs to; assigning a role elsewhere is refused.
ROLE_ORGANISATION_TYPES: dict[Role, frozenset[str]] = {
    Role.HUB_ADMIN: frozenset({"hub"}),
    Role.PROGRAMME_MANAGER: frozenset({"hub"}),
    Role.FACILITATOR: frozenset({"partner", "hub"}),
    Role.CASE_MANAGER: frozenset({"agency"}),
    Role.CASE_SUPERVISOR: frozenset({"agency"}),
    Role.COMPANY_MEMBER: frozenset({"company"}),
    Role.AUDITOR: frozenset({"verifier", "hub", "government"}),
}

# Roles whose work is tied to communities: a facilitator sees only assigned areas.
AREA_SCOPED_ROLES = frozenset({Role.FACILITATOR})
