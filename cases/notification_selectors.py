"""Reads of a person's own notifications: nobody reads another person's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases.models import Notification
from core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page

# Unread first, newest first within each (index recipient, -unread, -id).
NOTIFICATION_ORDER = ("-unread", "-id")


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's own notices; none for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


def notification_page(
    user: Any, *, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> Page[Notification]:
    return keyset_page(notifications_for(user), order=NOTIFICATION_ORDER, cursor=cursor, size=limit)


def unread_count(user: Any) -> int:
    return notifications_for(user).filter(unread=True).count()
