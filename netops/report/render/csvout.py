"""CSV for spreadsheets: one file per table, UTF-8 with a byte-order mark so Excel reads it right.

Numbers are plain (dot decimal, no grouping; percentages in percent, RTT in ms) so a
spreadsheet can compute with them; the headers carry the units.
"""

from __future__ import annotations

import csv
from pathlib import Path

from netops.report.i18n import machine_value
from netops.report.model import Report


def write(report: Report, out_dir: Path) -> list[Path]:
    written = []
    for t in report.tables():
        path = out_dir / f"{report.kind}-{t.id}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([c.label for c in t.columns])
            for row in [*t.rows, *([t.total] if t.total else [])]:
                w.writerow(["" if (v := machine_value(row.get(c.key), c.kind)) is None else v for c in t.columns])
        written.append(path)
    if report.queries:
        path = out_dir / f"{report.kind}-queries.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            lab = report.labels
            w.writerow([lab["query_purpose"], lab["query_expr"], lab["query_time"]])
            w.writerows(report.queries)
        written.append(path)
    return written
