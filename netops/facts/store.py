"""The facts store: one YAML file per device in a git repository, one commit per run.

Each fact carries the time it was first seen with its current value (``seen``), so
an unchanged device leaves its file unchanged but for the ``collected`` line, and
``git log -p`` shows exactly which facts changed and when. A device that did not
answer keeps its last facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from netops.facts.models import FACT_NAMES, CollectStatus, DeviceFacts, FactsError, FactsResult
from netops.gitrepo import GitRepo

DEFAULT_REPO = Path("facts")
HEADER = "# Facts read from the device by 'netops facts collect' (generated: edit the inventory, not this file)\n"


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class StoredFacts:
    device: str
    platform: str
    via: str
    collected: str
    facts: DeviceFacts
    seen: dict[str, str]
    """fact name -> time first seen with its current value"""


class FactsRepo(GitRepo):
    kind = "facts repository"
    error = FactsError

    def __init__(self, path: Path | str = DEFAULT_REPO):
        super().__init__(path)

    def file(self, device: str) -> Path:
        return self.path / f"{device}.yaml"

    def load(self, device: str) -> StoredFacts | None:
        path = self.file(device)
        if not path.is_file():
            return None
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            raw = doc.get("facts") or {}
            values = {k: v["value"] for k, v in raw.items() if k in FACT_NAMES}
            return StoredFacts(device=doc["device"], platform=doc.get("platform", ""), via=doc.get("via", ""),
                               collected=str(doc.get("collected", "")), facts=DeviceFacts.model_validate(values),
                               seen={k: str(v.get("seen", "")) for k, v in raw.items()})
        except (yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
            raise FactsError(f"{path}: not a facts file netops wrote ({type(exc).__name__}); "
                             "delete it and run 'netops facts collect' again") from None

    def load_all(self) -> dict[str, StoredFacts]:
        if not self.path.is_dir():
            return {}
        out = {}
        for path in sorted(self.path.glob("*.yaml")):
            stored = self.load(path.stem)
            if stored is not None:
                out[stored.device] = stored
        return out

    def store(self, results: list[FactsResult], when: str | None = None) -> str | None:
        """Write the facts of every device that answered; one commit (None if nothing changed)."""
        with self.writing():
            self.ensure()
            when = when or now()
            files = []
            for r in results:
                if r.status is not CollectStatus.ok or r.facts is None:
                    continue
                old = self.load(r.name)
                new = r.facts.model_dump(mode="json")
                body: dict[str, Any] = {}
                for name in FACT_NAMES:
                    before = old.facts.model_dump(mode="json").get(name) if old else None
                    seen = old.seen.get(name) if old and before == new[name] else None
                    if name == "uptime_s":  # changes every read: when it was read is the news
                        seen = when
                    body[name] = {"value": new[name], "seen": seen or when}
                doc = {"device": r.name, "platform": r.platform, "via": r.via, "collected": when, "facts": body}
                text = HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)
                self.file(r.name).write_text(text, encoding="utf-8")
                files.append(self.file(r.name).name)
            if not files:
                return None
            self._git("add", "--", *files)
            if not self._git("status", "--porcelain", "--", *files).strip():
                return None
            ok = sum(1 for r in results if r.status is CollectStatus.ok)
            failed = sorted(r.name for r in results if r.status is CollectStatus.failed)
            msg = f"facts: {ok} of {len(results)} devices read at {when}"
            if failed:
                msg += f"; no answer from {len(failed)}: {', '.join(failed[:10])}{'…' if len(failed) > 10 else ''}"
            self._git("commit", "-q", "-m", msg, "--", *files)
            return self._git("rev-parse", "--short", "HEAD").strip()
