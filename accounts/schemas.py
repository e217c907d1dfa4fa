from __future__ import annotations

from ninja import Schema


class OrganisationOut(Schema):
    id: int
    name: str
    type: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    permissions: list[str]
    organisations: list[OrganisationOut]
