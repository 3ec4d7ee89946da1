"""Config jobs over many devices: backup, diff, push (canary, batches, verify, rollback).

Each job renders everything first (a template problem stops it before any device is
contacted), then runs per-device Nornir tasks. A device's failure is a result, never
an exception: the caller gets one :class:`DeviceResult` per device and decides the
exit code. Every message that leaves this module is masked.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nornir.core.task import Task

from netops.config import device as dev
from netops.config.backup import BackupRepo
from netops.config.diff import Plan, plan, restore_plan
from netops.config.errors import ConfigError
from netops.config.mask import clean, known_secrets, mask
from netops.config.render import DEFAULT_FEATURES, Rendered, TemplateSet, managed, render_all
from netops.inventory.loader import Inventory
from netops.platforms import Platform, get_platform
from netops.secrets import redact

Progress = Callable[[str, str], None]
"""progress(device, stage): called as each device moves through a job."""


def _nothing(device: str, stage: str) -> None:
    return None


@dataclass(frozen=True)
class Check:
    """A verify step: run ``command`` and expect ``expect`` (a regex) in its output."""

    command: str
    expect: str


@dataclass
class DeviceResult:
    device: str
    platform: str
    status: str
    """ok, unchanged, would-change, applied, failed, rolled-back, skipped"""
    message: str = ""
    changes: int = 0
    diff: str = ""
    rollback: str = ""
    """what happened to undo a failed change"""
    seconds: float = 0.0
    output: str = ""
    """what the device printed (``netops run``), masked"""
    running_after: str | None = field(default=None, repr=False)
    """the cleaned running config netops last read from the device (saves a re-read)"""

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "unchanged", "would-change", "applied")


@dataclass
class JobReport:
    results: list[DeviceResult] = field(default_factory=list)
    backup_commit: str | None = None
    after_commit: str | None = None
    stopped: str = ""
    """why the job stopped early (canary failed, failure threshold), if it did"""

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and not self.stopped

    def by_status(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out


class _Masker:
    """Masks every message with the known secrets and the platform patterns."""

    def __init__(self, inv: Inventory, extra: Iterable[str] = ()):
        self.secrets = sorted(set(known_secrets(inv)) | {s for s in extra if s}, key=len, reverse=True)

    def __call__(self, text: str, platform: str | None = None) -> str:
        text = redact(text, self.secrets)
        if platform:
            text = mask(get_platform(platform), text, self.secrets)
        return text


def targets(inv: Inventory, names: Iterable[str]) -> list[str]:
    return managed(inv, names)


# -- reading ------------------------------------------------------------------------

def fetch_running(inv: Inventory, names: list[str], workers: int = 20,
                  progress: Progress = _nothing, nr: Any = None) -> tuple[dict[str, str], dict[str, str]]:
    """(raw running configs, errors) per device, read in parallel.

    With ``nr`` (a job's own Nornir), sessions stay open for the job's next step: behind
    VSAT a new SSH session costs ~10 s.
    """
    if not names:
        return {}, {}
    keep_open = nr is not None
    if nr is None:
        nr = dev.nornir_for(inv, names, workers)
    masker = _Masker(inv)

    def task(t: Task) -> str:
        progress(t.host.name, "reading")
        platform = dev.platform_of(t.host)
        text = dev.show_config(dev.connection(t.host, t.nornir.config), platform)
        if not keep_open:
            dev.drop(t.host)
        progress(t.host.name, "read")
        return text

    wanted = set(names)
    return _split(nr.filter(filter_func=lambda h: h.name in wanted).run(task=task, on_failed=True), inv, masker)


def _split(agg: Any, inv: Inventory, masker: _Masker) -> tuple[dict[str, Any], dict[str, str]]:
    """A Nornir run's (results, masked errors) per device."""
    results, errors = {}, {}
    for name, multi in agg.items():
        if multi.failed:
            errors[name] = masker(_error_text(multi[0].exception), inv.devices[name].platform)
        else:
            results[name] = multi[0].result
    return results, errors


def _error_text(exc: BaseException | None) -> str:
    if exc is None:
        return "failed"
    text = str(exc).strip().splitlines()
    first = next((ln for ln in text if ln.strip()), type(exc).__name__)
    return f"{type(exc).__name__}: {first}" if not isinstance(exc, dev.DeviceError) else first


def backup(inv: Inventory, names: Iterable[str], repo: BackupRepo, workers: int = 20,
           progress: Progress = _nothing, label: str = "backup", nr: Any = None) -> tuple[JobReport, dict[str, str]]:
    """Read, clean and commit the running config of every managed device."""
    names = targets(inv, names)
    raw, errors = fetch_running(inv, names, workers, progress, nr)
    masker = _Masker(inv)
    cleaned = {n: clean(get_platform(inv.devices[n].platform), text, masker.secrets) for n, text in raw.items()}
    summary = f"{label}: {len(cleaned)} of {len(names)} devices"
    if errors:
        summary += f", {len(errors)} unreachable ({', '.join(sorted(errors)[:5])}{'…' if len(errors) > 5 else ''})"
    commit, changed = repo.store(cleaned, summary)
    report = JobReport(backup_commit=commit)
    for n in names:
        platform = inv.devices[n].platform
        if n in errors:
            report.results.append(DeviceResult(n, platform, "failed", errors[n]))
        else:
            report.results.append(DeviceResult(n, platform, "ok", "changed" if n in changed else "unchanged"))
    return report, cleaned


# -- diff ---------------------------------------------------------------------------

def plans_for(inv: Inventory, rendered: dict[str, Rendered], running: dict[str, str]) -> dict[str, Plan]:
    masker = _Masker(inv)
    out = {}
    for name, text in running.items():
        r = rendered[name]
        secrets = tuple(sorted(set(masker.secrets) | set(r.secrets), key=len, reverse=True))
        out[name] = plan(name, r.platform, text, r.text, secrets)
    return out


def diff(inv: Inventory, names: Iterable[str], features: Iterable[str] = DEFAULT_FEATURES,
         templates: TemplateSet | None = None, workers: int = 20,
         progress: Progress = _nothing) -> tuple[JobReport, dict[str, Plan]]:
    """Running vs intended for every target (read-only)."""
    rendered = render_all(inv, names, features, templates)
    raw, errors = fetch_running(inv, list(rendered), workers, progress)
    plans = plans_for(inv, rendered, raw)
    report = JobReport()
    for name in rendered:
        platform = inv.devices[name].platform
        if name in errors:
            report.results.append(DeviceResult(name, platform, "failed", errors[name]))
            continue
        p = plans[name]
        status = "unchanged" if p.empty else "would-change"
        report.results.append(DeviceResult(name, platform, status, changes=len(p.changes), diff=p.unified()))
    return report, plans


# -- push ---------------------------------------------------------------------------

@dataclass
class PushOptions:
    commit: bool = False
    canary: int = 1
    batch: int = 20
    max_fail_pct: float = 0.0
    """stop when failed devices exceed this percentage of those attempted"""
    workers: int = 20
    revert_after: int = 120
    """seconds before a scheduled on-device revert fires unless netops confirms"""
    read_timeout: float | None = None
    """seconds to wait for device output before the device counts as failed"""
    connect_timeout: float | None = None
    """seconds to wait for a TCP connection (default: 10, 30 behind VSAT)"""
    checks: dict[str, tuple[Check, ...]] = field(default_factory=dict)
    """per device: commands whose output must match, verified before the change is confirmed"""
    rollback: bool = True


def _verify(conn: Any, platform: Any, rendered: Rendered, secrets: tuple[str, ...],
            checks: tuple[Check, ...], res: DeviceResult) -> list[str]:
    problems = []
    running = dev.show_config(conn, platform)
    res.running_after = clean(platform, running, secrets)
    left = plan(rendered.device, platform, running, rendered.text, secrets)
    if not left.empty:
        first = next(c.new or c.old or "" for c in left.changes)
        problems.append(f"{len(left.changes)} intended line(s) not in the running config (first: {first})")
    for check in checks:
        out = dev.run_command(conn, check.command)
        if not re.search(check.expect, out, re.MULTILINE):
            problems.append(f"verify '{check.command}': no match for /{check.expect}/")
    return problems


def _push_one(task: Task, p: Plan, rendered: Rendered, backup_text: str, secrets: tuple[str, ...],
              opts: PushOptions, progress: Progress, masker: _Masker) -> DeviceResult:
    host = task.host
    platform = p.platform
    start = time.monotonic()
    res = DeviceResult(host.name, platform.name, "applied", changes=len(p.changes), diff=p.unified())
    job = f"netops-revert-{int(time.time())}"
    armed = arming = False
    error = ""
    try:
        progress(host.name, "connecting")
        conn = dev.connection(host, task.nornir.config)  # the session that read the backup, if still up
        if not conn.is_alive():
            conn = dev.reconnect(host, task.nornir.config)
        if platform.rollback == "scheduled-revert" and opts.rollback:
            progress(host.name, "arming revert")
            arming = True
            dev.send_lines(conn, [c.format(name=job, seconds=opts.revert_after) for c in platform.revert_arm],
                           platform)
            armed = True
        progress(host.name, "pushing")
        dev.send_config(conn, platform, p.commands, pipelined=armed and platform.pipeline)
        progress(host.name, "verifying")
        conn = dev.reconnect(host, task.nornir.config)
        problems = _verify(conn, platform, rendered, secrets, opts.checks.get(host.name, ()), res)
        if problems:
            error = "; ".join(problems)
        else:
            if armed:
                dev.send_lines(conn, [c.format(name=job) for c in platform.revert_confirm], platform)
                if res.running_after:  # the revert job was in the config netops read; it is gone now
                    res.running_after = "".join(ln for ln in res.running_after.splitlines(keepends=True)
                                                if job not in ln)
            progress(host.name, "done")
    except Exception as exc:  # noqa: BLE001 - any failure of one device is its result
        error = _error_text(exc)
    if error:
        res.status = "failed"
        res.message = masker(error, platform.name)
        if opts.rollback:
            progress(host.name, "rolling back")
            res.running_after = None
            res.rollback = masker(_roll_back(task, p, rendered, backup_text, secrets, armed, job, opts, res,
                                             half_armed=arming and not armed), platform.name)
            if res.rollback.startswith("rolled back"):
                res.status = "rolled-back"
    dev.drop(host)
    res.seconds = time.monotonic() - start
    return res


def _reconnect_until(host: Any, nr_config: Any, seconds: float) -> Any:
    """Reconnect, retrying while a device restarts after a reset (up to ``seconds``)."""
    deadline = time.monotonic() + max(seconds, 5)
    while True:
        try:
            return dev.reconnect(host, nr_config)
        except Exception:  # noqa: BLE001
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def _roll_back(task: Task, p: Plan, rendered: Rendered, backup_text: str, secrets: tuple[str, ...],
               armed: bool, job: str, opts: PushOptions, res: DeviceResult, half_armed: bool = False) -> str:
    host, platform = task.host, p.platform
    try:
        if armed:
            conn = dev.reconnect(host, task.nornir.config)
        else:  # only netops can undo it: wait a while for the device to come back
            conn = _reconnect_until(host, task.nornir.config, opts.revert_after)
    except Exception as exc:  # noqa: BLE001
        if armed:
            return (f"unreachable ({_error_text(exc)}); the device restores its pre-change config by itself "
                    f"within {opts.revert_after} s (scheduled revert {job})")
        return (f"NOT rolled back: unreachable for {opts.revert_after} s ({_error_text(exc)}); run "
                f"'netops config rollback {host.name} --commit' when it is reachable")
    try:
        if half_armed:  # arming broke off: nothing was pushed, but a revert job may be waiting
            dev.send_lines(conn, [c.format(name=job) for c in platform.revert_confirm])
        if armed:
            try:
                dev.send_lines(conn, [c.format(name=job) for c in platform.revert_now])
            except Exception:  # noqa: BLE001 - a device that resets may close the session at once
                pass
            how = "on-device revert to the config saved before the change"
        else:
            running = dev.show_config(conn, platform)
            rp = restore_plan(host.name, platform, running, backup_text, secrets)
            dev.send_config(conn, platform, rp.commands)
            how = f"restored from the backup ({len(rp.commands)} commands)"
            if rp.skipped:
                how += f"; {len(rp.skipped)} line(s) with masked secrets left as they were"
        conn = _reconnect_until(host, task.nornir.config, opts.revert_after)
        now = clean(platform, dev.show_config(conn, platform), secrets)
        res.running_after = now
        if now != clean(platform, backup_text, secrets):
            left = restore_plan(host.name, platform, now, backup_text, secrets)
            if left.changes:
                return f"rollback incomplete ({how}); {len(left.changes)} line(s) still differ from the backup"
        return f"rolled back: {how}"
    except Exception as exc:  # noqa: BLE001
        extra = f"; the scheduled revert {job} still fires within {opts.revert_after} s" if armed else ""
        return f"rollback failed: {_error_text(exc)}{extra}"


def push(inv: Inventory, names: Iterable[str], repo: BackupRepo, opts: PushOptions,
         features: Iterable[str] = DEFAULT_FEATURES, templates: TemplateSet | None = None,
         progress: Progress = _nothing) -> JobReport:
    """Back up, then push the changes: canaries first, then batches, stopping on failures."""
    if opts.canary < 0 or opts.batch < 1 or not 0 <= opts.max_fail_pct <= 100:
        raise ConfigError("--canary must be >= 0, --batch >= 1 and --max-fail between 0 and 100")
    rendered = render_all(inv, names, features, templates)
    masker = _Masker(inv, [s for r in rendered.values() for s in r.secrets])
    # one Nornir for the whole job: the session that read the backup is the one that pushes
    nr = dev.nornir_for(inv, list(rendered), opts.workers, opts.read_timeout, opts.connect_timeout)
    pre, backups = backup(inv, list(rendered), repo, opts.workers, progress, label="before push", nr=nr)
    report = JobReport(backup_commit=pre.backup_commit)
    failed_read = {r.device: r for r in pre.results if r.status == "failed"}
    raw_running = {n: t for n, t in backups.items()}
    plans = plans_for(inv, rendered, raw_running)
    todo: list[str] = []
    for name in rendered:
        if name in failed_read:
            r = failed_read[name]
            report.results.append(DeviceResult(name, r.platform, "failed", f"backup failed: {r.message}"))
        elif plans[name].empty:
            report.results.append(DeviceResult(name, rendered[name].platform.name, "unchanged"))
        elif not opts.commit:
            p = plans[name]
            report.results.append(DeviceResult(name, p.platform.name, "would-change", changes=len(p.changes),
                                               diff=p.unified()))
        else:
            todo.append(name)
    for name in rendered:
        if name not in todo:
            dev.drop(nr.inventory.hosts[name])
    if not todo:
        return report
    groups = [todo[: opts.canary]] if opts.canary else []
    rest = todo[opts.canary:] if opts.canary else todo
    groups += [rest[i: i + opts.batch] for i in range(0, len(rest), opts.batch)]
    attempted = failed = 0
    done: set[str] = set()
    for gi, group in enumerate(groups):
        is_canary = bool(opts.canary) and gi == 0

        def task(t: Task) -> DeviceResult:
            name = t.host.name
            secrets = tuple(sorted(set(masker.secrets) | set(rendered[name].secrets), key=len, reverse=True))
            return _push_one(t, plans[name], rendered[name], backups[name], secrets, opts, progress, masker)

        agg = nr.filter(filter_func=lambda h, g=set(group): h.name in g).run(task=task, on_failed=True)
        for name in group:
            multi = agg[name]
            if multi.failed:  # an error outside _push_one's own handling
                res = DeviceResult(name, inv.devices[name].platform, "failed",
                                   masker(_error_text(multi[0].exception), inv.devices[name].platform))
            else:
                res = multi[0].result
            report.results.append(res)
            done.add(name)
            attempted += 1
            failed += 0 if res.ok else 1
        if is_canary and failed:
            report.stopped = f"canary failed ({', '.join(r.device for r in report.results if not r.ok)}); " \
                             "the rest were not touched"
            break
        if failed and failed * 100.0 / attempted > opts.max_fail_pct:
            report.stopped = (f"{failed} of {attempted} devices failed ({failed * 100.0 / attempted:.0f}% > "
                              f"--max-fail {opts.max_fail_pct:g}%); the rest were not touched")
            break
    for name in todo:
        if name not in done:
            report.results.append(DeviceResult(name, inv.devices[name].platform, "skipped", report.stopped))
    # after-push backup: what netops read while verifying or rolling back; a device it lost
    # is left out (its state is unknown until the next backup reads it)
    after = {n: backups[n] for n in backups if n not in done}
    after.update({r.device: r.running_after for r in report.results if r.running_after is not None})
    for host in nr.inventory.hosts.values():
        dev.drop(host)
    applied = sum(1 for r in report.results if r.status == "applied")
    report.after_commit, _ = repo.store(after, f"after push: {applied} applied, {len(report.results)} devices "
                                               f"({', '.join(f'{v} {k}' for k, v in sorted(report.by_status().items()))})")
    return report


# -- commands: verify checks and ad-hoc runs ------------------------------------------

def _collect(inv: Inventory, commands: dict[str, list[str]], workers: int,
             progress: Progress) -> tuple[dict[str, list[str]], dict[str, str]]:
    """(outputs, errors) per device: each device's exec-mode commands, in order, on one session."""
    nr = dev.nornir_for(inv, list(commands), workers)
    masker = _Masker(inv)

    def task(t: Task) -> list[str]:
        conn = dev.connection(t.host, t.nornir.config)
        outs = [dev.run_command(conn, c) for c in commands[t.host.name]]
        dev.drop(t.host)
        progress(t.host.name, "done")
        return outs

    return _split(nr.run(task=task, on_failed=True), inv, masker)


def verify(inv: Inventory, names: Iterable[str], checks: dict[str, tuple[Check, ...]], workers: int = 20,
           progress: Progress = _nothing) -> JobReport:
    """Run each device's checks; a device passes when every expected pattern matches."""
    names = [n for n in targets(inv, names) if checks.get(n)]
    report = JobReport()
    if not names:
        return report
    outputs, errors = _collect(inv, {n: [c.command for c in checks[n]] for n in names}, workers, progress)
    masker = _Masker(inv)
    for name in names:
        platform = inv.devices[name].platform
        if name in errors:
            report.results.append(DeviceResult(name, platform, "failed", errors[name]))
            continue
        problems = [f"'{c.command}': no match for /{c.expect}/"
                    for c, out in zip(checks[name], outputs[name], strict=True)
                    if not re.search(c.expect, out, re.MULTILINE)]
        if problems:
            report.results.append(DeviceResult(name, platform, "failed", masker("; ".join(problems), platform)))
        else:
            report.results.append(DeviceResult(name, platform, "ok", f"{len(checks[name])} check(s) passed"))
    return report


def run_commands(inv: Inventory, names: Iterable[str], commands: list[str], commit: bool = False,
                 workers: int = 20, progress: Progress = _nothing) -> JobReport:
    """Send exec-mode ``commands`` to every managed device; each result holds the masked output.

    Unless ``commit``, every command must be read-only on every selected platform
    (``Platform.read_only``); otherwise nothing is sent at all. A command the device
    rejects fails that device with the device's own error line.
    """
    names = targets(inv, names)
    report = JobReport()
    if not names or not commands:
        return report
    masker = _Masker(inv)  # commands are masked too: one may carry a password
    if not commit:
        count = Counter(inv.devices[n].platform for n in names)
        refused = [f"'{masker(c, platform)}' on {platform} ({n} device{'s' if n != 1 else ''})"
                   for platform, n in sorted(count.items()) for c in commands
                   if not get_platform(platform).is_read_only(c)]
        if refused:
            raise ConfigError(f"not a read-only command: {', '.join(refused)}; check the command and the "
                              "selection (--where platform=...), then add --commit to send it anyway; nothing was sent")
    outputs, errors = _collect(inv, {n: list(commands) for n in names}, workers, progress)
    for name in names:
        platform = inv.devices[name].platform
        p = get_platform(platform)
        if name in errors:
            report.results.append(DeviceResult(name, platform, "failed", errors[name]))
            continue
        shown = [masker(c, platform) for c in commands]
        outs = [masker(o, platform) for o in outputs[name]]
        rejected = [(c, o) for c, o in zip(shown, outs, strict=True) if _rejected(o, p)]
        res = DeviceResult(name, platform, "failed" if rejected else "ok",
                           f"'{rejected[0][0]}': {dev.error_line(rejected[0][1], p)}" if rejected else "",
                           output="\n".join(f"# {c}\n{o.rstrip()}" if len(commands) > 1 else o.rstrip()
                                            for c, o in zip(shown, outs, strict=True)))
        report.results.append(res)
    return report


def _rejected(output: str, platform: Platform) -> bool:
    """Did the device refuse the command? A refusal is short and starts with the error (RouterOS:
    one line; IOS, VRP: a caret line, then the message). A longer answer is the device's data:
    a log that quotes "syntax error" is not a failure."""
    lines = [ln for ln in output.splitlines() if ln.strip()]
    return len(lines) <= 3 and bool(re.search(platform.cli_error, "\n".join(lines[:2]), re.MULTILINE | re.IGNORECASE))


# -- rollback to a backup revision -------------------------------------------------------

def rollback(inv: Inventory, name: str, repo: BackupRepo, rev: str | None = None, commit: bool = False,
             progress: Progress = _nothing) -> tuple[DeviceResult, Plan]:
    """Bring a device back to a backup revision (default: the latest backup)."""
    if name not in inv.devices:
        raise ConfigError(f"no device {name!r} in the inventory; see 'netops inventory list'")
    platform = get_platform(inv.devices[name].platform)
    if not platform.managed:
        raise ConfigError(f"{name}: platform {platform.name} is not managed by netops")
    target = repo.show(name, rev)
    masker = _Masker(inv)
    raw, errors = fetch_running(inv, [name], 1, progress)
    if name in errors:
        return DeviceResult(name, platform.name, "failed", errors[name]), restore_plan(name, platform, "", target)
    rp = restore_plan(name, platform, raw[name], target, masker.secrets)
    res = DeviceResult(name, platform.name, "would-change" if rp.changes else "unchanged",
                       changes=len(rp.changes), diff=rp.unified())
    if rp.skipped:
        res.message = f"{len(rp.skipped)} line(s) cannot be restored (masked secrets / no value in the backup)"
    if not commit or not rp.commands:
        return res, rp
    nr = dev.nornir_for(inv, [name], 1)

    def task(t: Task) -> str:
        conn = dev.connection(t.host, t.nornir.config)
        progress(name, "restoring")
        dev.send_config(conn, platform, rp.commands)
        conn = dev.reconnect(t.host, t.nornir.config)
        now = dev.show_config(conn, platform)
        dev.drop(t.host)
        return now

    multi = nr.run(task=task, on_failed=True)[name]
    if multi.failed:
        res.status = "failed"
        res.message = masker(_error_text(multi[0].exception), platform.name)
        return res, rp
    left = restore_plan(name, platform, multi[0].result, target, masker.secrets)
    res.status = "applied" if not left.changes else "failed"
    if left.changes:
        res.message = f"{len(left.changes)} line(s) still differ from the backup"
    return res, rp


def render_to(inv: Inventory, names: Iterable[str], out: Path | None, features: Iterable[str] = DEFAULT_FEATURES,
              templates: TemplateSet | None = None) -> dict[str, Rendered]:
    """Render every target; with ``out``, write ``<out>/<device>.cfg`` (secrets masked)."""
    rendered = render_all(inv, names, features, templates)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, r in rendered.items():
            (out / f"{name}.cfg").write_text(r.masked, encoding="utf-8")
    return rendered
