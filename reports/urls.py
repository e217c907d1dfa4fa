from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.programme_dashboard, name="dashboard"),
    path("map/", views.programme_map_page, name="map"),
    path("agency/", views.agency_page, name="agency"),
    path("indicators/", views.indicator_catalogue, name="indicators"),
    path("export/", views.programme_export, name="export"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<int:company_id>/", views.company_page, name="company"),
    path("companies/<int:company_id>/figures.csv", views.company_export, name="company_export"),
    path("issued/<int:report_id>/", views.issued_report, name="issued"),
    path(
        "issued/<int:report_id>/download/<str:kind>",
        views.issued_download,
        name="issued_download",
    ),
]
