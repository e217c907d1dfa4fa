"""The parts of the visit form: the visit, a new household, each child and their activities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from geo.models import Area, Site
from monitoring import selectors
from monitoring.choices import (
    HAZARD_CHOICES,
    SECTOR_LABELS,
    WORST_FORM_CHOICES,
    AgeConfidence,
    AgeEvidence,
    IncomeSource,
    MiningDependence,
    SchoolCostBurden,
    SchoolStatus,
    Sex,
    VisitKind,
)
from monitoring.classification import Sector
from monitoring.forms.common import NestedCheckboxes, choice_field, date_field, hours_field
from monitoring.models import Child, Household, Task
from monitoring.services.children import OLDEST_AGE_RECORDED
from monitoring.services.classification import ActivityFacts
from monitoring.services.visit_entry import ChildSeen, NewChild, NewHousehold
from monitoring.services.visits import EARLIEST_VISIT, HOURS_IN_A_WEEK, ActivityInput

NEW = "new"
MAX_CHILDREN = 20
MAX_ACTIVITIES = 10


class VisitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of visit"), choices=VisitKind.choices, initial=VisitKind.HOUSEHOLD
    )
    visited_on = date_field(_("Date of visit"))
    household = forms.ChoiceField(
        label=_("Household"),
        required=False,
        help_text=_(
            "Not in the list? Find the household and use “Record a visit” on its page. On a "
            "site or school visit, leave it empty if the children's households are not known."
        ),
    )
    site = forms.ChoiceField(
        label=_("Site or school"),
        required=False,
        help_text=_("Only for site and school visits."),
    )
    notes = forms.CharField(
        label=_("Notes on the visit"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, household: Household | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        today = timezone.localdate()
        self.fields["visited_on"].initial = today
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()
        households = selectors.recordable_households(user)
        if household is not None and household not in households:
            households.insert(0, household)
        choice_field(self, "household").choices = [
            ("", _("Choose the household (or none, on a site visit)")),
            (NEW, _("A new household (fill in below)")),
            *((h.pk, f"{h.code} · {h.head_name}") for h in households),
        ]
        self._sites = {str(site.pk): site for site in selectors.recording_sites(user)}
        choice_field(self, "site").choices = [
            ("", _("None")),
            *((pk, f"{site.name} ({site.area.name})") for pk, site in self._sites.items()),
        ]

    def clean_visited_on(self) -> date:
        day = cast(date, self.cleaned_data["visited_on"])
        if day > timezone.localdate():
            raise forms.ValidationError(_("The visit date cannot be in the future."))
        if day < EARLIEST_VISIT:
            raise forms.ValidationError(_("Check the year of the visit date."))
        return day

    def clean_household(self) -> Household | str | None:
        value = self.cleaned_data["household"]
        if value == NEW:
            return NEW
        if not value:
            return None  # allowed on site and school visits only: see clean()
        household = selectors.recordable_household(self.user, value)
        if household is None:
            raise forms.ValidationError(_("Choose a household from your communities."))
        return household

    def clean_site(self) -> Site | None:
        value = self.cleaned_data.get("site") or ""
        return self._sites.get(value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in (VisitKind.SITE, VisitKind.SCHOOL) and not data.get("site"):
            self.add_error("site", _("Choose the site or school visited."))
        household_visit = data.get("kind") in (VisitKind.HOUSEHOLD, VisitKind.FOLLOW_UP)
        if household_visit and "household" in data and data["household"] is None:
            self.add_error("household", _("Choose the household visited."))
        return data


class NewHouseholdForm(forms.Form):
    """The household fields, checked only when "A new household" is chosen."""

    community = forms.ChoiceField(label=_("Community"))
    head_name = forms.CharField(label=_("Name of the head of household"), max_length=200)
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    members_count = forms.IntegerField(
        label=_("People in household"),
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    income_sources = forms.MultipleChoiceField(
        label=_("Income sources"),
        required=False,
        choices=IncomeSource.choices,
        widget=NestedCheckboxes,
    )
    mining_dependence = forms.ChoiceField(
        label=_("Dependence on mining"),
        choices=MiningDependence.choices,
        initial=MiningDependence.NONE,
    )
    school_cost_burden = forms.ChoiceField(
        label=_("School costs"), choices=SchoolCostBurden.choices, initial=SchoolCostBurden.NONE
    )

    def __init__(self, data: Any, *, prefix: str, user: Any, wanted: bool) -> None:
        super().__init__(
            data, prefix=prefix, empty_permitted=not wanted, use_required_attribute=False
        )
        self.wanted = wanted
        self._communities = {str(a.pk): a for a in selectors.recording_communities(user)}
        community = choice_field(self, "community")
        community.choices = [
            ("", _("Choose the community")),
            *((pk, area.name) for pk, area in self._communities.items()),
        ]
        if len(self._communities) == 1:
            community.initial = next(iter(self._communities))

    @property
    def has_communities(self) -> bool:
        return bool(self._communities)

    def has_changed(self) -> bool:
        # Not wanted: skip every check, keep what was typed for when the choice changes back.
        return self.wanted and super().has_changed()

    def clean_community(self) -> Area:
        area = self._communities.get(self.cleaned_data["community"])
        if area is None:
            raise forms.ValidationError(_("Choose one of your communities."))
        return area

    def household(self) -> NewHousehold:
        data = self.cleaned_data
        return NewHousehold(
            area=data["community"],
            head_name=data["head_name"],
            phone=data.get("phone", ""),
            members_count=data["members_count"],
            income_sources=tuple(data.get("income_sources") or ()),
            mining_dependence=data["mining_dependence"],
            school_cost_burden=data["school_cost_burden"],
        )


class TaskSelect(forms.Select):
    """A task drop-down whose options carry their typical hazards, for the script to pre-tick."""

    def __init__(self, *args: Any, hazards: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hazards = hazards

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        hazards = self.hazards.get(str(option["value"]))
        if hazards is not None:
            option["attrs"]["data-hazards"] = " ".join(hazards)
        return option


def task_label(task: Task, language: str) -> str:
    return f"{task.label(language)} — {SECTOR_LABELS[Sector(task.sector)]}"


class ActivityForm(forms.Form):
    task = forms.ChoiceField(label=_("Task"))
    hours_per_week = hours_field(_("Hours in the last 7 days"))
    hazards = forms.MultipleChoiceField(
        label=_("Hazards seen or described"),
        required=False,
        choices=HAZARD_CHOICES,
        widget=NestedCheckboxes,
    )
    night = forms.BooleanField(label=_("Some of it at night (7 pm to 7 am)"), required=False)

    def __init__(self, *args: Any, tasks: dict[str, Task], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tasks = tasks
        language = get_language() or "en"
        field = choice_field(self, "task")
        field.widget = TaskSelect(
            hazards={code: list(task.typical_hazards) for code, task in tasks.items()}
        )
        field.choices = [
            ("", _("Choose the task")),
            *((code, task_label(task, language)) for code, task in tasks.items()),
        ]

    def facts(self) -> ActivityFacts:
        data = self.cleaned_data
        task = self.tasks[data["task"]]
        return ActivityFacts(
            task_code=task.code,
            sector=task.sector,
            hours_per_week=data["hours_per_week"],
            hazards=tuple(data.get("hazards") or ()),
            night=bool(data.get("night")),
        )


def _removed(form: forms.Form) -> bool:
    """Whether the "remove" box of a formset form is ticked (read before or after validation)."""
    return bool(form.is_bound and form["DELETE"].value())


class BaseActivityFormSet(BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove this activity")

    @property
    def empty_form(self) -> ActivityForm:
        # The child template already uses __prefix__; activities need a placeholder of their own.
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__activity__"),
            empty_permitted=True,
            use_required_attribute=False,
            **self.get_form_kwargs(None),
        )
        self.add_fields(form, None)
        return cast(ActivityForm, form)

    def live_forms(self) -> list[tuple[int, ActivityForm]]:
        """(position, form) of activities filled in and not removed."""
        return [
            (index, form)
            for index, form in enumerate(self.forms)
            if form.has_changed() and not _removed(form)
        ]


ActivityFormSet = cast(
    type[BaseActivityFormSet],
    formset_factory(
        ActivityForm,
        formset=BaseActivityFormSet,
        extra=0,  # a child who did no work shows no empty row; "Add an activity" adds one
        max_num=MAX_ACTIVITIES,
        validate_max=True,
        can_delete=True,
    ),
)

CONSENT_CHOICES = [("", _("Not asked")), ("given", _("Given")), ("refused", _("Refused"))]


def _consent_answer(value: str) -> bool | None:
    return {"given": True, "refused": False}.get(value)


class ChildForm(forms.Form):
    existing = forms.ChoiceField(label=_("Child"), required=False)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(
        label=_("Last name"),
        required=False,
        max_length=100,
        help_text=_("Kept only if the caregiver consents to identification."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("Choose")), *Sex.choices]
    )
    birth_date = date_field(_("Date of birth"), required=False)
    estimated_age = forms.IntegerField(
        label=_("Or estimated age (years)"),
        required=False,
        min_value=0,
        max_value=OLDEST_AGE_RECORDED,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    age_evidence = forms.ChoiceField(
        label=_("How the age is known"),
        required=False,
        choices=[("", _("Choose")), *AgeEvidence.choices],
    )
    age_confidence = forms.ChoiceField(
        label=_("Confidence in the age"),
        required=False,
        choices=[("", _("Choose")), *AgeConfidence.choices],
    )
    caregiver_consent = forms.ChoiceField(
        label=_("Caregiver consent to identification and referral"),
        required=False,
        choices=CONSENT_CHOICES,
    )
    child_assent = forms.ChoiceField(
        label=_("Child's assent"), required=False, choices=CONSENT_CHOICES
    )
    school_status = forms.ChoiceField(
        label=_("School"), choices=[("", _("Choose")), *SchoolStatus.choices]
    )
    household_chores_hours = hours_field(
        _("Household chores, hours in the last 7 days"), required=False
    )
    worst_forms = forms.MultipleChoiceField(
        label=_("Signs of worst forms of child labour"),
        required=False,
        choices=WORST_FORM_CHOICES,
        widget=NestedCheckboxes,
    )
    immediate_danger = forms.BooleanField(
        label=_("The child is in immediate danger"), required=False
    )
    notes = forms.CharField(
        label=_("Observations"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    NEW_CHILD_FIELDS = ("first_name", "sex", "age_evidence", "age_confidence")

    def __init__(
        self, *args: Any, children: list[Child], tasks: dict[str, Task], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.children = {str(child.pk): child for child in children}
        today = timezone.localdate()
        choice_field(self, "existing").choices = [
            ("", _("A child not yet recorded (fill in below)")),
            *((pk, child_label(child, today)) for pk, child in self.children.items()),
        ]
        self.fields["birth_date"].widget.attrs["max"] = today.isoformat()
        self.activity_errors: list[str] = []
        self.activities = ActivityFormSet(
            self.data if self.is_bound else None,
            prefix=f"{self.prefix}-activities",
            form_kwargs={"tasks": tasks},
        )

    def has_changed(self) -> bool:
        return super().has_changed() or self.activities.has_changed()

    def clean_existing(self) -> Child | None:
        value = self.cleaned_data.get("existing") or ""
        return self.children.get(value) if value else None

    def clean_birth_date(self) -> date | None:
        born = self.cleaned_data.get("birth_date")
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth is in the future."))
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("existing") is None:
            for name in self.NEW_CHILD_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed for a child not yet recorded."))
            if (
                data.get("birth_date") is None
                and data.get("estimated_age") is None
                and "birth_date" not in self.errors
                and "estimated_age" not in self.errors
            ):
                self.add_error("birth_date", _("Give a date of birth or an estimated age."))
        if self.activities.is_valid():
            total = (data.get("household_chores_hours") or Decimal(0)) + sum(
                (form.cleaned_data["hours_per_week"] for _i, form in self.activities.live_forms()),
                Decimal(0),
            )
            if total > HOURS_IN_A_WEEK:
                self.activity_errors.append(
                    str(_("Work and chores add up to more than the 168 hours of a week."))
                )
        return data

    def nested_valid(self) -> bool:
        return self.activities.is_valid() and not self.activity_errors

    def seen(self, visited_on: date) -> ChildSeen:
        data = self.cleaned_data
        existing: Child | None = data.get("existing")
        new_child = None
        if existing is None:
            new_child = NewChild(
                first_name=data["first_name"],
                last_name=data.get("last_name", ""),
                sex=data["sex"],
                birth_date=data.get("birth_date"),
                estimated_age=data.get("estimated_age"),
                age_evidence=data["age_evidence"],
                age_confidence=data["age_confidence"],
            )
        return ChildSeen(
            child=existing,
            new_child=new_child,
            caregiver_consent=_consent_answer(data.get("caregiver_consent", "")),
            child_assent=_consent_answer(data.get("child_assent", "")),
            school_status=data["school_status"],
            activities=tuple(
                ActivityInput(
                    task_code=form.cleaned_data["task"],
                    hours_per_week=form.cleaned_data["hours_per_week"],
                    hazards=tuple(form.cleaned_data.get("hazards") or ()),
                    night=bool(form.cleaned_data.get("night")),
                )
                for _i, form in self.activities.live_forms()
            ),
            household_chores_hours=data.get("household_chores_hours") or Decimal(0),
            worst_forms=tuple(data.get("worst_forms") or ()),
            immediate_danger=bool(data.get("immediate_danger")),
            notes=data.get("notes", ""),
        )

    def display_name(self) -> str:
        data = self.cleaned_data
        existing: Child | None = data.get("existing")
        if existing is not None:
            return child_label(existing, timezone.localdate())
        return str(data.get("first_name", ""))


def child_label(child: Child, today: date) -> str:
    return str(
        _("%(name)s · %(code)s · %(age)s years")
        % {"name": child.first_name, "code": child.code, "age": child.age_on(today)}
    )


class BaseChildFormSet(BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove this child from the visit")

    def live_forms(self) -> list[tuple[int, ChildForm]]:
        """(position, form) of children filled in and not removed."""
        return [
            (index, cast(ChildForm, form))
            for index, form in enumerate(self.forms)
            if form.has_changed() and not _removed(form)
        ]

    def clean(self) -> None:
        super().clean()
        live = self.live_forms()
        if not live:
            raise forms.ValidationError(_("Add at least one child seen on this visit."))
        chosen = [form.cleaned_data.get("existing") for _i, form in live]
        chosen = [child for child in chosen if child is not None]
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("The same child is listed twice."))

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for _index, form in self.live_forms():
            valid = form.nested_valid() and valid
        return valid


ChildFormSet = cast(
    type[BaseChildFormSet],
    formset_factory(
        ChildForm,
        formset=BaseChildFormSet,
        extra=1,
        max_num=MAX_CHILDREN,
        validate_max=True,
        can_delete=True,
    ),
)
