"""Top-level routes. Each module owns its URLs under its own prefix."""

from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("core.urls")),
    path("account/", include("accounts.urls")),
    path("geo/", include("geo.urls")),
    path("audit/", include("audit.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("collect/", include("collect.urls")),
    # ODK Collect / KoboCollect: the server URL a phone is given is http(s)://HOST/collect.
    path("collect/", include("collect.openrosa.urls")),
    path("cases/", include("cases.urls")),
    path("companies/", include("companies.urls")),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
