"""The whole visit form: its parts bound together, the input for the service, the preview that
writes nothing, and each refusal of the service put beside its field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from monitoring import selectors
from monitoring.choices import CATEGORY_CHOICES, IDENTIFYING_CATEGORIES
from monitoring.classification import Category
from monitoring.forms.visit import NEW, ChildForm, ChildFormSet, NewHouseholdForm, VisitForm
from monitoring.models import Child, Household
from monitoring.services.children import birth_date_from
from monitoring.services.classification import classify_facts, place_of_visit
from monitoring.services.identifications import URGENCY_WINDOWS, urgency_for
from monitoring.services.visit_entry import VisitEntry


@dataclass(frozen=True)
class PreviewChild:
    name: str
    age: int
    category: str
    category_label: str
    reasons: list[str]
    identified: bool
    urgency_label: str = ""
    window_hours: int = 0


_CHILD_PATH = re.compile(r"children\[(\d+)\](?:\.activities\[(\d+)\])?(?:\.(\w+))?")
_SERVICE_TO_FORM_FIELD = {"area": "community"}


class VisitEntryForms:
    """The visit form's parts: the visit, a new household, and each child with activities."""

    def __init__(self, user: Any, data: Any = None, *, household: Household | None = None) -> None:
        self.user = user
        self.is_bound = data is not None
        self.tasks = {task.code: task for task in selectors.active_tasks()}
        chosen = str(data.get("household", "")) if data is not None else ""
        if data is None and household is not None:
            chosen = str(household.pk)
        self.household = (
            selectors.recordable_household(user, chosen) if chosen not in ("", NEW) else None
        )
        self.visit = VisitForm(
            data,
            user=user,
            household=self.household,
            initial={"household": chosen} if chosen else None,
        )
        self.new_household = NewHouseholdForm(
            data, prefix="new_household", user=user, wanted=chosen == NEW
        )
        self.household_children = (
            selectors.children_for_visit(user, self.household) if self.household else []
        )
        self.children = ChildFormSet(
            data,
            prefix="children",
            form_kwargs={"children": self.household_children, "tasks": self.tasks},
        )
        self.errors: list[str] = []
        self._positions: list[tuple[int, ChildForm]] | None = None

    def is_valid(self) -> bool:
        results = [self.visit.is_valid(), self.new_household.is_valid(), self.children.is_valid()]
        return all(results) and not self.has_errors()

    def has_errors(self) -> bool:
        """Whether anything refused the input, including refusals added after validation."""
        if self.errors or self.visit.errors or self.new_household.errors:
            return True
        if self.children.non_form_errors():
            return True
        return any(
            form.errors or form.activity_errors or any(a.errors for a in form.activities.forms)
            for _i, form in self.children.live_forms()
        )

    def entry(self) -> VisitEntry:
        visit = self.visit.cleaned_data
        household = visit["household"]
        self._positions = self.children.live_forms()
        return VisitEntry(
            kind=visit["kind"],
            visited_on=visit["visited_on"],
            household=household if isinstance(household, Household) else None,
            new_household=self.new_household.household() if household == NEW else None,
            site=visit.get("site"),
            notes=visit.get("notes", ""),
            children=[form.seen(visit["visited_on"]) for _i, form in self._positions],
        )

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal beside the input its path names, else above the form."""
        path = error.field or ""
        message = error.message
        if path.startswith("household."):
            name = path.removeprefix("household.")
            name = _SERVICE_TO_FORM_FIELD.get(name, name)
            form: forms.Form = self.new_household
            form.add_error(name if name in form.fields else None, message)
            return
        match = _CHILD_PATH.fullmatch(path)
        if match is None:
            name = "household" if path == "area" else path
            if name in self.visit.fields:
                self.visit.add_error(name, message)
            else:
                self.errors.append(str(message))
            return
        self._add_child_error(match, message)

    def _add_child_error(self, match: re.Match[str], message: str) -> None:
        positions = self._positions or self.children.live_forms()
        child_index, activity_index, name = match.groups()
        if int(child_index) >= len(positions):
            self.errors.append(str(message))
            return
        child_form = positions[int(child_index)][1]
        if activity_index is not None:
            activities = child_form.activities.live_forms()
            if int(activity_index) < len(activities):
                activity_form = activities[int(activity_index)][1]
                activity_form.add_error(name if name in activity_form.fields else None, message)
                return
            name = "activities"
        if name == "activities":
            child_form.activity_errors.append(str(message))
        else:
            child_form.add_error(name if name in child_form.fields else None, message)

    def preview(self) -> list[PreviewChild]:
        """Each child's result as it would be saved; reads the catalogue, writes nothing."""
        visited_on: date = self.visit.cleaned_data["visited_on"]
        language = get_language() or "en"
        place = place_of_visit(
            self.visit.cleaned_data.get("site"),
            at_household=self.visit.cleaned_data.get("household") is not None,
        )
        results = []
        for position, (_index, form) in enumerate(self.children.live_forms()):
            age = self._age_at_visit(position, form, visited_on)
            if age is None:
                continue
            seen = form.seen(visited_on)
            result = classify_facts(
                age=age,
                activities=[activity.facts() for _i, activity in form.activities.live_forms()],
                chores_hours=Decimal(seen.household_chores_hours),
                worst_forms=seen.worst_forms,
                place=place,
            )
            category = Category(result.category)
            identified = category in IDENTIFYING_CATEGORIES
            urgency = urgency_for(category, immediate_danger=seen.immediate_danger)
            lang = "fr" if language.startswith("fr") else "en"
            results.append(
                PreviewChild(
                    name=form.display_name(),
                    age=age,
                    category=category.value,
                    category_label=str(dict(CATEGORY_CHOICES)[category.value]),
                    reasons=[rule.explanation.get(lang, "") for rule in result.reasons],
                    identified=identified,
                    urgency_label=str(urgency.label) if identified else "",
                    window_hours=int(URGENCY_WINDOWS[urgency].total_seconds() // 3600),
                )
            )
        return results

    def _age_at_visit(self, position: int, form: ChildForm, visited_on: date) -> int | None:
        data = form.cleaned_data
        child: Child | None = data.get("existing")
        if child is None:
            try:
                born, _estimated = birth_date_from(
                    birth_date=data.get("birth_date"),
                    estimated_age=data.get("estimated_age"),
                    estimated_on=visited_on,
                )
            except DomainError as error:
                path = f"children[{position}].{error.field}"
                self.add_domain_error(DomainError(error.code, error.message, field=path))
                return None
            child = Child(birth_date=born)  # unsaved: only its age rule is used
        age = child.age_on(visited_on)
        if age < 0:
            form.add_error(None, _("The visit is before the child's birth."))
            return None
        return age
