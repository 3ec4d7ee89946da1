"""Generated Alertmanager configuration: receivers, routes, grouping, inhibitions, maintenance.

From the inventory's ``alerting:`` and ``maintenance:`` sections. Grouping by root link turns a
burst (one kecamatan uplink and every desa behind it) into one message; the inhibit rules of
:mod:`netops.monitor.rootcause` keep the consequences quiet; maintenance windows become
``time_intervals`` that mute the routes they cover.

Secrets: Alertmanager 0.25 (Debian 12) reads the SMTP password from a file
(``smtp_auth_password_file``), so a ``file:`` reference goes into the config as a path. A Telegram
bot token has no ``*_file`` option there: it is written only when ``resolve_secrets`` is asked for
(on the Alertmanager host, the file then mode 0600); otherwise the config carries a marker and
generation warns.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from netops.errors import BadInput, NetopsError
from netops.inventory import Inventory
from netops.inventory.alerting import Alerting, MaintenanceWindow, Receiver
from netops.monitor.rootcause import INHIBIT_RULES
from netops.secrets import SecretRef

TEMPLATE_FILE = "netops.tmpl"
GROUP_BY = ["alertname", "root_link", "provider", "kecamatan"]


@dataclass
class AlertmanagerOutput:
    config: dict[str, Any]
    secret_files: dict[str, str] = field(default_factory=dict)
    """file name under alertmanager/secrets/ -> value (only with resolve_secrets)."""
    warnings: list[str] = field(default_factory=list)


def _marker(ref: SecretRef) -> str:
    return f"<netops secret {ref}: run 'netops monitor generate --resolve-secrets' on the Alertmanager host>"


def _re(values: list[str]) -> str:
    return "|".join(v.replace("\\", "\\\\").replace(".", "\\.").replace("|", "\\|") for v in values)


def _matcher(label: str, values: list[str]) -> str:
    return f'{label}=~"{_re(values)}"' if len(values) > 1 else f'{label}="{values[0]}"'


def _receiver(r: Receiver, al: Alerting, out: AlertmanagerOutput, resolve: bool) -> dict[str, Any]:
    lang = al.language.value
    body: dict[str, Any] = {"name": r.name}
    if r.telegram is not None:
        ref = r.telegram.bot_token
        token = ref.resolve() if resolve else _marker(ref)
        if not resolve:
            out.warnings.append(f"receiver {r.name}: the Telegram bot token ({ref}) is not in the generated "
                                "config; Alertmanager 0.25 has no bot_token_file, so run generate with "
                                "--resolve-secrets where Alertmanager runs")
        body["telegram_configs"] = [{"bot_token": token, "chat_id": r.telegram.chat_id, "parse_mode": "HTML",
                                     "send_resolved": r.send_resolved,
                                     "message": f'{{{{ template "netops.{lang}.telegram" . }}}}'}]
    elif r.email is not None:
        body["email_configs"] = [{"to": r.email.to, "send_resolved": r.send_resolved,
                                  "headers": {"Subject": f'{{{{ template "netops.{lang}.subject" . }}}}'},
                                  "text": f'{{{{ template "netops.{lang}.text" . }}}}'}]
    elif r.webhook is not None:
        body["webhook_configs"] = [{"url": r.webhook.url, "send_resolved": r.send_resolved}]
    return body


def _global(al: Alerting, out: AlertmanagerOutput, resolve: bool) -> dict[str, Any]:
    g: dict[str, Any] = {"resolve_timeout": "5m"}
    if al.smtp is None:
        return g
    g.update({"smtp_smarthost": al.smtp.smarthost, "smtp_from": al.smtp.sender,
              "smtp_require_tls": al.smtp.require_tls})
    if al.smtp.username:
        g["smtp_auth_username"] = al.smtp.username
    ref = al.smtp.password
    if ref is not None:
        if ref.scheme == "file":
            g["smtp_auth_password_file"] = ref.target
        elif resolve:
            out.secret_files["smtp-password"] = ref.resolve()
            g["smtp_auth_password_file"] = "secrets/smtp-password"
        else:
            g["smtp_auth_password_file"] = "secrets/smtp-password"
            out.warnings.append(f"alerting.smtp.password ({ref}) is an environment variable: run generate with "
                                "--resolve-secrets where Alertmanager runs to write secrets/smtp-password")
    return g


def _day_spans(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """A one-off window as Alertmanager time intervals, one per calendar day it touches."""
    spans = []
    day = start.date()
    while dt.datetime.combine(day, dt.time(0), start.tzinfo) < end:
        lo = max(start, dt.datetime.combine(day, dt.time(0), start.tzinfo))
        hi = min(end, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), start.tzinfo))
        if hi > lo:
            hi_txt = "24:00" if hi.date() > day else hi.strftime("%H:%M")
            spans.append({"years": [str(day.year)], "months": [str(day.month)], "days_of_month": [str(day.day)],
                          "times": [{"start_time": lo.strftime("%H:%M"), "end_time": hi_txt}]})
        day += dt.timedelta(days=1)
    return spans


def time_interval(w: MaintenanceWindow, timezone: str) -> dict[str, Any]:
    zone = ZoneInfo(timezone)
    if w.weekly is not None:
        spans = [{"weekdays": [d.value for d in w.weekly.days],
                  "times": [{"start_time": w.weekly.start, "end_time": w.weekly.end}]}]
    else:
        assert w.start is not None and w.end is not None
        spans = _day_spans(w.start.astimezone(zone), w.end.astimezone(zone))
    for s in spans:
        s["location"] = timezone
    return {"name": f"maintenance-{w.id}", "time_intervals": spans}


def window_matchers(w: MaintenanceWindow) -> list[list[str]]:
    """One matcher set per covered dimension (a window over a site and a provider covers either)."""
    return [[_matcher(label, values)] for label, values in
            (("site", w.site), ("kecamatan", w.kecamatan), ("provider", w.provider), ("link", w.link)) if values]


_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def duration_s(text: str) -> float:
    """A Prometheus/Alertmanager duration (``1m30s``, ``500ms``) in seconds."""
    return sum(int(n) * _UNIT_S[u] for n, u in re.findall(r"([0-9]+)(ms|s|m|h|d|w|y)", text))


def duration_text(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms}ms" if ms % 1000 else f"{ms // 1000}s" if (ms // 1000) % 60 else f"{ms // 60000}m"


GROUP_WAIT_INTERVALS = 1.5
"""group_wait in poll intervals, at least. When a provider's hub fails, a probe already on its way can
show some of its links up for one more cycle: the provider alert then fires one poll interval (plus up
to one evaluation of the state rules, at most 5 s) after those links' own alerts, and inhibits them only if it
reaches Alertmanager before their group's first message."""


