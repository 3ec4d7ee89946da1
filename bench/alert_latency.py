"""Time from a cut to the notification on the lab, and where it goes; then from the repair to the resolved message.

The stack of tests/monitor/test_alerting_lab.py: 'netops lab up' (base 127.153.0.0: a small regency with
fiber and VSAT), 'netops monitor serve' polling it, the generated rules in a real Prometheus, the generated
Alertmanager config, a loopback webhook receiver. 'netops lab impair fo-kec-kubu --down' cuts a kecamatan
uplink (its office and the two fiber desa behind it go dark). Needs root and the lab lock:

    sudo flock /tmp/netops-lab.lock .venv/bin/python bench/alert_latency.py --interval 2 --for 4s --group-wait 3s --runs 5

Before the runs it prints the bound with the figures of the generated files (scrape interval, the rule
group's evaluation interval, for:, group_wait) and the poller's own (the cut device's probe span and timeout,
the alignment margin, from three cycles of a poller of its own on the lab):

    worst case = I (sampling) + P (probes: span + timeout) + m (margin before the scrape) + E (evaluation)
                 + for: (rounded up to E) + group_wait

against the goal for: + group_wait + I. The breakdown of each run is read back from Prometheus: the cycle
that first saw the cut (its start and length, from netops_poll_last_cycle_timestamp_seconds and
netops_poll_cycle_duration_seconds at that scrape; its near probes start start_offsets() into it), the
scrape that carried it (the first 0 sample of netops_link_up), the first evaluation that saw it (the first
ALERTS{alertstate="pending"} sample), the evaluation that fired it, and the receiver's clock. The load average
is printed before every run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netops.inventory import load_inventory  # noqa: E402
from netops.monitor.alertmanager import duration_s  # noqa: E402
from netops.monitor.poller import NEAR, Poller, PollerConfig  # noqa: E402
from tests.monitor.labstack import LabStack, Timing, lab_stack  # noqa: E402

LINK = "fo-kec-kubu"
PHASES = ["cut -> the probes that saw it", "probes, then the rest of the cycle", "wait for the scrape",
          "wait for an evaluation", "for:", "Alertmanager (group_wait) and delivery"]


def figures(stack: LabStack, t: Timing) -> dict[str, Any]:
    """The chain's figures: from the generated files, and the poller's probe budget for the cut's far end."""
    prom = yaml.safe_load((stack.out / "prometheus" / "prometheus.yml").read_text())
    groups = yaml.safe_load((stack.out / "prometheus" / "rules" / "netops-alerts.yml").read_text())["groups"]
    group, rule = next((g, r) for g in groups for r in g["rules"] if r.get("alert") == "NetopsLinkDown")
    route = yaml.safe_load((stack.out / "alertmanager" / "alertmanager.yml").read_text())["route"]
    poller = Poller(load_inventory(stack.inventory), PollerConfig(interval=t.interval, probe_count=t.probes,
                                                                  render=True))

    async def cycles() -> None:  # the margin follows what the last cycles' tails (build, render) took
        for _ in range(3):
            await poller.poll_once(aligned=True)

    asyncio.run(cycles())
    parts, offsets, margin = poller.part_budgets(), poller.start_offsets(), poller.align_margin()
    tails = poller._tails
    poller.close()
    f = {"I": duration_s(prom["global"]["scrape_interval"]), "E": duration_s(group["interval"]),
         "for": duration_s(rule["for"]), "group_wait": duration_s(route["group_wait"]), "P": parts[NEAR],
         "m": margin, "tails": tails, "offset": offsets[NEAR], "parts": parts}
    f["for_evals"] = -(-f["for"] // f["E"]) * f["E"]
    f["goal"] = f["for"] + f["group_wait"] + f["I"]
    f["bound"] = f["I"] + f["P"] + f["m"] + f["E"] + f["for_evals"] + f["group_wait"]
    return f


def _series(stack: LabStack, expr: str, since: float) -> list[tuple[float, str, dict[str, str]]]:
    data = stack.prom.api("/api/v1/query", query=f"{expr}[10m]")["data"]["result"]
    return sorted((float(ts), v, r["metric"]) for r in data for ts, v in r["values"] if float(ts) >= since)


def breakdown(stack: LabStack, cut: float, notified: float, offset: float) -> list[float]:
    scrape = next(ts for ts, v, _ in _series(stack, f'netops_link_up{{link="{LINK}"}}', cut) if v == "0")
    end = float(stack.prom.api("/api/v1/query", query="max(netops_poll_last_cycle_timestamp_seconds)",
                               time=str(scrape))["data"]["result"][0]["value"][1])
    took = float(stack.prom.api("/api/v1/query", query="max(netops_poll_cycle_duration_seconds)",
                                time=str(scrape))["data"]["result"][0]["value"][1])
    alerts = _series(stack, f'ALERTS{{alertname="NetopsLinkDown",link="{LINK}"}}', cut)
    pending = next(ts for ts, _, m in alerts if m["alertstate"] == "pending")
    fired = next(ts for ts, _, m in alerts if m["alertstate"] == "firing")
    probes = end - took + offset
    return [probes - cut, end - probes, scrape - end, pending - scrape, fired - pending, notified - fired]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--interval", type=int, default=2, help="poll = scrape interval, seconds")
    ap.add_argument("--for", dest="for_", default="4s", help="the alert rules' for:")
    ap.add_argument("--group-wait", default="3s")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    t = Timing(interval=a.interval, down_for=a.for_, group_wait=a.group_wait)
    print(f"load average {os.getloadavg()[0]:.1f}; {t}")
    fired, resolved, parts, loads = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp, lab_stack(Path(tmp), t) as st:
        f = figures(st, t)
        print(f"generated: scrape interval I = {f['I']:g} s, rule evaluation E = {f['E']:g} s, for: {f['for']:g} s, "
              f"group_wait {f['group_wait']:g} s; poller: cycle parts "
              + ", ".join(f"{k} {v:.2f} s" for k, v in f["parts"].items())
              + f", near probes start {f['offset']:.2f} s into the cycle, margin m = {f['m']:.2f} s (tails of a "
              + "poller's three cycles on the lab: " + ", ".join(f"{x * 1000:.0f} ms" for x in f["tails"]) + ")")
        print(f"worst case = I + P + m + E + for: + group_wait = {f['I']:g} + {f['P']:.2f} + {f['m']:.2f} + "
              f"{f['E']:g} + {f['for_evals']:g} + {f['group_wait']:g} = {f['bound']:.2f} s "
              f"(goal for: + group_wait + I = {f['goal']:g} s)")
        for run in range(a.runs):
            loads.append(os.getloadavg()[0])
            n = len(st.receiver.messages)
            cut = st.impair(LINK, down=True)
            msgs = st.receiver.wait(n + 1, timeout=300)
            assert [x["labels"]["link"] for x in msgs[n]["alerts"]] == [LINK], msgs[n]
            fired.append(st.receiver.arrived[n] - cut)
            parts.append(breakdown(st, cut, st.receiver.arrived[n], f["offset"]))
            fix = st.impair(LINK, down=False)
            msgs = st.receiver.wait(n + 2, timeout=300)
            assert msgs[n + 1]["status"] == "resolved", msgs[n + 1]
            resolved.append(st.receiver.arrived[n + 1] - fix)
            st.wait_quiet()
            print(f"run {run + 1} (load {loads[-1]:.1f}): cut -> notification {fired[-1]:.1f} s "
                  f"({'within' if fired[-1] <= f['bound'] else 'OVER'} the bound) ("
                  + ", ".join(f"{p} {x:.2f}" for p, x in zip(PHASES, parts[-1], strict=True))
                  + f"), repair -> resolved {resolved[-1]:.1f} s, notifications {len(st.receiver.messages) - n}")
    print(f"cut -> notification: median {statistics.median(fired):.1f} s (min {min(fired):.1f}, "
          f"max {max(fired):.1f}; bound {f['bound']:.2f} s, goal {f['goal']:g} s); repair -> resolved: median "
          f"{statistics.median(resolved):.1f} s (min {min(resolved):.1f}, max {max(resolved):.1f}); load average "
          f"{min(loads):.1f}-{max(loads):.1f}")
    for i, p in enumerate(PHASES):
        xs = [x[i] for x in parts]
        print(f"  {p}: median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})")


if __name__ == "__main__":
    main()
