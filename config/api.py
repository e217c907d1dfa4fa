"""The JSON API under /api/v1: token authentication, one error shape, each module's router."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from accounts.services.tokens import user_for_token
from core.errors import DomainError


class BearerToken(HttpBearer):
    """`Authorization: Bearer kinga_…`: personal tokens, created after MFA (docs/api.md)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="Kinga API",
    version="1",
    description="Child labour monitoring, referral and remediation. Every list is keyset "
    "paginated and shows only what the token's user may see.",
    auth=BearerToken(),
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 404 if exc.code == "not_found" else 400
    return api.create_response(request, exc.as_dict(), status=status)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"code": "unauthorised", "message": "A valid bearer token is required."},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="kinga"'
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {"field": _field_path(error.get("loc", ())), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return api.create_response(
        request,
        {"code": "invalid_input", "message": "The request has invalid fields.", "errors": problems},
        status=422,
    )


def _field_path(location: Any) -> str:
    """`("body", "payload", "children", 0, "task")` → `children.0.task`: the client's names.

    The first parts say where the value was (body, query, path) and, for a body, the name of
    the view's parameter, which the client never sees.
    """
    parts = list(location)
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in ("query", "path", "form"):
        parts = parts[1:]
    return ".".join(str(part) for part in parts)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "not_found" if exc.status_code == 404 else "error"
    return api.create_response(request, {"code": code, "message": str(exc)}, status=exc.status_code)


def _register_routers() -> None:
    from accounts.api import router as accounts_router
    from audit.api import router as audit_router
    from cases.api import router as cases_router
    from companies.api import router as companies_router
    from geo.api import router as geo_router
    from monitoring.api import router as monitoring_router
    from reports.api import router as reports_router

    api.add_router("/", accounts_router)
    api.add_router("/", audit_router)
    api.add_router("/", cases_router)
    api.add_router("/", companies_router)
    api.add_router("/", geo_router)
    api.add_router("/", monitoring_router)
    api.add_router("/", reports_router)


_register_routers()
