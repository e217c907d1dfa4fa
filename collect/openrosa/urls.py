"""OpenRosa routes; the phone's server URL is http(s)://HOST/collect (config/urls.py)."""

from django.urls import path

from collect.openrosa import views

app_name = "openrosa"
urlpatterns = [
    path("formList", views.form_list, name="form_list"),
    path("forms/<str:form_id>/form.xml", views.form_download, name="form_download"),
    path("forms/<str:form_id>/manifest", views.form_manifest, name="form_manifest"),
    path("forms/<str:form_id>/media/<str:filename>", views.form_media, name="form_media"),
    path("submission", views.submission, name="submission"),
]
