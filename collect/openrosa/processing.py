"""Turning a stored submission into households, children and visits, after its commit.

Runs as a background task keyed on the submission: the records carry ids derived from the
instanceID, so running it again (a retry, a worker restart, staff re-processing after a fix)
finds what exists instead of duplicating it. A submission the services refuse (unknown
community, impossible age, unknown form version) goes to the review queue with the reason;
it is never dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import Action
from audit.services import record_event
from collect.models import Submission, SubmissionStatus
from collect.openrosa.edits import apply_edit
from collect.openrosa.instance import parse_instance
from collect.openrosa.values import VERSION_FIELD, Values, submission_values
from collect.openrosa.xlsforms import published_form
from core.errors import DomainError
from geo.models import Area, AreaLevel, Site
from monitoring.choices import VisitKind, VisitSource
from monitoring.models import Child, Visit
from monitoring.services.submissions import (
    PhoneChild,
    PhoneHousehold,
    household_visit_from_phone,
    phone_external_id,
)
from monitoring.services.visits import ActivityInput, ObservationInput, visit_record

logger = logging.getLogger(__name__)


def _activities(values: Values, prefix: str) -> tuple[ActivityInput, ...]:
    if values.text(f"{prefix}works") == "no":
        return ()
    return tuple(
        ActivityInput(
            task_code=values.required(f"{prefix}activity[{n}]/task"),
            hours_per_week=values.number(f"{prefix}activity[{n}]/hours", ""),
            hazards=values.tags(f"{prefix}activity[{n}]/hazards"),
            night=values.yes_no(f"{prefix}activity[{n}]/night") is True,
        )
        for n in range(1, values.count(f"{prefix}activity") + 1)
        if values.text(f"{prefix}activity[{n}]/task") or values.text(f"{prefix}activity[{n}]/hours")
    )


def _visit_day(values: Values) -> date:
    day = values.day("visited_on")
    if day is None:
        raise DomainError("submission.required", _("This answer is missing."), field="visited_on")
    return day


def _child_by_code(values: Values, path: str) -> Child:
    code = values.required(path).upper()
    child = Child.objects.filter(code=code).select_related("household__area").first()
    if child is None:
        raise DomainError("submission.unknown_child", _("No child has this code."), field=path)
    return child


def _observation(values: Values, prefix: str, child: Child) -> ObservationInput:
    return ObservationInput(
        child=child,
        school_status=values.text(f"{prefix}school_status"),
        activities=_activities(values, prefix),
        worst_forms=values.tags(f"{prefix}worst_forms"),
        immediate_danger=values.yes_no(f"{prefix}immediate_danger") is True,
        notes=values.text(f"{prefix}child_notes"),
    )


# Where a service's refusal points (`children[0].activities[1].hours_per_week`) in the form.
_SERVICE_PATH = re.compile(r"children\[(\d+)\]|activities\[(\d+)\]")
_SERVICE_FIELDS = {
    "household.area": "community",
    "estimated_age": "age",
    "hours_per_week": "hours",
    "household_chores_hours": "chores_hours",
    "head_name": "head_name",
}


def form_path(service_field: str | None) -> str:
    if not service_field:
        return ""
    if service_field in _SERVICE_FIELDS:
        return _SERVICE_FIELDS[service_field]
    path = _SERVICE_PATH.sub(
        lambda m: f"child[{int(m[1]) + 1}]" if m[1] else f"activity[{int(m[2]) + 1}]",
        service_field,
    )
    path = path.removeprefix("household.").replace(".", "/")
    head, _sep, last = path.rpartition("/")
    last = _SERVICE_FIELDS.get(last, last)
    return f"{head}/{last}" if head else last


def _household_visit(submission: Submission, values: Values, version: str) -> Visit:
    code = values.required("community")
    area = Area.objects.filter(code=code, level=AreaLevel.VILLAGE, is_active=True).first()
    if area is None:
        raise DomainError(
            "submission.unknown_community",
            _("No active community has this code."),
            field="community",
        )
    children = []
    for n in range(1, values.count("child") + 1):
        prefix = f"child[{n}]/"
        children.append(
            PhoneChild(
                first_name=values.text(f"{prefix}first_name"),
                last_name=values.text(f"{prefix}last_name"),
                sex=values.text(f"{prefix}sex"),
                birth_date=values.day(f"{prefix}birth_date"),
                age=values.integer(f"{prefix}age"),
                age_evidence=values.text(f"{prefix}age_evidence"),
                caregiver_consent=values.yes_no(f"{prefix}caregiver_consent"),
                child_assent=values.yes_no(f"{prefix}child_assent"),
                school_status=values.text(f"{prefix}school_status"),
                activities=_activities(values, prefix),
                household_chores_hours=values.number(f"{prefix}chores_hours"),
                worst_forms=values.tags(f"{prefix}worst_forms"),
                immediate_danger=values.yes_no(f"{prefix}immediate_danger") is True,
                notes=values.text(f"{prefix}child_notes"),
            )
        )
    return household_visit_from_phone(
        actor=submission.submitted_by,
        instance_id=submission.instance_id,
        form_version=version,
        visited_on=_visit_day(values),
        household=PhoneHousehold(area=area, **values.household_answers()),
        children=children,
        notes=values.text("notes"),
    )


def _site_visit(submission: Submission, values: Values, version: str) -> Visit:
    code = values.required("site")
    site = Site.objects.filter(code=code).select_related("area").first()
    if site is None:
        raise DomainError("submission.unknown_site", _("No site has this code."), field="site")
    observations = [
        _observation(values, f"child[{n}]/", _child_by_code(values, f"child[{n}]/child_code"))
        for n in range(1, values.count("child") + 1)
    ]
    return visit_record(
        actor=submission.submitted_by,
        kind=VisitKind.SITE,
        visited_on=_visit_day(values),
        facilitator=submission.submitted_by,
        observations=observations,
        source=VisitSource.ODK,
        site=site,
        external_id=phone_external_id(submission.instance_id),
        form_version=version,
        notes=values.text("notes"),
    )


def _follow_up(submission: Submission, values: Values, version: str) -> Visit:
    child = _child_by_code(values, "child_code")
    return visit_record(
        actor=submission.submitted_by,
        kind=VisitKind.FOLLOW_UP,
        visited_on=_visit_day(values),
        facilitator=submission.submitted_by,
        observations=[_observation(values, "", child)],
        source=VisitSource.ODK,
        household=child.household,
        external_id=phone_external_id(submission.instance_id),
        form_version=version,
        notes=values.text("notes"),
    )


_BUILDERS: dict[str, Callable[[Submission, Values, str], Visit]] = {
    "kinga_household_visit": _household_visit,
    "kinga_mine_site_visit": _site_visit,
    "kinga_case_follow_up": _follow_up,
}


def _known_version(submission: Submission) -> str:
    form = published_form(submission.form_id)
    if form is None or submission.form_id not in _BUILDERS:
        raise DomainError("submission.unknown_form", _("Kinga has no form with this id."))
    version = submission.corrections.get(VERSION_FIELD) or submission.form_version
    if version not in form.known_versions:
        raise DomainError(
            "submission.unknown_version",
            _("Kinga does not know version %(v)s of this form.") % {"v": version or "—"},
            field=VERSION_FIELD,
        )
    return version


def _records(submission: Submission) -> tuple[Visit, dict[str, Any]]:
    """The visit the submission makes, or corrects when it edits one already recorded."""
    version = _known_version(submission)
    previous = submission.previous
    if previous is not None and previous.status == SubmissionStatus.PROCESSED:
        visit, corrected = apply_edit(submission=submission, previous=previous)
        return visit, {"edit_of": previous.pk, "corrected": corrected}
    builder = _BUILDERS[submission.form_id]
    return builder(submission, Values(submission_values(submission)), version), {}


def process_submission(submission_id: int) -> None:
    """Make the records of one submission, or put it in the review queue with the reason."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("submitted_by", "previous")
            .get(pk=submission_id)
        )
        if submission.status in (SubmissionStatus.PROCESSED, SubmissionStatus.SUPERSEDED):
            return
        if submission.later_versions.exists():
            submission.status = SubmissionStatus.SUPERSEDED
            submission.save(update_fields=["status"])
            return
        previous = submission.previous
        try:
            with transaction.atomic():
                visit, edit = _records(submission)
        except Exception as error:
            if not isinstance(error, DomainError):
                logger.exception("processing submission %s failed", submission.pk)
                error = DomainError(
                    "submission.error",
                    _("An unexpected error stopped processing; process it again later."),
                )
            submission.status = SubmissionStatus.NEEDS_REVIEW
            submission.review_code = error.code
            submission.review_reason = str(error.message)
            submission.review_field = form_path(error.field)
            submission.save(
                update_fields=["status", "review_code", "review_reason", "review_field"]
            )
            record_event(
                actor=None,
                action=Action.SUBMISSION_REVIEW,
                subject=submission,
                changes={"code": error.code, "field": submission.review_field},
            )
            return
        submission.status = SubmissionStatus.PROCESSED
        submission.visit = visit
        submission.processed_at = timezone.now()
        submission.review_code = submission.review_reason = submission.review_field = ""
        submission.save()
        if previous is not None:  # the edit now holds the answers; its records, if any, follow
            previous.status = SubmissionStatus.SUPERSEDED
            previous.save(update_fields=["status"])
        record_event(
            actor=None,
            action=Action.SUBMISSION_PROCESS,
            subject=submission,
            changes={"visit": visit.pk, **edit},
        )


