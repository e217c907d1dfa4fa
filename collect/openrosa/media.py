"""Per-phone media files: the communities and sites a form offers, from the user's scope.

A facilitator's phone lists only the communities assigned to them (and the sites there), so
choosing somebody else's village is impossible on the phone and refused on the server.
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from access.geo import sites_visible_to
from access.principal import principal_for
from geo.models import Area, AreaLevel


def _csv(rows: list[tuple[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("name", "label"))
    writer.writerows(rows)
    return buffer.getvalue().encode()


def communities_csv(user: Any) -> bytes:
    principal = principal_for(user)
    villages = Area.objects.filter(
        principal.area_filter("path"), level=AreaLevel.VILLAGE, is_active=True
    ).order_by("name", "code")
    return _csv([(area.code, area.name) for area in villages])


def sites_csv(user: Any) -> bytes:
    sites = sites_visible_to(user).order_by("name", "code")
    return _csv([(site.code, site.name) for site in sites])


MEDIA = {"communities.csv": communities_csv, "sites.csv": sites_csv}


def media_file(name: str, user: Any) -> bytes | None:
    builder = MEDIA.get(name)
    return builder(user) if builder is not None else None


def md5_of(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()
