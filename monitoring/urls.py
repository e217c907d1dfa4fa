from django.urls import URLPattern, URLResolver, path

from monitoring import desk_views, duplicate_views
from monitoring.views import children, households, visits

app_name = "monitoring"
urlpatterns: list[URLPattern | URLResolver] = [
    path("households/", households.household_list, name="household_list"),
    path("households/<int:household_id>/", households.household_detail, name="household_detail"),
    path("children/", children.child_list, name="child_list"),
    path("children/<int:child_id>/", children.child_detail, name="child_detail"),
    path("children/<int:child_id>/edit/", children.child_edit, name="child_edit"),
    path(
        "children/<int:child_id>/household/",
        children.child_attach_household_view,
        name="child_attach_household",
    ),
    path("visits/new/", visits.visit_new, name="visit_new"),
    path("visits/new/children/", visits.visit_child_options, name="visit_child_options"),
    path("visits/preview/", visits.visit_preview, name="visit_preview"),
    path("visits/<int:visit_id>/", visits.visit_detail, name="visit_detail"),
    path("desk/", desk_views.desk_list, name="desk"),
    path("desk/<int:identification_id>/", desk_views.desk_detail, name="desk_detail"),
    path("duplicates/", duplicate_views.duplicate_list, name="duplicate_list"),
    path(
        "duplicates/<int:candidate_id>/",
        duplicate_views.duplicate_detail,
        name="duplicate_detail",
    ),
    path(
        "duplicates/<int:candidate_id>/merge/",
        duplicate_views.duplicate_merge_view,
        name="duplicate_merge",
    ),
    path(
        "duplicates/<int:candidate_id>/dismiss/",
        duplicate_views.duplicate_dismiss_view,
        name="duplicate_dismiss",
    ),
]
