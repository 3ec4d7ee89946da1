"""Markdown: the report as text tables, for wikis, issues and e-mail."""

from __future__ import annotations

from pathlib import Path

from netops.report.i18n import format_value
from netops.report.model import Report, Table


def _text(text: str) -> str:
    """Plain text for Markdown: '<' and '>' would open HTML tags (a name such as 'Kantor <Baru>' vanished)."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """Inside a code span nothing is HTML; only the table's '|' needs escaping."""
    return text.replace("|", "\\|").replace("\n", " ")


def table_md(t: Table, lang: str, total_label: str) -> list[str]:
    out = [f"### {_text(t.title)}", ""]
    if not t.rows and t.empty:
        out += [f"_{_text(t.empty)}_", ""]
    else:
        out.append("| " + " | ".join(_cell(c.label) for c in t.columns) + " |")
        out.append("|" + "|".join("---:" if c.kind not in ("text", "bool") else "---" for c in t.columns) + "|")
        rows = list(t.rows) + ([t.total] if t.total else [])
        for i, row in enumerate(rows):
            cells = [_cell(format_value(row.get(c.key), c.kind, lang)) for c in t.columns]
            if t.total is not None and i == len(rows) - 1:
                cells = [f"**{c}**" for c in cells]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if t.note:
        out += [_text(t.note), ""]
    if t.source:
        out += [f"_{_text(t.source)}_", ""]
    if t.queries:
        out += ["```promql", *t.queries, "```", ""]
    return out


def render(report: Report) -> str:
    lines = [f"# {_text(report.title)}", "", f"<!-- {report.labels['generated_by']} -->", ""]
    lines += [f"- **{k}:** {_cell(v)}" for k, v in report.meta]
    lines.append("")
    for alert in report.alerts:
        lines += [f"> **⚠ {_text(alert)}**", ""]
    for section in report.sections:
        lines += [f"## {_text(section.title)}", ""]
        if section.alert and section.alert not in report.alerts:
            lines += [f"> **⚠ {_text(section.alert)}**", ""]
        for para in section.text:
            lines += [_text(para), ""]
        for t in section.tables:
            lines += table_md(t, report.lang, report.labels["total"])
    if report.queries:
        lab = report.labels
        lines += [f"## {lab['queries']}", "", f"| {lab['query_purpose']} | {lab['query_expr']} | {lab['query_time']} |",
                  "|---|---|---|"]
        lines += [f"| {_cell(p)} | `{_code(q)}` | {t} |" for p, q, t in report.queries]
        lines.append("")
    return "\n".join(lines)


def write(report: Report, path: Path) -> Path:
    path.write_text(render(report), encoding="utf-8")
    return path
