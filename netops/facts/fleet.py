"""Fleet views over the facts store: which OS versions run where."""

from __future__ import annotations

from dataclasses import dataclass, field

from netops.facts.models import FactsError, version_key
from netops.facts.store import StoredFacts


@dataclass
class VersionRow:
    platform: str
    os_version: str
    devices: list[str] = field(default_factory=list)


def versions(facts: dict[str, StoredFacts], names: list[str], below: str | None = None) -> list[VersionRow]:
    """OS version -> devices, per platform; with ``below``, only versions lower than it."""
    limit = version_key(below) if below else None
    if below is not None and not limit:
        raise FactsError(f"--below {below!r}: give a version number such as 7.15 or 7.11.2")
    rows: dict[tuple[str, str], VersionRow] = {}
    for name in names:
        stored = facts.get(name)
        if stored is None or not stored.facts.os_version:
            continue
        v = stored.facts.os_version
        if limit is not None and not version_key(v) < limit:
            continue
        rows.setdefault((stored.platform, v), VersionRow(stored.platform, v)).devices.append(name)
    return sorted(rows.values(), key=lambda r: (r.platform, version_key(r.os_version), r.os_version))
