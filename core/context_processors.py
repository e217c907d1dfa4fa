from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from access.principal import principal_for
from core.navigation import NAVIGATION


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries for the signed-in user, the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    principal = principal_for(user)
    items = []
    for item in NAVIGATION:
        if item.permission is not None and not principal.has(item.permission):
            continue
        url = reverse(item.url_name)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": item.label, "url": url, "current": current})
    return {"nav_items": items, "principal": principal}
