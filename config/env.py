"""Strict reading of settings from the environment.

Every value is parsed once at start-up; a bad value stops the process with a message naming the
variable, so that a misconfigured production server never starts half-secure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


class ImproperlyConfiguredEnv(Exception):
    """A variable is missing or does not parse; the message names it."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name)
        return None if value is None else value.strip()

    def string(self, name: str, default: str | None = None) -> str:
        value = self.raw(name)
        if value is None or value == "":
            if default is None:
                raise ImproperlyConfiguredEnv(f"{name} must be set")
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfiguredEnv(f"{name} must be a boolean (1/0, true/false), got {value!r}")

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            parsed = int(value)
        except ValueError:
            raise ImproperlyConfiguredEnv(f"{name} must be a whole number, got {value!r}") from None
        if parsed < minimum:
            raise ImproperlyConfiguredEnv(f"{name} must be at least {minimum}, got {parsed}")
        return parsed

    def strings(self, name: str, default: list[str]) -> list[str]:
        value = self.raw(name)
        if value is None or value == "":
            return default
        items = [item.strip() for item in value.split(",")]
        if any(not item for item in items):
            raise ImproperlyConfiguredEnv(f"{name} has an empty item in {value!r}")
        return items

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(name, default)
        if value not in choices:
            raise ImproperlyConfiguredEnv(
                f"{name} must be one of {', '.join(choices)}, got {value!r}"
            )
        return value
