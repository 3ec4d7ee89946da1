"""Known monitoring history for the small inventory, written as OpenMetrics for promtool.

One sample a minute for one day ending ``HOUR_OFFSET`` hours before the last full hour, so
the blocks are in the past. Every figure the tests assert follows from the tables below.
"""

from __future__ import annotations

import time
from pathlib import Path

INTERVAL = 60
SAMPLES = 1440  # one day
PERIOD = "1d"

# link -> labels (as the monitor would export them: b-site's site/kecamatan/tier)
LINKS = {
    "fo-bappeda": dict(site="opd-bappeda", kecamatan="", tier="opd", medium="fiber", provider="Icon Plus"),
    "fo-kec-a": dict(site="kec-a", kecamatan="A", tier="kecamatan", medium="fiber", provider="Icon Plus"),
    "fo-kec-b": dict(site="kec-b", kecamatan="B", tier="kecamatan", medium="fiber", provider="Icon Plus"),
    "fo-desa-a1": dict(site="desa-a1", kecamatan="A", tier="desa", medium="fiber", provider="Icon Plus"),
    "fo-desa-a2": dict(site="desa-a2", kecamatan="A", tier="desa", medium="fiber", provider="Icon Plus"),
    "vsat-desa-b1": dict(site="desa-b1", kecamatan="B", tier="desa", medium="vsat", provider="Telkom Mangoesky"),
    "vsat-desa-b2": dict(site="desa-b2", kecamatan="B", tier="desa", medium="vsat", provider="Telkom Mangoesky"),
    # not in the inventory: must be ignored (and counted as ignored)
    "fo-ghost": dict(site="ghost", kecamatan="Z", tier="desa", medium="fiber", provider="Other ISP"),
}

# link -> sample indexes that are down (0) / missing (no sample at all)
DOWN = {
    "fo-kec-a": set(range(500, 507)),                               # 7 min
    "fo-desa-a1": set(range(600, 690)),                             # 90 min, one outage
    "fo-desa-a2": set(range(SAMPLES)),                              # down all day
    "vsat-desa-b1": set(range(100, 120)),                           # 20 min
    "vsat-desa-b2": set(range(200, 210)) | set(range(1000, 1020)),  # 10 + 20 min
    "fo-ghost": set(range(SAMPLES)),
}
MISSING = {"fo-kec-b": set(range(700, 844))}  # 144 min with no sample (poller stopped)

# The figures that follow (availability as a fraction, downtime minutes, samples)
EXPECTED = {
    "fo-bappeda": (1.0, 0, 1440),
    "fo-kec-a": (1433 / 1440, 7, 1440),
    "fo-kec-b": (1.0, 0, 1296),
    "fo-desa-a1": (1350 / 1440, 90, 1440),
    "fo-desa-a2": (0.0, 1440, 1440),
    "vsat-desa-b1": (1420 / 1440, 20, 1440),
    "vsat-desa-b2": (1410 / 1440, 30, 1440),
}
BREACHES = {"fo-desa-a1", "fo-desa-a2", "vsat-desa-b2"}
# incidents (alert history): link -> minutes of each; fo-desa-a2 is still down at the end
INCIDENTS = {"fo-kec-a": [7], "fo-desa-a1": [90], "fo-desa-a2": [1440], "vsat-desa-b1": [20],
             "vsat-desa-b2": [10, 20]}


