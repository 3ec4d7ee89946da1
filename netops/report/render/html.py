"""One self-contained HTML page: inline CSS, inline SVG map and charts, a little inline JS.

A Content-Security-Policy meta tag (``default-src 'none'`` plus the hashes of the one
style and one script block) makes the browser refuse, and report, any load the page might
try: nothing may leave the machine when a planner opens the file.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from pathlib import Path

from netops.report.i18n import format_value, machine_value
from netops.report.model import Report, Table
from netops.report.render.svg import bar_chart, map_legend, site_map

CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;margin:24px auto;max-width:1200px;color:#1a1a1a;
font-size:14px;line-height:1.45;padding:0 16px}
h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;border-bottom:2px solid #1b7837;padding-bottom:4px;margin-top:32px}
h3{font-size:15px;margin:22px 0 6px}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0 16px}
dl.meta dt{font-weight:bold}dl.meta dd{margin:0}
.alert{border:2px solid #d7191c;background:#fdecea;padding:10px 14px;font-weight:bold;margin:12px 0}
nav.toc a{margin-right:14px}
table{border-collapse:collapse;margin:6px 0 4px;font-size:12.5px}
th,td{border:1px solid #ccd;padding:3px 7px;vertical-align:top}
td{white-space:nowrap}
th{background:#eef3ee;cursor:pointer;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tfoot td{font-weight:bold;background:#f6f6f6}
tr.breach td{background:#fdecea}
.src{color:#555;font-size:12px;margin:2px 0}
pre.promql{background:#f4f4f8;border:1px solid #dde;padding:6px 8px;font-size:11.5px;white-space:pre-wrap;margin:4px 0}
svg.map{width:100%;height:auto;border:1px solid #ccd;background:#f4f8fb}
svg.legend{width:100%;max-width:850px;height:auto}
svg.chart{width:100%;max-width:900px;height:auto}
.scroll{overflow-x:auto;max-width:100%}
.empty{font-style:italic;color:#555}
.foot{color:#666;font-size:11px;margin-top:30px}
@page{size:A4 landscape;margin:10mm}
@media print{body{margin:0;max-width:none;font-size:10px;padding:0}th{cursor:auto}h2,h3{break-after:avoid}
table{break-inside:auto;font-size:8.5px}tr{break-inside:avoid}td{white-space:normal}th,td{padding:2px 4px}
.scroll{overflow:visible}svg.map{max-height:180mm}svg.chart{max-width:700px}nav.toc{display:none}
pre.promql{font-size:8.5px}section.mapsec{break-before:page;break-inside:avoid}svg.map{max-height:140mm}}
""".strip()

JS = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('thead th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute('data-dir') !== 'asc';
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
        var nx = parseFloat(x), ny = parseFloat(y);
        var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      table.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('data-dir'); });
      th.setAttribute('data-dir', asc ? 'asc' : 'desc');
    });
  });
});
""".strip()


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


CSP = f"default-src 'none'; style-src '{_hash(CSS)}'; script-src '{_hash(JS)}'; base-uri 'none'; form-action 'none'"


def table_html(t: Table, lang: str, collapse_over: int = 300) -> str:
    out = [f'<h3 id="{escape(t.id)}">{escape(t.title)}</h3>']
    if t.chart is not None and t.rows:
        out.append(bar_chart(t, t.chart, lang))
    if not t.rows and t.empty:
        out.append(f'<p class="empty">{escape(t.empty)}</p>')
    else:
        head = "".join(f"<th>{escape(c.label)}</th>" for c in t.columns)
        body = []
        for row in t.rows:
            cls = ' class="breach"' if row.get("breach") else ""
            cells = []
            for c in t.columns:
                v = row.get(c.key)
                mv = machine_value(v, c.kind)
                num = c.kind not in ("text", "bool")
                cells.append(f'<td{" class=n" if num else ""} data-v="{escape("" if mv is None else str(mv))}">'
                             f"{escape(format_value(v, c.kind, lang))}</td>")
            body.append(f"<tr{cls}>{''.join(cells)}</tr>")
        foot = ""
        if t.total:
            foot = "<tfoot><tr>" + "".join(
                f'<td{" class=n" if c.kind not in ("text", "bool") else ""}>'
                f"{escape(format_value(t.total.get(c.key), c.kind, lang))}</td>" for c in t.columns) + "</tr></tfoot>"
        table = (f'<table class="sortable" data-table="{escape(t.id)}"><thead><tr>{head}</tr></thead>'
                 f'<tbody>{"".join(body)}</tbody>{foot}</table>')
        table = f'<div class="scroll">{table}</div>'
        if len(t.rows) > collapse_over:
            table = f"<details><summary>{len(t.rows)} ×</summary>{table}</details>"
        out.append(table)
    if t.note:
        out.append(f'<p class="src">{escape(t.note)}</p>')
    if t.source:
        out.append(f'<p class="src">{escape(t.source)}</p>')
    if t.queries:
        out.append('<pre class="promql">' + escape("\n".join(t.queries)) + "</pre>")
    return "\n".join(out)


def render(report: Report) -> str:
    lab = report.labels
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{report.lang}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<!-- {escape(lab['generated_by'])} -->",
        f"<h1>{escape(report.title)}</h1>",
        '<dl class="meta">' + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report.meta) + "</dl>",
    ]
    parts += [f'<div class="alert" role="alert">⚠ {escape(a)}</div>' for a in report.alerts]
    toc = [f'<a href="#{s.id}">{escape(s.title)}</a>' for s in report.sections]
    toc.append(f'<a href="#map">{escape(lab["map"])}</a>')
    if report.queries:
        toc.append(f'<a href="#queries">{escape(lab["queries"])}</a>')
    parts.append(f'<nav class="toc"><strong>{escape(lab["contents"])}:</strong> {" ".join(toc)}</nav>')
    for s in report.sections:
        parts.append(f'<section><h2 id="{s.id}">{escape(s.title)}</h2>')
        if s.alert and s.alert not in report.alerts:
            parts.append(f'<div class="alert" role="alert">⚠ {escape(s.alert)}</div>')
        parts += [f"<p>{escape(p)}</p>" for p in s.text]
        parts += [table_html(t, report.lang) for t in s.tables]
        parts.append("</section>")
    parts.append(f'<section class="mapsec"><h2 id="map">{escape(lab["map"])}</h2>')
    parts.append(site_map(report))
    parts.append(map_legend(report))
    if lab.get("map_note"):
        parts.append(f'<p class="src">{escape(lab["map_note"])}</p>')
    parts.append("</section>")
    if report.queries:
        parts.append(f'<section><h2 id="queries">{escape(lab["queries"])}</h2><table><thead><tr>'
                     f'<th>{escape(lab["query_purpose"])}</th><th>{escape(lab["query_expr"])}</th>'
                     f'<th>{escape(lab["query_time"])}</th></tr></thead><tbody>')
        parts += [f"<tr><td>{escape(p)}</td><td><code>{escape(q)}</code></td><td>{escape(t)}</td></tr>"
                  for p, q, t in report.queries]
        parts.append("</tbody></table></section>")
    parts.append(f'<p class="foot">{escape(lab["generated_by"])}</p>')
    parts.append(f"<script>{JS}</script></body></html>")
    return "\n".join(parts)


def write(report: Report, path: Path) -> Path:
    path.write_text(render(report), encoding="utf-8")
    return path
