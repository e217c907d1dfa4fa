"""Timing loops and percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Measure:
    """One thing measured through Django and as raw SQL, in the same loop."""

    name: str
    p50_ms: float
    p95_ms: float
    raw_p50_ms: float
    raw_p95_ms: float
    note: str = ""

    @property
    def ratio_p50(self) -> float:
        return self.p50_ms / self.raw_p50_ms if self.raw_p50_ms else float("inf")

    @property
    def ratio_p95(self) -> float:
        return self.p95_ms / self.raw_p95_ms if self.raw_p95_ms else float("inf")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio_p50": self.ratio_p50, "ratio_p95": self.ratio_p95}


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def compare(
    name: str,
    framework: Callable[[], object],
    raw: Callable[[], object],
    *,
    requests: int,
    warmup: int = 20,
    note: str = "",
) -> Measure:
    """Time `framework` and `raw` alternately, so both see the same machine load and caches."""
    for _ in range(warmup):
        framework()
        raw()
    framework_ms, raw_ms = [], []
    for _ in range(requests):
        started = time.perf_counter()
        framework()
        framework_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        raw()
        raw_ms.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentiles(framework_ms)
    raw_p50, raw_p95 = percentiles(raw_ms)
    return Measure(name, p50, p95, raw_p50, raw_p95, note)
