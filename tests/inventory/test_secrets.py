"""No secret is echoed, whatever the shape of the input: every secret-capable field of the models,
and the entries and sections that hold them, with bare strings, lists, numbers and nested maps."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from typer.testing import CliRunner

from netops.cli import app
from netops.inventory.models import Credentials, SnmpSettings
from netops.secrets import SecretRef

SECRET = "S3cr3t-Pa55w0rd"
NUMBER = 98765432107
SHAPES: dict[str, Any] = {
    "bare-string": SECRET,
    "list": [SECRET, "Other-S3cret"],
    "number": NUMBER,
    "nested-map": {"deep": {SECRET: "Other-S3cret"}},
}
LEAVES = (SECRET, "Other-S3cret", str(NUMBER))

REGENCY = {"name": "Kabupaten Contoh", "code": "61.99", "domain": "contoh.go.id"}
GOOD = {"credentials": {"routers": {"username": "netops", "password": "env:X_PASSWORD"}},
        "snmp": {"v2c": {"version": "2c", "community": "env:X_COMMUNITY"}}}


def _secret_fields(model: type) -> list[str]:
    """Fields whose type holds a SecretRef: found from the model, so a new secret field is tested too."""
    out = []
    for name, f in model.model_fields.items():  # type: ignore[attr-defined]
        ann = f.annotation
        if ann is SecretRef or SecretRef in get_args(ann) or "SecretRef" in repr(ann):
            out.append(name)
    return out


def _cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    base = {"credentials": {"username": "netops", "password": "env:X_PASSWORD"},
            "snmp": {"version": "3", "user": "netops", "auth_key": "env:X_AUTH", "priv_key": "env:X_PRIV",
                     "community": "env:X_C"}}
    for section, model in (("credentials", Credentials), ("snmp", SnmpSettings)):
        fields = _secret_fields(model)
        assert fields, model
        for fname in fields:
            for shape, value in SHAPES.items():
                entry = dict(base[section], **{fname: value})
                cases.append((f"{section}.{fname}-{shape}", {section: {"bad": entry}}))
        for shape, value in SHAPES.items():
            cases.append((f"{section}-entry-{shape}", {section: {"bad": value}}))
        cases.append((f"{section}-section-bare-string", {section: SECRET}))
        cases.append((f"{section}-section-list", {section: [SECRET, {"password": SECRET}]}))
        cases.append((f"{section}-typo-key", {section: {"bad": dict(base[section], pasword=SECRET)}}))
    for fname in ("default_credentials", "default_snmp"):
        for shape, value in SHAPES.items():
            cases.append((f"regency.{fname}-{shape}", {"regency": dict(REGENCY, **{fname: value})}))
    for fname in ("credentials", "snmp"):  # a device names its settings; a password typed there is not echoed
        for shape, value in SHAPES.items():
            dev = {"name": "r1", "site": "s1", "platform": "mikrotik_routeros", "role": "access",
                   "mgmt": "10.0.0.1", fname: value}
            cases.append((f"devices.{fname}-{shape}", {"sites": [{"id": "s1", "name": "S", "tier": "datacenter"}],
                                                        "devices": [dev]}))
    return cases


CASES = _cases()


@pytest.mark.parametrize("doc", [c[1] for c in CASES], ids=[c[0] for c in CASES])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_secret_never_echoed(tmp_path: Path, doc: dict[str, Any], as_json: bool):
    inv = tmp_path / "inventory"
    inv.mkdir()
    full: dict[str, Any] = {"regency": REGENCY, **GOOD}
    for key, value in doc.items():
        full[key] = value if key not in GOOD or not isinstance(value, dict) else {**GOOD[key], **value}
    (inv / "regency.yaml").write_text(yaml.safe_dump(full, sort_keys=False), encoding="utf-8")
    args = ["--inventory", str(inv), *(["--json"] if as_json else []), "inventory", "validate"]
    r = CliRunner().invoke(app, args)
    out = r.output
    assert r.exit_code == 2, out
    for leaf in LEAVES:
        assert leaf not in out, out
    assert "Traceback" not in out
    if as_json:
        errors = json.loads(r.stdout)["errors"]
        assert errors and all(e["line"] > 0 for e in errors), errors
        assert any(e["field"].split(".")[0].split("[")[0] in ("credentials", "snmp", "regency", "devices")
                   for e in errors)
    else:
        assert re.search(r"inventory/regency\.yaml:[1-9]\d*: (credentials|snmp|regency|devices)", out), out


def test_a_file_secret_that_changes_is_read_again(tmp_path: Path) -> None:
    """The poller resolves file secrets every cycle and keeps the value of an unchanged file: a rotated
    secret (same length, even) is the new value at the next resolve, and a deleted file is an error."""
    import os
    import time

    from netops.errors import SecretError

    f = tmp_path / "community"
    f.write_text("old-community-1\n")
    old = time.time() - 60
    os.utime(f, (old, old))
    ref = SecretRef.parse(f"file:{f}")
    assert ref.resolve() == ref.resolve() == "old-community-1"
    f.write_text("new-community-2\n")
    assert ref.resolve() == "new-community-2"
    os.utime(f, (old, old))  # back in time: still the size and mtime of the first value, but a new ctime
    assert ref.resolve() == "new-community-2"
    f.unlink()
    with pytest.raises(SecretError, match="cannot read"):
        ref.resolve()