@transaction.atomic
def submission_view_record(*, actor: Any, submission: Submission) -> None:
    """Log that staff read a submission: it holds children's names, as their records do."""
    record_event(actor=actor, action=Action.SUBMISSION_VIEW, subject=submission)


@transaction.atomic
def submission_correct(*, actor: Any, submission: Submission, corrections: dict[str, str]) -> None:
    """Store staff corrections (the XML is never changed) and process the submission again."""
    if submission.status != SubmissionStatus.NEEDS_REVIEW:
        raise DomainError(
            "submission.not_in_review", _("Only a submission waiting for review can be fixed.")
        )
    original = parse_instance(submission.xml.encode()).values
    changed = {
        path: value.strip()
        for path, value in corrections.items()
        if (path in original or path == VERSION_FIELD)
        and value.strip() != submission.corrections.get(path, original.get(path, "")).strip()
    }
    submission.corrections = {**submission.corrections, **changed}
    submission.status = SubmissionStatus.RECEIVED
    submission.save(update_fields=["corrections", "status"])
    record_event(
        actor=actor,
        action=Action.SUBMISSION_FIX,
        subject=submission,
        changes={"fields": sorted(changed)},
    )
    from core.tasks import enqueue_on_commit

    enqueue_on_commit(process_submission, submission.pk)
