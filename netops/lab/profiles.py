"""Per-platform facts the lab needs (SNMP identity, CLI prompts, error texts), kept as data.

Each platform of :mod:`netops.platforms` has ``netops/lab/data/<platform>.yaml``;
``kind`` says how the lab simulates it: ``sim`` (the SSH simulator), ``frr``
(real FRRouting in a namespace) or ``none`` (SNMP/ICMP only, no SSH).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from netops.errors import NetopsError

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LabProfile:
    platform: str
    kind: str
    sys_descr: str
    sys_object_id: str
    cli: dict[str, Any] = field(default_factory=dict)


@cache
def profile(platform: str) -> LabProfile:
    path = DATA / f"{platform}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NetopsError(f"the lab has no data for platform {platform!r}; add {path}") from None
    return LabProfile(platform=platform, kind=raw["kind"], sys_descr=raw["snmp"]["sys_descr"],
                   sys_object_id=raw["snmp"]["sys_object_id"], cli=raw.get("cli") or {})
