"""Where a request came from, for audit rows written deep inside services.

Middleware stores the caller's IP, user agent and a request id in a context variable; services
call audit.services.record_event without passing the request around.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "kinga_request_context",
    default=RequestContext(),  # noqa: B039 — frozen, never mutated
)


def current() -> RequestContext:
    return _current.get()


def set_current(context: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(context)


def reset(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)
