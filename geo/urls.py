from django.urls import URLPattern, URLResolver, path

from geo import views

app_name = "geo"
urlpatterns: list[URLPattern | URLResolver] = [
    path("areas/", views.area_list, name="area_list"),
    path("areas/new/", views.area_create, name="area_create_root"),
    path("areas/<int:area_id>/", views.area_detail, name="area_detail"),
    path("areas/<int:parent_id>/new/", views.area_create, name="area_create"),
    path("areas/<int:area_id>/edit/", views.area_edit, name="area_edit"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/<int:site_id>/", views.site_detail, name="site_detail"),
    path("sites/<int:site_id>/edit/", views.site_edit, name="site_edit"),
]
