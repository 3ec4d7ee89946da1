"""PDF for printing: headless Chromium prints the same HTML page (A4), so print and screen agree.

Chromium runs with networking features off and a throw-away profile; the page's CSP blocks
any load anyway.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from netops.report.model import Report
from netops.report.prom import ReportError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    env = os.environ.get("NETOPS_CHROMIUM")
    if env:
        path = shutil.which(env)
        if path is None:
            raise ReportError(f"NETOPS_CHROMIUM={env!r} is not an executable Chromium; fix or unset it")
        return path
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def chromium_args(binary: str, profile: str) -> list[str]:
    return [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--mute-audio", f"--user-data-dir={profile}"]


def write(report: Report, path: Path, html_path: Path | None = None, timeout: float = 120.0) -> Path:
    from netops.report.render import html

    binary = find_chromium()
    if binary is None:
        raise ReportError("PDF needs Chromium (Debian package 'chromium', installed by scripts/bootstrap); "
                          "or choose other formats, e.g. --format html,md,csv,geojson,png")
    with tempfile.TemporaryDirectory(prefix="netops-pdf-") as tmp:
        src = html_path
        if src is None:
            src = html.write(report, Path(tmp) / f"{report.kind}.html")
        args = chromium_args(binary, str(Path(tmp) / "profile")) + [
            "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={path.resolve()}", src.resolve().as_uri()]
        try:
            proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReportError(f"Chromium did not print {path} within {timeout:g} s") from None
        except OSError as exc:
            raise ReportError(f"could not start Chromium ({binary}): {exc.strerror}") from None
        if proc.returncode != 0 or not path.exists() or path.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-3:]
            raise ReportError(f"Chromium could not print {path} (exit {proc.returncode}): {' '.join(tail)}")
    return path
