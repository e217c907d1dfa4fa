"""An edit sent from a phone (meta/deprecatedID) of a submission already turned into records.

The edit is compared with the version it replaces, answer by answer. What the monitoring
services can correct is corrected through them: the household's head, phone, place and
circumstances (`household_update`), a child's names and date of birth or age (`child_update`,
which classifies the child's visits again at the corrected age and updates the identification).
What a visit keeps as it was observed (the work seen, hours, hazards, school, signs, the day,
the community, who was seen) is never rewritten: such an edit waits in review, naming those
answers and saying what a person does with them.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from collect.models import Submission
from collect.openrosa.values import FORM_METADATA, Values, submission_values
from core.errors import DomainError
from monitoring.models import Child, Visit
from monitoring.services.child_update import child_update
from monitoring.services.children import birth_date_from
from monitoring.services.households import household_update
from monitoring.services.submissions import phone_external_id

HOUSEHOLD_FORM = "kinga_household_visit"
_HOUSEHOLD_ANSWERS = {
    "head_name",
    "phone",
    "location",
    "members_count",
    "mining_dependence",
    "school_cost_burden",
}
_CHILD_ANSWER = re.compile(r"^child\[(\d+)\]/(first_name|last_name|birth_date|age)$")


def changed_answers(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The answers that differ, leaving out what the phone fills in itself."""
    paths = (old.keys() | new.keys()) - FORM_METADATA
    return sorted(path for path in paths if old.get(path) != new.get(path))


def _correctable(form_id: str, path: str, old: dict[str, str]) -> bool:
    """Whether a service can correct this answer on the records the first version made."""
    if form_id != HOUSEHOLD_FORM:
        return False  # site visits and follow-ups name children by code: all of it is observed
    if path in _HOUSEHOLD_ANSWERS:
        return True
    match = _CHILD_ANSWER.match(path)
    return match is not None and f"child[{match[1]}]/first_name" in old  # a child it already had


def apply_edit(*, submission: Submission, previous: Submission) -> tuple[Visit, list[str]]:
    """Correct the records `previous` made with what `submission` changed.

    Returns the visit and the answers corrected; raises DomainError (the review queue) when
    the edit changes an observed answer. Runs inside the caller's transaction.
    """
    visit = previous.visit
    if visit is None:
        raise DomainError(
            "submission.edit_without_records",
            _("The version this edit replaces has no records any more; process it by hand."),
        )
    old, new = submission_values(previous), submission_values(submission)
    changed = changed_answers(old, new)
    observed = [path for path in changed if not _correctable(submission.form_id, path, old)]
    if observed:
        raise DomainError(
            "submission.edit_changes_observations",
            _(
                "This edit changes answers that a recorded visit keeps as they were observed: "
                "%(answers)s. Kinga does not rewrite a visit. Check these answers with the "
                "facilitator; if the new ones are right, record them as a new visit (a "
                "follow-up of the child). Then set them back here to the first version's "
                "answers and save: Kinga applies the rest of the edit (names, date of birth "
                "or age, household) to the records."
            )
            % {"answers": ", ".join(observed)},
            field=observed[0],
        )
    actor = submission.submitted_by
    values = Values(new)
    if any(path in _HOUSEHOLD_ANSWERS for path in changed) and visit.household is not None:
        _correct_household(actor, visit, values, changed)
    children = sorted({int(m[1]) for path in changed if (m := _CHILD_ANSWER.match(path))})
    for number in children:
        _correct_child(
            actor=actor,
            previous=previous,
            visit=visit,
            values=values,
            number=number,
            changed=changed,
        )
    return visit, changed


def _correct_household(actor: Any, visit: Visit, values: Values, changed: list[str]) -> None:
    household = visit.household
    assert household is not None
    # Start from the household as it is now: staff may have corrected other answers since.
    current: dict[str, Any] = {
        "head_name": household.head_name,
        "phone": household.phone,
        "location": household.location,
        "members_count": household.members_count,
        "mining_dependence": household.mining_dependence,
        "school_cost_burden": household.school_cost_burden,
    }
    edited = values.household_answers()
    current.update({name: edited[name] for name in _HOUSEHOLD_ANSWERS if name in changed})
    household_update(
        actor=actor, household=household, income_sources=household.income_sources, **current
    )


def _correct_child(
    *,
    actor: Any,
    previous: Submission,
    visit: Visit,
    values: Values,
    number: int,
    changed: list[str],
) -> None:
    prefix = f"child[{number}]/"
    # The children carry the key of the submission that made the visit, which for an edit of
    # an edit is not `previous`: the visit keeps that key.
    key = f"{visit.external_id or phone_external_id(previous.instance_id)}:child:{number}"
    child = Child.objects.filter(external_id=key).first()
    if child is None:
        raise DomainError(
            "submission.edit_child_missing",
            _("The child this edit corrects is no longer on record (merged or removed)."),
            field=f"{prefix}first_name",
        )
    # Only what the edit changed: staff may have corrected the rest of the record since.
    first_name = values.text(f"{prefix}first_name") if f"{prefix}first_name" in changed else None
    last_name = values.text(f"{prefix}last_name") if f"{prefix}last_name" in changed else None
    born = values.day(f"{prefix}birth_date")
    try:
        birth_date, estimated = child.birth_date, child.birth_date_is_estimated
        if {f"{prefix}birth_date", f"{prefix}age"} & set(changed):
            birth_date, estimated = birth_date_from(
                birth_date=born,
                estimated_age=values.integer(f"{prefix}age") if born is None else None,
                estimated_on=visit.visited_on,
            )
        child_update(
            actor=actor,
            child=child,
            first_name=child.first_name if first_name is None else first_name,
            last_name=child.last_name if last_name is None else last_name,
            birth_date=birth_date,
            birth_date_is_estimated=estimated,
        )
    except DomainError as error:  # point at the answer in the form, not the service's field
        answer = error.field or "first_name"
        if answer in ("birth_date", "estimated_age") and born is None:
            answer = "age"
        raise DomainError(error.code, error.message, field=f"{prefix}{answer}") from None
