"""Nominations: a company names a supplier; the Hub invites it and follows its answer.

nominated → invited → accepted → active, or nominated/invited → declined. Each step is one
service, locks the nomination row, stamps its date and writes its audit event.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.models import Organisation
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from companies.models import (
    OPEN_NOMINATION_STATUSES,
    LinkSource,
    Nomination,
    NominationStatus,
    SupplyChainLink,
)
from companies.services._checks import require_company, require_own_company, require_permission
from companies.services.supply_chain import (
    check_buyer,
    check_tier,
    link_add,
    supplier_find_or_create,
)
from core.errors import DomainError

S = NominationStatus
# The states each step may start from.
_ALLOWED_FROM: dict[str, frozenset[str]] = {
    S.INVITED: frozenset({S.NOMINATED}),
    S.ACCEPTED: frozenset({S.INVITED}),
    S.DECLINED: frozenset({S.NOMINATED, S.INVITED}),
    S.ACTIVE: frozenset({S.ACCEPTED}),
}
_STAMPS: dict[str, str] = {
    S.INVITED: "invited_at",
    S.ACCEPTED: "accepted_at",
    S.DECLINED: "declined_at",
    S.ACTIVE: "activated_at",
}


@transaction.atomic
def nomination_create(
    *,
    actor: Any,
    company: Organisation,
    supplier_name: str,
    tier: int,
    buyer: Organisation | None = None,
    contact_email: str = "",
    note: str = "",
) -> Nomination:
    """A company member nominates a supplier of their own company (the Hub may for any)."""
    if actor is not None and not (
        _holds(actor, Permission.SUPPLIER_NOMINATE) or _holds(actor, Permission.COMPANY_MANAGE)
    ):
        raise DomainError("company.not_allowed", _("Your role cannot do this."))
    require_company(company)
    require_own_company(actor, company)
    supplier_name = " ".join(supplier_name.split())
    if not supplier_name:
        raise DomainError(
            "nomination.name_required", _("Give the supplier's name."), field="supplier_name"
        )
    check_tier(tier)
    check_buyer(company, buyer)
    contact_email = contact_email.strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            raise DomainError(
                "nomination.email_invalid",
                _("This is not an email address."),
                field="contact_email",
            ) from None
    if Nomination.objects.filter(
        company=company, supplier_name__iexact=supplier_name, status__in=OPEN_NOMINATION_STATUSES
    ).exists():
        raise DomainError(
            "nomination.already_open",
            _("This supplier is already nominated."),
            field="supplier_name",
        )
    if SupplyChainLink.objects.filter(
        company=company, supplier__name__iexact=supplier_name
    ).exists():
        raise DomainError(
            "nomination.already_in_chain",
            _("This supplier is already in your supply chain."),
            field="supplier_name",
        )
    nomination = Nomination.objects.create(
        company=company,
        supplier_name=supplier_name,
        tier=tier,
        buyer=buyer,
        contact_email=contact_email,
        note=note.strip(),
        nominated_by=actor,
    )
    record_event(
        actor=actor,
        action=Action.NOMINATION_CREATE,
        subject=nomination,
        changes={"company": company.pk, "supplier_name": supplier_name, "tier": tier},
    )
    return nomination


def _holds(actor: Any, permission: Permission) -> bool:
    return principal_for(actor).has(permission)


def _move(actor: Any, nomination: Nomination, to: str, action: Action, **extra: Any) -> Nomination:
    require_permission(actor, Permission.COMPANY_MANAGE)
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if locked.status not in _ALLOWED_FROM[to]:
        raise DomainError(
            "nomination.wrong_status",
            _("A nomination that is “%(status)s” cannot become “%(to)s”.")
            % {"status": S(locked.status).label, "to": S(to).label},
        )
    now = timezone.now()
    before = locked.status
    locked.status = to
    locked.updated_at = now
    setattr(locked, _STAMPS[to], now)
    for name, value in extra.items():
        setattr(locked, name, value)
    locked.save()
    changes: dict[str, Any] = {"status": {"old": before, "new": to}}
    changes.update({name: getattr(value, "pk", value) for name, value in extra.items()})
    record_event(actor=actor, action=action, subject=locked, changes=changes)
    nomination.refresh_from_db()
    return locked


@transaction.atomic
def nomination_invite(*, actor: Any, nomination: Nomination) -> Nomination:
    return _move(actor, nomination, S.INVITED, Action.NOMINATION_INVITE)


@transaction.atomic
def nomination_accept(*, actor: Any, nomination: Nomination) -> Nomination:
    """The supplier said yes: it becomes (or is found as) an organisation in Kinga."""
    supplier = nomination.supplier or supplier_find_or_create(
        actor=actor, name=nomination.supplier_name
    )
    return _move(actor, nomination, S.ACCEPTED, Action.NOMINATION_ACCEPT, supplier=supplier)


@transaction.atomic
def nomination_decline(*, actor: Any, nomination: Nomination, reason: str = "") -> Nomination:
    return _move(
        actor, nomination, S.DECLINED, Action.NOMINATION_DECLINE, decline_reason=reason.strip()
    )


@transaction.atomic
def nomination_activate(*, actor: Any, nomination: Nomination) -> Nomination:
    """The supplier takes part: it joins the company's chain at the nominated tier."""
    moved = _move(actor, nomination, S.ACTIVE, Action.NOMINATION_ACTIVATE)
    assert moved.supplier is not None  # set on acceptance
    if not SupplyChainLink.objects.filter(
        company_id=moved.company_id, supplier=moved.supplier
    ).exists():
        buyer = moved.buyer
        if buyer is not None and buyer.pk != moved.company_id:
            in_chain = SupplyChainLink.objects.filter(
                company_id=moved.company_id, supplier=buyer
            ).exists()
            buyer = buyer if in_chain else None
        link_add(
            actor=actor,
            company=moved.company,
            supplier=moved.supplier,
            tier=moved.tier,
            buyer=buyer,
            source=LinkSource.NOMINATION,
        )
    return moved
