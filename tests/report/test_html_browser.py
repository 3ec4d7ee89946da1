"""The HTML report in real headless Chromium: renders, no console errors, no request leaves the machine.

The page carries a CSP (default-src 'none' + hashes of its own style and script), so any
external load would be refused and reported; the tampered-page test proves this harness sees it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from netops.inventory import load_inventory
from netops.report import ReportOptions, build_report, write_report
from netops.report.render.pdf import find_chromium
from tests.conftest import SAMPLE_INVENTORY, SMALL_INVENTORY, need, need_binary
from tests.report import history

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / ".pytest_cache" / "report-artifacts"

MAP_JS = """({
  circles: document.querySelectorAll('svg.map circle').length,
  squares: document.querySelectorAll('svg.map rect').length - 1,
  tables: document.querySelectorAll('table').length,
  charts: document.querySelectorAll('svg.chart').length,
  firstRow: (function () {
    var t = document.querySelector('table[data-table="coverage_kecamatan"]');
    t.querySelectorAll('thead th')[1].click(); t.querySelectorAll('thead th')[1].click();
    return t.tBodies[0].rows[0].cells[0].textContent; })()
})"""


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    need(chromium is not None, "needs Chromium (Debian 'chromium', installed by scripts/bootstrap)")
    try:
        from tests.report.browser import Browser
    except ImportError:
        need(False, "needs the websockets package (pip install -e '.[test]')")

    with Browser(chromium) as b:  # type: ignore[arg-type]
        yield b


def _local_only(urls: list[str]) -> list[str]:
    return [u for u in urls if not (u.startswith("file://") or u.startswith("data:") or u == "about:blank")]


def test_sample_coverage_page_renders_offline(browser, tmp_path: Path):
    inv = load_inventory(SAMPLE_INVENTORY)
    report = build_report(inv, "coverage", ReportOptions())
    html = write_report(report, ["html"], tmp_path)[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "coverage-sample.png"
    page, facts = browser.load(html.as_uri(), screenshot=shot, script=MAP_JS)
    assert page.errors == [], page.errors
    assert _local_only(page.requests) == [], page.requests
    assert page.requests == [html.as_uri()]
    assert page.failed == []
    drawn = sum(1 for p in report.points if p.status != "hub")
    assert facts["circles"] == drawn and facts["squares"] == 1
    assert facts["charts"] >= 1 and facts["tables"] >= 4
    assert facts["firstRow"] == "Sungai Raya"  # sorted by desa count, descending: the inline script runs
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


BOUNDARY_JS = """({
  kabupaten: document.querySelectorAll('svg.map path.area.kabupaten').length,
  kecamatan: document.querySelectorAll('svg.map path.area.kecamatan').length,
  desa: document.querySelectorAll('svg.map path.area.desa').length,
  routes: document.querySelectorAll('svg.map line.route').length,
  regencyBox: (function () { var b = document.querySelector('svg.map path.area.kabupaten').getBBox();
                             return [b.width, b.height]; })(),
  firstDesa: document.querySelector('svg.map path.area.desa title').textContent
})"""


def test_sample_plan_map_shows_boundaries_and_routes_offline(browser, tmp_path: Path):
    inv = load_inventory(SAMPLE_INVENTORY)
    report = build_report(inv, "plan", ReportOptions(lang="en", budget_rp=20e9, stages=2))
    html = write_report(report, ["html"], tmp_path)[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "plan-sample-boundaries.png"
    page, facts = browser.load(html.as_uri(), screenshot=shot, script=BOUNDARY_JS)
    assert page.errors == [], page.errors
    assert page.requests == [html.as_uri()] and page.failed == []
    assert (facts["kabupaten"], facts["kecamatan"], facts["desa"]) == (1, 9, 117)
    assert facts["routes"] == len(report.table("growth_steps").rows) > 0
    assert facts["regencyBox"][0] > 300 and facts["regencyBox"][1] > 300  # the outline fills the map, drawn
    assert facts["firstDesa"].endswith("(61.12.01.2001)")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_uptime_page_with_real_prometheus_renders_offline(browser, prom, tmp_path: Path):
    inv = load_inventory(SMALL_INVENTORY)
    report = build_report(inv, "uptime", ReportOptions(period=history.PERIOD, at=prom.end, prometheus=prom.url,
                                                       lang="en"))
    html = write_report(report, ["html"], tmp_path)[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page, facts = browser.load(html.as_uri(), screenshot=ARTIFACTS / "uptime-small.png",
                               script="document.querySelectorAll('tr.breach').length")
    assert page.errors == [] and _local_only(page.requests) == []
    # breaches table (3) + worst 10 (3 breached) + every link (3)
    assert facts == 9


def test_harness_catches_an_external_load(browser, tmp_path: Path):
    """A page that tries to load from outside must show up as a request or a CSP error: the check can fail."""
    inv = load_inventory(SMALL_INVENTORY)
    html = write_report(build_report(inv, "coverage", ReportOptions()), ["html"], tmp_path)[0]
    text = html.read_text().replace("<h1>", '<img src="http://127.160.0.3:9/x.png" alt=""><h1>', 1)
    text = text.replace("</body>", '<script src="http://127.160.0.3:9/x.js"></script></body>', 1)
    bad = tmp_path / "tampered.html"
    bad.write_text(text)
    page, _ = browser.load(bad.as_uri())
    blocked = page.errors + _local_only(page.requests)
    assert any("127.160.0.3" in e for e in blocked), page
    assert any("Content Security Policy" in e for e in page.errors), page.errors


def test_pdf_prints_and_has_pages(tmp_path: Path):
    need(find_chromium() is not None, "needs Chromium (Debian 'chromium')")
    pdftoppm = need_binary("pdftoppm")
    inv = load_inventory(SMALL_INVENTORY)
    out = write_report(build_report(inv, "plan", ReportOptions()), ["pdf"], tmp_path)
    pdf = out[0]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run([pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    pages = list(tmp_path.glob("page*.png"))
    assert pages and pages[0].stat().st_size > 5_000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pages[0], ARTIFACTS / "plan-small-pdf-page1.png")
