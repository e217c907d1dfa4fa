"""Pages of the cases module: the referral inbox, the case list and the case file.

Deny by default: without case:read (or the referral desk's right) every page answers 404, and
a case or referral of another agency answers 404 like one that does not exist. Every write
goes through a service; a refused rule comes back as its DomainError message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from access.principal import principal_for
from accounts.roles import Permission
from cases.models import Case
from core.errors import DomainError


def require_any(request: HttpRequest, *permissions: Permission) -> None:
    principal = principal_for(request.user)
    if not any(principal.has(permission) for permission in permissions):
        raise Http404("No such page")


def back_to_case(
    request: HttpRequest, case: Case, error: DomainError | None = None
) -> HttpResponse:
    """After a write: the case file, with the refusal (or nothing) shown on top."""
    if error is not None:
        messages.error(request, error.message)
    return redirect("cases:case_detail", case_id=case.pk)


def apply_error(form: Any, error: DomainError) -> None:
    """Show a refusal beside the field it names, or above the form."""
    field = error.field if error.field in getattr(form, "fields", {}) else None
    form.add_error(field, error.message)


def form_page(
    request: HttpRequest,
    case: Case,
    *,
    title: str,
    form: Any,
    intro: str = "",
    extra: dict[str, Any] | None = None,
    template: str = "cases/case_form.html",
    multipart: bool = False,
) -> HttpResponse:
    context = {
        "case": case,
        "title": title,
        "intro": intro,
        "form": form,
        "multipart": multipart,
        **(extra or {}),
    }
    return render(request, template, context)
