"""The message table, number formats, option parsing, and the HTML's self-containment at the source."""

from __future__ import annotations

import re
import string

import pytest

from netops.inventory import load_inventory
from netops.report import ReportError, ReportOptions, build_report, parse_duration, parse_formats, parse_time
from netops.report.i18n import MESSAGES, Messages, format_value, machine_value
from netops.report.render import html
from tests.conftest import SAMPLE_INVENTORY


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_has_both_languages_with_the_same_fields():
    for key, (id_text, en_text) in MESSAGES.items():
        assert id_text.strip() and en_text.strip(), key
        assert _fields(id_text) == _fields(en_text), key


def test_unknown_message_and_language_fail_clearly():
    with pytest.raises(KeyError, match="i18n.py"):
        Messages("en")("no.such.key")
    with pytest.raises(ReportError, match="--lang"):
        Messages("fr")


@pytest.mark.parametrize("value,kind,id_text,en_text", [
    (1596, "int", "1.596", "1,596"),
    (96.6666, "pct", "96,7", "96.7"),
    (0.9375, "avail", "93,750", "93.750"),
    (0.01, "loss", "1,00", "1.00"),
    (0.6, "ms", "600", "600"),
    (4630.0, "mbps", "4.630", "4,630"),
    (12.5, "mbps", "12,5", "12.5"),
    (None, "int", "–", "–"),
    (True, "bool", "ya", "yes"),
])
def test_number_formats(value, kind, id_text, en_text):
    assert format_value(value, kind, "id") == id_text
    assert format_value(value, kind, "en") == en_text


def test_machine_values_are_plain():
    assert machine_value(0.9375, "avail") == 93.75
    assert machine_value(0.65, "ms") == 650.0
    assert machine_value(20.0, "mbps") == 20
    assert machine_value(None, "avail") is None


def test_option_parsing():
    assert parse_duration("30d") == 30 * 86400 and parse_duration("12h") == 43200
    for bad in ("30", "1.5d", "0d", "30 days", "1d12h"):
        with pytest.raises(ReportError):
            parse_duration(bad)
    assert parse_time("2026-11-01T00:00:00Z") == 1793491200.0
    assert parse_time("2026-11-01T07:00:00+07:00") == 1793491200.0
    assert parse_time("1793491200") == 1793491200.0
    with pytest.raises(ReportError, match="--at"):
        parse_time("yesterday")
    assert parse_formats(None) == ["html", "md", "csv", "geojson", "png", "pdf"]
    assert parse_formats(["csv,md", "csv"]) == ["csv", "md"]
    with pytest.raises(ReportError):
        parse_formats(["xlsx"])


def test_html_source_loads_nothing_and_carries_a_matching_csp():
    inv = load_inventory(SAMPLE_INVENTORY)
    page = html.render(build_report(inv, "plan", ReportOptions(lang="en")))
    # the only URL is the SVG namespace, which is a name, not a load
    urls = set(re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    assert not re.search(r"""\b(src|href)\s*=\s*["'](?!#)""", page)  # only in-page anchors
    assert not re.search(r"""\bstyle\s*=""", page)  # inline style attributes would need 'unsafe-inline'
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert csp.startswith("default-src 'none'")
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert styles == [html.CSS] and scripts == [html.JS]
    assert html._hash(html.CSS) in csp and html._hash(html.JS) in csp
