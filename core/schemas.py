"""Schemas shared by every module's API."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str


class DomainErrorOut(ErrorOut):
    """A refused rule (400): `field` names the input at fault, when there is one."""

    field: str | None = None


class FieldProblem(Schema):
    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldProblem]
