"""Who may record monitoring data where."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from access.principal import principal_for
from accounts.roles import Permission
from core.errors import DomainError
from geo.models import Area


def require_recording_right(actor: Any, area: Area) -> None:
    """Facilitators record in their own communities; importers (hub data staff) anywhere.

    `actor=None` is the system acting for a phone submission or an import whose rights
    were checked when it was accepted.
    """
    if actor is None:
        return
    principal = principal_for(actor)
    if principal.has(Permission.MONITORING_IMPORT):
        return
    if principal.has(Permission.VISIT_RECORD) and (
        principal.area_paths is None
        or any(area.path.startswith(path) for path in principal.area_paths)
    ):
        return
    raise DomainError(
        "monitoring.out_of_scope",
        _("You can record visits only in the communities assigned to you."),
        field="area",
    )
