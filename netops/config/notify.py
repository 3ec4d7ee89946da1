"""Tell people about changes outside netops, through the inventory's alerting receivers.

No configuration of its own: a change is routed like an alert labelled
``severity=warning`` and the device's ``kecamatan`` would be by the generated
Alertmanager config: the default receiver plus every route whose conditions hold.
Webhook (JSON POST), e-mail (``alerting.smtp``) and Telegram (Bot API ``sendMessage``)
receivers are served directly by netops, not through Alertmanager: a change is an event,
not a state that resolves. E-mail and Telegram speak ``alerting.language`` (id by default,
or en); the webhook's JSON keys are the same in both. Secrets (SMTP password, bot token) are resolved from their
``env:``/``file:`` references at send time. A receiver that fails is reported, never
fatal: the backup is committed either way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage

from netops.config.changes import OutsideChange
from netops.inventory.alerting import Alerting, Language, Receiver
from netops.inventory.models import Inventory
from netops.secrets import redact

TIMEOUT = 10.0
TELEGRAM_API = "https://api.telegram.org"
"""overridable with NETOPS_TELEGRAM_API (an intranet relay)"""


def receivers_for(al: Alerting, kecamatan: str | None) -> list[Receiver]:
    """The default receiver and every route's receiver whose conditions hold for a warning about this kecamatan."""
    by_name = {r.name: r for r in al.receivers}
    names = [al.default_receiver]
    for route in al.routes:
        if route.severity and "warning" not in route.severity:
            continue
        if route.kecamatan and kecamatan not in route.kecamatan:
            continue
        if route.provider:  # a change names no provider
            continue
        names.append(route.receiver)
    return [by_name[n] for n in dict.fromkeys(names) if n in by_name]


def payload(change: OutsideChange, kecamatan: str | None) -> dict[str, object]:
    return {"kind": "config_change_outside_netops", "device": change.device, "platform": change.platform,
            "kecamatan": kecamatan,
            "time": dt.datetime.fromtimestamp(change.time, dt.UTC).isoformat(timespec="seconds"),
            "commit": change.commit, "summary": change.summary, "cause": change.cause or None,
            "diff": change.diff}


WORDS: dict[Language, dict[str, str]] = {
    Language.id: {"subject": "[netops] konfigurasi {device} diubah di luar netops (+{added} -{removed} baris)",
                  "device": "Perangkat", "found": "Ditemukan oleh backup pada {when}, commit {commit}",
                  "cause": "Penyebab"},
    Language.en: {"subject": "[netops] config of {device} changed outside netops (+{added} -{removed} lines)",
                  "device": "Device", "found": "Found by the backup at {when}, commit {commit}", "cause": "Cause"},
}
"""The words of a change message, in the alerting section's ``language`` (Bahasa Indonesia by default, as the
alert templates); the masked diff itself is the device's own text."""


def text(change: OutsideChange, kecamatan: str | None, lang: Language = Language.id) -> tuple[str, str]:
    """(subject, body) of a message for people, in ``lang``."""
    w = WORDS[lang]
    when = dt.datetime.fromtimestamp(change.time, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    subject = w["subject"].format(device=change.device, added=change.added, removed=change.removed)
    body = (f"{w['device']}: {change.device} ({change.platform}){f', kecamatan {kecamatan}' if kecamatan else ''}\n"
            + w["found"].format(when=when, commit=change.commit or "-") + "\n"
            + (f"{w['cause']}: {change.cause}\n" if change.cause else "")
            + f"\n{change.diff}")
    return subject, body


def _post(url: str, body: dict[str, object]) -> None:
    req = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 - the inventory's own URL
        resp.read()


def _email(al: Alerting, to: str, subject: str, body: str) -> None:
    if al.smtp is None:
        raise ValueError("alerting.smtp is not set; add smarthost and sender")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = al.smtp.sender, to, subject
    msg.set_content(body)
    host, _, port = al.smtp.smarthost.rpartition(":")
    with smtplib.SMTP(host, int(port), timeout=TIMEOUT) as smtp:
        if al.smtp.require_tls:
            smtp.starttls()
        if al.smtp.username and al.smtp.password is not None:
            smtp.login(al.smtp.username, al.smtp.password.resolve())
        smtp.send_message(msg, to_addrs=[a.strip() for a in to.split(",")])


def send(inv: Inventory, changes: list[OutsideChange]) -> list[str]:
    """Send every change to its receivers; returns one masked line per failed delivery."""
    al = inv.alerting
    if al is None or not changes:
        return []
    problems = []
    secrets: list[str] = []
    for ref in ([al.smtp.password] if al.smtp and al.smtp.password else []) + [
            r.telegram.bot_token for r in al.receivers if r.telegram]:
        try:
            secrets.append(ref.resolve())
        except Exception:  # noqa: BLE001 - an unresolvable reference fails its own delivery below
            pass
    for change in changes:
        dev = inv.devices.get(change.device)
        kec = inv.sites[dev.site].kecamatan if dev and dev.site in inv.sites else None
        subject, body = text(change, kec, al.language)
        for r in receivers_for(al, kec):
            try:
                if r.webhook is not None:
                    _post(r.webhook.url, payload(change, kec))
                elif r.email is not None:
                    _email(al, r.email.to, subject, body)
                elif r.telegram is not None:
                    api = os.environ.get("NETOPS_TELEGRAM_API", TELEGRAM_API).rstrip("/")
                    _post(f"{api}/bot{r.telegram.bot_token.resolve()}/sendMessage",
                          {"chat_id": r.telegram.chat_id, "text": f"{subject}\n\n{body}"[:4000]})
            except (OSError, ValueError, smtplib.SMTPException, urllib.error.URLError) as exc:
                problems.append(redact(f"receiver {r.name}: {change.device}: {type(exc).__name__}: {exc}", secrets))
            except Exception as exc:  # noqa: BLE001 - a secret reference that cannot be read, and the like
                problems.append(redact(f"receiver {r.name}: {change.device}: {exc}", secrets))
    return problems
