"""The programme map: sites and communities with their counts, drawn as SVG on a plain ground.

No tiles and no script: it works offline and on a phone (decision 0005). Sites carry their own
coordinates; a community is placed at the centre of its sites (or of its parent's sites when it
has none). Territories are drawn from their stored boundary (geo.Area.boundary, a simplified
outline) when they have one, else outlined by the convex hull of their points, and labelled:
an honest sketch of where things are, not a survey map.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from geo.models import Area, AreaLevel, Site
from reports.catalogue import Measure
from reports.charts import BAR, BAR_ALT, INK, LINE, MUTED
from reports.facts import territory_of
from reports.models import CubeCell, Grain
from reports.selectors import Filters

# Beyond this many points of each kind the smallest are left off (the page stays light).
MAX_POINTS = 100
# The map's tables list the largest points of each kind.
TABLE_ROWS = 50


@dataclass
class MapPoint:
    kind: str  # "site" or "community"
    label: str
    latitude: float
    longitude: float
    identified: int = 0
    monitored: int = 0
    territory_id: int = 0


@dataclass
class ProgrammeMap:
    svg: SafeString
    communities: list[MapPoint] = field(default_factory=list)
    sites: list[MapPoint] = field(default_factory=list)
    left_off: int = 0


def _period(cells, filters: Filters):  # type: ignore[no-untyped-def]
    return cells.filter(month__gte=filters.start, month__lte=filters.end)


def programme_map(filters: Filters) -> ProgrammeMap:
    sites = Site.objects.filter(latitude__isnull=False, longitude__isnull=False).select_related(
        "area"
    )
    villages = Area.objects.filter(level=AreaLevel.VILLAGE)
    if filters.area is not None:
        sites = sites.filter(area__path__startswith=filters.area.path)
        villages = villages.filter(path__startswith=filters.area.path)
    site_counts = dict(
        _period(
            CubeCell.objects.filter(grain=Grain.SITE, measure=Measure.CHILDREN_IDENTIFIED), filters
        )
        .values_list("site_id")
        .annotate(n=Sum("n"))
        .values_list("site_id", "n")
    )
    community_counts: dict[tuple[int, str], int] = {}
    for area_id, measure, n in (
        _period(
            CubeCell.objects.filter(
                grain=Grain.COMMUNITY,
                measure__in=[Measure.CHILDREN_IDENTIFIED, Measure.CHILDREN_MONITORED],
            ),
            filters,
        )
        .values_list("area_id", "measure")
        .annotate(n=Sum("n"))
    ):
        community_counts[(area_id, measure)] = n

    site_points, by_area, by_parent = [], defaultdict(list), defaultdict(list)
    for site in sites:
        point = MapPoint(
            "site",
            site.name,
            float(site.latitude),  # type: ignore[arg-type]
            float(site.longitude),  # type: ignore[arg-type]
            identified=site_counts.get(site.pk, 0),
            territory_id=territory_of(site.area.path),
        )
        site_points.append(point)
        by_area[site.area_id].append(point)
        by_parent[site.area.parent_id].append(point)
    community_points = []
    for village in villages.only("id", "name", "path", "parent_id"):
        around = by_area.get(village.pk) or by_parent.get(village.parent_id)
        if not around:
            continue
        community_points.append(
            MapPoint(
                "community",
                village.name,
                sum(p.latitude for p in around) / len(around),
                sum(p.longitude for p in around) / len(around),
                identified=community_counts.get((village.pk, Measure.CHILDREN_IDENTIFIED), 0),
                monitored=community_counts.get((village.pk, Measure.CHILDREN_MONITORED), 0),
                territory_id=territory_of(village.path),
            )
        )
    territories: dict[int, str] = {}
    boundaries: dict[int, list[list[float]]] = {}
    for area_id, name, boundary in Area.objects.filter(
        id__in={p.territory_id for p in [*site_points, *community_points]}
    ).values_list("id", "name", "boundary"):
        territories[area_id] = name
        if boundary:
            boundaries[area_id] = boundary
    drawn = sorted(community_points, key=lambda p: -(p.monitored + p.identified))[:MAX_POINTS]
    drawn_sites = sorted(site_points, key=lambda p: -p.identified)[:MAX_POINTS]
    left_off = len(community_points) - len(drawn) + len(site_points) - len(drawn_sites)
    svg = draw(drawn, drawn_sites, territories, boundaries)
    drawn.sort(key=lambda p: (-p.identified, -p.monitored, p.label))
    drawn_sites.sort(key=lambda p: (-p.identified, p.label))
    return ProgrammeMap(svg, drawn, drawn_sites, left_off)


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; fewer than three points give themselves."""
    points = sorted(set(points))
    if len(points) < 3:
        return points

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _ring_area(ring: list[tuple[float, float]]) -> float:
    """Twice the area of a ring (shoelace), to draw large outlines under small ones."""
    pairs = zip(ring, [*ring[1:], ring[0]], strict=True)
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs))


