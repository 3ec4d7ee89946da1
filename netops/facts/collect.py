"""Collect facts from devices: napalm getters run by Nornir (nornir_napalm), vtysh for FRR.

Each device is one Nornir task; whatever goes wrong on one device (refused login, API
port closed, a driver raising mid-getter) becomes that device's result with a reason,
and the others complete. Which driver, getters and fill-in commands a platform uses is
in :mod:`netops.platforms` (``facts``, ``facts_getters``, ``facts_commands``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir.core.task import Task
from ntc_templates.parse import parse_output

from netops.config import device as ssh
from netops.facts.models import CollectStatus, DeviceFacts, FactsResult, Interface, Neighbour
from netops.inventory.models import Inventory
from netops.platforms import FactsVia, Platform, get_platform
from netops.progress import JobStage, Progress, ProgressEvent, planned, quiet
from netops.secrets import redact


def _os_version(text: str) -> str:
    """The version number out of a driver's os_version ('... Version 16.9.4, RELEASE ...', '7.11.2 (stable)')."""
    m = re.search(r"Version ([\w.()-]+?),", text)
    if m:
        return m.group(1)
    return re.sub(r"\s*\((?:stable|long-term|testing|development)\)$", "", text.strip())


def _known(value: Any) -> str:
    text = str(value[0] if isinstance(value, list) and value else value or "").strip()
    return "" if text in ("Unknown", "[]") else text


def from_napalm(got: dict[str, Any]) -> DeviceFacts:
    """napalm's getter payloads (napalm/base/models.py shapes) as one DeviceFacts."""
    f = got.get("get_facts", {})
    addrs: dict[str, list[str]] = {}
    for name, fams in (got.get("get_interfaces_ip") or {}).items():
        for fam in ("ipv4", "ipv6"):
            for ip, info in (fams.get(fam) or {}).items():
                addrs.setdefault(name, []).append(f"{ip}/{info.get('prefix_length')}")
    ifaces = {name: Interface(mac=str(i.get("mac_address") or "").lower(), speed_mbps=float(i.get("speed") or -1),
                              enabled=bool(i.get("is_enabled")), up=bool(i.get("is_up")),
                              description=str(i.get("description") or ""), addresses=addrs.get(name, []))
              for name, i in (got.get("get_interfaces") or {}).items()}
    neighbours = []
    for local, entries in (got.get("get_lldp_neighbors_detail") or {}).items():
        for e in entries:
            neighbours.append(Neighbour(interface=local, name=str(e.get("remote_system_name") or ""),
                                        port=str(e.get("remote_port") or "")))
    for local, entries in (got.get("get_lldp_neighbors") or {}).items():
        for e in entries:
            neighbours.append(Neighbour(interface=local, name=str(e.get("hostname") or ""), port=str(e.get("port") or "")))
    return DeviceFacts(vendor=_known(f.get("vendor")), model=_known(f.get("model")),
                       serial=_known(f.get("serial_number")), os_version=_os_version(_known(f.get("os_version"))),
                       uptime_s=float(f.get("uptime") or -1), hostname=_known(f.get("hostname")),
                       interfaces=ifaces, neighbours=neighbours)


def fill_from_parsed(facts: DeviceFacts, parsed: list[dict[str, Any]]) -> DeviceFacts:
    """Facts the driver left empty, from an ntc-templates parse (``display version``)."""
    if not parsed:
        return facts
    rec = parsed[0]
    update: dict[str, Any] = {}
    if not facts.model and rec.get("model"):
        update["model"] = rec["model"]
    version = rec.get("product_version") or rec.get("version") or ""
    if not facts.os_version and version:
        update["os_version"] = version.split()[-1]
    if facts.uptime_s < 0 and rec.get("uptime"):
        update["uptime_s"] = _uptime_seconds(rec["uptime"])
    return facts.model_copy(update=update)


def _uptime_seconds(text: str) -> float:
    units = {"year": 31536000, "week": 604800, "day": 86400, "hour": 3600, "minute": 60, "second": 1}
    total = 0
    for num, unit in re.findall(r"(\d+)\s+(year|week|day|hour|minute|second)", text):
        total += int(num) * units[unit]
    return float(total)


# FRR: no napalm driver speaks vtysh and ntc-templates has no FRR templates, so the two
# outputs are read here (FRR's formats: 'FRRouting 8.4.4 (host) on Linux', 'Interface X is up').
def from_vtysh(version: str, interfaces: str) -> DeviceFacts:
    m = re.search(r"FRRouting (\S+) \((\S+)\)", version)
    ifaces: dict[str, Interface] = {}
    current: str | None = None
    for line in interfaces.splitlines():
        head = re.match(r"^Interface (\S+) is (\w+)(?:, line protocol is (\w+))?", line)
        if head:
            current = head.group(1)
            ifaces[current] = Interface(enabled=head.group(2) != "down" or "admin" not in line,
                                        up=(head.group(3) or head.group(2)) == "up")
            continue
        if current is None:
            continue
        i = ifaces[current]
        if (hw := re.search(r"HWaddr: (\S+)", line)) is not None:
            i.mac = hw.group(1).lower()
        elif (inet := re.match(r"\s+inet6? (\S+)", line)) is not None:
            i.addresses.append(inet.group(1))
        elif (desc := re.match(r"\s+Description: (.*)", line)) is not None:
            i.description = desc.group(1).strip()
        elif (sp := re.search(r"\bspeed (\d+)", line)) is not None:
            i.speed_mbps = float(sp.group(1))
    return DeviceFacts(vendor="FRRouting", model="FRRouting on Linux", os_version=m.group(1) if m else "",
                       hostname=m.group(2) if m else "", interfaces=ifaces)


