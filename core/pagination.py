"""Keyset pagination: pages cost the same at row 50 and row 5,000,000.

A cursor is the sort-key values of the last row shown, encoded as URL-safe base64 JSON. It
carries no permission: the queryset it is applied to is already limited to what the user may see,
so a forged cursor can only move within that set.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.errors import DomainError

M = TypeVar("M", bound=Model)

DEFAULT_PAGE_SIZE = 50
BAD_CURSOR = "pagination.bad_cursor"  # the code of a damaged page link's refusal
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def keyset_page(
    queryset: QuerySet[M],
    *,
    order: Sequence[str],
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[M]:
    """One page of `queryset` sorted by `order` (field names, "-" for descending).

    The last field of `order` must be unique (normally "id" or "-id") so that the order is total.
    """
    size = max(1, min(size, MAX_PAGE_SIZE))
    queryset = queryset.order_by(*order)
    if cursor:
        try:
            queryset = queryset.filter(_after(order, decode_cursor(cursor, len(order))))
        except (ValueError, TypeError, ArithmeticError, ValidationError) as error:
            # Decoded, but not values of these columns: a hand-edited link.
            raise _bad_cursor() from error
    rows = list(queryset[: size + 1])
    items = rows[:size]
    next_cursor = (
        encode_cursor([_value(items[-1], name) for name in order]) if len(rows) > size else None
    )
    return Page(items=items, next_cursor=next_cursor)


def requested_page(request: Any, fetch: Callable[[str | None], Page[M]]) -> tuple[Page[M], bool]:
    """The page the address asks for (`?cursor=`), and whether it is the first page.

    A damaged or hand-edited "next page" link shows the first page with a message instead of
    an error page: the list is still there, only the place in it is lost.
    """
    cursor = request.GET.get("cursor") or None
    try:
        return fetch(cursor), cursor is None
    except DomainError as error:
        if error.code != BAD_CURSOR:
            raise
        messages.error(request, error.message)
        return fetch(None), True


def encode_cursor(values: Sequence[Any]) -> str:
    payload = json.dumps([_jsonable(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != length:
        raise _bad_cursor()
    return [_restore(value) for value in values]


def _bad_cursor() -> DomainError:
    return DomainError(BAD_CURSOR, _("This page link is not valid."), field="cursor")


def _after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `order`: (a > x) | (a = x & b > y) | ...

    The leading `a >= x` is implied by the rest but is what lets PostgreSQL read the index from
    the cursor onwards instead of scanning from the first row on every page.
    """
    first = order[0]
    condition = Q()
    for index, name in enumerate(order):
        field = name.lstrip("-")
        comparison = "lt" if name.startswith("-") else "gt"
        step = Q(**{f"{field}__{comparison}": values[index]})
        for earlier_name, earlier_value in zip(order[:index], values[:index], strict=True):
            step &= Q(**{earlier_name.lstrip("-"): earlier_value})
        condition |= step
    leading = "lte" if first.startswith("-") else "gte"
    return Q(**{f"{first.lstrip('-')}__{leading}": values[0]}) & condition


def _value(row: Model, name: str) -> Any:
    value: Any = row
    for part in name.lstrip("-").split("__"):
        value = getattr(value, part)
    return value.pk if isinstance(value, Model) else value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return parse_datetime(str(value["dt"]))
        if "d" in value:
            return parse_date(str(value["d"]))
        if "dec" in value:
            return Decimal(str(value["dec"]))
    return value
