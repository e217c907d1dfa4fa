"""Memberships and contributions of member companies (Hub staff only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.roles import Permission
from audit.actions import Action
from audit.services import diff, record_event, snapshot
from companies.models import (
    CompanyMembership,
    Contribution,
    ContributionKind,
    MembershipStatus,
    ParticipationPackage,
)
from companies.services._checks import require_company, require_permission
from core.errors import DomainError

_AUDITED = ["package", "status", "starts_on", "ends_on", "currency"]


@transaction.atomic
def membership_set(
    *,
    actor: Any,
    company: Organisation,
    package: str,
    status: str,
    starts_on: date,
    ends_on: date | None = None,
    currency: str = "USD",
) -> CompanyMembership:
    """Create or change the company's membership (package, status, period)."""
    require_permission(actor, Permission.COMPANY_MANAGE)
    require_company(company)
    if package not in ParticipationPackage.values:
        raise DomainError("membership.package_unknown", _("Unknown package."), field="package")
    if status not in MembershipStatus.values:
        raise DomainError("membership.status_unknown", _("Unknown status."), field="status")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            "membership.period_reversed",
            _("The membership cannot end before it starts."),
            field="ends_on",
        )
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise DomainError(
            "membership.currency_invalid",
            _("Write the currency as a three-letter code, such as USD."),
            field="currency",
        )
    membership = CompanyMembership.objects.select_for_update().filter(company=company).first()
    values = {
        "package": package,
        "status": status,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "currency": currency,
    }
    if membership is None:
        membership = CompanyMembership.objects.create(company=company, **values)
        changes: dict[str, Any] = {
            name: {"old": None, "new": str(value) if value is not None else None}
            for name, value in values.items()
        }
    else:
        before = snapshot(membership, _AUDITED)
        for name, value in values.items():
            setattr(membership, name, value)
        membership.updated_at = timezone.now()
        membership.save()
        changes = diff(membership, before, _AUDITED)
    record_event(actor=actor, action=Action.MEMBERSHIP_SET, subject=membership, changes=changes)
    return membership


@transaction.atomic
def contribution_record(
    *,
    actor: Any,
    membership: CompanyMembership,
    kind: str,
    amount: Decimal,
    recorded_on: date,
    reference: str = "",
) -> Contribution:
    """Record a pledge or a payment. Contributions are never edited: a mistake is corrected
    by a further row, so the history of what was promised and paid stays readable."""
    require_permission(actor, Permission.COMPANY_MANAGE)
    if kind not in ContributionKind.values:
        raise DomainError("contribution.kind_unknown", _("Unknown kind."), field="kind")
    if amount <= 0:
        raise DomainError(
            "contribution.amount_invalid", _("The amount must be above zero."), field="amount"
        )
    contribution = Contribution.objects.create(
        membership=membership,
        kind=kind,
        amount=amount,
        recorded_on=recorded_on,
        reference=reference.strip(),
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action=Action.CONTRIBUTION_RECORD,
        subject=contribution,
        changes={
            "company": membership.company_id,
            "kind": kind,
            "amount": str(amount),
            "currency": membership.currency,
            "recorded_on": recorded_on.isoformat(),
        },
    )
    return contribution
