"""Server-rendered SVG charts and the world map of signatories (no JavaScript)."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

WORLD_FILE = Path(__file__).parent / "data" / "countries-110m.json"
STATUS_ORDER = ("implemented", "in_progress", "not_started")
BAR_HEIGHT = 22


def stacked_bars(tallies: list, title: str, labels: dict[str, str]) -> Markup:
    """Horizontal 100% stacked bars, one per tally, segments by commitment status."""
    width, row = 600, BAR_HEIGHT * 2 + 8
    height = row * len(tallies) + 8
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for i, tally in enumerate(tallies):
        y = i * row + 4
        parts.append(f'<text x="0" y="{y + 14}" class="chart-label">{escape(tally.label)}</text>')
        x, total = 0.0, tally.total or 1
        for status in STATUS_ORDER:
            share = tally.counts.get(status, 0) / total * width
            if share > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 20}" width="{share:.1f}" '
                             f'height="{BAR_HEIGHT}" class="bar-{status}">'
                             f'<title>{escape(labels[status])}: {tally.counts.get(status, 0)}'
                             '</title></rect>')
                x += share
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers, fixed names, escaped text only


def signatures_line(points: list[tuple[date, int]], title: str) -> Markup:
    """A step line of the number of signatory States over time."""
    width, height, pad = 600, 220, 30
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    if points:
        start, end = points[0][0].toordinal(), max(points[-1][0].toordinal(), points[0][0].toordinal() + 1)
        top = max(n for _d, n in points) or 1

        def xy(day: date, n: int) -> tuple[float, float]:
            x = pad + (day.toordinal() - start) / (end - start) * (width - 2 * pad)
            return x, height - pad - n / top * (height - 2 * pad)

        path, previous = [], None
        for day, n in points:
            x, y = xy(day, n)
            if previous is not None:
                path.append(f"L{x:.1f},{previous:.1f}")
            path.append(f"{'M' if previous is None else 'L'}{x:.1f},{y:.1f}")
            previous = y
        parts.append(f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" '
                     f'y2="{height - pad}" class="axis"/>')
        parts.append(f'<path d="{" ".join(path)}" class="line"/>')
        parts.append(f'<text x="{pad}" y="{height - 8}" class="chart-label">{points[0][0].isoformat()}</text>')
        parts.append(f'<text x="{width - pad}" y="{height - 8}" text-anchor="end" '
                     f'class="chart-label">{points[-1][0].isoformat()}</text>')
        parts.append(f'<text x="{pad}" y="{pad - 10}" class="chart-label">{top}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers, fixed names, escaped text only


@cache
def _world_paths() -> dict[str, str]:
    """SVG path data per M49 code, decoded once from the vendored TopoJSON (equirectangular)."""
    topo = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            lon, lat = x * sx + tx, y * sy + ty
            points.append((round(lon + 180, 1), round(90 - lat, 1)))
        arcs.append(points)

    def ring(indexes: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        polar = max(y for _x, y in points) > 170  # Antarctica runs along the whole bottom edge
        if not polar and any(abs(b[0] - a[0]) > 180 for a, b in zip(points, points[1:], strict=False)):
            # The ring crosses the antimeridian (eastern Russia, Fiji): move its smaller side by a
            # full turn, so the part outside the map is clipped instead of striping the world.
            east = sum(1 for x, _y in points if x >= 180) * 2 >= len(points)
            points = [(x + 360, y) if east and x < 180 else (x - 360, y) if not east and x >= 180
                      else (x, y) for x, y in points]
        return _relative_path(points)

    paths: dict[str, str] = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs", [])],
                    "MultiPolygon": geometry.get("arcs", [])}.get(geometry["type"], [])
        data = "".join(ring(r) for polygon in polygons for r in polygon)
        if data and "id" in geometry:
            paths[geometry["id"]] = paths.get(geometry["id"], "") + data
    return paths


def _relative_path(points: list[tuple[float, float]]) -> str:
    """A closed SVG path in tenths of a degree, each point relative to the one before.

    Small integer steps are a third of the size of absolute decimal coordinates and compress far
    better, which matters on the tracker page over slow links; repeated points are dropped.
    """
    tenths = [(round(x * 10), round(y * 10)) for x, y in points]
    (x0, y0), steps = tenths[0], []
    px, py = x0, y0
    for x, y in tenths[1:]:
        if (x, y) != (px, py):
            steps.append(f"{x - px},{y - py}")
            px, py = x, y
    return f"M{x0},{y0}l" + " ".join(steps) + "Z"


def world_map(signatory_m49: set[str], title: str) -> Markup:
    """Every country as a path, signatories highlighted; the page's table is the fallback."""
    parts = [f'<svg class="world-map" viewBox="0 0 3600 1800" role="img" aria-label="{escape(title)}" '
             'xmlns="http://www.w3.org/2000/svg">']
    for code, data in _world_paths().items():
        css = "signatory" if code in signatory_m49 else "other"
        parts.append(f'<path d="{data}" class="{css}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers, fixed names, escaped text only
