"""The bad-input corpus: every case in tests/inventory/bad/ is refused the way the contract says.

A case is one YAML file (its first line says what is wrong) over a copy of the small inventory:
``files`` (text, added or replacing), ``latin1`` (files written in Latin-1), ``symlinks``,
``sheet`` (a spreadsheet for ``{sheet}`` in ``command``: ``text`` or ``hex``), ``inventory`` (another
--inventory, relative to the work directory), and what is expected: ``exit``, ``where`` (file:line or
row/column), ``field``, and ``secrets`` that must never appear. For each case the test asserts the exit
code, the location and the field in the message, no traceback, no secret (the case's and the small
inventory's), and that nothing was written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from netops.cli import app
from tests.conftest import SMALL_INVENTORY, SMALL_INVENTORY_SECRETS

CORPUS = Path(__file__).resolve().parent / "bad"
CASES = sorted(CORPUS.glob("*.yaml"))


def _snapshot(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = "->" + os.readlink(p)
                if p.is_dir():
                    dirnames.remove(name) if name in dirnames else None
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel] = "dir"
    return out


def _build(case: dict[str, Any], work: Path) -> tuple[Path, Path | None]:
    inv = work / "inventory"
    inv.mkdir(parents=True)
    for src in SMALL_INVENTORY.iterdir():
        (inv / src.name).write_bytes(src.read_bytes())
    for rel, text in (case.get("files") or {}).items():
        (inv / rel).parent.mkdir(parents=True, exist_ok=True)
        (inv / rel).write_text(text, encoding="utf-8")
    for rel, text in (case.get("latin1") or {}).items():
        (inv / rel).write_bytes(text.encode("latin-1"))
    for rel, target in (case.get("symlinks") or {}).items():
        (inv / rel).parent.mkdir(parents=True, exist_ok=True)
        (inv / rel).symlink_to(target)
    for rel, text in (case.get("outside") or {}).items():
        (work / rel).write_text(text, encoding="utf-8")
    for rel in case.get("outside_dirs") or []:
        (work / rel).mkdir()
    sheet = None
    if "sheet" in case:
        s = case["sheet"]
        sheet = work / s["name"]
        sheet.write_bytes(bytes.fromhex(s["hex"]) if "hex" in s else s["text"].encode("utf-8"))
    return (work / case["inventory"] if "inventory" in case else inv), sheet


@pytest.mark.parametrize("case_file", CASES, ids=[f"{i:02d}of{len(CASES)}-{p.stem[3:]}" for i, p in
                                                  enumerate(CASES, 1)])
def test_bad_input(case_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    for k, v in SMALL_INVENTORY_SECRETS.items():
        monkeypatch.setenv(k, v)
    work = tmp_path / "work"
    work.mkdir()
    inv, sheet = _build(case, work)
    monkeypatch.chdir(work)
    before = _snapshot(work)
    args = [a.replace("{sheet}", str(sheet)) for a in case["command"]]
    outputs = []
    for json_flag in ([], ["--json"]):
        r = CliRunner().invoke(app, ["--inventory", str(inv), *json_flag, *args])
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
        out = r.output
        assert r.exit_code == case["exit"], out
        assert "Traceback" not in out
        for secret in [*case.get("secrets", []), *SMALL_INVENTORY_SECRETS.values()]:
            assert secret not in out, f"secret {secret!r} echoed"
        outputs.append(out)
    text = outputs[0]
    assert case["where"] in text, f"expected location {case['where']!r} in:\n{text}"
    assert case["field"] in text, f"expected field {case['field']!r} in:\n{text}"
    assert _snapshot(work) == before, "something was written"


def test_corpus_size():
    assert len(CASES) >= 40
