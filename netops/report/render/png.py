"""The site map as a PNG (matplotlib, no tiles): for slides, letters and chat messages."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from netops.report.build import MEDIUM_COLORS
from netops.report.model import Report
from netops.report.render.svg import DOWN_COLOR, ROUTE_COLOR, ROUTE_LATER_COLOR, route_later

SIZE = {"datacenter": 90, "kecamatan": 55, "opd": 14, "desa": 30, "kelurahan": 30, "institution": 10}
AREA_LINES = {"kabupaten": ("#444444", 1.3, "solid"), "kecamatan": ("#7a7a7a", 0.9, "dashed"),
              "desa": ("#b9b9b9", 0.35, "solid")}


def _areas(ax: Any, report: Report) -> None:
    """Boundaries under the sites: the regency filled as land, every level's rings as outlines."""
    from matplotlib.collections import LineCollection, PolyCollection

    land = [r for a in report.areas if a.level == "kabupaten" for r in a.rings]
    if land:
        ax.add_collection(PolyCollection(land, facecolors="#fbf8ee", edgecolors="none", zorder=0.2))
    for z, (level, (color, lw, style)) in enumerate(reversed(AREA_LINES.items())):
        rings = [r for a in report.areas if a.level == level for r in a.rings]
        if rings:
            ax.add_collection(LineCollection(rings, colors=color, linewidths=lw, linestyles=style, zorder=0.3 + z / 10))
    if report.areas and not report.points:
        ax.autoscale_view()


def write(report: Report, path: Path, dpi: int = 110) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    lg = report.legend
    pts = report.points
    height = 8.5
    outline = [c for a in report.areas if a.level == "kabupaten" for r in a.rings for c in r]
    if pts or outline:  # follow the map's shape: a country is wide, a regency roughly square
        lats = [p.lat for p in pts] + [c[1] for c in outline]
        lons = [p.lon for p in pts] + [c[0] for c in outline]
        k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span_x, span_y = max((max(lons) - min(lons)) * k, 1e-3), max(max(lats) - min(lats), 1e-3)
        height = min(11.0, max(5.0, 10.0 * span_y / span_x + 1.5))
    fig, ax = plt.subplots(figsize=(11, height), dpi=dpi)
    ax.set_facecolor("#f4f8fb")
    _areas(ax, report)
    big = len(pts) > 5000
    route_lines = [ln for ln in report.lines if ln.status == "route"]
    routes = [ln.coords for ln in route_lines]
    later = any(route_later(ln.props) for ln in route_lines)
    if routes:
        colors = [ROUTE_LATER_COLOR if route_later(ln.props) else ROUTE_COLOR for ln in route_lines]
        ax.add_collection(LineCollection(routes, colors=colors, linewidths=0.6 if big else 1.4, alpha=0.9,
                                         linestyles="dashed", zorder=1.5))
    if report.lines and not big:
        for status, dashed in (("active", False), ("down", False), ("planned", True)):
            segs = [ln.coords for ln in report.lines if ln.status == status and ln.medium != "vsat"]
            colors = [DOWN_COLOR if status == "down" else MEDIUM_COLORS.get(ln.medium, "#777")
                      for ln in report.lines if ln.status == status and ln.medium != "vsat"]
            if segs:
                ax.add_collection(LineCollection(segs, colors=colors, linewidths=0.8, alpha=0.45,
                                                 linestyles="dashed" if dashed else "solid", zorder=1))
    order = {"institution": 0, "desa": 0, "kelurahan": 0, "opd": 1, "kecamatan": 2, "datacenter": 3}
    scale = 0.4 if big else 1.0
    # One plot() per (tier, status, medium) group: markers of one style in one call, fast at 80,000 sites.
    groups: dict[tuple[str, str, str], tuple[list[float], list[float]]] = {}
    for p in pts:
        xs, ys = groups.setdefault((p.tier, p.status, p.medium), ([], []))
        xs.append(p.lon)
        ys.append(p.lat)
    for (tier, status, medium), (xs, ys) in sorted(groups.items(), key=lambda kv: order.get(kv[0][0], 0)):
        color = MEDIUM_COLORS.get(medium, MEDIUM_COLORS["none"])
        size = math.sqrt(SIZE.get(tier, 30)) * scale
        z = 2 + order.get(tier, 0)
        style: dict[str, object] = dict(ls="", marker="o", markersize=size, zorder=z)
        if status == "hub":
            style.update(marker="s", color="#111", markeredgecolor="white", markersize=size * 1.2, zorder=z + 1)
        elif status == "active":
            style.update(color=color, markeredgecolor="white", markeredgewidth=0.5 * scale)
        elif status == "down":
            style.update(color=color, markeredgecolor=DOWN_COLOR, markeredgewidth=1.8 * scale)
        elif status == "planned":
            style.update(markerfacecolor="white", markeredgecolor=color, markeredgewidth=1.4 * scale)
        else:
            style.update(markerfacecolor="white", markeredgecolor=MEDIUM_COLORS["none"], markeredgewidth=1.4 * scale)
        ax.plot(xs, ys, **style)  # type: ignore[arg-type]
    if not big:
        for p in pts:
            if p.tier in ("kecamatan", "datacenter"):
                ax.annotate(p.name, (p.lon, p.lat), xytext=(5, 4), textcoords="offset points", fontsize=7.5,
                            color="#222", zorder=9)
    approx = [p for p in pts if p.approx]
    if approx:  # a hollow ring over the marker: placed at the desa centroid, not surveyed
        ax.plot([p.lon for p in approx], [p.lat for p in approx], ls="", marker="o", markersize=9,
                markerfacecolor="none", markeredgecolor="#555", markeredgewidth=0.8, zorder=8)
    if pts:
        mid = sum(p.lat for p in pts) / len(pts)
        ax.set_aspect(1 / max(math.cos(math.radians(mid)), 0.1))
    ax.set_xlabel("lon")
    ax.set_ylabel("lat")
    ax.grid(True, color="#dde3ea", linewidth=0.5)
    ax.set_title(f"{report.title}\n{report.labels['map']}", fontsize=11)
    handles = [Line2D([], [], marker="o", ls="", color=MEDIUM_COLORS[k], markeredgecolor="white", markersize=8,
                      label=lg[f"medium.{k}"]) for k in ("fiber", "vsat", "radio", "lte")]
    handles += [
        Line2D([], [], marker="o", ls="", color=MEDIUM_COLORS["fiber"], markeredgecolor=DOWN_COLOR,
               markeredgewidth=2, markersize=8, label=lg["status.down"]),
        Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor=MEDIUM_COLORS["fiber"],
               markersize=8, label=lg["status.planned"]),
        Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor=MEDIUM_COLORS["none"],
               markersize=8, label=lg["status.none"]),
        Line2D([], [], marker="s", ls="", color="#111", markersize=8, label=lg["status.hub"]),
    ]
    if routes:
        handles.append(Line2D([], [], color=ROUTE_COLOR, ls="--", lw=2, label=lg["status.route"]))
    if later:
        handles.append(Line2D([], [], color=ROUTE_LATER_COLOR, ls="--", lw=2, label=lg["status.route_later"]))
    for level, (color, lw, dash) in AREA_LINES.items():
        if any(a.level == level for a in report.areas):
            handles.append(Line2D([], [], color=color, lw=lw, ls=dash, label=report.labels.get(f"boundary_{level}", level)))
    if approx:
        handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor="#555", markersize=9,
                              label=lg.get("approx", "approximate")))
    ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)  # "best" scans every point
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": "netops"})
    plt.close(fig)
    return path
