#!/usr/bin/env python3
"""Generate a synthetic regency-style inventory of any size, for benchmarks.

Usage: python bench/gen_inventory.py OUT_DIR N_DESA [--seed S]

Layout as the sample: regency.yaml, core.yaml, one file per kecamatan (20 desa
each). Desa are spread over Indonesia's land area box; ~60% fiber, ~33% VSAT (with
a ping-only modem), ~2% radio, ~5% with no link (half of them planned).
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

from netops.inventory.yamlsrc import dump_sections

REGENCY = """\
regency:
  name: Synthetic Regency
  code: "99.01"
  domain: example.go.id
  ntp_servers: [10.0.0.10]
  syslog_servers: [10.0.0.12]
  dns_servers: [10.0.0.53]
  management_networks: [10.0.0.0/8]
  default_credentials: routers
  default_snmp: v3
credentials:
  routers: {username: netops, password: env:NETOPS_ROUTER_PASSWORD}
snmp:
  v3: {version: "3", user: netops, auth_key: env:NETOPS_SNMP_AUTH_KEY, priv_key: env:NETOPS_SNMP_PRIV_KEY}
"""


def addr(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def generate(out: Path, n_desa: int, seed: int = 1, per_kecamatan: int = 20) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "kecamatan").mkdir(parents=True)
    (out / "regency.yaml").write_text(REGENCY)
    n_kec = (n_desa + per_kecamatan - 1) // per_kecamatan
    core_if = [f"Gi0/1.{k}" for k in range(1, n_kec + 1)]
    vsat_if: list[str] = []
    dev_n = 256
    for k in range(1, n_kec + 1):
        klat, klon = rng.uniform(-8.5, 4.5), rng.uniform(96.0, 140.0)
        kid = f"kec-{k:05d}"
        sites = [dict(id=kid, name=f"Kantor Camat {k}", tier="kecamatan", code=f"99.01.{k % 100:02d}",
                      kecamatan=f"Kecamatan {k}", lat=round(klat, 6), lon=round(klon, 6), parent="dc")]
        sites[0]["code"] = None  # synthetic kecamatan outnumber the two-digit codes
        krouter = f"{kid}-r1"
        kdev = dict(name=krouter, site=kid, platform="mikrotik_routeros", role="distribution",
                    mgmt=addr(dev_n), interfaces=["sfp1"])
        dev_n += 1
        devices = [kdev]
        links = [dict(id=f"fo-{kid}", medium="fiber", provider="Icon Plus", circuit_id=f"SYN-F-{kid}",
                      bandwidth_mbps=50, sla=99.5, a=dict(site="dc", device="core-01", interface=f"Gi0/1.{k}"),
                      b=dict(site=kid, device=krouter, interface="sfp1"))]
        for i in range(1, per_kecamatan + 1):
            d = (k - 1) * per_kecamatan + i
            if d > n_desa:
                break
            sid = f"desa-{d:06d}"
            sites.append(dict(id=sid, name=f"Kantor Desa {d}", tier="desa", kecamatan=f"Kecamatan {k}",
                              lat=round(klat + rng.uniform(-0.3, 0.3), 6), lon=round(klon + rng.uniform(-0.3, 0.3), 6),
                              parent=kid))
            router = f"{sid}-r1"
            devices.append(dict(name=router, site=sid, platform="mikrotik_routeros", role="access",
                                mgmt=addr(dev_n), interfaces=["ether1", "ether2"]))
            dev_n += 1
            roll = rng.random()
            if roll < 0.60:
                kdev["interfaces"].append(f"vlan{i}")
                links.append(dict(id=f"fo-{sid}", medium="fiber", provider="Icon Plus", circuit_id=f"SYN-F-{sid}",
                                  bandwidth_mbps=20, sla=99.5, a=dict(site=kid, device=krouter, interface=f"vlan{i}"),
                                  b=dict(site=sid, device=router, interface="ether1")))
            elif roll < 0.93:
                hub_if = f"Gi0/2.{len(vsat_if) + 1}"
                vsat_if.append(hub_if)
                devices.append(dict(name=f"{sid}-vsat", site=sid, platform="vsat_modem", role="modem",
                                    mgmt=addr(dev_n), monitor="icmp"))
                dev_n += 1
                links.append(dict(id=f"vsat-{sid}", medium="vsat", provider="Telkom Mangoesky",
                                  circuit_id=f"SYN-V-{sid}", bandwidth_mbps=4, sla=98.0,
                                  a=dict(site="dc", device="core-01", interface=hub_if),
                                  b=dict(site=sid, device=router, interface="ether1")))
            elif roll < 0.95:
                links.append(dict(id=f"radio-{sid}", medium="radio", provider="Diskominfo", bandwidth_mbps=50,
                                  a=dict(site=kid), b=dict(site=sid, device=router, interface="ether1")))
            elif roll < 0.975:
                links.append(dict(id=f"fo-{sid}", medium="fiber", provider="Icon Plus", status="planned",
                                  a=dict(site=kid), b=dict(site=sid)))
        (out / "kecamatan" / f"{kid}.yaml").write_text(
            dump_sections("# synthetic\n", [("sites", sites), ("devices", devices), ("links", links)]))
    core = dump_sections("# synthetic core\n", [
        ("sites", [dict(id="dc", name="Data Center", tier="datacenter", lat=-0.07, lon=109.37)]),
        ("devices", [dict(name="core-01", site="dc", platform="cisco_ios", role="core", mgmt="10.255.0.1",
                          interfaces=core_if + vsat_if)]),
    ])
    (out / "core.yaml").write_text(core)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("n_desa", type=int)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    generate(args.out, args.n_desa, args.seed)


if __name__ == "__main__":
    main()
