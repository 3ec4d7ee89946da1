"""Markdown reports escape what would open an HTML tag: a site name is text, never markup."""

from __future__ import annotations

import shutil
from pathlib import Path

from netops.inventory import load_inventory
from netops.report import ReportOptions, build_report, write_report
from tests.conftest import SMALL_INVENTORY


def test_angle_brackets_in_names_are_escaped(tmp_path: Path):
    inv_dir = tmp_path / "inv"
    shutil.copytree(SMALL_INVENTORY, inv_dir)
    sites = inv_dir / "sites.yaml"
    sites.write_text(sites.read_text(encoding="utf-8").replace("name: Kantor Desa B3", 'name: "Kantor Desa <B3>"'),
                     encoding="utf-8")
    report = build_report(load_inventory(inv_dir), "coverage", ReportOptions(lang="en"))
    md = write_report(report, ["md"], tmp_path / "out")[0].read_text(encoding="utf-8")
    assert "Kantor Desa &lt;B3&gt;" in md and "<B3>" not in md
