"""The programme's case rules that are figures, not logic: deadlines, schedules, ages.

Settings (optional, read at call time so tests and deployments can change them):
- KINGA_FOLLOW_UP_SCHEDULE: "monthly" (default) or "three_and_six_months".
- KINGA_CLOSURE_CLEAN_FOLLOW_UPS: consecutive clean follow-ups needed to close (default 2).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from cases.choices import CaseState, FollowUpSchedule
from monitoring.choices import SchoolStatus, Urgency

CASE_NUMBER_PREFIX = "KIN"
# Minimum working age under Congolese law (DESIGN.md): decent work from 16, never hazardous.
WORKING_AGE = 16
ADULT_AGE = 18

# Removal from hazard: 24 hours for a child in danger, 72 hours otherwise (DESIGN.md).
PROTECTION_WINDOWS = {
    Urgency.IMMEDIATE: timedelta(hours=24),
    Urgency.HIGH: timedelta(hours=72),
    Urgency.STANDARD: timedelta(hours=72),
}
ASSESSMENT_WINDOW = timedelta(days=14)
APPROVAL_WINDOW = timedelta(days=7)
REMEDIATION_START_WINDOW = timedelta(days=30)

# School statuses that count as "enrolled" for closure: attending, even irregularly. A child
# enrolled but not attending is not counted: that is how children slip back into work.
ENROLLED_SCHOOL_STATUSES = frozenset(
    {SchoolStatus.ATTENDING_REGULARLY.value, SchoolStatus.ATTENDING_IRREGULARLY.value}
)


@dataclass(frozen=True)
class FollowUpPolicy:
    schedule: str
    clean_follow_ups_to_close: int


def follow_up_policy() -> FollowUpPolicy:
    schedule = getattr(settings, "KINGA_FOLLOW_UP_SCHEDULE", FollowUpSchedule.MONTHLY)
    if schedule not in FollowUpSchedule.values:
        raise ValueError(f"KINGA_FOLLOW_UP_SCHEDULE must be one of {FollowUpSchedule.values}")
    clean = int(getattr(settings, "KINGA_CLOSURE_CLEAN_FOLLOW_UPS", 2))
    if clean < 1:
        raise ValueError("KINGA_CLOSURE_CLEAN_FOLLOW_UPS must be at least 1")
    return FollowUpPolicy(schedule=schedule, clean_follow_ups_to_close=clean)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 January + 1 → 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_follow_up_due(
    *, remediation_started_on: date, follow_ups_since_start: int, last_visit_on: date | None
) -> date:
    """When the next follow-up is due under the programme's schedule.

    Monthly: a month after the last follow-up (or after remediation started). Three and six
    months: at 3 and 6 months after remediation started, then every 3 months until closure.
    """
    policy = follow_up_policy()
    if policy.schedule == FollowUpSchedule.THREE_AND_SIX_MONTHS:
        return add_months(remediation_started_on, 3 * (follow_ups_since_start + 1))
    return add_months(last_visit_on or remediation_started_on, 1)


def step_due_at(
    state: str, *, since: datetime, opened_at: datetime, urgency: str, awaiting_approval: bool
) -> datetime | None:
    """The deadline of the step a case is in; None where follow-up dates take over."""
    if state in (CaseState.IDENTIFIED, CaseState.IMMEDIATE_PROTECTION):
        return opened_at + PROTECTION_WINDOWS[Urgency(urgency)]
    if state == CaseState.ASSESSMENT:
        return since + ASSESSMENT_WINDOW
    if state == CaseState.PLAN_AGREED:
        return since + (APPROVAL_WINDOW if awaiting_approval else REMEDIATION_START_WINDOW)
    return None


def eighteenth_birthday(birth_date: date) -> date:
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:  # born on 29 February
        return date(birth_date.year + ADULT_AGE, 3, 1)


def due_at(step_due: datetime | None, follow_up_due_on: date | None) -> datetime | None:
    """What the case waits for next: the step deadline, else the end of the follow-up day."""
    if step_due is not None:
        return step_due
    if follow_up_due_on is not None:
        return timezone.make_aware(datetime.combine(follow_up_due_on, time.max))
    return None
