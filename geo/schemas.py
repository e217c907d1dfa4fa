"""Shapes of the geo API: what goes in, what comes out."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from geo.models import AreaLevel, SiteKind, SiteStatus
from geo.selectors import SiteSort


class AreaRefOut(Schema):
    id: int
    code: str
    name: str
    level: AreaLevel


class AreaOut(AreaRefOut):
    parent_id: int | None
    is_active: bool


class AreaDetailOut(AreaOut):
    ancestors: list[AreaRefOut] = Field(description="Visible areas above this one, root first.")


class AreaPageOut(Schema):
    items: list[AreaOut]
    next_cursor: str | None


class OperatorOut(Schema):
    id: int
    name: str


class SiteOut(Schema):
    id: int
    code: str
    name: str
    kind: SiteKind
    status: SiteStatus
    area: AreaRefOut
    latitude: float | None
    longitude: float | None
    operator: OperatorOut | None = Field(description="The operating organisation, if in Kinga.")
    operator_name: str = Field(description="An operator that is not an organisation in Kinga.")
    created_at: datetime
    updated_at: datetime


class SitePageOut(Schema):
    items: list[SiteOut]
    next_cursor: str | None


_Latitude = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
_Longitude = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class SiteIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=160)
    kind: SiteKind
    area_id: int
    latitude: Decimal | None = _Latitude
    longitude: Decimal | None = _Longitude
    operator_id: int | None = None
    operator_name: str = Field("", max_length=200)
    status: SiteStatus = SiteStatus.ACTIVE


class SitePatchIn(Schema):
    """Only the fields sent change. `null` clears latitude, longitude and operator_id; the
    other fields cannot be null."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=160)
    kind: SiteKind | None = None
    area_id: int | None = None
    latitude: Decimal | None = _Latitude
    longitude: Decimal | None = _Longitude
    operator_id: int | None = None
    operator_name: str | None = Field(None, max_length=200)
    status: SiteStatus | None = None

    @field_validator("code", "name", "kind", "area_id", "operator_name", "status", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # A default of None marks "not sent"; an explicit null would blank a required field.
        if value is None:
            raise ValueError("This field cannot be null.")
        return value


class AreaListQuery(Schema):
    parent: int | None = Field(None, description="Only the areas directly under this one.")
    level: AreaLevel | None = None
    cursor: str | None = None
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class SiteListQuery(Schema):
    area: int | None = Field(None, description="Only sites in this area or beneath it.")
    kind: SiteKind | None = None
    status: SiteStatus | None = None
    q: str = Field("", max_length=100, description="Part of the name or code, any case.")
    sort: SiteSort = SiteSort.NAME
    cursor: str | None = None
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
