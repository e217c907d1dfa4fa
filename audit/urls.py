from django.urls import URLPattern, URLResolver, path

from audit import views

app_name = "audit"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.event_list, name="event_list"),
]