def _polygon(ring: list[tuple[float, float]], title: str = "", **attributes: str) -> str:
    """A polygon element; `title` (already escaped) names it to a screen reader or a tap."""
    outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in ring)
    extra = " ".join(f'{name.replace("_", "-")}="{value}"' for name, value in attributes.items())
    if title:
        return f'<polygon points="{outline}" {extra}><title>{title}</title></polygon>'
    return f'<polygon points="{outline}" {extra}/>'


def draw(
    communities: list[MapPoint],
    sites: list[MapPoint],
    territories: dict[int, str],
    boundaries: dict[int, list[list[float]]] | None = None,
) -> SafeString:
    """The map as SVG: the view fits the points; territories with a stored boundary are drawn
    from it (clipped at the frame), the others outlined around their points. Text is large
    enough to read when the 640-unit-wide drawing is shown 390 pixels wide on a phone."""
    boundaries = boundaries or {}
    width, height, pad = 640, 520, 30
    title = _("Map of communities and sites")
    # Translated once, outside the f-strings below (where makemessages would not find them).
    no_coordinates = _("No site has coordinates yet.")
    community_legend = _("community (size: children monitored)")
    site_legend = _("site (size: children identified)")
    everything = [*communities, *sites]
    if not everything:
        return mark_safe(  # noqa: S308 — constant markup and an escaped title
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 60" width="100%" '
            f'role="img" aria-label="{escape(title)}"><text x="10" y="30" fill="{MUTED}" '
            f'font-size="20">{escape(no_coordinates)}</text></svg>'
        )
    lat0 = sum(p.latitude for p in everything) / len(everything)
    x_scale = math.cos(math.radians(lat0))
    xs = [p.longitude * x_scale for p in everything]
    ys = [p.latitude for p in everything]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 0.05)
    map_height = height - 2 * pad - 50  # the legend's two lines sit below the map
    scale = min(width - 2 * pad, map_height) / span

    # Centre the points: a single site or a narrow area sits in the middle, not in a corner.
    x_margin = (width - 2 * pad - (max(xs) - min(xs)) * scale) / 2
    y_margin = (map_height - (max(ys) - min(ys)) * scale) / 2

    def project(longitude: float, latitude: float) -> tuple[float, float]:
        x = pad + x_margin + (longitude * x_scale - min(xs)) * scale
        y = pad + map_height - y_margin - (latitude - min(ys)) * scale
        return x, y

    def at(p: MapPoint) -> tuple[float, float]:
        return project(p.longitude, p.latitude)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="18">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#f6f8fa"/>',
    ]
    grouped: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for p in everything:
        grouped[p.territory_id].append(at(p))
    outlines = []
    for territory_id, points in grouped.items():
        stored = boundaries.get(territory_id)
        if stored:
            ring = [project(longitude, latitude) for longitude, latitude in stored]
            outlines.append((_ring_area(ring), territory_id, ring, True))
        else:
            outlines.append((0.0, territory_id, _hull(points), False))
    # Large outlines first, so a city drawn inside its territory stays visible.
    for _size, territory_id, ring, from_boundary in sorted(outlines, key=lambda o: -o[0]):
        name = escape(territories.get(territory_id, ""))
        if from_boundary:
            parts.append(_polygon(ring, name, fill="#ffffff", stroke=MUTED, stroke_width="2"))
        elif len(ring) >= 3:
            parts.append(
                _polygon(
                    ring, fill="#ffffff", stroke=LINE, stroke_width="14", stroke_linejoin="round"
                )
            )
    for territory_id, points in grouped.items():
        cx = sum(x for x, _ in points) / len(points)
        cy = sum(y for _, y in points) / len(points)
        parts.append(
            f'<text x="{cx:.1f}" y="{cy - 12:.1f}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(territories.get(territory_id, ''))}</text>"
        )
    for p in communities:
        x, y = at(p)
        radius = 4 + math.sqrt(p.monitored) * 0.6
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{BAR}" '
            f'fill-opacity="0.35" stroke="{BAR}"><title>{escape(p.label)}</title></circle>'
        )
    for p in sites:
        x, y = at(p)
        size = 6 + math.sqrt(p.identified) * 0.8
        parts.append(
            f'<rect x="{x - size / 2:.1f}" y="{y - size / 2:.1f}" width="{size:.1f}" '
            f'height="{size:.1f}" fill="{BAR_ALT}" stroke="{INK}" stroke-width="0.5">'
            f"<title>{escape(p.label)}</title></rect>"
        )
    # The legend, on two lines below the map (one line would not fit on a phone).
    parts.append(
        f'<circle cx="{pad + 6}" cy="{height - 44}" r="7" fill="{BAR}" fill-opacity="0.35" '
        f'stroke="{BAR}"/><text x="{pad + 20}" y="{height - 38}" fill="{INK}">'
        f"{escape(community_legend)}</text>"
        f'<rect x="{pad}" y="{height - 24}" width="12" height="12" fill="{BAR_ALT}"/>'
        f'<text x="{pad + 20}" y="{height - 13}" fill="{INK}">'
        f"{escape(site_legend)}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every label above is escaped
