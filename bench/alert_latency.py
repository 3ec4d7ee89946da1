"""Time from a cut to the notification, and from the repair to the resolved message.

The stack of tests/monitor/test_alerting.py ('netops monitor serve' on ping-only loopback routers,
the generated rules in a real Prometheus, the generated Alertmanager config, a loopback webhook
receiver); a kecamatan uplink and its two desa are cut off with nft. Needs root.

    sudo .venv/bin/python bench/alert_latency.py --interval 1 --for 3s --group-wait 1s --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netops.monitor.generate import Thresholds  # noqa: E402
from tests.monitor.alertstack import alerting_stack  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--interval", type=int, default=1, help="poll = scrape = evaluation interval, seconds")
    ap.add_argument("--for", dest="for_", default="3s", help="the alert rules' for:")
    ap.add_argument("--group-wait", default="1s")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    th = Thresholds(interval_s=a.interval, link_down_for=a.for_, device_down_for=a.for_, stale_cycles=60)
    print(f"load average {os.getloadavg()[0]:.1f}; interval {a.interval} s, for: {a.for_}, "
          f"group_wait {a.group_wait}, fping 2 probes, 2 s timeout")
    fired, resolved = [], []
    with tempfile.TemporaryDirectory() as tmp, \
            alerting_stack(Path(tmp), th=th, timing={"group_wait": a.group_wait}) as st:
        for run in range(a.runs):
            n = len(st.receiver.messages)
            cut = st.cut("kec-a", "desa-a1", "desa-a2")
            msgs = st.receiver.wait(n + 1, timeout=300)
            assert [x["labels"]["link"] for x in msgs[n]["alerts"]] == ["fo-kec-a"], msgs[n]
            fired.append(st.receiver.arrived[n] - cut)
            time.sleep(2 * a.interval)  # let the downstream alerts reach Alertmanager (inhibited)
            fix = time.time()
            st.nft.clear()
            msgs = st.receiver.wait(n + 2, timeout=300)
            assert msgs[n + 1]["status"] == "resolved", msgs[n + 1]
            resolved.append(st.receiver.arrived[n + 1] - fix)
            print(f"run {run + 1}: cut -> notification {fired[-1]:.1f} s, repair -> resolved {resolved[-1]:.1f} s, "
                  f"notifications {len(msgs) - n}")
            time.sleep(3 * a.interval)
    print(f"cut -> notification: median {statistics.median(fired):.1f} s (min {min(fired):.1f}, "
          f"max {max(fired):.1f}); repair -> resolved: median {statistics.median(resolved):.1f} s")


if __name__ == "__main__":
    main()
