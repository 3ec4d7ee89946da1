"""The config audit as a report (HTML, CSV, Markdown) in the style of the planners' reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from netops.config.audit import AuditReport, GroupSummary
from netops.inventory import Inventory
from netops.report import build
from netops.report.i18n import Messages
from netops.report.model import Column, Report, Section, Table


def _row(g: GroupSummary, label: str) -> dict[str, Any]:
    return {"name": label, "devices": g.devices, "compliant": g.compliant, "drifted": g.drifted,
            "noncompliant": g.noncompliant, "unreachable": g.unreachable, "pct": g.pct}


def compliance_report(inv: Inventory, audit: AuditReport, lang: str = "id", where: list[str] | None = None,
                      rules_dir: str = "") -> Report:
    m = Messages(lang)
    count_cols = [Column("devices", m("c.devices"), "int"), Column("compliant", m("c.compliant"), "int"),
                  Column("drifted", m("c.drifted"), "int"), Column("noncompliant", m("c.noncompliant"), "int"),
                  Column("unreachable", m("c.unreachable"), "int"), Column("pct", m("c.compliant_pct"), "pct")]
    total = audit.total()
    kec = Table(id="kecamatan", title=m("t.compliance_kecamatan"),
                columns=[Column("name", m("c.kecamatan")), *count_cols],
                rows=[_row(g, g.name) for g in audit.summary("kecamatan")],
                total=_row(total, m("c.total_regency", name=inv.regency.name)), source=m("src.compliance"))
    plat = Table(id="platform", title=m("t.compliance_platform"),
                 columns=[Column("name", m("c.platform")), *count_cols],
                 rows=[_row(g, g.name) for g in audit.summary("platform")], source=m("src.compliance"))
    devices = Table(id="devices", title=m("t.compliance_devices"),
                    columns=[Column("device", m("c.device")), Column("platform", m("c.platform")),
                             Column("kecamatan", m("c.kecamatan")), Column("site", m("c.site")),
                             Column("state", m("c.cstate")), Column("drift_lines", m("c.drift_lines"), "int"),
                             Column("findings", m("c.findings"), "int")],
                    rows=[{"device": d.device, "platform": d.platform, "kecamatan": d.kecamatan, "site": d.site,
                           "state": m(f"cstate.{d.state.value}") + (f" ({d.error})" if d.error else ""),
                           "drift_lines": d.drift_lines, "findings": len(d.findings)} for d in audit.devices])
    findings = Table(id="findings", title=m("t.compliance_findings"),
                     columns=[Column("device", m("c.device")), Column("rule", m("c.rule")),
                              Column("severity", m("c.severity")), Column("finding", m("c.finding")),
                              Column("lines", m("c.lines")), Column("why", m("c.why"))],
                     rows=[{"device": f.device, "rule": f.rule, "severity": f.severity, "finding": f.message,
                            "lines": "\n".join(f.lines), "why": f.why} for f in audit.findings],
                     empty=m("e.no_findings"))
    text = m("p.compliance", compliant=total.compliant, devices=total.devices, pct=m.num(total.pct, "pct"),
             drifted=total.drifted, noncompliant=total.noncompliant, unreachable=total.unreachable)
    sections = [Section("summary", m("h.compliance_summary"), [text], [kec, plat]),
                Section("devices", m("h.compliance_devices"), [], [devices]),
                Section("findings", m("h.compliance_findings"), [], [findings])]
    meta = [(m("meta.regency"), f"{inv.regency.name} ({inv.regency.code})"), (m("meta.inventory"), str(inv.root)),
            (m("meta.generated"), dt.datetime.fromtimestamp(audit.time, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
            (m("meta.filter"), " ".join(where or []) or m("meta.none")), (m("meta.rules"), rules_dir)]
    sites = [inv.sites[d.site] for d in audit.devices if d.site in inv.sites]
    return build.new_report("compliance", m, inv, meta, sections, list({s.id: s for s in sites}.values()))
