"""What is measured: each page or endpoint next to the raw SQL that returns the same rows."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
from accounts.models import User
from accounts.services.tokens import create_api_token
from bench.timing import Measure, compare
from monitoring.choices import Urgency

HOST = "127.0.0.1"  # in the development ALLOWED_HOSTS, unlike the test client's "testserver"
DEEP_PAGE = 21  # page 1, then follow next_cursor 20 times (or until the last page)

# The queries the hub administrator's home page needs for what it shows (core/home.py,
# `_hub_admin`); keep them in step when a module adds a figure there.
HOME_SQL = (
    "SELECT COUNT(*) FROM accounts_user WHERE is_active",
    "SELECT COUNT(*) FROM accounts_organisation",
    "SELECT COUNT(*) FROM geo_area WHERE level = 'village'",
    "SELECT COUNT(*) FROM geo_site",
    "SELECT e.*, u.username, u.full_name FROM audit_auditevent e "
    "LEFT JOIN accounts_user u ON u.id = e.actor_id ORDER BY e.id DESC LIMIT 8",
)
# The indicator tiles (reports.selectors.home_tiles): four headline counts of the last 12
# months from the cube's `total` grain, and the caseload cells (one per case manager).
TILES_SQL = (
    "SELECT measure, SUM(n) FROM reports_cubecell WHERE grain = 'total' AND month >= %s "
    "AND month <= %s AND measure IN ('children_monitored', 'children_identified', "
    "'referral_due', 'referred_in_time') GROUP BY measure",
    "SELECT SUM(n), COUNT(id) FROM reports_cubecell WHERE grain = 'total' AND measure = 'caseload'",
)
# The referral desk summary: open identifications by urgency, and how many are overdue.
DESK_SQL = (
    "SELECT SUM(CASE WHEN status = 'open' AND deadline_at < %s THEN 1 ELSE 0 END), "
    + ", ".join(
        f"SUM(CASE WHEN status = 'open' AND urgency = '{urgency.value}' THEN 1 ELSE 0 END)"
        for urgency in Urgency
    )
    + " FROM monitoring_identification"
)
# The rows of one page of GET /api/v1/sites: each site with its area and operator, plus one
# row to know whether there is a next page.
SITES_SQL = (
    "SELECT s.id, s.code, s.name, s.kind, s.status, s.latitude, s.longitude, s.operator_name, "
    "s.created_at, s.updated_at, a.id, a.code, a.name, a.level, o.id, o.name "
    "FROM geo_site s INNER JOIN geo_area a ON a.id = s.area_id "
    "LEFT JOIN accounts_organisation o ON o.id = s.operator_id "
    "{where} ORDER BY s.name, s.id LIMIT 51"
)
AFTER = "WHERE (s.name > %s OR (s.name = %s AND s.id > %s))"
# The rows of one page of GET /api/v1/children for the hub administrator (who sees every
# child): live records newest first, with household, community and the category of the most
# recent visit. The API also decrypts the names; the raw side returns them encrypted.
CHILDREN_SQL = (
    "SELECT c.id, c.code, c.first_name, c.last_name, c.sex, c.birth_date, "
    "c.birth_date_is_estimated, c.age_evidence, c.age_confidence, c.merged_into_id, "
    "h.id, h.code, a.id, a.code, a.name, "
    "(SELECT o.category FROM monitoring_observation o "
    "INNER JOIN monitoring_visit v ON v.id = o.visit_id WHERE o.child_id = c.id "
    "ORDER BY v.visited_on DESC, o.id DESC LIMIT 1) "
    "FROM monitoring_child c INNER JOIN monitoring_household h ON h.id = c.household_id "
    "INNER JOIN geo_area a ON a.id = h.area_id "
    "WHERE c.merged_into_id IS NULL {after} ORDER BY c.id DESC LIMIT 51"
)
CHILD_AFTER = "AND c.id < %s"
ME_SQL = (
    "SELECT * FROM accounts_user WHERE id = %s",
    "SELECT r.*, o.is_active FROM accounts_roleassignment r "
    "INNER JOIN accounts_organisation o ON o.id = r.organisation_id WHERE r.user_id = %s",
    "SELECT id, name, type FROM accounts_organisation WHERE id IN "
    "(SELECT organisation_id FROM accounts_roleassignment WHERE user_id = %s)",
)


def run_all(*, requests: int) -> list[Measure]:
    admin = User.objects.get(username="demo-admin")
    measures = [home_page(admin, requests=requests)]
    api = bearer_client(admin)
    if sites_api_exists():
        measures += sites_list(api, requests=requests)
    else:
        measures.append(me_endpoint(api, admin, requests=requests))
    measures += children_list(api, requests=requests)
    return measures


def signed_in_client(user: User) -> Client:
    """Signed in with the second factor proved, as conftest.sign_in does for the tests."""
    client = Client(SERVER_NAME=HOST)
    client.force_login(user)
    session = client.session
    session[SESSION_AUTH_AT] = session[SESSION_SEEN_AT] = time.time()
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, name="demo").persistent_id
    session.save()
    return client


def bearer_client(user: User) -> Client:
    _row, token = create_api_token(actor=user, name="bench", verified=True)
    return Client(SERVER_NAME=HOST, HTTP_AUTHORIZATION=f"Bearer {token}")


def sites_api_exists() -> bool:
    try:
        resolve("/api/v1/sites")
    except Resolver404:
        return False
    return True


def _last_twelve_months() -> tuple[Any, Any]:
    from reports.selectors import Filters

    filters = Filters.last_months(12)
    return filters.start, filters.end


def home_page(admin: User, *, requests: int) -> Measure:
    client = signed_in_client(admin)
    return compare(
        "home page (hub admin)",
        _ok(lambda: client.get("/")),
        lambda: (
            [_fetch(sql) for sql in HOME_SQL]
            + [_fetch(TILES_SQL[0], _last_twelve_months()), _fetch(TILES_SQL[1])]
            + [_fetch(DESK_SQL, (_now(),))]
        ),
        requests=requests,
    )


def sites_list(api: Client, *, requests: int) -> list[Measure]:
    api_ids = [item["id"] for item in api.get("/api/v1/sites", {"limit": 50}).json()["items"]]
    raw_ids = [row[0] for row in _fetch(SITES_SQL.format(where=""))][:50]
    if api_ids != raw_ids:
        raise SystemExit("the raw SQL for /api/v1/sites does not return the API's rows")
    first = compare(
        "GET /api/v1/sites?limit=50, page 1",
        _ok(lambda: api.get("/api/v1/sites", {"limit": 50})),
        lambda: _fetch(SITES_SQL.format(where="")),
        requests=requests,
    )
    cursor, last, page = deep_cursor(api, "/api/v1/sites")
    if cursor is None or last is None:
        return [first]
    after = (last["name"], last["name"], last["id"])
    deeper: dict[str, str | int] = {"limit": 50, "cursor": cursor}
    deep = compare(
        f"GET /api/v1/sites?limit=50, page {page}",
        _ok(lambda: api.get("/api/v1/sites", deeper)),
        lambda: _fetch(SITES_SQL.format(where=AFTER), after),
        requests=requests,
        note="" if page == DEEP_PAGE else f"the last page: there are only {page}",
    )
    return [first, deep]


def children_list(api: Client, *, requests: int) -> list[Measure]:
    path = "/api/v1/children"
    api_ids = [item["id"] for item in api.get(path, {"limit": 50}).json()["items"]]
    raw_ids = [row[0] for row in _fetch(CHILDREN_SQL.format(after=""))][:50]
    if api_ids != raw_ids:
        raise SystemExit("the raw SQL for /api/v1/children does not return the API's rows")
    first = compare(
        "GET /api/v1/children?limit=50, page 1",
        _ok(lambda: api.get(path, {"limit": 50})),
        lambda: _fetch(CHILDREN_SQL.format(after="")),
        requests=requests,
    )
    cursor, last, page = deep_cursor(api, path)
    if cursor is None or last is None:
        return [first]
    deeper: dict[str, str | int] = {"limit": 50, "cursor": cursor}
    deep = compare(
        f"GET /api/v1/children?limit=50, page {page}",
        _ok(lambda: api.get(path, deeper)),
        lambda: _fetch(CHILDREN_SQL.format(after=CHILD_AFTER), (last["id"],)),
        requests=requests,
        note="" if page == DEEP_PAGE else f"the last page: there are only {page}",
    )
    return [first, deep]


def deep_cursor(api: Client, path: str) -> tuple[str | None, dict[str, Any] | None, int]:
    """Walk to the deep page: its cursor (what a client following next_cursor would send),
    the last item of the page before it, and its number."""
    cursor, last, page = None, None, 1
    body: dict[str, Any] = api.get(path, {"limit": 50}).json()
    while body["next_cursor"] and page < DEEP_PAGE:
        cursor, last, page = body["next_cursor"], body["items"][-1], page + 1
        body = api.get(path, {"limit": 50, "cursor": cursor}).json()
    return cursor, last, page


def me_endpoint(api: Client, user: User, *, requests: int) -> Measure:
    return compare(
        "GET /api/v1/me",
        _ok(lambda: api.get("/api/v1/me")),
        lambda: [_fetch(sql, (user.pk,)) for sql in ME_SQL],
        requests=requests,
        note="until /api/v1/sites exists",
    )


def table_sizes() -> dict[str, int]:
    tables = {
        "areas": "geo_area",
        "sites": "geo_site",
        "users": "accounts_user",
        "audit events": "audit_auditevent",
        "households": "monitoring_household",
        "children": "monitoring_child",
        "visits": "monitoring_visit",
        "observations": "monitoring_observation",
    }
    return {label: _fetch(f"SELECT COUNT(*) FROM {table}")[0][0] for label, table in tables.items()}


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _fetch(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ok(request: Callable[[], Any]) -> Callable[[], Any]:
    """Fail loudly if a request does not answer 200: timing an error page measures nothing."""

    def checked() -> Any:
        response = request()
        if response.status_code != 200:
            raise SystemExit(f"benchmark request answered {response.status_code}")
        return response

    return checked
