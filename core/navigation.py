"""The main menu: each entry shows only to users holding its permission."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.roles import Permission


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: Permission | None  # None: every signed-in user


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Home"), "core:home", None),
    NavItem(_("Areas"), "geo:area_list", Permission.AREA_READ),
    NavItem(_("Sites"), "geo:site_list", Permission.SITE_READ),
    NavItem(_("Households"), "monitoring:household_list", Permission.HOUSEHOLD_READ),
    # Auditors reach the (pseudonymised) child list here; household readers through its tabs.
    NavItem(_("Children"), "monitoring:child_list", Permission.CHILD_READ_PSEUDONYMISED),
    NavItem(_("Record a visit"), "monitoring:visit_new", Permission.VISIT_RECORD),
    NavItem(_("Referral desk"), "monitoring:desk", Permission.REFERRAL_MANAGE),
    NavItem(_("Referrals"), "cases:referral_inbox", Permission.CASE_READ),
    NavItem(_("Cases"), "cases:case_list", Permission.CASE_READ),
    NavItem(_("Notifications"), "cases:notifications", Permission.CASE_READ),
    NavItem(_("Duplicates"), "monitoring:duplicate_list", Permission.CHILD_MERGE),
    NavItem(_("Imports"), "collect:import_list", Permission.MONITORING_IMPORT),
    # Field phones: facilitators manage their own, hub admins everyone's (no role holds both).
    NavItem(_("Phones"), "openrosa:device_list", Permission.VISIT_RECORD),
    NavItem(_("Phones"), "openrosa:device_list", Permission.DEVICE_CREDENTIAL_MANAGE),
    NavItem(_("Phone submissions"), "openrosa:review_list", Permission.SUBMISSION_REVIEW),
    NavItem(_("Companies"), "companies:list", Permission.COMPANY_MANAGE),
    NavItem(_("Dashboard"), "reports:dashboard", Permission.REPORT_PROGRAMME_READ),
    NavItem(_("Agency dashboard"), "reports:agency", Permission.CASE_APPROVE),
    NavItem(_("Company reports"), "reports:company_list", Permission.REPORT_COMPANY_READ),
    NavItem(_("Users"), "accounts:admin_user_list", Permission.USER_MANAGE),
    NavItem(_("Organisations"), "accounts:admin_organisation_list", Permission.ORGANISATION_MANAGE),
    NavItem(_("Audit log"), "audit:event_list", Permission.AUDIT_READ),
    NavItem(_("API tokens"), "accounts:token_list", Permission.API_TOKEN_CREATE),
)
