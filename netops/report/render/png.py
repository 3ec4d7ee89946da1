"""The site map as a PNG (matplotlib, no tiles): for slides, letters and chat messages."""

from __future__ import annotations

import math
from pathlib import Path

from netops.report.build import MEDIUM_COLORS
from netops.report.model import Report
from netops.report.render.svg import DOWN_COLOR

SIZE = {"datacenter": 90, "kecamatan": 55, "opd": 14, "desa": 30}


def write(report: Report, path: Path, dpi: int = 110) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    lg = report.legend
    fig, ax = plt.subplots(figsize=(11, 8.5), dpi=dpi)
    ax.set_facecolor("#f4f8fb")
    pts = report.points
    big = len(pts) > 5000
    if report.lines and not big:
        for status, dashed in (("active", False), ("down", False), ("planned", True)):
            segs = [ln.coords for ln in report.lines if ln.status == status and ln.medium != "vsat"]
            colors = [DOWN_COLOR if status == "down" else MEDIUM_COLORS.get(ln.medium, "#777")
                      for ln in report.lines if ln.status == status and ln.medium != "vsat"]
            if segs:
                ax.add_collection(LineCollection(segs, colors=colors, linewidths=0.8, alpha=0.45,
                                                 linestyles="dashed" if dashed else "solid", zorder=1))
    order = {"desa": 0, "opd": 1, "kecamatan": 2, "datacenter": 3}
    scale = 0.15 if big else 1.0
    for tier in sorted({p.tier for p in pts}, key=lambda t: order.get(t, 0)):
        tp = [p for p in pts if p.tier == tier]
        for status in ("active", "down", "planned", "none", "hub"):
            sp = [p for p in tp if p.status == status]
            if not sp:
                continue
            xs, ys = [p.lon for p in sp], [p.lat for p in sp]
            colors = [MEDIUM_COLORS.get(p.medium, MEDIUM_COLORS["none"]) for p in sp]
            size = SIZE.get(tier, 30) * scale
            z = 2 + order.get(tier, 0)
            if status == "hub":
                ax.scatter(xs, ys, s=size * 1.5, marker="s", c="#111", edgecolors="white", zorder=z + 1)
            elif status == "active":
                ax.scatter(xs, ys, s=size, c=colors, edgecolors="white", linewidths=0.5, zorder=z)
            elif status == "down":
                ax.scatter(xs, ys, s=size, c=colors, edgecolors=DOWN_COLOR, linewidths=1.8, zorder=z)
            elif status == "planned":
                ax.scatter(xs, ys, s=size, facecolors="white", edgecolors=colors, linewidths=1.4,
                           linestyles="dashed", zorder=z)
            else:
                ax.scatter(xs, ys, s=size, facecolors="white", edgecolors=MEDIUM_COLORS["none"], linewidths=1.4,
                           zorder=z)
    if not big:
        for p in pts:
            if p.tier in ("kecamatan", "datacenter"):
                ax.annotate(p.name, (p.lon, p.lat), xytext=(5, 4), textcoords="offset points", fontsize=7.5,
                            color="#222", zorder=9)
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
    ax.legend(handles=handles, loc="best", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": "netops"})
    plt.close(fig)
    return path
