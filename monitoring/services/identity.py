"""Audited page views of households and children, and identity shown for a stated reason.

Each page view of a child or household writes one audit event (DESIGN.md, privacy). A programme
manager sees a child's identity only after saying why: `identity_reveal` checks the reason and
records it in the same transaction as the event that grants the view.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from access.monitoring import identity_needs_reason, identity_visible
from audit.actions import Action
from audit.services import record_event
from core.errors import DomainError
from monitoring.models import Child, Household

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500


@transaction.atomic
def household_viewed(*, actor: Any, household: Household) -> None:
    record_event(actor=actor, action=Action.HOUSEHOLD_VIEW, subject=household)


@transaction.atomic
def child_viewed(*, actor: Any, child: Child, identity_shown: bool, reason: str = "") -> None:
    """Log a view of `child`'s page; `reason` is the one given to see the identity, if any."""
    record_event(
        actor=actor,
        action=Action.CHILD_VIEW,
        subject=child,
        changes={"via": "child_page", "identity_shown": identity_shown},
        reason=reason,
    )


def clean_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if len(text) < REASON_MIN_LENGTH:
        raise DomainError(
            "child.identity_reason_short",
            _("Say why you need to see this child's identity, in at least %(n)s characters.")
            % {"n": REASON_MIN_LENGTH},
            field="reason",
        )
    if len(text) > REASON_MAX_LENGTH:
        raise DomainError(
            "child.identity_reason_long",
            _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX_LENGTH},
            field="reason",
        )
    return text


@transaction.atomic
def identity_reveal(*, actor: Any, child: Child, reason: str) -> str:
    """Let a programme manager see `child`'s identity for a stated reason; returns the reason.

    Users who see identities anyway need no reason; everyone else is refused.
    """
    if not identity_needs_reason(actor):
        if identity_visible(actor):
            return ""
        raise DomainError(
            "child.identity_refused",
            _("Your role does not allow seeing children's identities."),
            field="reason",
        )
    text = clean_reason(reason)
    record_event(
        actor=actor,
        action=Action.CHILD_VIEW,
        subject=child,
        changes={"via": "child_page", "identity_revealed": True},
        reason=text,
    )
    return text
