"""The CLI end to end: files written, exit codes, Prometheus unreachable, bad options."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from typer.testing import CliRunner

from netops.cli import app
from tests.conftest import SMALL_INVENTORY
from tests.report import history

runner = CliRunner()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.160.0.2", 0))
        return s.getsockname()[1]  # closed again when we leave: nothing listens there


def test_coverage_writes_every_format_but_pdf(tmp_path: Path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["-i", str(SMALL_INVENTORY), "report", "coverage", "--out", str(out),
                              "--format", "html,md", "--format", "csv", "-f", "geojson,png", "--lang", "en"])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["coverage.html", "coverage.md", "coverage-coverage_kecamatan.csv",
                            "coverage-coverage_providers.csv", "coverage-unconnected_desa.csv", "coverage-desa.csv",
                            "coverage.geojson", "coverage-map.png"])
    assert (out / "coverage-map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "4 of 5 desa/kelurahan (5 desa, 0 kelurahan) covered" in res.output


def test_uptime_with_prometheus_unreachable_exits_3_and_keeps_coverage(tmp_path: Path):
    url = f"http://127.160.0.2:{_closed_port()}"
    res = runner.invoke(app, ["-i", str(SMALL_INVENTORY), "--json", "report", "uptime", "--prometheus", url,
                              "--out", str(tmp_path), "-f", "md,csv"])
    assert res.exit_code == 3
    data = json.loads(res.stdout)
    assert data["exit_code"] == 3 and "not reachable" in data["alerts"][0]
    assert data["tables"]["coverage_kecamatan"]["total"]["desa"] == 5
    assert "uptime_links" not in data["tables"]
    md = (tmp_path / "uptime.md").read_text()
    assert "TIDAK ADA" in md and "Cakupan desa/kelurahan per kecamatan" in md


def test_uptime_cli_against_real_prometheus(prom, tmp_path: Path):
    res = runner.invoke(app, ["-i", str(SMALL_INVENTORY), "--json", "report", "uptime", "--prometheus", prom.url,
                              "--period", history.PERIOD, "--at", str(prom.end), "--out", str(tmp_path),
                              "-f", "csv"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    rows = {r["link"]: r for r in data["tables"]["uptime_breaches"]["rows"]}
    assert set(rows) == history.BREACHES
    assert rows["fo-desa-a1"]["downtime_min"] == 90


def test_bad_options_are_clear(tmp_path: Path):
    base = ["-i", str(SMALL_INVENTORY), "report"]
    res = runner.invoke(app, [*base, "coverage", "--format", "docx", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--format 'docx'" in res.output
    res = runner.invoke(app, [*base, "uptime", "--period", "a month", "--prometheus", "http://127.160.0.2:1",
                              "--out", str(tmp_path)])
    assert res.exit_code == 2 and "period" in res.output
    res = runner.invoke(app, [*base, "coverage", "--lang", "fr", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--lang" in res.output
    res = runner.invoke(app, [*base, "coverage", "--where", "colour=red", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "colour" in res.output


def test_all_formats_without_chromium_skip_pdf_with_a_note_but_explicit_pdf_fails(tmp_path: Path):
    env = {"PATH": "/nonexistent", "NETOPS_CHROMIUM": ""}
    base = ["-i", str(SMALL_INVENTORY), "report", "coverage", "--out", str(tmp_path)]
    res = runner.invoke(app, [*base, "-f", "all"], env=env)
    assert res.exit_code == 0 and "no Chromium found" in res.output
    assert (tmp_path / "coverage.html").exists() and not (tmp_path / "coverage.pdf").exists()
    res = runner.invoke(app, [*base, "-f", "pdf"], env=env)
    assert res.exit_code == 2 and "PDF needs Chromium" in res.output
    res = runner.invoke(app, [*base, "-f", "pdf"], env={"NETOPS_CHROMIUM": "/nonexistent/chromium"})
    assert res.exit_code == 2 and "NETOPS_CHROMIUM" in res.output
