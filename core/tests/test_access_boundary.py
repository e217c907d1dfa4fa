"""Views and API modules reach data only through access/, selectors and services.

A view that writes `Child.objects.filter(...)` can leak a child record past the access rules
without any test noticing; this test notices. It reads source text, so it cannot be fooled by
a code path the other tests do not exercise.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_IGNORED_DIRECTORIES = {".venv", ".tools", "node_modules", "migrations", "tests", "bench"}
_MANAGER_USE = re.compile(r"\b[A-Z]\w*\.(objects|_default_manager|_base_manager)\b")


def _request_handling_modules() -> list[Path]:
    modules = []
    for path in ROOT.rglob("*.py"):
        if _IGNORED_DIRECTORIES & set(path.relative_to(ROOT).parts):
            continue
        in_views_package = "views" in path.parts[:-1]
        if (
            path.name in {"api.py", "views.py"}
            or path.name.endswith("_views.py")
            or in_views_package
        ):
            modules.append(path)
    return modules


def test_the_scan_finds_the_view_modules():
    names = {path.relative_to(ROOT).as_posix() for path in _request_handling_modules()}
    assert {"core/views.py", "accounts/views.py", "accounts/api.py"} <= names


def test_views_and_api_never_use_a_model_manager():
    offenders = []
    for path in _request_handling_modules():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if _MANAGER_USE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, (
        "Views and API must read through access/ or a selector and write through a service:\n"
        + "\n".join(offenders)
    )
