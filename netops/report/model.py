"""The shape every report takes before rendering: sections of tables, a map, the queries.

Builders fill this once, in one language; each renderer (HTML, Markdown, CSV, GeoJSON,
PNG, PDF) only lays it out, so every format shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"
    """text, int, pct (0..100, 1 decimal), avail (ratio 0..1 shown as % with 3 decimals),
    loss (ratio shown as % with 2 decimals), ms (seconds shown as ms), km, mbps, min, rp (Rupiah), bool."""


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str


@dataclass
class Chart:
    """A horizontal bar chart over a table's rows (drawn as inline SVG in HTML)."""

    label_key: str
    series: list[Series]
    stacked: bool = True
    max_value: float | None = None
    marker_key: str | None = None
    """A per-row value drawn as a tick (the SLA target)."""
    unit: str = ""


@dataclass
class Table:
    id: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    source: str = ""
    queries: list[str] = field(default_factory=list)
    note: str = ""
    total: dict[str, Any] | None = None
    chart: Chart | None = None
    empty: str = ""


@dataclass
class Section:
    id: str
    title: str
    text: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    alert: str = ""


@dataclass(slots=True)
class MapPoint:
    id: str
    name: str
    lat: float
    lon: float
    tier: str
    medium: str
    """fiber, vsat, radio, lte or none."""
    status: str
    """active, down, planned, none, or hub for the data center."""
    props: tuple[tuple[str, Any], ...] = ()
    approx: bool = False
    """Placed at its desa polygon's centroid (the inventory has no coordinates for it)."""


@dataclass(slots=True)
class MapLine:
    id: str
    coords: tuple[tuple[float, float], tuple[float, float]]
    """((lon, lat), (lon, lat))."""
    medium: str
    status: str
    props: tuple[tuple[str, Any], ...] = ()


@dataclass(slots=True)
class MapArea:
    """A boundary polygon under the sites: rings of (lon, lat), outer and holes alike (even-odd fill)."""

    kode: str
    name: str
    level: str
    """kabupaten, kecamatan or desa."""
    rings: list[list[tuple[float, float]]]


@dataclass
class Report:
    kind: str
    lang: str
    title: str
    meta: list[tuple[str, str]]
    sections: list[Section]
    points: list[MapPoint]
    lines: list[MapLine]
    legend: dict[str, str]
    """Localised names of media and statuses for the map legend."""
    queries: list[tuple[str, str, str]] = field(default_factory=list)
    """(purpose, PromQL, evaluation time) of every query the report ran."""
    alerts: list[str] = field(default_factory=list)
    exit_code: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    """Other localised strings renderers need (map title, query list heading...)."""
    areas: list[MapArea] = field(default_factory=list)
    """Boundaries drawn under the sites, outermost level first."""

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def table(self, table_id: str) -> Table:
        for t in self.tables():
            if t.id == table_id:
                return t
        raise KeyError(table_id)
