from django.urls import URLPattern, URLResolver, path

from companies import views

app_name = "companies"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.company_list, name="list"),
    path("<int:company_id>/", views.company_detail, name="detail"),
    path("<int:company_id>/membership/", views.membership_edit, name="membership"),
    path("<int:company_id>/contributions/new/", views.contribution_new, name="contribution_new"),
    path("<int:company_id>/suppliers/new/", views.supplier_new, name="supplier_new"),
    path("<int:company_id>/suppliers/import/", views.supplier_import, name="supplier_import"),
    path("<int:company_id>/cohorts/new/", views.cohort_new, name="cohort_new"),
    path("<int:company_id>/portal/", views.portal, name="portal"),
    path("<int:company_id>/nominate/", views.nominate, name="nominate"),
    path(
        "nominations/<int:nomination_id>/<slug:step>/",
        views.nomination_step,
        name="nomination_step",
    ),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort"),
]
