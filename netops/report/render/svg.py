"""Inline SVG for the HTML page: the site map (drawn from coordinates, no tiles) and bar charts."""

from __future__ import annotations

import math
from html import escape

from netops.report.build import MEDIUM_COLORS
from netops.report.geo import haversine_km
from netops.report.i18n import format_value
from netops.report.model import Chart, MapLine, MapPoint, Report, Table

DOWN_COLOR = "#d7191c"
ROUTE_COLOR = "#0571b0"
"""Planned fiber routes of the growth plan."""
ROUTE_LATER_COLOR = "#92c5de"
"""Routes beyond the budget stages given."""


def route_later(props: tuple[tuple[str, object], ...]) -> bool:
    """A growth-plan route no stage buys (with --budget)."""
    d = dict(props)
    return "stage" in d and d["stage"] is None


TIER_RADIUS = {"datacenter": 7.0, "kecamatan": 5.5, "opd": 3.0, "desa": 4.0, "kelurahan": 4.0, "institution": 2.5}


def _f(v: float) -> str:
    return f"{v:.1f}"


class Projection:
    """Equirectangular, longitudes shrunk by cos(mid-latitude): true shape at regency and country scale."""

    def __init__(self, lons: list[float], lats: list[float], width: float = 960.0, max_height: float = 720.0,
                 pad: float = 24.0):
        self.lon0, lon1 = min(lons), max(lons)
        lat0, self.lat1 = min(lats), max(lats)
        self.k = math.cos(math.radians((lat0 + self.lat1) / 2))
        span_x = max((lon1 - self.lon0) * self.k, 1e-6)
        span_y = max(self.lat1 - lat0, 1e-6)
        self.scale = min((width - 2 * pad) / span_x, (max_height - 2 * pad) / span_y)
        self.pad = pad
        self.width = width
        self.height = span_y * self.scale + 2 * pad
        self.mid_lat = (lat0 + self.lat1) / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return self.pad + (lon - self.lon0) * self.k * self.scale, self.pad + (self.lat1 - lat) * self.scale

    def km_per_px(self) -> float:
        return haversine_km(self.mid_lat, self.lon0, self.mid_lat, self.lon0 + 1) / (self.k * self.scale)


def _shape(p: MapPoint, x: float, y: float) -> tuple[str, str]:
    """(tag, attributes) of a site marker: colour = medium, outline = status."""
    r = TIER_RADIUS.get(p.tier, 4.0)
    color = MEDIUM_COLORS.get(p.medium, MEDIUM_COLORS["none"])
    if p.status == "hub":
        return "rect", (f'x="{_f(x - r)}" y="{_f(y - r)}" width="{_f(2 * r)}" height="{_f(2 * r)}" fill="#111" '
                        f'stroke="#fff" stroke-width="1.5"')
    if p.status == "active":
        attrs = f'fill="{color}" stroke="#fff" stroke-width="1"'
    elif p.status == "down":
        attrs = f'fill="{color}" stroke="{DOWN_COLOR}" stroke-width="2.5"'
    elif p.status == "planned":
        attrs = f'fill="#fff" stroke="{color}" stroke-width="2" stroke-dasharray="2 1.5"'
    else:
        attrs = f'fill="#fff" stroke="{MEDIUM_COLORS["none"]}" stroke-width="2"'
    return "circle", f'cx="{_f(x)}" cy="{_f(y)}" r="{r:g}" {attrs}'


def _marker(p: MapPoint, x: float, y: float, legend: dict[str, str]) -> str:
    props = "; ".join(f"{k}: {v}" for k, v in p.props if v not in (None, ""))
    title = escape(f"{p.name} ({p.id}) — {legend.get('medium.' + p.medium, p.medium)}, "
                   f"{legend.get('status.' + p.status, p.status)}" + (f"; {props}" if props else ""))
    tag, attrs = _shape(p, x, y)
    if p.approx:
        title += escape(f" — {legend.get('approx', 'approximate')}")
        attrs += ' class="approx" fill-opacity="0.55" stroke-opacity="0.8"'
    return f"<{tag} {attrs}><title>{title}</title></{tag}>"


def _line_title(ln: MapLine) -> str:
    props = "; ".join(f"{k}: {v}" for k, v in ln.props if v not in (None, ""))
    return f"{ln.id}" + (f" ({props})" if props else "")


AREA_STYLE = {
    "kabupaten": 'fill="#fbf8ee" stroke="#444" stroke-width="1.6"',
    "kecamatan": 'fill="none" stroke="#7a7a7a" stroke-width="1.1" stroke-dasharray="5 2"',
    "desa": 'fill="none" stroke="#b9b9b9" stroke-width="0.5"',
}
"""Regency filled as land over the sea-blue background; kecamatan and desa as outlines."""


