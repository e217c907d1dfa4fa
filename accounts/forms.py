from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from access.accounts import organisations_visible_to
from accounts import selectors
from accounts.models import Organisation, OrganisationType
from accounts.roles import Role
from accounts.selectors import OrganisationFilters, UserFilters
from core.errors import DomainError
from geo.models import Area


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class RecoveryOrCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


# Administration ------------------------------------------------------------------------------
# These forms check the shape of the input; accounts.services checks the rules and the right to
# act, so a form is never the only guard.


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _active_choice(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class UserFilterForm(forms.Form):
    """The GET form above the user list; an invalid value is reported and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Username, name or email"), "id": "user-q"}
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices]
    )
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=None, empty_label=_("Any organisation")
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active or not")), ("yes", _("Active")), ("no", _("Deactivated"))],
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "organisation", organisations_visible_to(actor).order_by("name"))

    def filters(self) -> UserFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return UserFilters(
            q=data.get("q", ""),
            role=data.get("role", ""),
            organisation=data.get("organisation"),
            active=_active_choice(data.get("active", "")),
        )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class _OrganisationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_type_display()})"


class _AreaChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_level_display()} · {obj.code}"


class RoleFieldsForm(forms.Form):
    """A role, its organisation and the areas it covers, picked under a parent area.

    Areas are picked in two steps, because a national tree has far too many villages for one
    list: type the code of a chiefdom or sector, show its villages, tick them.
    """

    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])
    organisation = _OrganisationChoiceField(label=_("Organisation"), queryset=None)
    area_parent = forms.CharField(
        label=_("Area code"),
        required=False,
        max_length=40,
        help_text=_(
            "Facilitators need their communities: type the code of their chiefdom or sector, "
            "then “Show communities”. Other roles may be left without areas."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    areas = _AreaChoiceField(
        label=_("Areas"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        _set_queryset(self, "organisation", selectors.organisation_choices(actor))
        self.parent_area = self._parent_area()
        choices = selectors.area_choices(actor, self.parent_area)
        if self.parent_area is not None and choices.count() > selectors.AREA_CHOICES_LIMIT:
            choices = choices.filter(pk=self.parent_area.pk)
            self.fields["areas"].help_text = _(
                "%(name)s has too many communities to list; type the code of a chiefdom or "
                "sector under it to pick villages, or tick the whole area."
            ) % {"name": self.parent_area.name}
        _set_queryset(self, "areas", choices)

    def _parent_area(self) -> Area | None:
        name = self.add_prefix("area_parent")
        code = self.data.get(name, "") if self.is_bound else self.initial.get("area_parent", "")
        return selectors.area_by_code(self.actor, str(code or ""))

    def clean_area_parent(self) -> str:
        code: str = self.cleaned_data.get("area_parent", "").strip()
        if code and self.parent_area is None:
            raise forms.ValidationError(_("No area has this code."), code="unknown_area")
        return code


class UserCreateForm(RoleFieldsForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=[("fr", "Français"), ("en", "English")]
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        help_text=_("Leave empty: Kinga makes a temporary password for you to hand over once."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "username",
        "full_name",
        "email",
        "preferred_language",
        "password",
        "role",
        "organisation",
        "area_parent",
        "areas",
    ]


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=[("fr", "Français"), ("en", "English")]
    )


class RoleAssignForm(RoleFieldsForm):
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        help_text=_("Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        help_text=_("The last day of the role; empty if it has no planned end."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RoleEndForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Last day"),
        required=False,
        help_text=_("Empty: the role stops now."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Recorded in the audit log."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name"), "id": "organisation-q"}
        ),
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Any type")), *OrganisationType.choices],
    )

    def filters(self) -> OrganisationFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return OrganisationFilters(q=data.get("q", ""), type=data.get("type", ""))


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    country = forms.CharField(
        label=_("Country code"),
        max_length=2,
        initial="CD",
        help_text=_("Two letters, e.g. CD."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("The roles of people in an inactive organisation stop working."),
    )


# API tokens ----------------------------------------------------------------------------------


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where you will use it, e.g. “laptop analysis scripts”."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Empty: the token works until you revoke it."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