def end_time(now: float | None = None) -> int:
    """A whole hour three hours ago: data in the past, never in Prometheus's head."""
    now = time.time() if now is None else now
    return int(now // 3600) * 3600 - 3 * 3600


def sample_times(end: int) -> list[int]:
    # Half an interval off the minute: no sample sits on a range boundary.
    return [end - SAMPLES * INTERVAL + INTERVAL // 2 + i * INTERVAL for i in range(SAMPLES)]


def _labels(link: str) -> str:
    lab = {"link": link, **LINKS[link]}
    return ",".join(f'{k}="{v}"' for k, v in lab.items())


def rtt(link: str, i: int) -> float:
    if link == "vsat-desa-b1":
        return 0.6 if i % 36 < 25 else 0.7  # 1000 samples of 0.6 s, 440 of 0.7 s
    if link == "vsat-desa-b2":
        return 0.65
    return 0.004


def loss(link: str, i: int) -> float:
    if link == "vsat-desa-b1":
        return 0.1 if i % 10 == 0 else 0.0  # 144 samples of 10 %: mean 1 %
    if link == "vsat-desa-b2":
        return 0.02
    return 0.0


# Traffic (bits per second) by 5-minute block b = sample // 5: each block holds exactly five samples, so each
# 5-minute average is the block's value. 288 blocks a day; p95 = rank 0.95·287 = 272.65 of the sorted blocks.
BLOCK = 5


def _blocks(*spans: tuple[int, float]) -> list[float]:
    out: list[float] = []
    for n, v in spans:
        out += [v] * n
    assert len(out) == SAMPLES // BLOCK
    return out


TRAFFIC = {  # link -> (in by block, out by block)
    # 4 Mbps VSAT: 250 blocks at 2.0, 30 at 3.6, 8 at 4.0 Mbps in → p95 3.6 (90 %: saturated), peak 4.0
    "vsat-desa-b1": (_blocks((250, 2.0e6), (30, 3.6e6), (8, 4.0e6)), _blocks((288, 0.5e6))),
    # 4 Mbps VSAT: a short burst out (8 blocks at 3.8) leaves p95 at 0.8 Mbps (20 %); peak 3.8 (95 %)
    "vsat-desa-b2": (_blocks((288, 1.0e6)), _blocks((280, 0.8e6), (8, 3.8e6))),
    # 50 Mbps fiber: 200 blocks at 42, 88 at 45 Mbps in → p95 45 (90 %: upgrade)
    "fo-kec-a": (_blocks((200, 42e6), (88, 45e6)), _blocks((288, 10e6))),
    # 100 Mbps fiber: 30 / 20 Mbps
    "fo-bappeda": (_blocks((288, 30e6)), _blocks((288, 20e6))),
}


def traffic(direction: int):
    def value(link: str, i: int) -> float | None:
        t = TRAFFIC.get(link)
        return t[direction][i // BLOCK] if t else None
    return value


def openmetrics(end: int) -> str:
    times = sample_times(end)
    out: list[str] = []
    families = {
        "netops_link_up": lambda link, i: 0.0 if i in DOWN.get(link, ()) else 1.0,
        "netops_link_rtt_seconds": rtt,
        "netops_link_loss_ratio": loss,
        "netops_link_in_bps": traffic(0),
        "netops_link_out_bps": traffic(1),
    }
    for name, value in families.items():
        out.append(f"# TYPE {name} gauge")
        for link in LINKS:
            labels = _labels(link)
            for i, t in enumerate(times):
                v = value(link, i)
                if i in MISSING.get(link, ()) or v is None:
                    continue
                out.append(f"{name}{{{labels}}} {v:g} {t}")
    # ALERTS as Prometheus records them: firing while a root-cause link is down; a consequence
    # (cause unreachable_upstream) and a pending alert that the alert history must leave out
    out.append("# TYPE ALERTS gauge")
    for link in LINKS:
        if link == "fo-ghost":
            continue
        labels = (f'alertname="NetopsLinkDown",alertstate="firing",cause="root",root_link="{link}",'
                  f'severity="critical",{_labels(link)}')
        out += [f"ALERTS{{{labels}}} 1 {t}" for i, t in enumerate(times) if i in DOWN.get(link, ())]
    consequence = ('alertname="NetopsLinkUnreachableUpstream",alertstate="firing",cause="unreachable_upstream",'
                   + _labels("fo-ghost"))
    out += [f"ALERTS{{{consequence}}} 1 {t}" for t in times[:60]]
    pending = f'alertname="NetopsVsatLossHigh",alertstate="pending",{_labels("vsat-desa-b1")}'
    out += [f"ALERTS{{{pending}}} 1 {t}" for t in times[:30]]
    out.append("# EOF")
    return "\n".join(out) + "\n"


def write(path: Path, end: int) -> Path:
    path.write_text(openmetrics(end))
    return path