def _areas(report: Report, proj: Projection) -> list[str]:
    out = ['<g class="boundaries">']
    for a in report.areas:
        d = " ".join("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in (proj(lon, lat) for lon, lat in ring)) + " Z"
                     for ring in a.rings)
        out.append(f'<path class="area {a.level}" data-kode="{escape(a.kode)}" d="{d}" fill-rule="evenodd" '
                   f'{AREA_STYLE.get(a.level, AREA_STYLE["desa"])}><title>{escape(a.name)} ({escape(a.kode)})'
                   f'</title></path>')
    out.append("</g>")
    return out


def site_map(report: Report) -> str:
    pts = report.points
    if not pts and not report.areas:
        return ""
    ring_pts = [c for a in report.areas if a.level == "kabupaten" or not any(
        b.level == "kabupaten" for b in report.areas) for r in a.rings for c in r]
    proj = Projection([p.lon for p in pts] + [c[0] for ln in report.lines for c in ln.coords] + [c[0] for c in ring_pts],
                      [p.lat for p in pts] + [c[1] for ln in report.lines for c in ln.coords] + [c[1] for c in ring_pts])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {proj.width:.0f} '
           f'{proj.height + 40:.0f}" role="img" aria-label="{escape(report.labels["map"])}">',
           f'<rect x="0" y="0" width="{proj.width:.0f}" height="{proj.height + 40:.0f}" fill="#f4f8fb"/>']
    if report.areas:
        out += _areas(report, proj)
    out.append('<g class="links">')
    for ln in report.lines:
        if ln.medium == "vsat":  # a satellite hop is no line on the ground
            continue
        (x1, y1), (x2, y2) = proj(*ln.coords[0]), proj(*ln.coords[1])
        if ln.status == "route":
            color = ROUTE_LATER_COLOR if route_later(ln.props) else ROUTE_COLOR
            out.append(f'<line class="route" x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
                       f'stroke="{color}" stroke-width="2" stroke-opacity="0.9" stroke-dasharray="6 3">'
                       f'<title>{escape(_line_title(ln))}</title></line>')
            continue
        color = DOWN_COLOR if ln.status == "down" else MEDIUM_COLORS.get(ln.medium, "#777")
        dash = ' stroke-dasharray="4 3"' if ln.status == "planned" or ln.medium == "vsat" else ""
        opacity = "0.35" if ln.medium == "vsat" else "0.7"
        out.append(f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="{color}" '
                   f'stroke-width="1.2" stroke-opacity="{opacity}"{dash}><title>{escape(ln.id)}</title></line>')
    out.append("</g><g class=\"sites\">")
    order = {"institution": 0, "desa": 0, "kelurahan": 0, "opd": 1, "kecamatan": 2, "datacenter": 3}
    for p in sorted(pts, key=lambda p: order.get(p.tier, 0)):
        out.append(_marker(p, *proj(p.lon, p.lat), report.legend))
    out.append("</g><g class=\"labels\">")
    if len(pts) <= 2000:
        for p in pts:
            if p.tier in ("kecamatan", "datacenter"):
                x, y = proj(p.lon, p.lat)
                out.append(f'<text x="{_f(x + 8)}" y="{_f(y - 6)}" font-size="11" fill="#222">'
                           f'{escape(p.name)}</text>')
    out.append("</g>")
    # Scale bar: a round number of km near 1/5 of the width.
    kmpp = proj.km_per_px()
    target = proj.width / 5 * kmpp
    nice = next((v for v in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if v >= target * 0.5), 1000)
    bar = nice / kmpp
    y0 = proj.height + 20
    out.append(f'<g class="scale"><line x1="20" y1="{y0:.0f}" x2="{20 + bar:.1f}" y2="{y0:.0f}" stroke="#222" '
               f'stroke-width="3"/><text x="{26 + bar:.1f}" y="{y0 + 4:.0f}" font-size="12">{nice} km</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def map_legend(report: Report) -> str:
    lg = report.legend
    items = []
    for medium in ("fiber", "vsat", "radio", "lte"):
        items.append(f'<circle cx="8" cy="8" r="6" fill="{MEDIUM_COLORS[medium]}" stroke="#fff"/>'
                     f'<text x="20" y="12">{escape(lg["medium." + medium])}</text>')
    fake = {"active": "fiber", "down": "fiber", "planned": "fiber", "none": "none"}
    for status, medium in fake.items():
        tag, attrs = _shape(MapPoint("x", "x", 0, 0, "desa", medium, status), 8, 8)
        items.append(f'<{tag} {attrs}/><text x="20" y="12">{escape(lg["status." + status])}</text>')
    items.append(f'<rect x="2" y="2" width="12" height="12" fill="#111"/><text x="20" y="12">'
                 f'{escape(lg["status.hub"])}</text>')
    for level in ("kabupaten", "kecamatan", "desa"):
        if any(a.level == level for a in report.areas):
            style = AREA_STYLE[level].replace('fill="#fbf8ee"', 'fill="none"')
            items.append(f'<line x1="0" y1="8" x2="16" y2="8" {style}/>'
                         f'<text x="20" y="12">{escape(report.labels.get("boundary_" + level, level))}</text>')
    if any(p.approx for p in report.points):
        tag, attrs = _shape(MapPoint("x", "x", 0, 0, "desa", "vsat", "active"), 8, 8)
        items.append(f'<{tag} {attrs} fill-opacity="0.55"/><text x="20" y="12">'
                     f'{escape(report.labels.get("approx", "approximate"))}</text>')
    if any(ln.status == "route" for ln in report.lines):
        items.append(f'<line x1="0" y1="8" x2="16" y2="8" stroke="{ROUTE_COLOR}" stroke-width="2.5" '
                     f'stroke-dasharray="6 3"/><text x="20" y="12">{escape(lg["status.route"])}</text>')
    if any(ln.status == "route" and route_later(ln.props) for ln in report.lines):
        items.append(f'<line x1="0" y1="8" x2="16" y2="8" stroke="{ROUTE_LATER_COLOR}" stroke-width="2.5" '
                     f'stroke-dasharray="6 3"/><text x="20" y="12">{escape(lg["status.route_later"])}</text>')
    cells = []
    for i, item in enumerate(items):
        x, y = (i % 5) * 170, (i // 5) * 22
        cells.append(f'<g transform="translate({x} {y})">{item}</g>')
    h = ((len(items) + 4) // 5) * 22
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="legend" viewBox="0 0 850 {h}" font-size="12">'
            + "".join(cells) + "</svg>")


def bar_chart(t: Table, chart: Chart, lang: str) -> str:
    rows = t.rows
    if not rows:
        return ""
    label_w, bar_w, row_h = 190.0, 560.0, 20.0
    if chart.stacked:
        lo = 0.0
        hi = max(sum(float(r.get(s.key) or 0) for s in chart.series) for r in rows) or 1.0
    else:
        vals = [float(r[s.key]) for r in rows for s in chart.series if r.get(s.key) is not None]
        if chart.marker_key:
            vals += [float(r[chart.marker_key]) for r in rows if r.get(chart.marker_key) is not None]
        hi = chart.max_value or (max(vals) if vals else 1.0)
        lo = 0.0
        if vals and chart.max_value == 1.0:  # availability: zoom in on the interesting top of the scale
            lo = max(0.0, math.floor(min(vals) * 100 - 1) / 100)
    span = (hi - lo) or 1.0
    legend_h = 22.0
    height = legend_h + row_h * len(rows) + 24
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {label_w + bar_w + 80:.0f} '
           f'{height:.0f}" font-size="12" role="img" aria-label="{escape(t.title)}">']
    x = label_w
    for s in chart.series:
        out.append(f'<rect x="{x:.0f}" y="4" width="12" height="12" fill="{s.color}"/>'
                   f'<text x="{x + 16:.0f}" y="14">{escape(s.label)}</text>')
        x += 24 + 7 * len(s.label)
    for i, r in enumerate(rows):
        y = legend_h + i * row_h
        out.append(f'<text x="{label_w - 6:.0f}" y="{y + 14:.0f}" text-anchor="end">'
                   f'{escape(str(r.get(chart.label_key) or "–"))[:32]}</text>')
        x = label_w
        for s in chart.series:
            v = r.get(s.key)
            if v is None:
                continue
            w = max(0.0, (float(v) - (0 if chart.stacked else lo)) / span * bar_w)
            shown = format_value(v, "avail" if chart.max_value == 1.0 else "int", lang)
            out.append(f'<rect x="{x:.1f}" y="{y + 3:.0f}" width="{w:.1f}" height="{row_h - 6:.0f}" '
                       f'fill="{s.color}"><title>{escape(s.label)}: {shown}</title></rect>')
            if chart.stacked:
                x += w
            else:
                out.append(f'<text x="{x + w + 4:.1f}" y="{y + 14:.0f}">{shown}</text>')
        if chart.marker_key and r.get(chart.marker_key) is not None:
            mx = label_w + (float(r[chart.marker_key]) - lo) / span * bar_w
            out.append(f'<line x1="{mx:.1f}" y1="{y + 1:.0f}" x2="{mx:.1f}" y2="{y + row_h - 1:.0f}" '
                       f'stroke="#000" stroke-width="2"><title>SLA</title></line>')
    axis_y = legend_h + row_h * len(rows) + 14
    lo_txt = format_value(lo, "avail" if chart.max_value == 1.0 else "int", lang)
    hi_txt = format_value(hi, "avail" if chart.max_value == 1.0 else "int", lang)
    out.append(f'<text x="{label_w:.0f}" y="{axis_y:.0f}">{lo_txt}{escape(chart.unit and " " + chart.unit)}</text>'
               f'<text x="{label_w + bar_w:.0f}" y="{axis_y:.0f}" text-anchor="end">{hi_txt}'
               f'{escape(chart.unit and " " + chart.unit)}</text>')
    out.append("</svg>")
    return "".join(out)


