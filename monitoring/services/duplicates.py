"""Finding and merging child records that may be the same child.

Candidates are found by comparing keyed hashes, never plaintext: two records are candidates
when they share a first name (hash) in the same household with birth years at most two apart,
or share a full name (hash) and date of birth anywhere in the programme. For a child whose
household is not known, "the same household" is the other children met without a household in
the same community; and such a child is also paired with the children of that community's
households who share the first name and birth years (the family may be on file already).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.roles import Permission
from audit.actions import Action
from audit.services import record_event
from core.errors import DomainError
from monitoring.choices import DuplicateStatus, IdentificationStatus
from monitoring.models import Child, DuplicateCandidate, Identification

SAME_HOUSEHOLD_FIRST_NAME = "same_household_first_name"
SAME_NAME_AND_BIRTH_DATE = "same_name_and_birth_date"
SAME_COMMUNITY_FIRST_NAME = "same_community_first_name"
BIRTH_YEAR_TOLERANCE = 2


def find_candidates(child: Child) -> list[DuplicateCandidate]:
    """Record candidate pairs for `child`; already known pairs are left as they are."""
    live = Child.objects.filter(merged_into__isnull=True).exclude(pk=child.pk)
    year = child.birth_date.year
    if child.household is not None:
        same_place = Q(household_id=child.household_id)
        met_nearby = Q(household__isnull=True, area_id=child.household.area_id)
    else:
        same_place = Q(household__isnull=True, area_id=child.area_id)
        met_nearby = Q(household__area_id=child.area_id)
    same_first_name = live.filter(
        same_place | met_nearby,
        first_name_hash=child.first_name_hash,
        birth_date__year__gte=year - BIRTH_YEAR_TOLERANCE,
        birth_date__year__lte=year + BIRTH_YEAR_TOLERANCE,
    ).values_list("id", "household_id")
    found = [
        (
            other_id,
            SAME_HOUSEHOLD_FIRST_NAME
            if household_id == child.household_id
            else SAME_COMMUNITY_FIRST_NAME,
        )
        for other_id, household_id in same_first_name
    ]
    if child.last_name:
        same_name = live.filter(
            ~same_place,
            name_hash=child.name_hash,
            birth_date=child.birth_date,
        ).values_list("id", flat=True)
        found += [(other_id, SAME_NAME_AND_BIRTH_DATE) for other_id in same_name]
    candidates = []
    for other_id, reason in found:
        low, high = sorted((child.pk, other_id))
        try:
            with transaction.atomic():
                candidate, _created = DuplicateCandidate.objects.get_or_create(
                    child_id=low, other_id=high, defaults={"reason": reason}
                )
        except IntegrityError:  # found by a concurrent registration at the same moment
            candidate = DuplicateCandidate.objects.get(child_id=low, other_id=high)
        candidates.append(candidate)
    return candidates


def _require_merge_right(actor: Any) -> None:
    if not principal_for(actor).has(Permission.CHILD_MERGE):
        raise DomainError("duplicate.not_allowed", _("Only hub staff can merge child records."))


@transaction.atomic
def duplicate_merge(*, actor: Any, candidate: DuplicateCandidate, keep: Child) -> Child:
    """Merge the candidate pair into `keep`: every visit, consent and identification moves.

    The other record stays, marked `merged_into`, so links and audit rows still resolve.
    """
    _require_merge_right(actor)
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateStatus.OPEN:
        raise DomainError("duplicate.reviewed", _("This pair was already reviewed."))
    if keep.pk not in (candidate.child_id, candidate.other_id):
        raise DomainError("duplicate.keep", _("Keep one of the two records."), field="keep")
    gone = Child.objects.get(
        pk=candidate.other_id if keep.pk == candidate.child_id else candidate.child_id
    )
    from cases.models import Case  # cases depends on monitoring: no module-level import

    if Case.objects.filter(child=gone).exists():
        # A case is one child's, followed for years: it never moves to another record here.
        raise DomainError(
            "duplicate.case_on_merged_record",
            _(
                "The record you would merge away has a case. Keep that record instead; if both "
                "records have a case, ask the case managers to close one first."
            ),
            field="keep",
        )
    if gone.observations.filter(visit__in=keep.observations.values("visit")).exists():
        raise DomainError(
            "duplicate.same_visit",
            _("Both records were seen on the same visit, so they are two different children."),
        )
    moved_observations = gone.observations.update(child=keep)
    moved_consents = gone.consents.update(child=keep)
    _merge_identifications(keep=keep, gone=gone)
    if not keep.last_name and gone.last_name:
        keep.last_name = gone.last_name
        keep.name_hash = gone.name_hash
        keep.save(update_fields=["last_name", "name_hash"])
    gone.merged_into = keep
    gone.save(update_fields=["merged_into"])
    household_taken = _take_household(keep=keep, gone=gone)
    # The indicator refresh finds changed children by `updated_at`: both records' facts change
    # (visits moved, one record gone, perhaps a household taken).
    Child.objects.filter(pk__in=[keep.pk, gone.pk]).update(updated_at=timezone.now())
    candidate.status = DuplicateStatus.MERGED
    candidate.reviewed_by = actor
    candidate.reviewed_at = timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    DuplicateCandidate.objects.filter(
        Q(child=gone) | Q(other=gone), status=DuplicateStatus.OPEN
    ).update(status=DuplicateStatus.DISMISSED, reviewed_by=actor, reviewed_at=timezone.now())
    record_event(
        actor=actor,
        action=Action.CHILD_MERGE,
        subject=keep,
        changes={
            "merged": gone.pk,
            "observations_moved": moved_observations,
            "consents_moved": moved_consents,
            **({"household_from_merged": household_taken} if household_taken else {}),
        },
    )
    return keep


def _take_household(*, keep: Child, gone: Child) -> int | None:
    """A record met without a household, kept over one in a household, joins that household:
    merging is how a child met on a mine site meets their family's record (decision 0009)."""
    if keep.household_id is not None or gone.household is None:
        return None
    # Imported here: the children services import this module.
    from monitoring.services.children import duplicate_key

    keep.household = gone.household
    keep.area = None
    keep.duplicate_key = duplicate_key(keep.first_name, keep.birth_date, gone.household)
    keep.save(update_fields=["household", "area", "duplicate_key"])
    return gone.household.pk


def _merge_identifications(*, keep: Child, gone: Child) -> None:
    """At most one open identification may remain: keep the more urgent deadline."""
    open_ones = list(
        Identification.objects.select_for_update()
        .filter(child__in=[keep, gone], status=IdentificationStatus.OPEN)
        .order_by("deadline_at")
    )
    for extra in open_ones[1:]:
        extra.status = IdentificationStatus.CLOSED
        extra.save(update_fields=["status"])
    Identification.objects.filter(child=gone).update(child=keep)


@transaction.atomic
def duplicate_dismiss(*, actor: Any, candidate: DuplicateCandidate, reason: str) -> None:
    _require_merge_right(actor)
    if candidate.status != DuplicateStatus.OPEN:
        raise DomainError("duplicate.reviewed", _("This pair was already reviewed."))
    candidate.status = DuplicateStatus.DISMISSED
    candidate.reviewed_by = actor
    candidate.reviewed_at = timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    record_event(actor=actor, action=Action.DUPLICATE_DISMISS, subject=candidate, reason=reason)
