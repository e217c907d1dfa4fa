"""Sponsored cohorts: a company funds places; the Hub gives cases those places."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.cases import cases_visible_to
from accounts.models import Organisation
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from cases.models import Case
from companies.models import Cohort, CohortCase
from companies.services._checks import require_company, require_permission
from core.errors import DomainError


@transaction.atomic
def cohort_create(
    *,
    actor: Any,
    company: Organisation,
    name: str,
    places: int,
    starts_on: date,
    ends_on: date | None = None,
) -> Cohort:
    require_permission(actor, Permission.COMPANY_MANAGE)
    require_company(company)
    name = " ".join(name.split())
    if not name:
        raise DomainError("cohort.name_required", _("Give the cohort a name."), field="name")
    if places < 1:
        raise DomainError(
            "cohort.places_invalid", _("A cohort has at least one place."), field="places"
        )
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            "cohort.period_reversed", _("The cohort cannot end before it starts."), field="ends_on"
        )
    if Cohort.objects.filter(company=company, name__iexact=name).exists():
        raise DomainError(
            "cohort.name_taken", _("The company already has a cohort with this name."), field="name"
        )
    cohort = Cohort.objects.create(
        company=company, name=name, places=places, starts_on=starts_on, ends_on=ends_on
    )
    record_event(
        actor=actor,
        action=Action.COHORT_CREATE,
        subject=cohort,
        changes={"company": company.pk, "name": name, "places": places},
    )
    return cohort


@transaction.atomic
def cohort_assign_case(*, actor: Any, cohort: Cohort, case: Case) -> CohortCase:
    """Give `case` a place in `cohort` and make the cohort's company the case's sponsor.

    The cohort row is locked, so two people filling the last place cannot both succeed.
    """
    require_permission(actor, Permission.COMPANY_MANAGE)
    if actor is not None and not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise DomainError("cohort.case_unknown", _("No case you can see has this number."))
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if CohortCase.objects.filter(case=case).exists():
        raise DomainError(
            "cohort.case_already_placed", _("This case already holds a place in a cohort.")
        )
    current_sponsor = Case.objects.filter(pk=case.pk).values_list("sponsor_id", flat=True).get()
    if current_sponsor is not None and current_sponsor != locked.company_id:
        raise DomainError(
            "cohort.case_sponsored_elsewhere", _("Another company already sponsors this case.")
        )
    if CohortCase.objects.filter(cohort=locked).count() >= locked.places:
        raise DomainError(
            "cohort.full",
            _("All %(places)s places of this cohort are taken.") % {"places": locked.places},
        )
    placement = CohortCase.objects.create(cohort=locked, case=case, assigned_by=actor)
    # A plain update: the sponsor is not part of the case's workflow, so its version stays.
    # `updated_at` tells the indicator refresh that this child's sponsor changed.
    Case.objects.filter(pk=case.pk).update(sponsor_id=locked.company_id, updated_at=timezone.now())
    case.sponsor_id = locked.company_id
    record_event(
        actor=actor,
        action=Action.COHORT_ASSIGN,
        subject=case,
        changes={
            "cohort": locked.pk,
            "sponsor": {"old": current_sponsor, "new": locked.company_id},
        },
    )
    return placement


@transaction.atomic
def cohort_remove_case(*, actor: Any, case: Case) -> CohortCase:
    """Take `case` out of its cohort: the place is free again and the company no longer
    sponsors the case (a sponsor named without a cohort is left as it is)."""
    require_permission(actor, Permission.COMPANY_MANAGE)
    if actor is not None and not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise DomainError("cohort.case_unknown", _("No case you can see has this number."))
    placement = (
        CohortCase.objects.select_for_update().select_related("cohort").filter(case=case).first()
    )
    if placement is None:
        raise DomainError("cohort.case_not_placed", _("This case holds no place in a cohort."))
    company_id = placement.cohort.company_id
    placement.delete()
    Case.objects.filter(pk=case.pk, sponsor_id=company_id).update(
        sponsor_id=None, updated_at=timezone.now()
    )
    if case.sponsor_id == company_id:
        case.sponsor_id = None
    record_event(
        actor=actor,
        action=Action.COHORT_REMOVE,
        subject=case,
        changes={"cohort": placement.cohort_id, "sponsor": {"old": company_id, "new": None}},
    )
    return placement
