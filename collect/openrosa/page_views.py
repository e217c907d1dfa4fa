"""Pages around the phones: credentials (facilitators, hub admins) and the review queue (staff).

A credential's secret is shown once, on the page that created it (rendered, never redirected,
so it goes into no URL, message store or second page view).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from access.principal import principal_for
from accounts.models import User
from accounts.roles import Permission
from accounts.services.devices import device_credential_create, device_credential_revoke
from collect.openrosa import selectors
from collect.openrosa.processing import submission_correct, submission_view_record
from collect.openrosa.values import VERSION_FIELD
from core.errors import DomainError
from core.pagination import requested_page


class DeviceCreateForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=100,
        help_text=gettext_lazy("Which phone, e.g. “Tecno 12, Kasulo team”."),
    )
    username = forms.CharField(
        label=gettext_lazy("For the user"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Leave empty for your own phone."),
    )

    def __init__(self, *args: object, for_others: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not for_others:
            del self.fields["username"]


def _require_device_pages(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not selectors.may_use_device_pages(user):
        raise Http404("No such page")
    return user


def _server_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/collect")


@login_required
@require_http_methods(["GET", "POST"])
def device_list(request: HttpRequest) -> HttpResponse:
    user = _require_device_pages(request)
    for_others = principal_for(user).has(Permission.DEVICE_CREDENTIAL_MANAGE)
    form = DeviceCreateForm(request.POST or None, for_others=for_others)
    context: dict[str, object] = {}
    if request.method == "POST" and form.is_valid():
        owner: User | None = user
        username = form.cleaned_data.get("username") or ""
        if username:
            owner = selectors.active_user_named(username)
            if owner is None:
                form.add_error("username", _("No active user has this username."))
        if owner is not None:
            try:
                row, secret = device_credential_create(
                    actor=user, user=owner, label=form.cleaned_data["label"]
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                context = {"new_device": row, "secret": secret}
                form = DeviceCreateForm(for_others=for_others)
    context.update(
        {
            "form": form,
            "devices": selectors.device_list(user),
            "for_others": for_others,
            "server_url": _server_url(request),
        }
    )
    return render(request, "collect/devices.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def device_revoke(request: HttpRequest, device_id: int) -> HttpResponse:
    user = _require_device_pages(request)
    device = selectors.get_device_for_user(user, device_id)
    if request.method == "POST":
        device_credential_revoke(actor=user, credential=device)
        messages.success(
            request, _("Phone “%(label)s” can no longer reach Kinga.") % {"label": device.label}
        )
        return redirect("openrosa:device_list")
    return render(request, "collect/device_revoke.html", {"device": device})


def _require_review(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not principal_for(user).has(Permission.SUBMISSION_REVIEW):
        raise Http404("No such page")
    return user


@login_required
@require_http_methods(["GET"])
def review_list(request: HttpRequest) -> HttpResponse:
    user = _require_review(request)
    page, first_page = requested_page(
        request, lambda cursor: selectors.review_page(user, cursor=cursor)
    )
    return render(request, "collect/review_list.html", {"page": page, "first_page": first_page})


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    user = _require_review(request)
    submission = selectors.get_submission_for_review(user, submission_id)
    error_message = ""
    if request.method == "GET":
        submission_view_record(actor=user, submission=submission)
    if request.method == "POST":
        fields = {row[0] for row in selectors.fixable_fields(submission)}
        corrections = {path: str(request.POST[path]) for path in fields if path in request.POST}
        try:
            submission_correct(actor=user, submission=submission, corrections=corrections)
        except DomainError as error:
            error_message = str(error.message)
        else:
            messages.success(request, _("Corrections saved; the submission is processed again."))
            return redirect("openrosa:review_detail", submission_id=submission.pk)
    context = {
        "submission": submission,
        "fields": selectors.fixable_fields(submission),
        "version_field": VERSION_FIELD,
        "known_versions": selectors.known_versions(submission),
        "error_message": error_message,
    }
    return render(request, "collect/review_detail.html", context)