def _napalm_task(t: Task, platform: Platform) -> DeviceFacts:
    from nornir_napalm.plugins.tasks import napalm_get  # napalm takes 0.3 s to import: only facts need it

    got = t.run(task=napalm_get, getters=list(platform.facts_getters)).result
    facts = from_napalm(got)
    if platform.facts_commands:
        conn = t.host.get_connection("napalm", t.nornir.config).device  # the driver's own netmiko session
        for cmd in platform.facts_commands:
            facts = fill_from_parsed(facts, parse_output(platform=platform.name, command=cmd,
                                                         data=conn.send_command(cmd)))
    return facts


def _vtysh_task(t: Task, platform: Platform) -> DeviceFacts:
    conn = ssh.connection(t.host, t.nornir.config)
    outputs = [ssh.run_command(conn, cmd) for cmd in platform.facts_commands]
    ssh.drop(t.host)
    return from_vtysh(*outputs)


def _prepare(nr: Any, inv: Inventory) -> None:
    """napalm's connection options per host: the API port, VSAT timeouts."""
    for host in nr.inventory.hosts.values():
        platform = get_platform(host.platform or "")
        opts = host.connection_options.get("napalm")
        if opts is None:
            continue
        vsat = "vsat" in (host.data.get("facts", {}).get("medium") or [])
        times = dict(ssh.TIMEOUTS["vsat" if vsat else "fast"])
        optional: dict[str, Any] = {k: v for k, v in times.items() if k != "timeout"}
        if platform.api_port:
            optional = {"port": platform.api_port, "ssh_port": host.port}
        else:
            optional["port"] = host.port
        opts.extras = {"timeout": times["timeout"], "optional_args": optional}


def _reason(exc: BaseException | None, secrets: list[str]) -> str:
    if exc is None:
        return "failed"
    # a failed subtask (napalm_get) carries the driver's own exception in its result
    while (inner := getattr(exc, "result", None)) is not None:
        items = inner if isinstance(inner, list) else [inner]
        found = next((r.exception for r in items if getattr(r, "exception", None) is not None), None)
        if found is None or found is exc:
            break
        exc = found
    while exc.__cause__ is not None and not str(exc).strip():
        exc = exc.__cause__
    lines = [ln for ln in str(exc).strip().splitlines() if ln.strip()]
    text = f"{type(exc).__name__}: {lines[0] if lines else 'no message'}"
    return redact(text[:300], secrets)


def collect(inv: Inventory, names: Iterable[str], workers: int = 30, progress: Progress = quiet) -> list[FactsResult]:
    """Facts of every named device; a device netops cannot log into is reported, not skipped."""
    names = list(names)
    results: dict[str, FactsResult] = {}
    asked = []
    for name in names:
        dev = inv.devices[name]
        platform = get_platform(dev.platform)
        if platform.facts is FactsVia.none:
            results[name] = FactsResult(name=name, platform=dev.platform, status=CollectStatus.no_driver,
                                         reason=f"{dev.platform}: netops never logs in; SNMP gives its identity "
                                                "(netops_device_info)")
        else:
            asked.append(name)
    if asked:
        from nornir_napalm.plugins.connections import Napalm
        ConnectionPluginRegister.register("napalm", Napalm)
        nr = ssh.nornir_for(inv, asked, workers)
        _prepare(nr, inv)
        planned(progress, len(asked))

        def task(t: Task) -> DeviceFacts:
            platform = get_platform(t.host.platform or "")
            progress(ProgressEvent(t.host.name, JobStage.READING))
            try:
                facts = _napalm_task(t, platform) if platform.facts is FactsVia.napalm else _vtysh_task(t, platform)
                progress(ProgressEvent(t.host.name, JobStage.READ))
                return facts
            finally:
                for conn in ("napalm", "netmiko"):
                    try:
                        t.host.close_connection(conn)
                    except Exception:  # noqa: BLE001 - never opened, or already dead
                        pass

        agg = nr.run(task=task, on_failed=True)
        secrets = inv.known_secrets()
        for name, multi in agg.items():
            dev = inv.devices[name]
            platform = get_platform(dev.platform)
            via = f"napalm {platform.napalm}" if platform.facts is FactsVia.napalm else platform.facts.value
            if multi.failed:
                exc = next((r.exception for r in multi if r.exception is not None), None)
                results[name] = FactsResult(name=name, platform=dev.platform, status=CollectStatus.failed, via=via,
                                             reason=_reason(exc, secrets))
            else:
                results[name] = FactsResult(name=name, platform=dev.platform, status=CollectStatus.ok, via=via,
                                             facts=multi[0].result)
    return [results[n] for n in names]
