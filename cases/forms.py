"""HTML forms of the case pages. They validate shapes; the services decide the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms.formsets import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.geo import areas_visible_to
from cases.attachments import MAX_ATTACHMENT_BYTES
from cases.choices import (
    CaseState,
    ClosureReason,
    Currency,
    NeedLevel,
    PlanItemKind,
    PlanItemStatus,
    RootCause,
)
from cases.services.referrals import MANUAL_SOURCES
from geo.models import Area
from monitoring.choices import WORST_FORM_CHOICES, ConsentKind, SchoolStatus, Urgency
from monitoring.forms.common import NestedCheckboxes, date_field, hours_field
from monitoring.forms.visit import ActivityForm, BaseActivityFormSet

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _text(label: Any, *, required: bool = True, max_length: int = 2000, **extra: Any) -> Any:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=TEXTAREA, **extra
    )


def _today_max(form: forms.Form, *names: str) -> None:
    today = timezone.localdate().isoformat()
    for name in names:
        form.fields[name].widget.attrs["max"] = today


class CaseFilterForm(forms.Form):
    """The GET form above the case list; an invalid value is reported and ignored."""

    q = forms.CharField(label=_("Case number or child code"), required=False, max_length=40)
    state = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("Any stage")), ("open", _("Any open stage")), *CaseState.choices],
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("Any urgency")), *Urgency.choices]
    )
    sponsor = forms.ChoiceField(label=_("Sponsor"), required=False)
    area = forms.CharField(
        label=_("Area code"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("My cases only"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("newest", _("Newest first")), ("due", _("Due next first"))],
    )

    def __init__(self, *args: Any, user: Any, sponsors: list[Any], **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["sponsor"]).choices = [
            ("", _("Any sponsor")),
            *((str(sponsor.pk), sponsor.name) for sponsor in sponsors),
        ]

    def clean_area(self) -> Area | None:
        code = self.cleaned_data.get("area", "").strip()
        if not code:
            return None
        area = areas_visible_to(self.user).filter(code__iexact=code).first()
        if area is None:
            raise forms.ValidationError(_("No area you can see has this code."))
        return area


class ReferForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"), widget=forms.RadioSelect)
    note = _text(_("Note for the agency"), required=False)

    def __init__(self, *args: Any, agencies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [
            (str(option.agency.pk), option.agency.name) for option in agencies
        ]


class ManualReferralForm(forms.Form):
    child_code = forms.CharField(
        label=_("Child code"),
        max_length=40,
        help_text=_("The child must already be recorded by monitoring."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    source = forms.ChoiceField(
        label=_("Where the referral comes from"),
        choices=[(source.value, source.label) for source in MANUAL_SOURCES],
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    agency = forms.ChoiceField(label=_("Agency"))
    note = _text(_("What was found, and why the child needs a case manager"))

    def __init__(self, *args: Any, agencies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [
            ("", _("Choose the agency")),
            *((str(agency.pk), agency.name) for agency in agencies),
        ]


class AcceptForm(forms.Form):
    case_manager = forms.ChoiceField(label=_("Case manager"))
    sponsor = forms.ChoiceField(label=_("Sponsor"), required=False)

    def __init__(self, *args: Any, staff: list[Any], sponsors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["case_manager"]).choices = [
            ("", _("Choose the case manager")),
            *((str(person.pk), str(person)) for person in staff),
        ]
        cast(forms.ChoiceField, self.fields["sponsor"]).choices = [
            ("", _("No sponsor")),
            *((str(sponsor.pk), sponsor.name) for sponsor in sponsors),
        ]


class ReasonForm(forms.Form):
    reason = _text(_("Reason"))


class NoteForm(forms.Form):
    note = _text(_("Note"), max_length=4000)


class OptionalNoteForm(forms.Form):
    note = _text(_("Note"), required=False)


class AssessmentForm(forms.Form):
    education_need = forms.ChoiceField(label=_("Education"), choices=NeedLevel.choices)
    health_need = forms.ChoiceField(label=_("Health"), choices=NeedLevel.choices)
    family_income_need = forms.ChoiceField(label=_("Family income"), choices=NeedLevel.choices)
    safety_need = forms.ChoiceField(label=_("Safety"), choices=NeedLevel.choices)
    psychosocial_need = forms.ChoiceField(label=_("Psychosocial"), choices=NeedLevel.choices)
    root_causes = forms.MultipleChoiceField(
        label=_("Root causes"), choices=RootCause.choices, widget=NestedCheckboxes
    )
    root_causes_note = _text(_("Root causes, in detail"), required=False)
    risks = _text(_("Risks"))
    child_views = _text(_("The child's own views, in their words"))


class PlanItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Support"), choices=PlanItemKind.choices)
    description = _text(_("Description"), required=False)
    responsible_party = forms.CharField(label=_("Responsible party"), max_length=200)
    budget_amount = forms.DecimalField(
        label=_("Budget"), min_value=0, max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"))


class PlanItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanItemStatus.choices)
    evidence_note = _text(
        _("Evidence"),
        required=False,
        help_text=_("Needed when the item is done: what shows it was delivered."),
    )
    completed_on = date_field(_("Completed on"), required=False)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Who agrees"),
        choices=[
            (ConsentKind.CAREGIVER_CONSENT.value, ConsentKind.CAREGIVER_CONSENT.label),
            (ConsentKind.CHILD_ASSENT.value, ConsentKind.CHILD_ASSENT.label),
        ],
    )
    given = forms.ChoiceField(
        label=_("Answer"), choices=[("yes", _("Given")), ("no", _("Refused"))]
    )
    obtained_on = date_field(_("Obtained on"))
    notes = _text(_("Notes"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["obtained_on"].initial = timezone.localdate()
        _today_max(self, "obtained_on")


class StartRemediationForm(forms.Form):
    started_on = date_field(_("Remediation started on"), required=False)


class FollowUpForm(forms.Form):
    """The questions of a monitoring visit about one child, plus training."""

    visited_on = date_field(_("Date of visit"))
    school_status = forms.ChoiceField(label=_("School"), choices=SchoolStatus.choices)
    household_chores_hours = hours_field(
        _("Household chores (hours a week)"), required=False, initial=0
    )
    worst_forms = forms.MultipleChoiceField(
        label=_("Signs of worst forms"),
        required=False,
        choices=WORST_FORM_CHOICES,
        widget=NestedCheckboxes,
    )
    immediate_danger = forms.BooleanField(label=_("Child in immediate danger"), required=False)
    in_training = forms.BooleanField(
        label=_("Attends vocational training or an apprenticeship"), required=False
    )
    notes = _text(_("What you saw"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        _today_max(self, "visited_on")


# Up to three work activities on a follow-up: most children followed are out of work.
FollowUpActivityFormSet = cast(
    type[BaseActivityFormSet],
    formset_factory(
        ActivityForm,
        formset=BaseActivityFormSet,
        extra=1,
        max_num=3,
        validate_max=True,
        can_delete=True,
    ),
)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why the case closes"), choices=ClosureReason.choices)
    note = _text(
        _("Explanation"),
        required=False,
        help_text=_("Required for every reason other than the two closure rules."),
    )


class TransferForm(forms.Form):
    to_agency = forms.ChoiceField(label=_("Receiving agency"))
    to_case_manager = forms.ChoiceField(label=_("Receiving case manager"))
    reason = _text(_("Why the case moves"))
    summary = _text(_("What your agency did for the child"))

    def __init__(self, *args: Any, agencies: list[Any], staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_agency"]).choices = [
            ("", _("Choose the agency")),
            *((str(agency.pk), agency.name) for agency in agencies),
        ]
        cast(forms.ChoiceField, self.fields["to_case_manager"]).choices = [
            ("", _("Choose the case manager")),
            *((str(person.pk), f"{person} · {agency_name}") for person, agency_name in staff),
        ]


class ReassignForm(forms.Form):
    case_manager = forms.ChoiceField(label=_("New case manager"))
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["case_manager"]).choices = [
            ("", _("Choose the case manager")),
            *((str(person.pk), str(person)) for person in staff),
        ]


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("A file may be at most 5 MB."))
        return upload


class CohortPlaceForm(forms.Form):
    """Give the case a place in a sponsored cohort; the person confirms what it means."""

    cohort = forms.ChoiceField(label=_("Sponsored cohort"))
    confirm = forms.BooleanField(
        label=_("I confirm: the cohort's company becomes the sponsor of this case."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cohort"]).choices = [
            ("", _("Choose a cohort")),
            *(
                (
                    str(choice.cohort.pk),
                    _("%(company)s — %(cohort)s (%(left)s of %(places)s places left)")
                    % {
                        "company": choice.cohort.company.name,
                        "cohort": choice.cohort.name,
                        "left": choice.places_left,
                        "places": choice.cohort.places,
                    },
                )
                for choice in choices
            ),
        ]


class CohortRemoveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: the case leaves the cohort and its place is freed."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
