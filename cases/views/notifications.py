"""A person's notifications of missed deadlines: unread first, mark read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Permission
from cases.notification_selectors import notification_page, unread_count
from cases.services.notifications import notification_mark_read
from cases.views import require_any
from core.errors import DomainError


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    require_any(request, Permission.CASE_READ)
    cursor = request.GET.get("cursor") or None
    try:
        page = notification_page(request.user, cursor=cursor)
    except DomainError as error:  # a damaged "next page" link: show the first page instead
        messages.error(request, error.message)
        page = notification_page(request.user)
        cursor = None
    context = {
        "page": page,
        "first_page": cursor is None,
        "unread": unread_count(request.user),
        "now": timezone.now(),
    }
    return render(request, "cases/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notice read (`id`), or all of them (no id). Others' notices are untouched."""
    require_any(request, Permission.CASE_READ)
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    if request.POST.getlist("id") and not ids:
        messages.error(request, _("This notification could not be found."))
        return redirect("cases:notifications")
    count = notification_mark_read(actor=request.user, notification_ids=ids or None)
    if not ids:
        messages.success(request, _("All notifications marked read."))
    elif not count:
        messages.error(request, _("This notification could not be found."))
    return redirect("cases:notifications")
