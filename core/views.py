"""The home page of each role, and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access.principal import principal_for
from core import home


@login_required
@require_GET
def home_page(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request.user)
    sections = home.sections_for(request.user, principal)
    return render(request, "core/home.html", {"sections": sections})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers; says nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
