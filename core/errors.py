"""The one error type for broken domain rules.

Services raise DomainError; a single handler turns it into a form message, an htmx fragment or a
JSON error, so the user always reads the same human sentence whatever the channel.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


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


# One whole sentence per kind of record, so each language can agree it (gender, articles).
_NOT_FOUND = {
    "area": _("No such area."),
    "case": _("No such case."),
    "catalogue": _("No such catalogue."),
    "child": _("No such child."),
    "cohort": _("No such cohort."),
    "company": _("No such company."),
    "endpoint": _("No such endpoint."),
    "household": _("No such household."),
    "identification": _("No such identification."),
    "import": _("No such import."),
    "nomination": _("No such nomination."),
    "plan": _("No such plan."),
    "plan item": _("No such plan item."),
    "record": _("No such record."),
    "referral": _("No such referral."),
    "report": _("No such report."),
    "resource": _("No such resource."),
    "site": _("No such site."),
    "visit": _("No such visit."),
}


class NotFound(DomainError):
    """The record does not exist or the user may not see it; both answer 404.

    `what` names the kind of record (a key of _NOT_FOUND; others read "No such record.")."""

    def __init__(self, what: str = "record") -> None:
        super().__init__("not_found", str(_NOT_FOUND.get(what, _NOT_FOUND["record"])))
        self.what = what
