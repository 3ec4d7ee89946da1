"""Ad-hoc maintenance through Alertmanager's silences (API v2), beside the inventory's planned windows.

Planned, recurring work belongs in the inventory (``maintenance:``, generated as time intervals);
an unplanned job tonight is a silence with an author and a comment, made here so its matchers use
the same labels (site, kecamatan, provider, link) the alert rules carry.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from netops.errors import NetopsError
from netops.inventory import Inventory

SCOPES = ("site", "kecamatan", "provider", "link")


class AlertmanagerError(NetopsError):
    """Alertmanager cannot be reached or refused the request."""

    exit_code = 3


class MaintenanceInvalid(NetopsError):
    exit_code = 2


@dataclass(frozen=True)
class Silence:
    id: str
    state: str
    matchers: list[str]
    starts: dt.datetime
    ends: dt.datetime
    author: str
    comment: str


def _call(url: str, method: str, path: str, body: Any = None) -> Any:
    req = urllib.request.Request(f"{url.rstrip('/')}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        raise AlertmanagerError(f"Alertmanager at {url} refused {method} {path}: HTTP {exc.code} "
                                f"{exc.read().decode('utf-8', 'replace').strip()[:200]}") from None
    except OSError as exc:
        raise AlertmanagerError(f"Alertmanager at {url} cannot be reached ({exc}); start it or pass "
                                "--alertmanager URL") from None
    return json.loads(text) if text.strip() else None


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def list_silences(url: str, *, all_states: bool = False) -> list[Silence]:
    out = []
    for s in _call(url, "GET", "/api/v2/silences"):
        state = s["status"]["state"]
        if state == "expired" and not all_states:
            continue
        out.append(Silence(
            s["id"], state,
            [f'{m["name"]}{"=" if m.get("isEqual", True) else "!"}{"~" if m["isRegex"] else ""}"{m["value"]}"'
             for m in s["matchers"]],
            _time(s["startsAt"]), _time(s["endsAt"]), s["createdBy"], s["comment"]))
    return sorted(out, key=lambda s: s.starts)


def parse_duration(text: str) -> dt.timedelta:
    m = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", text.strip())
    if not text.strip() or not m:
        raise MaintenanceInvalid(f"--duration {text!r}: write it as 2h, 90m or 1d2h")
    d, h, mi = (int(x or 0) for x in m.groups())
    return dt.timedelta(days=d, hours=h, minutes=mi)


def add_silence(url: str, inv: Inventory, scope: dict[str, list[str]], *, author: str, comment: str,
                start: dt.datetime | None, end: dt.datetime) -> str:
    """One silence per scope label (a silence's matchers all must hold); returns their ids, comma-joined."""
    valid = {"site": set(inv.sites), "link": set(inv.links),
             "kecamatan": {s.kecamatan for s in inv.sites.values() if s.kecamatan},
             "provider": {lk.provider for lk in inv.links.values()}}
    if not any(scope.values()):
        raise MaintenanceInvalid("say what the maintenance covers: --site, --kecamatan, --provider or --link")
    for label, values in scope.items():
        for v in values:
            if v not in valid[label]:
                raise MaintenanceInvalid(f"--{label} {v!r} is not a {label} of the inventory; check the spelling")
    if not comment.strip():
        raise MaintenanceInvalid("--comment is required: say what the work is (ticket, reason)")
    start = start or dt.datetime.now(dt.UTC)
    if start.tzinfo is None or end.tzinfo is None:
        raise MaintenanceInvalid("times need a UTC offset, e.g. 2026-12-20T22:00+07:00")
    if end <= start:
        raise MaintenanceInvalid(f"the window ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    ids = []
    for label, values in scope.items():
        if not values:
            continue
        regex = "|".join(re.escape(v) for v in values)
        body = {"matchers": [{"name": label, "value": regex, "isRegex": True, "isEqual": True}],
                "startsAt": start.astimezone(dt.UTC).isoformat(), "endsAt": end.astimezone(dt.UTC).isoformat(),
                "createdBy": author, "comment": comment}
        ids.append(_call(url, "POST", "/api/v2/silences", body)["silenceID"])
    return ",".join(ids)


def end_silence(url: str, silence_id: str) -> None:
    for one in silence_id.split(","):
        _call(url, "DELETE", f"/api/v2/silence/{one.strip()}")


def planned_windows(inv: Inventory) -> list[dict[str, str]]:
    """The inventory's windows, for the same listing."""
    rows = []
    for w in sorted(inv.maintenance.values(), key=lambda w: w.id):
        covers = "; ".join(f"{k}={', '.join(getattr(w, k))}" for k in SCOPES if getattr(w, k))
        when = (f"weekly {','.join(d.value[:3] for d in w.weekly.days)} {w.weekly.start}-{w.weekly.end}"
                if w.weekly else f"{w.start:%Y-%m-%d %H:%M%z} - {w.end:%Y-%m-%d %H:%M%z}")
        rows.append({"id": w.id, "covers": covers, "when": when, "reason": w.reason})
    return rows
