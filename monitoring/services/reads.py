"""Reads of child and household records that must leave a trace (docs/privacy.md: reads are
logged)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.actions import Action
from audit.services import record_event
from monitoring.models import Child, Household


@transaction.atomic
def child_view_record(*, actor: Any, child: Child, via: str, reason: str = "") -> None:
    """Log that `actor` opened `child`'s record from the page named by `via`."""
    record_event(
        actor=actor,
        action=Action.CHILD_VIEW,
        subject=child,
        changes={"via": via},
        reason=reason,
    )


@transaction.atomic
def household_view_record(*, actor: Any, household: Household, via: str, reason: str = "") -> None:
    """Log that `actor` opened `household`'s record from the page or endpoint named by `via`."""
    record_event(
        actor=actor,
        action=Action.HOUSEHOLD_VIEW,
        subject=household,
        changes={"via": via},
        reason=reason,
    )
