"""Config jobs over many devices: backup, diff, push (canary, batches, verify, rollback).

Each job renders everything first (a template problem stops it before any device is
contacted), then runs per-device Nornir tasks. A device's failure is a result, never
an exception: the caller gets one :class:`DeviceResult` per device and decides the
exit code. Every message that leaves this module is masked.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from nornir.core.task import Task

from netops.config import device as dev
from netops.config import notify
from netops.config.backup import BackupRepo, Operator
from netops.config.changes import OutsideChange, commit_body, detect, record
from netops.config.diff import ChangePlan, plan, restore_plan
from netops.config.errors import ConfigError
from netops.config.journal import Journal, JournalStep, Record
from netops.config.mask import clean, mask
from netops.config.pushed import PushedSecrets
from netops.config.render import DEFAULT_FEATURES, Rendered, TemplateSet, managed, render_all
from netops.inventory.models import Inventory
from netops.platforms import Platform, get_platform
from netops.progress import JobStage, Progress, ProgressEvent, planned, quiet
from netops.secrets import redact

_nothing = quiet


@dataclass(frozen=True)
class Check:
    """A verify step: run ``command`` and expect ``expect`` (a regex) in its output."""

    command: str
    expect: str


class Status(StrEnum):
    """A device's result in a job (the table's "result" column)."""

    OK = "ok"
    UNCHANGED = "unchanged"
    WOULD_CHANGE = "would-change"
    APPLIED = "applied"
    FAILED = "failed"
    ROLLED_BACK = "rolled-back"
    SKIPPED = "skipped"
    """not started: the run stopped before this device"""


class EndState(StrEnum):
    """Where a push left a device; the summary names every device by one of these."""

    UNTOUCHED = "untouched"
    APPLIED = "applied"
    ROLLED_BACK = "rolled back"
    ATTENTION = "needs attention"
    """outcome unknown or rollback incomplete: its journal entry stays open for ``recover``"""


@dataclass
class DeviceResult:
    device: str
    platform: str
    status: Status
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
    state: EndState | None = None
    """push and recover: where the device was left"""

    @property
    def ok(self) -> bool:
        return self.status in (Status.OK, Status.UNCHANGED, Status.WOULD_CHANGE, Status.APPLIED)


@dataclass
class JobReport:
    results: list[DeviceResult] = field(default_factory=list)
    backup_commit: str | None = None
    after_commit: str | None = None
    stopped: str = ""
    """why the job stopped early (canary failed, failure threshold, interrupt), if it did"""
    interrupted: bool = False
    """stopped by the operator (Ctrl-C)"""
    recovered: list[DeviceResult] = field(default_factory=list)
    """what a push first did to finish changes an earlier run left open"""
    outside: list[OutsideChange] = field(default_factory=list)
    """changes outside netops that the backup found (notified, in the commit message)"""
    notify_errors: list[str] = field(default_factory=list)
    """receivers that could not be told (masked); the backup is committed anyway"""

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and not self.stopped

    def by_status(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status.value] = out.get(r.status.value, 0) + 1
        return out

    def by_state(self) -> dict[EndState, list[str]]:
        """Devices per end state, in the order of the states (push and recover only)."""
        out: dict[EndState, list[str]] = {s: [] for s in EndState}
        for r in self.results:
            if r.state is not None:
                out[r.state].append(r.device)
        return {s: names for s, names in out.items() if names}


class _Masker:
    """Masks every message with the known secrets and the platform patterns."""

    def __init__(self, inv: Inventory, extra: Iterable[str] = ()):
        self.secrets = sorted(set(inv.known_secrets()) | {s for s in extra if s}, key=len, reverse=True)

    def __call__(self, text: str, platform: str | None = None) -> str:
        text = redact(text, self.secrets)
        if platform:
            text = mask(get_platform(platform), text, self.secrets)
        return text


def targets(inv: Inventory, names: Iterable[str]) -> list[str]:
    return managed(inv, names)


# -- reading ------------------------------------------------------------------------

def fetch_running(inv: Inventory, names: list[str], workers: int = 0,
                  progress: Progress = _nothing, nr: Any = None) -> tuple[dict[str, str], dict[str, str]]:
    """(raw running configs, errors) per device, read in parallel.

    With ``nr`` (a job's own Nornir), sessions stay open for the job's next step (behind
    VSAT a new login costs 7 round trips, ~4 s), for up to ``device.MAX_WORKERS`` devices.
    """
    if not names:
        return {}, {}
    planned(progress, len(names))
    # kept open up to MAX_WORKERS devices: past that, open sessions pile up (1,000 routers:
    # 1,000 SSH transports, each a thread, and new logins timed out on 2 cores)
    keep_open = nr is not None and len(names) <= dev.MAX_WORKERS
    if nr is None:
        nr = dev.nornir_for(inv, names, workers)
    masker = _Masker(inv)

    def task(t: Task) -> str:
        progress(ProgressEvent(t.host.name, JobStage.READING))
        platform = dev.platform_of(t.host)
        text = dev.show_config(dev.connection(t.host, t.nornir.config), platform)
        if not keep_open:
            dev.drop(t.host)
        progress(ProgressEvent(t.host.name, JobStage.READ))
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
        return Status.FAILED
    text = str(exc).strip().splitlines()
    first = next((ln for ln in text if ln.strip()), type(exc).__name__)
    return f"{type(exc).__name__}: {first}" if not isinstance(exc, dev.DeviceError) else first


def backup(inv: Inventory, names: Iterable[str], repo: BackupRepo, workers: int = 0,
           progress: Progress = _nothing, label: str = "backup", nr: Any = None, operator: Operator | None = None,
           cause: str = "", notify_changes: bool = True) -> tuple[JobReport, dict[str, str]]:
    """Read, clean and commit the running config of every managed device.

    Each device is compared with its last backup: a difference netops did not make is a
    change outside netops (:mod:`netops.config.changes`), named in the commit message,
    recorded for the exporter and sent to the alerting receivers. ``cause`` (a syslog
    line's user and time) goes into the commit's first line and the notifications."""
    names = targets(inv, names)
    raw, errors = fetch_running(inv, names, workers, progress, nr)
    masker = _Masker(inv)
    cleaned = {n: clean(get_platform(inv.devices[n].platform), text, masker.secrets) for n, text in raw.items()}
    summary = f"{label}: {len(cleaned)} of {len(names)} devices"
    if cause:
        summary += f" ({cause})"
    if errors:
        summary += f", {len(errors)} unreachable ({', '.join(sorted(errors)[:5])}{'…' if len(errors) > 5 else ''})"
    outside, ours = detect(repo, cleaned, {n: inv.devices[n].platform for n in cleaned}, cause)
    for c in outside:
        c.diff = masker(c.diff, c.platform)  # backups are masked already; the inventory's values once more
    if outside:
        summary += f"; {len(outside)} changed outside netops"
    commit, changed = repo.store(cleaned, summary, operator or Operator.current(), commit_body(outside, ours))
    report = JobReport(backup_commit=commit, outside=outside)
    for c in outside:
        c.commit = commit or ""
    record(repo.path, outside)
    if notify_changes:
        report.notify_errors = notify.send(inv, outside)
    for n in names:
        platform = inv.devices[n].platform
        if n in errors:
            report.results.append(DeviceResult(n, platform, Status.FAILED, errors[n]))
        else:
            report.results.append(DeviceResult(n, platform, Status.OK, "changed" if n in changed else "unchanged"))
    return report, cleaned


# -- diff ---------------------------------------------------------------------------

def plans_for(inv: Inventory, rendered: dict[str, Rendered], running: dict[str, str],
              record: PushedSecrets | None = None) -> dict[str, ChangePlan]:
    masker = _Masker(inv)
    out = {}
    for name, text in running.items():
        r = rendered[name]
        secrets = tuple(sorted(set(masker.secrets) | set(r.secrets), key=len, reverse=True))
        out[name] = plan(name, r.platform, text, r.text, secrets, record.of(name) if record else None)
    return out


def unverifiable_note(p: ChangePlan) -> str:
    """The plan's lines no comparison can prove (masked), for the device's result."""
    if not p.unverifiable:
        return ""
    return (f"{len(p.unverifiable)} line(s) not verifiable (never shown, or shown encrypted with no record of the "
            f"value netops pushed), first: {p.unverifiable[0]}")


def diff(inv: Inventory, names: Iterable[str], features: Iterable[str] = DEFAULT_FEATURES,
         templates: TemplateSet | None = None, workers: int = 0,
         progress: Progress = _nothing, repo: BackupRepo | None = None) -> tuple[JobReport, dict[str, ChangePlan]]:
    """Running vs intended for every target (read-only); with ``repo``, secrets the devices
    show encrypted are compared through the record of what the last push sent."""
    rendered = render_all(inv, names, features, templates)
    raw, errors = fetch_running(inv, list(rendered), workers, progress)
    plans = plans_for(inv, rendered, raw, PushedSecrets(repo.path) if repo is not None else None)
    report = JobReport()
    for name in rendered:
        platform = inv.devices[name].platform
        if name in errors:
            report.results.append(DeviceResult(name, platform, Status.FAILED, errors[name]))
            continue
        p = plans[name]
        status = Status.UNCHANGED if p.empty else Status.WOULD_CHANGE
        report.results.append(DeviceResult(name, platform, status, unverifiable_note(p), changes=len(p.changes),
                                           diff=p.unified()))
    return report, plans


# -- push ---------------------------------------------------------------------------

@dataclass
class PushOptions:
    commit: bool = False
    canary: int = 1
    batch: int = 0
    """devices per wave after the canaries, each wave waiting for its slowest device
    (0: one wave, every device in flight at once up to ``workers``)"""
    max_fail_pct: float = 0.0
    """stop as soon as failed devices exceed this percentage of the devices at stake
    (those needing a change plus those that could not be read)"""
    workers: int = 0
    revert_after: int = 120
    """seconds before a scheduled on-device revert fires unless netops confirms"""
    read_timeout: float | None = None
    """seconds to wait for device output before the device counts as failed"""
    connect_timeout: float | None = None
    """seconds to wait for a TCP connection (default: 10, 30 behind VSAT)"""
    reconnect_wait: float = 30.0
    """how long a push waits for a device it lost mid-change before leaving it to ``recover``"""
    checks: dict[str, tuple[Check, ...]] = field(default_factory=dict)
    """per device: commands whose output must match, verified before the change is confirmed"""
    rollback: bool = True
    operator: Operator | None = None
    """who pushes and why (the backup commits' author and trailers); default: the invoking user"""


@dataclass
class _Change:
    """One device's change in a push: what the journal needs, and the progress hooks."""

    journal: Journal
    run: str
    backup_rev: str
    job: str
    progress: Progress
    record: PushedSecrets | None = None
    """where a verified push records the secrets the device shows encrypted"""

    def step(self, device: str, step: JournalStep, **fields: Any) -> None:
        self.journal.step(self.run, device, step, **fields)


def _verify(conn: Any, platform: Any, rendered: Rendered, secrets: tuple[str, ...],
            checks: tuple[Check, ...], res: DeviceResult, record: PushedSecrets | None = None) -> list[str]:
    problems = []
    running = dev.show_config(conn, platform)
    res.running_after = clean(platform, running, secrets)
    left = plan(rendered.device, platform, running, rendered.text, secrets,
                record.of(rendered.device) if record else None)
    if not left.empty:
        first = next(c.new or c.old or "" for c in left.changes)
        problems.append(f"{len(left.changes)} intended line(s) not in the running config (first: {first})")
    for check in checks:
        out = dev.run_command(conn, check.command)
        if not re.search(check.expect, out, re.MULTILINE):
            problems.append(f"verify '{check.command}': no match for /{check.expect}/")
    if not problems and record is not None:
        record.record(rendered.device, left)  # the values now on the device, as tokens
    return problems


def _push_one(task: Task, p: ChangePlan, rendered: Rendered, backup_text: str, secrets: tuple[str, ...],
              opts: PushOptions, ch: _Change, masker: _Masker) -> DeviceResult:
    host = task.host
    platform = p.platform
    progress = ch.progress
    start = time.monotonic()
    res = DeviceResult(host.name, platform.name, Status.APPLIED, changes=len(p.changes), diff=p.unified(),
                       state=EndState.APPLIED)
    job = ch.job
    armed = arming = wrote = False
    error = ""
    total = len(p.commands)

    def sent(k: int) -> None:
        ch.step(host.name, JournalStep.SENDING, sent=k, total=total)
        progress(ProgressEvent(host.name, JobStage.SENT, k, total))

    try:
        progress(ProgressEvent(host.name, JobStage.CONNECTING))
        conn = dev.connection(host, task.nornir.config)  # the session that read the backup, if still up
        if not dev.alive(conn):
            conn = dev.reconnect(host, task.nornir.config)
        ch.step(host.name, JournalStep.BEGIN, platform=platform.name, backup_rev=ch.backup_rev,
                job=job if platform.rollback == "scheduled-revert" and opts.rollback else "", total=total)
        wrote = True
        if platform.rollback == "scheduled-revert" and opts.rollback:
            progress(ProgressEvent(host.name, JobStage.ARMING))
            arming = True
            minutes = min(max(math.ceil(opts.revert_after / 60), 1), 120)  # IOS counts in minutes (1-120)
            out = dev.send_lines(conn, [c.format(name=job, seconds=opts.revert_after, minutes=minutes)
                                        for c in platform.revert_arm], platform)
            if not platform.pipeline and re.search(platform.cli_error, out, re.MULTILINE):
                raise dev.DeviceError(f"the device refused to arm its revert: {dev.error_line(out, platform)}")
            armed = True
            ch.step(host.name, JournalStep.ARMED, job=job)
        progress(ProgressEvent(host.name, JobStage.PUSHING))
        dev.send_config(conn, platform, p.commands, pipelined=armed and platform.pipeline, on_line=sent)
        ch.step(host.name, JournalStep.SENT, sent=total, total=total)
        progress(ProgressEvent(host.name, JobStage.VERIFYING))
        conn = dev.reconnect(host, task.nornir.config)
        problems = _verify(conn, platform, rendered, secrets, opts.checks.get(host.name, ()), res, ch.record)
        if problems:
            error = "; ".join(problems)
        else:
            ch.step(host.name, JournalStep.VERIFIED)
            if armed:
                dev.send_lines(conn, [c.format(name=job) for c in platform.revert_confirm], platform)
                if res.running_after:  # the revert job was in the config netops read; it is gone now
                    res.running_after = "".join(ln for ln in res.running_after.splitlines(keepends=True)
                                                if job not in ln)
            ch.step(host.name, JournalStep.APPLIED)
            progress(ProgressEvent(host.name, JobStage.DONE))
    except Exception as exc:  # noqa: BLE001 - any failure of one device is its result
        error = _error_text(exc)
    if error:
        res.status = Status.FAILED
        res.message = masker(error, platform.name)
        res.running_after = None
        if not wrote:
            res.state = EndState.UNTOUCHED
        elif opts.rollback:
            progress(ProgressEvent(host.name, JobStage.ROLLING_BACK))
            how, res.state, res.running_after = _restore(
                host, task.nornir.config, platform, backup_text, secrets, armed, job, opts.reconnect_wait,
                progress, half_armed=arming and not armed)
            res.rollback = masker(how, platform.name)
            if res.state is EndState.ROLLED_BACK:
                res.status = Status.ROLLED_BACK
        else:
            res.state = EndState.ATTENTION
            res.rollback = "not rolled back (rollback off)"
        final = {EndState.UNTOUCHED: JournalStep.UNTOUCHED, EndState.ROLLED_BACK: JournalStep.ROLLED_BACK}.get(res.state)  # type: ignore[arg-type]
        if wrote:
            ch.step(host.name, final or JournalStep.PENDING, note=res.rollback or res.message)
    dev.drop(host)
    res.seconds = time.monotonic() - start
    return res


def _reconnect_until(host: Any, nr_config: Any, seconds: float, progress: Progress = _nothing) -> Any:
    """Reconnect, retrying while a device restarts or its link is down (up to ``seconds``)."""
    deadline = time.monotonic() + max(seconds, 1)
    told = False
    while True:
        try:
            return dev.reconnect(host, nr_config)
        except Exception:  # noqa: BLE001
            if time.monotonic() > deadline:
                raise
            if not told:
                progress(ProgressEvent(host.name, JobStage.WAITING))
                told = True
            time.sleep(1)


def _restore(host: Any, nr_config: Any, platform: Platform, backup_text: str, secrets: tuple[str, ...],
             armed: bool, job: str, wait: float, progress: Progress = _nothing,
             half_armed: bool = False) -> tuple[str, EndState, str | None]:
    """Bring a device back to ``backup_text``: (what happened, end state, cleaned running config).

    Waits up to ``wait`` seconds for a device that does not answer; after that the device
    is left to ``netops config recover`` (its journal entry stays open)."""
    dev.abort(host)
    try:
        conn = _reconnect_until(host, nr_config, wait, progress)
    except Exception as exc:  # noqa: BLE001
        if armed:
            return (f"unreachable ({_error_text(exc)}); the device restores its pre-change config by itself "
                    f"(scheduled revert {job}); 'netops config recover' checks it", EndState.ATTENTION, None)
        return (f"NOT rolled back yet: unreachable for {wait:g} s ({_error_text(exc)}); run "
                f"'netops config recover --commit' when it answers", EndState.ATTENTION, None)
    try:
        now = clean(platform, dev.show_config(conn, platform), secrets)
        if now == clean(platform, backup_text, secrets):
            return "rolled back: the device is at its pre-change config", EndState.ROLLED_BACK, now
        if half_armed:  # arming broke off: nothing was pushed, but a revert job may be waiting
            dev.send_lines(conn, [c.format(name=job) for c in platform.revert_confirm])
        if armed:
            try:
                dev.send_lines(conn, [c.format(name=job) for c in platform.revert_now])
            except Exception:  # noqa: BLE001 - a device that resets may close the session at once
                pass
            how = "on-device revert to the config saved before the change"
        else:
            rp = restore_plan(host.name, platform, dev.show_config(conn, platform), backup_text, secrets)
            dev.send_config(conn, platform, rp.commands)
            how = f"restored from the backup ({len(rp.commands)} commands)"
            if rp.skipped:
                how += f"; {len(rp.skipped)} line(s) with masked secrets left as they were"
        conn = _reconnect_until(host, nr_config, wait, progress)
        now = clean(platform, dev.show_config(conn, platform), secrets)
        if now != clean(platform, backup_text, secrets):
            left = restore_plan(host.name, platform, now, backup_text, secrets)
            if left.changes:
                return (f"rollback incomplete ({how}); {len(left.changes)} line(s) still differ from the backup",
                        EndState.ATTENTION, now)
        return f"rolled back: {how}", EndState.ROLLED_BACK, now
    except Exception as exc:  # noqa: BLE001
        extra = f"; the scheduled revert {job} still fires" if armed else ""
        return (f"rollback failed: {_error_text(exc)}{extra}; run 'netops config recover --commit'",
                EndState.ATTENTION, None)


class _Gate:
    """The run's safety contract: one failed canary, or more failures than --max-fail
    allows, stops the run; checked after every device, before the next one starts."""

    def __init__(self, at_stake: int, opts: PushOptions, stop: threading.Event):
        self.at_stake = max(at_stake, 1)
        self.max_fail_pct = opts.max_fail_pct
        self.stop = stop
        self.failed: list[str] = []
        self.reason = ""
        self._lock = threading.Lock()

    def count(self, res: DeviceResult, canary: bool) -> None:
        with self._lock:
            if res.ok or res.status is Status.SKIPPED:
                return
            self.failed.append(res.device)
            if self.reason:
                return
            pct = len(self.failed) * 100.0 / self.at_stake
            if canary:
                self.reason = f"canary {res.device} failed"
            elif pct > self.max_fail_pct:
                self.reason = (f"{len(self.failed)} of {self.at_stake} devices failed ({pct:.0f}% > --max-fail "
                               f"{self.max_fail_pct:g}%)")
            if self.reason:
                self.stop.set()


def push(inv: Inventory, names: Iterable[str], repo: BackupRepo, opts: PushOptions,
         features: Iterable[str] = DEFAULT_FEATURES, templates: TemplateSet | None = None,
         progress: Progress = _nothing, stop: threading.Event | None = None) -> JobReport:
    """Back up, then push the changes: canaries first, then batches, stopping on failures.

    Setting ``stop`` (Ctrl-C) starts no new device; devices in flight finish or roll back.
    """
    if opts.canary < 0 or opts.batch < 0 or not 0 <= opts.max_fail_pct <= 100:
        raise ConfigError("--canary must be >= 0, --batch >= 0 (0: all at once) and --max-fail between 0 and 100")
    rendered = render_all(inv, names, features, templates)
    masker = _Masker(inv, [s for r in rendered.values() for s in r.secrets])
    stop = stop or threading.Event()
    report = JobReport()
    blocked: dict[str, DeviceResult] = {}
    if opts.commit:  # first finish what an earlier run left open on these devices
        journal = Journal(repo.path)
        left_open = [n for n in journal.open_entries() if n in rendered]
        if left_open:
            rec = recover(inv, left_open, repo, commit=True, opts=opts, progress=progress)
            report.recovered = rec.results
            blocked = {r.device: DeviceResult(r.device, r.platform, Status.FAILED,
                                              f"an earlier change is still open: {r.message}",
                                              state=EndState.ATTENTION)
                       for r in rec.results if r.state is EndState.ATTENTION}
    live = [n for n in rendered if n not in blocked]
    # one Nornir for the whole job: the session that read the backup is the one that pushes
    nr = dev.nornir_for(inv, live, opts.workers, opts.read_timeout, opts.connect_timeout)
    operator = opts.operator or Operator.current()
    pre, backups = backup(inv, live, repo, opts.workers, progress, label="before push", nr=nr, operator=operator)
    report.backup_commit = pre.backup_commit
    report.outside, report.notify_errors = pre.outside, pre.notify_errors
    read = {r.device: r for r in pre.results}
    record = PushedSecrets(repo.path)
    plans = plans_for(inv, rendered, backups, record)
    todo: list[str] = []
    first: dict[str, DeviceResult] = {}
    for name in rendered:
        platform = rendered[name].platform.name
        if name in blocked:
            first[name] = blocked[name]
        elif read[name].status is Status.FAILED:
            first[name] = DeviceResult(name, platform, Status.FAILED, f"read/backup failed: {read[name].message}",
                                       state=EndState.UNTOUCHED)
        elif plans[name].empty:
            first[name] = DeviceResult(name, platform, Status.UNCHANGED, unverifiable_note(plans[name]),
                                       state=EndState.UNTOUCHED)
        elif not opts.commit:
            p = plans[name]
            first[name] = DeviceResult(name, platform, Status.WOULD_CHANGE, unverifiable_note(p),
                                       changes=len(p.changes), diff=p.unified(), state=EndState.UNTOUCHED)
        else:
            todo.append(name)
    for name in live:
        if name not in todo:
            dev.drop(nr.inventory.hosts[name])
    at_stake = [n for n in rendered if n in todo or (n in first and first[n].status is Status.FAILED)]
    gate = _Gate(len(at_stake), opts, stop)
    canaries = set(at_stake[: opts.canary])
    # failures known before any write count first: a canary that cannot be read stops the run
    for name in at_stake:
        if name in first:
            gate.count(first[name], canary=name in canaries)
    done: dict[str, DeviceResult] = {}
    ch = _Change(Journal(repo.path), f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}", "",
                 f"netops-revert-{int(time.time())}", progress, record)
    # the revision holding each device's config before the change: the tree of the latest commit
    # holds them all (one git call, not one 'git log' per device in the critical path)
    head = (pre.backup_commit or repo.head()) if todo else ""
    revs = dict.fromkeys(todo, head)
    planned(progress, len(todo))
    groups = [[n for n in at_stake if n in canaries and n in todo]]
    rest = [n for n in todo if n not in canaries]
    size = opts.batch or len(rest) or 1
    groups += [rest[i: i + size] for i in range(0, len(rest), size)]
    for group in groups:
        if not group or stop.is_set():
            continue
        is_canary = bool(canaries & set(group))

        def task(t: Task, is_canary: bool = is_canary) -> DeviceResult:
            name = t.host.name
            if stop.is_set():
                dev.drop(t.host)
                return DeviceResult(name, rendered[name].platform.name, Status.SKIPPED, state=EndState.UNTOUCHED)
            secrets = tuple(sorted(set(masker.secrets) | set(rendered[name].secrets), key=len, reverse=True))
            dch = _Change(ch.journal, ch.run, revs.get(name, ""), ch.job, progress, record)
            res = _push_one(t, plans[name], rendered[name], backups[name], secrets, opts, dch, masker)
            gate.count(res, canary=is_canary)
            return res

        agg = nr.filter(filter_func=lambda h, g=set(group): h.name in g).run(task=task, on_failed=True)
        for name in group:
            multi = agg[name]
            if multi.failed:  # an error outside _push_one's own handling
                res = DeviceResult(name, inv.devices[name].platform, Status.FAILED,
                                   masker(_error_text(multi[0].exception), inv.devices[name].platform),
                                   state=EndState.ATTENTION)
                gate.count(res, canary=is_canary)
            else:
                res = multi[0].result
            done[name] = res
    report.stopped = gate.reason or ("interrupted: no device was started after the interrupt" if stop.is_set()
                                     else "")
    report.interrupted = stop.is_set() and not gate.reason
    for name in rendered:
        if name in first:
            report.results.append(first[name])
        elif name in done and done[name].status is not Status.SKIPPED:
            report.results.append(done[name])
        else:
            report.results.append(DeviceResult(name, rendered[name].platform.name, Status.SKIPPED,
                                               f"not started: {report.stopped}", state=EndState.UNTOUCHED))
    # after-push backup: what netops read while verifying or rolling back; a device it lost
    # is left out (its state is unknown until the next backup reads it)
    changed = {r.device for r in report.results if r.status in (Status.APPLIED, Status.ROLLED_BACK, Status.FAILED)
               and r.device in todo}
    after = {n: backups[n] for n in backups if n not in changed}
    after.update({r.device: r.running_after for r in report.results if r.running_after is not None})
    for host in nr.inventory.hosts.values():
        dev.drop(host)
    record.save()
    applied = sum(1 for r in report.results if r.status is Status.APPLIED)
    report.after_commit, _ = repo.store(after, f"after push: {applied} applied, {len(report.results)} devices "
                                               f"({', '.join(f'{v} {k}' for k, v in sorted(report.by_status().items()))})",
                                        operator)
    return report


# -- recover: finish what a crash or a lost device left open -------------------------------

def recover(inv: Inventory, names: Iterable[str] | None, repo: BackupRepo, commit: bool = False,
            opts: PushOptions | None = None, progress: Progress = _nothing) -> JobReport:
    """Finish every open journal entry (of ``names``, default all): a change that was verified
    is confirmed, any other is rolled back to the backup recorded before it. A device that
    still does not answer keeps its entry open. Without ``commit``, only say what would be done."""
    opts = opts or PushOptions()
    journal = Journal(repo.path)
    entries = journal.open_entries()
    wanted = [n for n in entries if names is None or n in set(names)]
    report = JobReport()
    unknown = [n for n in wanted if n not in inv.devices]
    for n in unknown:
        report.results.append(DeviceResult(n, entries[n][0].platform or "?", Status.FAILED,
                                           "open journal entry for a device not in the inventory; restore it by hand "
                                           "from the backup, or put it back in the inventory", state=EndState.ATTENTION))
    wanted = [n for n in wanted if n not in unknown]
    if not wanted:
        return report

    def plan_of(name: str) -> tuple[list[Record], bool, bool]:
        recs = entries[name]
        return recs, any(r.step is JournalStep.ARMED for r in recs), any(r.step is JournalStep.VERIFIED for r in recs)

    if not commit:
        for name in wanted:
            recs, armed, verified = plan_of(name)
            last = recs[-1]
            how = "confirm the verified change" if verified else (
                "fire the on-device revert" if armed else f"restore the backup {recs[0].backup_rev or '(latest)'}")
            report.results.append(DeviceResult(name, inv.devices[name].platform, Status.WOULD_CHANGE,
                                               f"open since {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(recs[0].time))}"
                                               f" (last step: {last.step.value}"
                                               f"{f' {last.sent}/{last.total}' if last.step is JournalStep.SENDING else ''}); "
                                               f"would {how}"))
        return report
    masker = _Masker(inv)
    nr = dev.nornir_for(inv, wanted, opts.workers, opts.read_timeout, opts.connect_timeout)

    def task(t: Task) -> DeviceResult:
        name = t.host.name
        recs, armed, verified = plan_of(name)
        begin = recs[0]
        platform = get_platform(inv.devices[name].platform)
        res = DeviceResult(name, platform.name, Status.FAILED, state=EndState.ATTENTION)
        backup_text = repo.show(name, begin.backup_rev or None)
        progress(ProgressEvent(name, JobStage.RECOVERING))
        try:
            conn = _reconnect_until(t.host, t.nornir.config, opts.reconnect_wait, progress)
            now = clean(platform, dev.show_config(conn, platform), masker.secrets)
            if now == clean(platform, backup_text, masker.secrets):
                res.status, res.state, res.rollback = (Status.ROLLED_BACK, EndState.ROLLED_BACK,
                                                      "rolled back: the device is at its pre-change config")
            elif verified and armed:
                dev.send_lines(conn, [c.format(name=begin.job) for c in platform.revert_confirm], platform)
                res.status, res.state, res.rollback = Status.APPLIED, EndState.APPLIED, "confirmed the verified change"
            elif verified:
                res.status, res.state, res.rollback = Status.APPLIED, EndState.APPLIED, "the verified change stays"
            else:
                how, res.state, now_after = _restore(t.host, t.nornir.config, platform, backup_text, tuple(masker.secrets),
                                                     armed, begin.job, opts.reconnect_wait, progress)
                res.rollback = masker(how, platform.name)
                res.status = Status.ROLLED_BACK if res.state is EndState.ROLLED_BACK else Status.FAILED
        except Exception as exc:  # noqa: BLE001 - the entry stays open
            res.message = masker(f"still not answering: {_error_text(exc)}", platform.name)
        dev.drop(t.host)
        if res.state is EndState.ROLLED_BACK:
            journal.step(begin.run, name, JournalStep.ROLLED_BACK, note=f"recover: {res.rollback}")
        elif res.state is EndState.APPLIED:
            journal.step(begin.run, name, JournalStep.APPLIED, note=f"recover: {res.rollback}")
        return res

    agg = nr.run(task=task, on_failed=True)
    for name in wanted:
        multi = agg[name]
        if multi.failed:
            report.results.append(DeviceResult(name, inv.devices[name].platform, Status.FAILED,
                                               masker(_error_text(multi[0].exception), inv.devices[name].platform),
                                               state=EndState.ATTENTION))
        else:
            report.results.append(multi[0].result)
    return report


# -- commands: verify checks and ad-hoc runs ------------------------------------------

def _collect(inv: Inventory, commands: dict[str, list[str]], workers: int,
             progress: Progress) -> tuple[dict[str, list[str]], dict[str, str]]:
    """(outputs, errors) per device: each device's exec-mode commands, in order, on one session."""
    nr = dev.nornir_for(inv, list(commands), workers)
    masker = _Masker(inv)
    planned(progress, len(commands))

    def task(t: Task) -> list[str]:
        conn = dev.connection(t.host, t.nornir.config)
        outs = [dev.run_command(conn, c) for c in commands[t.host.name]]
        dev.drop(t.host)
        progress(ProgressEvent(t.host.name, JobStage.DONE))
        return outs

    return _split(nr.run(task=task, on_failed=True), inv, masker)


def verify(inv: Inventory, names: Iterable[str], checks: dict[str, tuple[Check, ...]], workers: int = 0,
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
            report.results.append(DeviceResult(name, platform, Status.FAILED, errors[name]))
            continue
        problems = [f"'{c.command}': no match for /{c.expect}/"
                    for c, out in zip(checks[name], outputs[name], strict=True)
                    if not re.search(c.expect, out, re.MULTILINE)]
        if problems:
            report.results.append(DeviceResult(name, platform, Status.FAILED, masker("; ".join(problems), platform)))
        else:
            report.results.append(DeviceResult(name, platform, Status.OK, f"{len(checks[name])} check(s) passed"))
    return report


def run_commands(inv: Inventory, names: Iterable[str], commands: list[str], commit: bool = False,
                 workers: int = 0, progress: Progress = _nothing) -> JobReport:
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
            report.results.append(DeviceResult(name, platform, Status.FAILED, errors[name]))
            continue
        shown = [masker(c, platform) for c in commands]
        outs = [masker(o, platform) for o in outputs[name]]
        rejected = [(c, o) for c, o in zip(shown, outs, strict=True) if _rejected(o, p)]
        res = DeviceResult(name, platform, Status.FAILED if rejected else Status.OK,
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
             progress: Progress = _nothing, operator: Operator | None = None) -> tuple[DeviceResult, ChangePlan]:
    """Bring a device back to a backup revision (default: the latest backup); with ``commit``,
    the config it then has is committed as netops's own change (author: the operator)."""
    if name not in inv.devices:
        raise ConfigError(f"no device {name!r} in the inventory; see 'netops inventory list'")
    platform = get_platform(inv.devices[name].platform)
    if not platform.managed:
        raise ConfigError(f"{name}: platform {platform.name} is not managed by netops")
    target = repo.show(name, rev)
    masker = _Masker(inv)
    raw, errors = fetch_running(inv, [name], 1, progress)
    if name in errors:
        return DeviceResult(name, platform.name, Status.FAILED, errors[name]), restore_plan(name, platform, "", target)
    rp = restore_plan(name, platform, raw[name], target, masker.secrets)
    res = DeviceResult(name, platform.name, Status.WOULD_CHANGE if rp.changes else Status.UNCHANGED,
                       changes=len(rp.changes), diff=rp.unified())
    if rp.skipped:
        res.message = f"{len(rp.skipped)} line(s) cannot be restored (masked secrets / no value in the backup)"
    if not commit or not rp.commands:
        return res, rp
    nr = dev.nornir_for(inv, [name], 1)

    def task(t: Task) -> str:
        conn = dev.connection(t.host, t.nornir.config)
        progress(ProgressEvent(name, JobStage.RESTORING))
        dev.send_config(conn, platform, rp.commands)
        conn = dev.reconnect(t.host, t.nornir.config)
        now = dev.show_config(conn, platform)
        dev.drop(t.host)
        return now

    multi = nr.run(task=task, on_failed=True)[name]
    if multi.failed:
        res.status = Status.FAILED
        res.message = masker(_error_text(multi[0].exception), platform.name)
        return res, rp
    left = restore_plan(name, platform, multi[0].result, target, masker.secrets)
    repo.store({name: clean(platform, multi[0].result, masker.secrets)},
               f"rollback {name} to {rev or 'the latest backup'}", operator or Operator.current())
    res.status = Status.APPLIED if not left.changes else Status.FAILED
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