def group_wait_s(al: Alerting, inv: Inventory, interval_s: float) -> float:
    """The route's group_wait: the inventory's, or 1.5 poll intervals when unset; a shorter one is refused."""
    least = GROUP_WAIT_INTERVALS * interval_s
    if al.group_wait is None:
        return least
    given = duration_s(al.group_wait)
    if given < least:
        where = inv.where("alerting", "group_wait") or inv.where("alerting", "")
        raise BadInput(f"{where}: alerting.group_wait {al.group_wait} is shorter than 1.5 poll intervals "
                       f"({duration_text(least)} at --interval {interval_s:g}): when a provider's hub fails, "
                       "its links seen down one cycle apart would go out as separate notifications instead of "
                       f"one provider alert; set group_wait: {duration_text(least)} or more, or leave it out "
                       "(then it is 1.5 poll intervals)")
    return given


def alertmanager_config(inv: Inventory, *, resolve_secrets: bool = False, interval_s: float = 60
                        ) -> AlertmanagerOutput:
    """Alertmanager's configuration; ``interval_s`` is the poll (= scrape) interval, which group_wait follows."""
    al = inv.alerting
    if al is None:
        raise NetopsError("the inventory has no 'alerting:' section: add receivers and routes "
                          "(docs/monitor.md, 'Alerting') to generate Alertmanager's configuration")
    group_wait = duration_text(group_wait_s(al, inv, interval_s))
    try:
        ZoneInfo(al.timezone)
    except (KeyError, ValueError):
        raise NetopsError(f"alerting.timezone {al.timezone!r} is not an IANA time zone; use e.g. Asia/Pontianak"
                          ) from None
    out = AlertmanagerOutput(config={})
    normal = []
    for r in al.routes:
        matchers = []
        if r.severity:
            matchers.append(_matcher("severity", [s.value for s in r.severity]))
        if r.kecamatan:
            matchers.append(_matcher("kecamatan", r.kecamatan))
        if r.provider:
            matchers.append(_matcher("provider", r.provider))
        normal.append({"receiver": r.receiver, "matchers": matchers, "continue": True})
    routes: list[dict[str, Any]] = []
    for w in sorted(inv.maintenance.values(), key=lambda w: w.id):
        for m in window_matchers(w):
            # the same routing below, muted while the window lasts
            routes.append({"receiver": al.default_receiver, "matchers": m,
                           "mute_time_intervals": [f"maintenance-{w.id}"], "routes": copy.deepcopy(normal)})
    routes += normal
    cfg: dict[str, Any] = {
        "global": _global(al, out, resolve_secrets),
        "templates": [f"templates/{TEMPLATE_FILE}"],
        "route": {"receiver": al.default_receiver, "group_by": GROUP_BY, "group_wait": group_wait,
                  "group_interval": al.group_interval, "repeat_interval": al.repeat_interval, "routes": routes},
        "inhibit_rules": INHIBIT_RULES,
        "receivers": [_receiver(r, al, out, resolve_secrets) for r in al.receivers],
    }
    if inv.maintenance:
        cfg["time_intervals"] = [time_interval(w, al.timezone)
                                 for w in sorted(inv.maintenance.values(), key=lambda w: w.id)]
    out.config = cfg
    return out


