"""Exports: the Hub's programme data (re-authenticated, with a purpose, audited), and a
company's own suppressed figures.

The Hub's export is pseudonymised: child codes, never names, phone numbers or locations. It is
streamed as CSV (any size) or written as XLSX (one sheet, up to Excel's row limit).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import Workbook

from accounts.models import User
from audit.actions import Action
from audit.services import record_event
from core.errors import DomainError
from monitoring.models import Child
from reports.models import ChildFact, CubeCell

XLSX_ROW_LIMIT = 1_048_575
MIN_PURPOSE_LENGTH = 10


class Dataset:
    FACTS = "facts"
    COUNTS = "counts"
    ALL = (FACTS, COUNTS)


FACT_COLUMNS = [
    "child_code",
    "community_id",
    "territory_id",
    "site_id",
    "sex",
    "age_band",
    "first_observed_on",
    "latest_category",
    "identified_on",
    "identification_category",
    "referral_due_on",
    "referred_in_time",
    "sponsor_id",
    "case_opened_on",
    "days_to_case",
    "case_open",
    "plan_agreed",
    "reached_remediation",
    "follow_ups",
    "clear_at_last_follow_up",
    "clear_streak",
    "relapsed",
    "closed_on",
    "closure_reason",
    "decent_work",
]
COUNT_COLUMNS = [
    "grain",
    "measure",
    "month",
    "area_id",
    "site_id",
    "sponsor_id",
    "sex",
    "age_band",
    "detail",
    "n",
]


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    rows: Iterator[list[Any]] | None = None  # CSV, streamed
    content: bytes = b""  # XLSX


def _reauthenticate(user: User, secret: str) -> None:
    secret = secret.strip()
    if secret and user.check_password(secret):
        return
    digits = secret.replace(" ", "")
    if digits.isdigit() and any(
        device.verify_token(digits)
        for device in TOTPDevice.objects.filter(user=user, confirmed=True)
    ):
        return
    raise DomainError(
        "export.reauthentication",
        _("Enter your password or a code from your authenticator again."),
        field="secret",
    )


def _fact_rows() -> Iterator[list[Any]]:
    yield FACT_COLUMNS
    last = 0
    while True:
        facts = list(ChildFact.objects.filter(child_id__gt=last).order_by("child_id")[:5000])
        if not facts:
            return
        last = facts[-1].child_id
        codes = dict(
            Child.objects.filter(id__in=[f.child_id for f in facts]).values_list("id", "code")
        )
        for fact in facts:
            yield [codes.get(fact.child_id, ""), *(getattr(fact, c) for c in FACT_COLUMNS[1:])]


def _count_rows() -> Iterator[list[Any]]:
    yield COUNT_COLUMNS
    for row in (
        CubeCell.objects.order_by("grain", "measure", "month", "id")
        .values_list(*COUNT_COLUMNS)
        .iterator(chunk_size=5000)
    ):
        yield list(row)


@transaction.atomic
def programme_export(
    *, actor: User, secret: str, purpose: str, dataset: str, file_format: str
) -> Export:
    """Check the second proof of identity and the purpose, audit, and return the export.

    The caller has checked `access.reports.can_export_programme(actor)`.
    """
    _reauthenticate(actor, secret)
    purpose = purpose.strip()
    if len(purpose) < MIN_PURPOSE_LENGTH:
        raise DomainError(
            "export.purpose", _("Say in a sentence what the export is for."), field="purpose"
        )
    if dataset not in Dataset.ALL or file_format not in ("csv", "xlsx"):
        raise DomainError("export.choice", _("Choose what to export and in which format."))
    record_event(
        actor=actor,
        action=Action.EXPORT_CREATE,
        subject_type="reports.programme",
        subject_id=dataset,
        changes={"dataset": dataset, "format": file_format},
        reason=purpose,
    )
    rows = _fact_rows() if dataset == Dataset.FACTS else _count_rows()
    name = f"kinga-{dataset}"
    if file_format == "csv":
        return Export(f"{name}.csv", "text/csv; charset=utf-8", rows=rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset)
    for index, row in enumerate(rows):
        if index > XLSX_ROW_LIMIT:
            raise DomainError("export.too_big", _("Too many rows for a spreadsheet: choose CSV."))
        sheet.append(
            [
                str(value)
                if value is not None and not isinstance(value, (int, float, bool))
                else value
                for value in row
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Export(
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        content=buffer.getvalue(),
    )


def csv_lines(rows: Iterator[list[Any]]) -> Iterator[str]:
    """Rows as CSV text, one line at a time (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
