"""OpenRosa routes; the phone's server URL is http(s)://HOST/collect (config/urls.py)."""

from django.urls import path

from collect.openrosa import page_views, views

app_name = "openrosa"
urlpatterns = [
    path("formList", views.form_list, name="form_list"),
    path("forms/<str:form_id>/form.xml", views.form_download, name="form_download"),
    path("forms/<str:form_id>/manifest", views.form_manifest, name="form_manifest"),
    path("forms/<str:form_id>/media/<str:filename>", views.form_media, name="form_media"),
    path("submission", views.submission, name="submission"),
]
urlpatterns += [
    path("phones/", page_views.device_list, name="device_list"),
    path("phones/<int:device_id>/revoke/", page_views.device_revoke, name="device_revoke"),
    path("review/", page_views.review_list, name="review_list"),
    path("review/<int:submission_id>/", page_views.review_detail, name="review_detail"),
]
