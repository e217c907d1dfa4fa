"""Charts drawn on the server as SVG: no script, no library, readable on a phone.

Each chart scales to its container (a viewBox, width 100%), carries a <title> for screen
readers, and sits next to a table of the same numbers. Colours are presentation attributes,
which the content security policy allows (inline `style` would not be).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#1f6f8b"
BAR_ALT = "#d9822b"
INK = "#24292f"
MUTED = "#57606a"
LINE = "#d0d7de"


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    second: float | None = None  # a second series drawn beside the first


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def column_chart(points: Sequence[Point], *, title: str, legend: Sequence[str] = ()) -> SafeString:
    """Vertical bars, one group per point (months, usually)."""
    width, height, left, bottom, top = 640, 240, 44, 40, 16
    plot_w, plot_h = width - left - 8, height - top - bottom
    peak = max([p.value for p in points] + [p.second or 0 for p in points] + [0])
    top_value = _nice_top(peak)
    slot = plot_w / max(len(points), 1)
    paired = any(p.second is not None for p in points)
    bar_w = slot * (0.38 if paired else 0.7)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(5):
        tick = top_value * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{_number(tick)}</text>"
        )
    label_every = max(1, math.ceil(len(points) / 12))
    for index, point in enumerate(points):
        x = left + slot * index + (slot - bar_w * (2 if paired else 1)) / 2
        series: tuple[tuple[int, float | None, str], ...] = (
            (0, point.value, BAR),
            (1, point.second, BAR_ALT),
        )
        for offset, value, colour in series:
            if value is None:
                continue
            bar_h = plot_h * value / top_value
            parts.append(
                f'<rect x="{x + offset * bar_w:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{bar_w:.1f}" height="{bar_h:.1f}" fill="{colour}">'
                f"<title>{escape(point.label)}: {_number(value)}</title></rect>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{left + slot * index + slot / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle" fill="{INK}">{escape(point.label)}</text>'
            )
    for index, name in enumerate(legend[:2]):
        colour = BAR if index == 0 else BAR_ALT
        x = left + index * 200
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{height - 5}" fill="{INK}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every label above is escaped


def bar_list(points: Sequence[Point], *, title: str) -> SafeString:
    """Horizontal bars with their labels and values: breakdowns."""
    row_h, label_w, width = 26, 210, 640
    height = row_h * max(len(points), 1) + 8
    peak = max([p.value for p in points] + [0]) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    for index, point in enumerate(points):
        y = 4 + index * row_h
        bar_w = (width - label_w - 70) * point.value / peak
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" fill="{INK}">'
            f"{escape(point.label[:32])}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="{row_h - 8}" '
            f'fill="{BAR}"/>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 16}" fill="{INK}">'
            f"{_number(point.value)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every label above is escaped
