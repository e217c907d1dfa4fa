"""Input and output schemas of the reports API."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

# A company figure: a count, or "<10" when suppressed; a rate: a number or "suppressed".
CountOrSuppressed = int | str
RateOrSuppressed = float | str


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    kind: str
    numerator: str
    denominator: str
    dimensions: list[str]


class ProgrammeQuery(Schema):
    months: int = Field(12, ge=1, le=60)
    area_id: int | None = None
    sponsor_id: int | None = None


class IndicatorValueOut(Schema):
    code: str
    numerator: int | None
    denominator: int | None
    value: float | None
    pending: bool


class ProgrammeOut(Schema):
    start: date
    end: date
    area_id: int | None
    sponsor_id: int | None
    indicators: list[IndicatorValueOut]


class CompanySectionOut(Schema):
    key: str
    title: str
    headline: dict[str, CountOrSuppressed]
    rates: dict[str, RateOrSuppressed]
    median_days_to_first_service: RateOrSuppressed
    identified_by_sex_and_age: dict[str, CountOrSuppressed]
    identified_total: CountOrSuppressed
    identified_by_category: dict[str, CountOrSuppressed]
    closures_by_reason: dict[str, CountOrSuppressed]


class CompanyIndicatorsOut(Schema):
    company_id: int
    name: str
    start: date
    end: date
    sections: list[CompanySectionOut]


class IssuedReportOut(Schema):
    id: int
    company_id: int
    period_start: date
    period_end: date
    language: str
    status: str
    progress: int
    snapshot_sha256: str
    pdf_sha256: str
    xlsx_sha256: str
    requested_at: datetime
    issued_at: datetime | None
