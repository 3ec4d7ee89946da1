"""Time from a cut to the notification on the lab, and where it goes; then from the repair to the resolved message.

The stack of tests/monitor/test_alerting_lab.py: 'netops lab up' (base 127.153.0.0: a small regency with
fiber and VSAT), 'netops monitor serve' polling it, the generated rules in a real Prometheus, the generated
Alertmanager config, a loopback webhook receiver. 'netops lab impair fo-kec-kubu --down' cuts a kecamatan
uplink (its office and the two fiber desa behind it go dark). Needs root and the lab lock:

    sudo flock /tmp/netops-lab.lock .venv/bin/python bench/alert_latency.py --interval 2 --for 4s --group-wait 3s --runs 5

The breakdown is read back from Prometheus: the cycle that first saw the cut (its start and length, from
netops_poll_last_cycle_timestamp_seconds and netops_poll_cycle_duration_seconds at that scrape), the scrape
that carried it (the first 0 sample of netops_link_up), the first evaluation that saw it (the first
ALERTS{alertstate="pending"} sample), the evaluation that fired it, and the receiver's clock.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.monitor.labstack import LabStack, Timing, lab_stack  # noqa: E402

LINK = "fo-kec-kubu"
PHASES = ["wait for a cycle", "cycle (probe timeout)", "wait for a scrape", "wait for an evaluation", "for:",
          "Alertmanager (group_wait)"]


def _series(stack: LabStack, expr: str, since: float) -> list[tuple[float, str, dict[str, str]]]:
    data = stack.prom.api("/api/v1/query", query=f"{expr}[10m]")["data"]["result"]
    return sorted((float(ts), v, r["metric"]) for r in data for ts, v in r["values"] if float(ts) >= since)


def breakdown(stack: LabStack, cut: float, notified: float) -> list[float]:
    scrape = next(ts for ts, v, _ in _series(stack, f'netops_link_up{{link="{LINK}"}}', cut) if v == "0")
    end = float(stack.prom.api("/api/v1/query", query="max(netops_poll_last_cycle_timestamp_seconds)",
                               time=str(scrape))["data"]["result"][0]["value"][1])
    took = float(stack.prom.api("/api/v1/query", query="max(netops_poll_cycle_duration_seconds)",
                                time=str(scrape))["data"]["result"][0]["value"][1])
    alerts = _series(stack, f'ALERTS{{alertname="NetopsLinkDown",link="{LINK}"}}', cut)
    pending = next(ts for ts, _, m in alerts if m["alertstate"] == "pending")
    fired = next(ts for ts, _, m in alerts if m["alertstate"] == "firing")
    start = end - took
    return [start - cut, took, scrape - end, pending - scrape, fired - pending, notified - fired]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--interval", type=int, default=2, help="poll = scrape = evaluation interval, seconds")
    ap.add_argument("--for", dest="for_", default="4s", help="the alert rules' for:")
    ap.add_argument("--group-wait", default="3s")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    t = Timing(interval=a.interval, down_for=a.for_, group_wait=a.group_wait)
    print(f"load average {os.getloadavg()[0]:.1f}; {t}")
    fired, resolved, parts = [], [], []
    with tempfile.TemporaryDirectory() as tmp, lab_stack(Path(tmp), t) as st:
        for run in range(a.runs):
            n = len(st.receiver.messages)
            cut = st.impair(LINK, down=True)
            msgs = st.receiver.wait(n + 1, timeout=300)
            assert [x["labels"]["link"] for x in msgs[n]["alerts"]] == [LINK], msgs[n]
            fired.append(st.receiver.arrived[n] - cut)
            parts.append(breakdown(st, cut, st.receiver.arrived[n]))
            fix = st.impair(LINK, down=False)
            msgs = st.receiver.wait(n + 2, timeout=300)
            assert msgs[n + 1]["status"] == "resolved", msgs[n + 1]
            resolved.append(st.receiver.arrived[n + 1] - fix)
            st.wait_quiet()
            print(f"run {run + 1}: cut -> notification {fired[-1]:.1f} s ("
                  + ", ".join(f"{p} {x:.1f}" for p, x in zip(PHASES, parts[-1], strict=True))
                  + f"), repair -> resolved {resolved[-1]:.1f} s, notifications {len(st.receiver.messages) - n}")
    print(f"cut -> notification: median {statistics.median(fired):.1f} s (min {min(fired):.1f}, "
          f"max {max(fired):.1f}); repair -> resolved: median {statistics.median(resolved):.1f} s")
    for i, p in enumerate(PHASES):
        xs = [x[i] for x in parts]
        print(f"  {p}: median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})")


if __name__ == "__main__":
    main()