_T = {
    "id": {"firing": "GANGGUAN", "resolved": "PULIH", "site": "Lokasi", "kecamatan": "Kecamatan",
           "medium": "Media", "provider": "Penyedia", "circuit": "ID sirkuit", "since": "sejak",
           "lasted": "berlangsung", "behind": "desa di belakangnya", "inhibited": "peringatan turunan ditahan"},
    "en": {"firing": "FIRING", "resolved": "RESOLVED", "site": "Site", "kecamatan": "Kecamatan",
           "medium": "Medium", "provider": "Provider", "circuit": "Circuit id", "since": "since",
           "lasted": "lasted", "behind": "desa behind it", "inhibited": "downstream alerts inhibited"},
}


_LINK = "{{ .Labels.link }} ({{ .Labels.medium }}, {{ .Labels.provider }}) ke {{ .Labels.site }}"
SUMMARY_ID = {
    "NetopsLinkDown": f"Link {_LINK} putus",
    "NetopsLinkUnreachableUpstream": f"Link {_LINK} tidak terjangkau: link di atasnya, {{{{ .Labels.root_link }}}}, "
                                     "putus",
    "NetopsDeviceDown": "{{ .Labels.device }} di {{ .Labels.site }} ({{ .Labels.kecamatan }}) tidak menjawab SNMP "
                        "maupun ping",
    "NetopsDeviceUnreachableUpstream": "{{ .Labels.device }} di {{ .Labels.site }} tidak terjangkau: link "
                                       "{{ .Labels.root_link }} putus",
    "NetopsProviderOutage": "Gangguan menyeluruh {{ .Labels.provider }}: banyak link putus bersamaan (hub, beam "
                            "atau backbone); hubungi penyedia",
    "NetopsVsatLossHigh": f"VSAT {_LINK} kehilangan banyak paket (hujan, arah antena atau kepadatan)",
    "NetopsVsatRttHigh": f"VSAT {_LINK}: waktu tempuh (RTT) terlalu tinggi",
    "NetopsLinkUtilisationHigh": f"Link {_LINK} hampir penuh",
    "NetopsSlaBudgetBurnFast": f"Link {_LINK} menghabiskan anggaran gangguan SLA 14x terlalu cepat",
    "NetopsSlaBudgetBurnSlow": f"Link {_LINK} menghabiskan anggaran gangguan SLA 6x terlalu cepat",
    "NetopsPollerStale": "Poller netops {{ .Labels.instance }} macet atau mati",
    "NetopsInventoryReloadFailed": "Poller netops {{ .Labels.instance }} menolak perubahan inventaris",
    "NetopsServiceDown": "Layanan {{ .Labels.name }} ({{ .Labels.instance }}) gagal diperiksa",
    "NetopsServiceCertExpiring": "Sertifikat TLS {{ .Labels.name }} segera kedaluwarsa",
    "NetopsConfigPendingRecovery": "{{ .Labels.device }}: perubahan konfigurasi tertinggal setengah jalan",
    "NetopsConfigBackupOld": "{{ .Labels.device }}: konfigurasi tidak dicadangkan lebih dari 2 hari",
    "NetopsConfigCriticalViolation": "{{ .Labels.device }} kini melanggar aturan keamanan kritis {{ .Labels.rule }}",
}
"""The rules' summaries are English (Prometheus' and Grafana's own views show them); the Indonesian
notification says the same from the alert's labels. An alert not listed keeps its English summary."""


