"""The referral desk: children identified in child labour, most urgent deadline first.

Deny by default: without referral:manage every page here answers 404. The cases module adds
"route to an agency" to the detail page (monitoring/_desk_actions.html); nothing here routes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from access.monitoring import get_identification_for_user, identity_visible
from access.principal import principal_for
from accounts.roles import Permission
from core.pagination import requested_page
from geo import selectors as geo_selectors
from geo.models import Area
from monitoring import desk_selectors
from monitoring.choices import (
    CATEGORY_LABELS,
    IDENTIFYING_CATEGORIES,
    IdentificationStatus,
    Urgency,
)
from monitoring.desk_selectors import DeskFilters
from monitoring.services.reads import child_view_record


def require_desk(request: HttpRequest) -> None:
    if not principal_for(request.user).has(Permission.REFERRAL_MANAGE):
        raise Http404("No such page")


class DeskFilterForm(forms.Form):
    """The GET form above the desk; an invalid value is reported and ignored."""

    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("Any urgency")), *Urgency.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[
            ("", _("Any category")),
            *(
                (category.value, CATEGORY_LABELS[category])
                for category in sorted(IDENTIFYING_CATEGORIES, key=lambda c: -c.severity)
            ),
        ],
    )
    # By code, like the geo pages: a national tree has far too many villages for a drop-down.
    area = forms.CharField(
        label=_("Area code"),
        required=False,
        max_length=40,
        help_text=_("A village, or any area above it: its code, e.g. CD-LU-LUB."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_area(self) -> Area | None:
        code = self.cleaned_data.get("area", "").strip()
        if not code:
            return None
        area = geo_selectors.visible_area_by_code(self.user, code)
        if area is None:
            raise forms.ValidationError(
                _("No area you can see has this code."), code="unknown_area"
            )
        return area


@login_required
@require_GET
def desk_list(request: HttpRequest) -> HttpResponse:
    require_desk(request)
    form = DeskFilterForm(request.GET, user=request.user)
    form.is_valid()  # invalid fields are shown as errors and left out of the filter
    data = form.cleaned_data
    filters = DeskFilters(
        urgency=data.get("urgency", ""),
        category=data.get("category", ""),
        area=data.get("area"),
        overdue_only=bool(data.get("overdue")),
    )
    now = timezone.now()
    page, first_page = requested_page(
        request,
        lambda cursor: desk_selectors.desk_page(request.user, filters, now=now, cursor=cursor),
    )
    context = {
        "form": form,
        "page": page,
        "rows": desk_selectors.desk_rows(request.user, page.items, now=now),
        "filtered": filters.active,
        "first_page": first_page,
    }
    htmx = getattr(request, "htmx", None)  # set by django-htmx's middleware
    fragment = htmx is not None and bool(htmx) and not htmx.boosted
    template = "monitoring/_desk_results.html" if fragment else "monitoring/desk_list.html"
    response = render(request, template, context)
    # The same URL answers a full page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _routing(request: HttpRequest, identification: Any) -> dict[str, Any]:
    """What the "Refer" card needs: eligible agencies, the others with their reason, and the
    referrals already tried for this identification (cases/views/referrals.py takes the POST)."""
    from cases.forms import ReferForm  # cases depends on monitoring, not the other way round
    from cases.selectors import identification_referrals
    from cases.services.agencies import agency_suggestions

    if identification.status != IdentificationStatus.OPEN:
        return {"referrals": identification_referrals(request.user, identification)}
    suggestions = agency_suggestions(area=identification.area)
    return {
        "suggestions": suggestions,
        "refer_form": ReferForm(agencies=suggestions.eligible),
        "referrals": identification_referrals(request.user, identification),
    }


@login_required
@require_GET
def desk_detail(request: HttpRequest, identification_id: int) -> HttpResponse:
    require_desk(request)
    identification = get_identification_for_user(request.user, identification_id)
    child = identification.child
    child_view_record(actor=request.user, child=child, via="referral_desk")
    now = timezone.now()
    row = desk_selectors.desk_rows(request.user, [identification], now=now)[0]
    context = {
        "row": row,
        "identification": identification,
        "child": child,
        "household": child.household,
        "identity_visible": identity_visible(request.user),
        "is_open": identification.status == IdentificationStatus.OPEN,
        "status_label": IdentificationStatus(identification.status).label,
        "observations": desk_selectors.identification_observations(request.user, identification),
        **_routing(request, identification),
    }
    return render(request, "monitoring/desk_detail.html", context)
