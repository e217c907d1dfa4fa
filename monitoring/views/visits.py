"""The visit form, its preview, and the result page after saving.

One page that works without JavaScript: "Check result" re-renders it with each child's
classification, "Add another child" and "Add an activity" re-render it with one more blank
part, and only "Save visit" writes. With JavaScript (static/kinga/visit-form.js) the preview
comes back as a fragment, parts are added in place, and the typed values are kept as a draft
on the phone until the visit is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.monitoring import get_visit_for_user, identity_visible
from access.principal import principal_for
from accounts.roles import Permission
from core.errors import DomainError
from monitoring import selectors
from monitoring.forms.visit import MAX_ACTIVITIES, MAX_CHILDREN, NEW, child_label
from monitoring.forms.visit_entry import VisitEntryForms
from monitoring.services.visit_entry import visit_enter
from monitoring.views import is_htmx, observation_view, require_any

FORM_PAGE = "monitoring/visit_form.html"


def _page(request: HttpRequest, forms: VisitEntryForms, **extra: Any) -> HttpResponse:
    context = {"forms": forms, "draft_key": f"kinga-draft:visit:{request.user.pk}", **extra}
    return render(request, FORM_PAGE, context)


def _with_one_more(data: QueryDict, prefix: str, limit: int) -> QueryDict:
    """A copy of the posted form with one more blank part under `prefix` (no-script path)."""
    data = data.copy()
    total_key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(total_key, "0"))
    except ValueError:
        total = 0
    if total < limit:
        data[total_key] = str(total + 1)
        if prefix == "children":  # a new child starts with no activity
            data[f"children-{total}-activities-TOTAL_FORMS"] = "0"
            data[f"children-{total}-activities-INITIAL_FORMS"] = "0"
    return data


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    require_any(request, Permission.VISIT_RECORD)
    user = request.user
    if request.method == "GET":
        wanted = request.GET.get("household", "")
        household = selectors.recordable_household(user, wanted) if wanted else None
        return _page(request, VisitEntryForms(user, household=household), restore_draft=True)
    data: QueryDict = request.POST
    if "add_child" in data:
        data = _with_one_more(data, "children", MAX_CHILDREN)
    elif "add_activity" in data:
        child = data.get("add_activity", "")
        if child.isdigit():
            data = _with_one_more(data, f"children-{child}-activities", MAX_ACTIVITIES)
    forms = VisitEntryForms(user, data)
    if "save" not in data:
        return _checked_page(request, forms)
    if forms.is_valid():
        try:
            visit = visit_enter(actor=user, entry=forms.entry())
        except DomainError as error:
            forms.add_domain_error(error)
        else:
            return redirect(reverse("monitoring:visit_detail", args=[visit.pk]) + "?saved=1")
    return _page(request, forms)


def _checked_page(request: HttpRequest, forms: VisitEntryForms) -> HttpResponse:
    preview = forms.preview() if forms.is_valid() else None
    if forms.has_errors():
        preview = None
    return _page(request, forms, preview=preview, previewed=True)


@login_required
@require_POST
def visit_preview(request: HttpRequest) -> HttpResponse:
    """Each child's result as it would be saved. Writes nothing."""
    require_any(request, Permission.VISIT_RECORD)
    forms = VisitEntryForms(request.user, request.POST)
    if not is_htmx(request):
        return _checked_page(request, forms)
    preview = forms.preview() if forms.is_valid() else None
    if preview is not None and not forms.has_errors():
        return render(request, "monitoring/_visit_preview.html", {"preview": preview})
    # Errors belong beside their fields: swap the whole form, as the no-script page would show.
    response = render(
        request,
        "monitoring/_visit_form.html",
        {"forms": forms, "draft_key": f"kinga-draft:visit:{request.user.pk}"},
    )
    response["HX-Retarget"] = "#visit-form"
    response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_GET
def visit_child_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of a household's children, for the script to refresh the child lists."""
    require_any(request, Permission.VISIT_RECORD)
    wanted = request.GET.get("household", "")
    household = None
    if wanted and wanted != NEW:
        household = selectors.recordable_household(request.user, wanted)
        if household is None:
            raise Http404("No such household")
    children = selectors.children_for_visit(request.user, household) if household else []
    today = timezone.localdate()
    options = [(child.pk, child_label(child, today)) for child in children]
    return render(request, "monitoring/_visit_child_options.html", {"options": options})


@login_required
@require_GET
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The result of a visit: each child's category, the reasons, and any referral deadline."""
    require_any(request, Permission.HOUSEHOLD_READ)
    user = request.user
    visit = get_visit_for_user(user, visit_id)
    language = get_language() or "en"
    identifications = selectors.visit_identifications(user, visit)
    rows = [
        (observation_view(observation, language), identifications.get(observation.child_id))
        for observation in selectors.visit_observations(user, visit)
    ]
    context = {
        "visit": visit,
        "rows": rows,
        "show_identity": identity_visible(user),
        "saved": request.GET.get("saved") == "1",
        "can_record": principal_for(user).has(Permission.VISIT_RECORD),
        "draft_key": f"kinga-draft:visit:{user.pk}",
    }
    return render(request, "monitoring/visit_detail.html", context)
