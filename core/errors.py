"""The one error type for broken domain rules.

Services raise DomainError; a single handler turns it into a form message, an htmx fragment or a
JSON error, so the user always reads the same human sentence whatever the channel.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an action.

    `code` is a stable machine string (`case.consent_missing`); `message` is a translated
    sentence for the person who tried; `field` names the input at fault, when there is one.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str]:
        payload = {"code": self.code, "message": str(self.message)}
        if self.field:
            payload["field"] = self.field
        return payload


class NotFound(DomainError):
    """The record does not exist or the user may not see it; both answer 404."""

    def __init__(self, what: str = "record") -> None:
        super().__init__("not_found", f"No such {what}.")
