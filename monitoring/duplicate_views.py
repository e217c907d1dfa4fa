"""Reviewing child records that may be the same child: compare side by side, merge or dismiss.

Deny by default: without child:merge every page here answers 404. Merging and dismissing go
through monitoring.services.duplicates, which check the right again and write the audit events.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from access.monitoring import get_child_for_user, get_duplicate_for_user, identity_visible
from access.principal import principal_for
from accounts.roles import Permission
from core.errors import DomainError
from core.pagination import requested_page
from monitoring import desk_selectors
from monitoring.choices import DuplicateStatus
from monitoring.models import DuplicateCandidate
from monitoring.services.duplicates import duplicate_dismiss, duplicate_merge
from monitoring.services.reads import child_view_record


def _require_merge(request: HttpRequest) -> None:
    if not principal_for(request.user).has(Permission.CHILD_MERGE):
        raise Http404("No such page")


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why are they not the same child?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: twins, or the caregiver confirmed two children."),
    )


@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    _require_merge(request)
    page, first_page = requested_page(
        request, lambda cursor: desk_selectors.duplicate_page(request.user, cursor=cursor)
    )
    shown = identity_visible(request.user)
    rows = [
        {
            "candidate": candidate,
            "reason": desk_selectors.duplicate_reason_label(candidate.reason),
            "sides": [
                (child, desk_selectors.child_names(child, shown))
                for child in (candidate.child, candidate.other)
            ],
        }
        for candidate in page.items
    ]
    context = {"page": page, "rows": rows, "first_page": first_page}
    return render(request, "monitoring/duplicate_list.html", context)


def _detail(
    request: HttpRequest, candidate: DuplicateCandidate, dismiss_form: DismissForm, status: int
) -> HttpResponse:
    sides = desk_selectors.duplicate_sides(request.user, candidate)
    for side in sides:
        child_view_record(actor=request.user, child=side.child, via="duplicate_review")
    context: dict[str, Any] = {
        "candidate": candidate,
        "reason": desk_selectors.duplicate_reason_label(candidate.reason),
        "sides": sides,
        "is_open": candidate.status == DuplicateStatus.OPEN,
        "status_label": DuplicateStatus(candidate.status).label,
        "identity_visible": identity_visible(request.user),
        "dismiss_form": dismiss_form,
    }
    return render(request, "monitoring/duplicate_detail.html", context, status=status)


@login_required
@require_GET
def duplicate_detail(request: HttpRequest, candidate_id: int) -> HttpResponse:
    _require_merge(request)
    candidate = get_duplicate_for_user(request.user, candidate_id)
    return _detail(request, candidate, DismissForm(), 200)


@login_required
@require_POST
def duplicate_merge_view(request: HttpRequest, candidate_id: int) -> HttpResponse:
    _require_merge(request)
    candidate = get_duplicate_for_user(request.user, candidate_id)
    keep = get_child_for_user(request.user, request.POST.get("keep", ""))
    try:
        kept = duplicate_merge(actor=request.user, candidate=candidate, keep=keep)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("monitoring:duplicate_detail", candidate_id=candidate.pk)
    messages.success(
        request,
        _("The two records are now one: %(code)s. Every visit moved to it.") % {"code": kept.code},
    )
    return redirect("monitoring:duplicate_list")


@login_required
@require_POST
def duplicate_dismiss_view(request: HttpRequest, candidate_id: int) -> HttpResponse:
    _require_merge(request)
    candidate = get_duplicate_for_user(request.user, candidate_id)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _detail(request, candidate, form, 400)
    try:
        duplicate_dismiss(
            actor=request.user, candidate=candidate, reason=form.cleaned_data["reason"].strip()
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("monitoring:duplicate_detail", candidate_id=candidate.pk)
    messages.success(request, _("Marked as two different children. The pair leaves the list."))
    return redirect("monitoring:duplicate_list")
