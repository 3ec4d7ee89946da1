"""``netops monitor``: poll once, serve the exporter, generate Prometheus/Grafana config."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
from pathlib import Path

import typer
from rich.markup import escape

from netops.cli.options import WHERE
from netops.cli.output import console, emit_json, err_console, handle_errors, state, table
from netops.errors import BadInput, NetopsError
from netops.inventory import load_inventory
from netops.monitor.collector import AuditCollector, ChangesOutsideCollector, Exposition, PendingRecoveryCollector
from netops.monitor.poller import Poller, PollerConfig, parse_shard
from netops.monitor.profiles import default_profiles_dir
from netops.monitor.snapshot import poll_values, summary_rows
from netops.monitor.syslog import ConfigChangeLog, SyslogListener
from netops.monitor.syslog import parse_listen as parse_syslog

app = typer.Typer(help="SNMP/ICMP monitoring: one-shot poll, Prometheus exporter, generated config.",
                  no_args_is_help=True)

ENGINE = typer.Option("fast", help="SNMP engine: fast (netops.snmp, lean BER codec) or pysnmp (reference).")
PROFILES = typer.Option(None, "--profiles", help="SNMP profile directory (default monitors/profiles).")


def _fmt_bps(v: float | None) -> str:
    if v is None:
        return ""
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= div:
            return f"{v / div:.1f} {unit}b/s"
    return f"{v:.0f} b/s"


@app.command()
@handle_errors
def poll(
    ctx: typer.Context,
    where: list[str] | None = WHERE,
    profiles: Path | None = PROFILES,
    count: int = typer.Option(5, help="ICMP probes per device."),
    rate: bool = typer.Option(False, "--rate", help="Poll twice (--interval apart) to show utilisation."),
    interval: float = typer.Option(10.0, help="Seconds between the two polls of --rate."),
    concurrency: int = typer.Option(64, help="Devices polled at once."),
    engine: str = ENGINE,
    down: bool = typer.Option(False, "--down", help="Show only links that are down or unknown (offline sites)."),
) -> None:
    """Poll once and show each monitored link: status, RTT, loss, utilisation; offline sites listed last."""
    st = state(ctx)
    inv = st.inventory()
    cfg = PollerConfig(where=list(where or []), probe_count=count, concurrency=concurrency, interval=interval,
                       engine=engine)
    poller = Poller(inv, cfg, profiles_dir=profiles or default_profiles_dir())

    async def go() -> None:
        await poller.poll_once()
        if rate:
            await asyncio.sleep(interval)
            await poller.poll_once()

    try:
        asyncio.run(go())
    finally:
        poller.close()
    snap = poller.snapshot
    rows = summary_rows(snap)
    total = len(rows)
    offline = [r for r in rows if r["status"] != "up"]
    if down:
        rows = offline
    errors = [{"device": p.device, "reason": p.reason, "error": p.error} for p in snap.polls.values() if not p.ok]
    if st.json:
        emit_json({"links": rows, "offline": [r["link"] for r in offline], "errors": errors, "devices": {
            n: {"up": snap.device_up(n), "snmp": (snap.polls[n].ok if n in snap.polls else None)}
            for n in snap.devices}, "values": poll_values(snap)})
        return
    console.print(table(
        f"{len(rows)} {'offline ' if down else ''}links, {len(snap.devices)} devices polled in "
        f"{snap.cycle_duration:.1f} s",
        ["link", "kecamatan", "site", "medium", "status", "RTT ms", "jitter ms", "loss %", "in", "out", "util %"],
        [[r["link"], r["kecamatan"], r["site"], r["medium"], r["status"], r["rtt_ms"], r["jitter_ms"],
          r["loss_pct"], _fmt_bps(r["in_bps"]), _fmt_bps(r["out_bps"]), r["utilisation_pct"]] for r in rows],
    ))
    for e in errors:
        console.print(f"[red]{e['reason']}[/]: {e['error']}")
    if not rate and not down:
        console.print("utilisation needs two polls: add --rate (or use 'netops monitor serve')")
    if offline:
        shown = ", ".join(f"{r['link']} ({r['site']}, {r['kecamatan']}: {r['status']})" for r in offline[:20])
        more = f" and {len(offline) - 20} more" if len(offline) > 20 else ""
        console.print(f"[red]{len(offline)} of {total} links not up[/]: {escape(shown)}{more}")
    elif total:
        console.print(f"[green]all {total} links up[/]")


def config_state_families(repo: Path) -> list[Exposition]:
    """The config package's local state the exporter serves beside the poll (the monitor does not
    import config; this is where the two are wired): devices with an open change journal entry,
    the last audit, each device's backup age and the changes made outside netops, all read from
    the backup repository ``repo``."""
    from netops.config import audit, changes, journal

    def outside() -> dict[str, tuple[int, float]]:
        return {device: (t.count, t.last) for device, t in changes.tally(repo).items()}

    return [PendingRecoveryCollector(repo / journal.FILENAME, lambda: journal.pending_devices(repo)),
            AuditCollector(repo / audit.FILENAME, lambda: audit.read_state(repo),
                           repo / ".git" / "index", lambda: audit.backup_times(repo)),
            ChangesOutsideCollector(repo / changes.FILENAME, outside)]


@app.command()
@handle_errors
def serve(
    ctx: typer.Context,
    listen: str = typer.Option("127.0.0.1:9750", help="ADDRESS:PORT to serve /metrics and /snmp on."),
    shard: str = typer.Option("0/1", help="I/N: poll only devices whose name hashes to shard I of N."),
    web_config: Path | None = typer.Option(None, "--web-config", help="TLS/basic-auth file (exporter-toolkit)."),
    interval: float = typer.Option(60.0, help="Seconds between poll cycles."),
    concurrency: int = typer.Option(64, help="Devices polled at once."),
    engine: str = ENGINE,
    count: int = typer.Option(5, help="ICMP probes per device per cycle."),
    where: list[str] | None = WHERE,
    profiles: Path | None = PROFILES,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log poll errors to stderr."),
    rate_series: bool = typer.Option(False, "--rate-series",
                                     help="Also export netops_interface_{in,out}_bps per interface (off: "
                                          "Prometheus computes rates from the if_mib counters)."),
    repo: Path = typer.Option(Path("backups"), "--repo",
                              help="Config backup repository whose change journal, last audit and "
                                   "backups are exported (netops_config_pending_recovery, netops_config_compliant, "
                                   "netops_config_backup_age_seconds, netops_config_changes_outside_total, ...)."),
    syslog: str | None = typer.Option(None, "--syslog", help="ADDRESS:PORT to receive syslog (UDP) on, e.g. "
                                      "127.0.0.1:5514: a device logging a config change is backed up into --repo."),
    syslog_debounce: float = typer.Option(5.0, "--syslog-debounce",
                                          help="Seconds a device must be quiet after a change line before "
                                               "its backup (a burst of lines gives one backup)."),
) -> None:
    """Run the poller and a Prometheus exporter until interrupted; SIGHUP reloads the inventory.

    With --syslog, a config change a device logs (RouterOS 'system,info … changed by', IOS
    %SYS-5-CONFIG_I, VRP CFG/4/CFG_CHANGE) triggers a backup naming the user and time."""
    syslog_at = parse_syslog(syslog) if syslog else None  # bad input is refused before anything starts
    if syslog_debounce < 0:
        raise BadInput(f"--syslog-debounce {syslog_debounce:g}: give seconds, 0 or more")
    # a reload asked for while netops is still starting is kept, not fatal (SIGHUP's default)
    early_hup: list[int] = []
    signal.signal(signal.SIGHUP, lambda *_: early_hup.append(1))
    from netops.monitor.server import Exporter, load_web_config, parse_listen

    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(message)s")
    inv = state(ctx).inventory()
    cfg = PollerConfig(interval=interval, concurrency=concurrency, shard=parse_shard(shard), engine=engine,
                       where=list(where or []), probe_count=count, rate_series=rate_series, render=True)
    poller = Poller(inv, cfg, profiles_dir=profiles or default_profiles_dir())
    web = load_web_config(web_config) if web_config else None
    listener = _syslog_listener(syslog_at, syslog_debounce, poller, repo) if syslog_at else None
    exporter = Exporter(lambda: poller.snapshot, parse_listen(listen), web, extra=config_state_families(repo)).start()
    host, port = exporter.address
    scheme = "https" if web and web.cert_file else "http"
    console.print(f"netops monitor: shard {cfg.shard[0]}/{cfg.shard[1]}, {len(poller.devices)} devices, "
                  f"{len(poller.links)} links, every {interval:g} s; serving {scheme}://{host}:{port}/metrics")
    console.print(f"reload the inventory without a restart: kill -HUP {os.getpid()} (a broken edit is refused)")
    if listener is not None:
        console.print(f"syslog: listening on udp {listener.address[0]}:{listener.address[1]}; a logged config "
                      f"change is backed up into {repo} after {syslog_debounce:g} s of quiet")
    inv_path = state(ctx).inventory_path

    reloading = asyncio.Lock()  # one reload at a time, in the order asked: the last edit wins

    async def reload() -> None:
        async with reloading:
            try:
                new = await asyncio.get_running_loop().run_in_executor(None, load_inventory, inv_path)
                added, removed = await poller.reload(new)
            except NetopsError as exc:
                for p in getattr(exc, "errors", None) or [exc]:
                    err_console.print(f"[red]error[/] {escape(str(p))}")
                err_console.print("[red]inventory reload refused[/]: still serving the previous inventory; "
                                  "fix the error(s) and send SIGHUP again")
                await poller.reload(None, str(exc))
                return
        console.print(f"inventory reloaded from {inv_path}: {len(poller.devices)} devices "
                      f"(+{len(added)} -{len(removed)}), {len(poller.links)} links")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        reloads: set[asyncio.Task[None]] = set()

        def on_hup() -> None:
            task = loop.create_task(reload())
            reloads.add(task)
            task.add_done_callback(reloads.discard)

        loop.add_signal_handler(signal.SIGHUP, on_hup)
        if early_hup:
            on_hup()
        await poller.run(stop, exporter.last_scrape)

    try:
        asyncio.run(main())
    finally:
        exporter.stop()
        if listener is not None:
            listener.stop()
        poller.close()


def _syslog_listener(listen: tuple[str, int], debounce: float, poller: Poller, repo: Path) -> SyslogListener:
    """The syslog listener, whose trigger is a config backup of the device (read-only for the device)."""
    from netops.config import jobs
    from netops.config.backup import BackupRepo

    def backup(event: ConfigChangeLog) -> None:
        report, _ = jobs.backup(poller.inv, [event.device], BackupRepo(repo), workers=1, label="backup",
                                cause=event.cause)
        for r in report.results:
            if not r.ok:
                err_console.print(f"[red]syslog-triggered backup of {escape(r.device)} failed[/]: {escape(r.message)}")
        for c in report.outside:
            console.print(f"changed outside netops: {escape(c.device)} ({c.summary}), {escape(event.cause)}; "
                          f"commit {report.backup_commit}")
        for problem in report.notify_errors:
            err_console.print(f"[red]not notified[/]: {escape(problem)}")

    return SyslogListener(listen, lambda: poller.inv, backup, debounce).start()


@app.command()
@handle_errors
def generate(
    ctx: typer.Context,
    out: Path = typer.Option(Path("monitors"), "--out", help="Directory for prometheus/ and grafana/."),
    shards: int = typer.Option(1, help="Number of exporter shards (netops monitor serve --shard I/N)."),
    exporter: list[str] | None = typer.Option(None, "--exporter", help="HOST:PORT of each shard, in order."),
    hashmod: int | None = typer.Option(None, help="Split the targets over M Prometheus servers (hashmod)."),
    interval: int = typer.Option(60, help="Poll (and scrape) interval in seconds."),
    down_for: str = typer.Option("5m", "--down-for", help="How long a link or device stays down before its alert "
                                                          "fires (the rules' for:), e.g. 5m, 90s."),
    prometheus_url: str = typer.Option("http://127.0.0.1:9090", help="Grafana's datasource URL."),
    alertmanager: list[str] | None = typer.Option(
        None, "--alertmanager", help="HOST:PORT of an Alertmanager for Prometheus' alerting block "
                                     "(repeatable; default 127.0.0.1:9093)."),
    grafana_dashboards_path: str = typer.Option(
        "/var/lib/grafana/dashboards/netops", "--grafana-dashboards-path",
        help="WHERE Grafana will read the dashboards (copy grafana/dashboards/ there); goes into the provisioning."),
    boundaries: Path | None = typer.Option(
        None, "--boundaries", help="GeoJSON of kecamatan/desa boundaries for the offline map layer "
                                   "(default: the inventory's regency.boundaries)."),
    tiles_url: str = typer.Option("", "--tiles-url", help="An intranet XYZ tile server for the map, if any."),
    blackbox: str = typer.Option("127.0.0.1:9115", "--blackbox", help="HOST:PORT of blackbox_exporter (services)."),
    resolve_secrets: bool = typer.Option(
        False, "--resolve-secrets", help="Write secrets Alertmanager cannot read from a file (Telegram bot token, "
                                         "env: references) into alertmanager/ (mode 0600); only on its host."),
) -> None:
    """Write Prometheus scrape config and rules, Alertmanager config, Grafana dashboards (generated)."""
    from netops.monitor.generate import Thresholds
    from netops.monitor.generate import generate as gen

    st = state(ctx)
    if not re.fullmatch(r"([0-9]+(ms|s|m|h|d))+", down_for):
        raise BadInput(f"--down-for {down_for!r}: give a Prometheus duration such as 5m, 90s or 1h30m")
    warnings: list[str] = []
    written = gen(st.inventory(), out, shards=shards, exporters=list(exporter or []) or None, hashmod=hashmod,
                  th=Thresholds(interval_s=interval, link_down_for=down_for, device_down_for=down_for),
                  prometheus_url=prometheus_url,
                  alertmanagers=list(alertmanager or []) or None, resolve_secrets=resolve_secrets,
                  warnings=warnings, blackbox=blackbox, grafana_dashboards_path=grafana_dashboards_path,
                  boundaries=boundaries, tiles_url=tiles_url)
    if st.json:
        emit_json({"written": [str(p) for p in written], "warnings": warnings})
        return
    for p in written:
        console.print(f"wrote {p}")
    for w in warnings:
        err_console.print(f"[yellow]warning[/] {escape(w)}")
