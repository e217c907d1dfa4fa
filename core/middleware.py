"""Cross-cutting HTTP behaviour: no caching of personal pages, one DomainError handler."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError

Handler = Callable[[HttpRequest], HttpResponse]


class NoStoreMiddleware:
    """Signed-in pages may show personal data: no browser or proxy may keep a copy."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/static/"):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


class DomainErrorMiddleware:
    """Turns an uncaught DomainError into what the channel expects.

    JSON for the API, a small fragment for htmx, and a flash message plus a redirect back for
    ordinary pages. Views that render a form catch DomainError themselves to keep the input.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        status = 404 if exception.code == "not_found" else 400
        if request.path.startswith("/api/"):
            return JsonResponse(exception.as_dict(), status=status)
        if getattr(request, "htmx", False):
            html = render_to_string("core/_domain_error.html", {"error": exception}, request)
            return HttpResponse(html, status=status)
        if status == 404:
            return None  # Django renders its 404 page.
        messages.error(request, exception.message)
        referer = request.headers.get("referer", "")
        safe = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(referer if safe else "/")