def _summary_templates() -> str:
    chain = "".join(f'{{{{ {"if" if i == 0 else "else if"} eq .Labels.alertname "{name}" }}}}{text}'
                    for i, (name, text) in enumerate(SUMMARY_ID.items()))
    return ('{{ define "netops.id.summary" }}' + chain + "{{ else }}{{ .Annotations.summary }}{{ end }}{{ end }}\n"
            '{{ define "netops.en.summary" }}{{ .Annotations.summary }}{{ end }}\n')


def _one_alert(t: dict[str, str], sep: str, lang: str) -> str:
    return (
        f'{{{{ $a := . }}}}{{{{ template "netops.{lang}.summary" . }}}}' + sep
        + f"{t['site']}: {{{{ .Labels.site }}}} | {t['kecamatan']}: {{{{ .Labels.kecamatan }}}}"
        + f" | {t['medium']}: {{{{ .Labels.medium }}}} | {t['provider']}: {{{{ .Labels.provider }}}}" + sep
        + f"{{{{ with .Annotations.circuit_id }}}}{t['circuit']}: {{{{ . }}}}{sep}{{{{ end }}}}"
        + f"{{{{ if eq .Status \"firing\" }}}}{t['since']} {{{{ .StartsAt.Format \"2006-01-02 15:04 MST\" }}}}"
        + f"{{{{ else }}}}{t['lasted']} {{{{ (.EndsAt.Sub .StartsAt).Round 1000000000 }}}}{{{{ end }}}}" + sep
        + f"{{{{ with .Annotations.desa_behind }}}}{{{{ $a.Annotations.desa_behind_count }}}} {t['behind']}: "
        + f"{{{{ . }}}}{sep}{{{{ end }}}}"
    )


def templates() -> str:
    """Notification templates in Bahasa Indonesia (``netops.id.*``) and English (``netops.en.*``)."""
    parts = [_summary_templates()]
    for lang, t in _T.items():
        status = (f"{{{{ if eq .Status \"firing\" }}}}{t['firing']}{{{{ else }}}}{t['resolved']}{{{{ end }}}}")
        parts.append(
            f'{{{{ define "netops.{lang}.subject" }}}}[{status}] {{{{ .CommonLabels.alertname }}}}'
            f"{{{{ with .CommonLabels.root_link }}}} {{{{ . }}}}{{{{ end }}}}"
            f"{{{{ with .CommonLabels.kecamatan }}}} ({{{{ . }}}}){{{{ end }}}}{{{{ end }}}}\n"
            f'{{{{ define "netops.{lang}.text" }}}}{{{{ range .Alerts }}}}[{{{{ .Status }}}}] '
            + _one_alert(t, "\n", lang) + "\n{{ end }}{{ end }}\n"
            f'{{{{ define "netops.{lang}.telegram" }}}}<b>{status}</b> {{{{ .CommonLabels.alertname }}}}\n'
            "{{ range .Alerts }}" + _one_alert(t, "\n", lang) + "\n{{ end }}{{ end }}\n"
        )
    return "\n".join(parts)


def write_secret_files(out_dir: Path, files: dict[str, str]) -> list[Path]:
    written = []
    for name, value in files.items():
        p = out_dir / "secrets" / name
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        p.touch(mode=0o600)
        p.chmod(0o600)
        p.write_text(value + "\n", encoding="utf-8")
        written.append(p)
    return written
