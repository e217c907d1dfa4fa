from django.urls import path

from collect import views

app_name = "collect"
urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/columns/", views.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/check/", views.import_validate, name="import_validate"),
    path("imports/<int:job_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:job_id>/discard/", views.import_discard, name="import_discard"),
    path("imports/<int:job_id>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:job_id>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
]
