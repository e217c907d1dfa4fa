"""Who may act on a case: permissions held *in the case's agency*, and staff clearance.

A user's principal merges every role they hold; for case work that is not precise enough
(a case manager in one agency who also supervises in another must not approve in the first),
so these checks look at the roles held in the one agency concerned.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.models import RoleAssignment
from accounts.roles import ROLE_PERMISSIONS, Permission, Role
from cases.choices import AccreditationLevel
from cases.models import BackgroundCheck, CaseWorkerProfile
from core.errors import DomainError


def permissions_in(user: Any, organisation_id: int) -> frozenset[Permission]:
    """The permissions `user` holds today through roles in `organisation_id` only."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    today = timezone.localdate()
    roles = (
        RoleAssignment.objects.filter(
            user=user,
            organisation_id=organisation_id,
            organisation__is_active=True,
            starts_on__lte=today,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("role", flat=True)
    )
    held: set[Permission] = set()
    for role in roles:
        held |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(held)


def require_in_agency(actor: Any, agency_id: int, permission: Permission) -> None:
    held = permissions_in(actor, agency_id)
    if permission in held:
        return
    if permission == Permission.CASE_APPROVE and Permission.CASE_WRITE in held:
        # A case manager of the agency: say who can, rather than "not your agency".
        raise DomainError("case.not_allowed", _("Only a supervisor of this agency can do this."))
    raise DomainError(
        "case.not_allowed", _("Only staff of the agency holding this case can do this.")
    )


def require_referral_desk(actor: Any) -> None:
    if not principal_for(actor).has(Permission.REFERRAL_MANAGE):
        raise DomainError("referral.not_allowed", _("Only the referral desk can do this."))


def caseworker_level(user: Any) -> str:
    """A case worker's own level; without a recorded profile, junior (the safer default)."""
    profile = CaseWorkerProfile.objects.filter(user=user).only("level").first()
    return profile.level if profile is not None else AccreditationLevel.JUNIOR.value


def require_full_supervisor(actor: Any, agency_id: int) -> None:
    """Approvals need a supervisor of the same agency whose own level is full."""
    require_in_agency(actor, agency_id, Permission.CASE_APPROVE)
    if caseworker_level(actor) != AccreditationLevel.FULL:
        raise DomainError(
            "case.approver_level",
            _("Only a supervisor with full accreditation can approve this."),
        )


def is_full_supervisor(actor: Any, agency_id: int) -> bool:
    return (
        Permission.CASE_APPROVE in permissions_in(actor, agency_id)
        and caseworker_level(actor) == AccreditationLevel.FULL
    )


def display_name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or user.username)


def staff_refusal(user: Any, agency_id: int, *, on: date | None = None) -> str | None:
    """Why `user` cannot be assigned a new case in this agency today, or None if they can."""
    day = on or timezone.localdate()
    name = display_name(user)
    if Permission.CASE_WRITE not in permissions_in(user, agency_id):
        return _("%(name)s is not a case manager of this agency.") % {"name": name}
    checks = BackgroundCheck.objects.filter(user=user)
    if checks.filter(checked_on__lte=day, expires_on__gte=day).exists():
        return None
    latest = checks.order_by("-expires_on").first()
    if latest is None:
        return _("%(name)s has no background check on record, so cannot be assigned a case.") % {
            "name": name
        }
    if latest.expires_on < day:
        return _(
            "%(name)s's background check lapsed on %(date)s, so they cannot be assigned a new "
            "case until a new check is recorded."
        ) % {"name": name, "date": latest.expires_on.isoformat()}
    return _("%(name)s's background check only takes effect on %(date)s.") % {
        "name": name,
        "date": latest.checked_on.isoformat(),
    }


def require_assignable(user: Any, agency_id: int) -> None:
    refusal = staff_refusal(user, agency_id)
    if refusal is not None:
        raise DomainError("case.staff_not_cleared", refusal, field="case_manager")


def needs_supervisor_approval(actor: Any, case_manager: Any, agency_id: int) -> bool:
    """Plans and closures of junior work wait for a full supervisor: unless the person acting
    is that supervisor, approval is needed when the case manager or the actor is junior."""
    if is_full_supervisor(actor, agency_id):
        return False
    return AccreditationLevel.JUNIOR in {caseworker_level(case_manager), caseworker_level(actor)}
