"""Schemas shared by every module's API."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str


class FieldProblem(Schema):
    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldProblem]
