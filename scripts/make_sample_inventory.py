#!/usr/bin/env python3
"""Build the sample Kubu Raya inventory from the wilayah reference data.

Usage: python scripts/make_sample_inventory.py [WILAYAH_DIR] [OUT_DIR]

Names, Kemendagri codes and coordinates come from the reference CSVs unchanged;
everything else (devices, addresses, circuits, dates) is sample data, chosen by
fixed rules so the output is the same on every run:

* a row whose ``jenis`` is ``kelurahan`` becomes a kelurahan office (tier kelurahan),
  every other row a desa office;
* desa within 30 km (great-circle) of the data center, or without coordinates in a
  kecamatan that has fiber, get Icon Plus fiber from their kecamatan office;
  30-33 km get a Diskominfo point-to-point radio; the rest get Telkom Mangoesky VSAT;
* a few remote desa have no link yet (two of them with a planned VSAT), a few VSAT
  desa have a planned fiber, and two links are down.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import sys
from pathlib import Path

from netops.inventory.yamlsrc import dump_sections

HERE = Path(__file__).resolve().parent
WILAYAH = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared/data/wilayah"
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parent / "inventory"

DC_ID = "dc-sungai-raya"
NO_LINK = {"Muara Tiga", "Sumber Agung", "Betuah", "Sungai Nibung"}
PLANNED_VSAT = {"Muara Tiga", "Sumber Agung"}
PLANNED_FIBER = {"Sepuk Laut", "Pulau Limbung", "Teluk Bakung"}
DOWN = {"Kuala Karang": "rain fade on the VSAT link", "Retok": "fiber cut"}
OPD = [
    ("setda", "Sekretariat Daerah"), ("dprd", "Sekretariat DPRD"), ("inspektorat", "Inspektorat"),
    ("bappeda", "Badan Perencanaan Pembangunan Daerah"), ("bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("bapenda", "Badan Pendapatan Daerah"), ("bkpsdm", "Badan Kepegawaian dan Pengembangan SDM"),
    ("bpbd", "Badan Penanggulangan Bencana Daerah"), ("kesbangpol", "Badan Kesatuan Bangsa dan Politik"),
    ("disdikbud", "Dinas Pendidikan dan Kebudayaan"), ("dinkes", "Dinas Kesehatan"),
    ("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang"), ("perkim", "Dinas Perumahan Rakyat dan Kawasan Permukiman"),
    ("satpolpp", "Satuan Polisi Pamong Praja"), ("dinsos", "Dinas Sosial"),
    ("dpmd", "Dinas Pemberdayaan Masyarakat dan Desa"), ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("dishub", "Dinas Perhubungan"), ("diskominfo", "Dinas Komunikasi dan Informatika"),
    ("diskumdag", "Dinas Koperasi, UKM, Perindustrian dan Perdagangan"),
    ("dpmptsp", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("disporapar", "Dinas Kepemudaan, Olahraga dan Pariwisata"), ("dispusip", "Dinas Perpustakaan dan Kearsipan"),
    ("distan", "Dinas Pertanian, Tanaman Pangan dan Hortikultura"), ("disbunnak", "Dinas Perkebunan dan Peternakan"),
    ("diskan", "Dinas Perikanan"), ("dlh", "Dinas Lingkungan Hidup"), ("dkp", "Dinas Ketahanan Pangan"),
    ("disnakertrans", "Dinas Tenaga Kerja dan Transmigrasi"), ("rsud", "RSUD Sultan Syarif Mohamad Alkadrie"),
]
HUAWEI_OPD = {"bappeda", "bpkad", "bapenda", "dinkes", "disdikbud", "dpupr", "dishub", "dlh"}
CISCO_OPD = {"rsud", "disdukcapil"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _offices(rows: list[dict]) -> str:
    kel = sum(1 for r in rows if r.get("jenis") == "kelurahan")
    return f"{len(rows)} desa offices" if not kel else f"{len(rows) - kel} desa and {kel} kelurahan offices"


def write(path: Path, header: str, sections: list[tuple[str, list[dict]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_sections(header, sections), encoding="utf-8")


def main() -> None:
    kec_rows = list(csv.DictReader((WILAYAH / "kecamatan.csv").open(encoding="utf-8")))
    desa_rows = list(csv.DictReader((WILAYAH / "desa.csv").open(encoding="utf-8")))
    dc_row = next(r for r in desa_rows if r["kode"] == "61.12.01.2001")
    dc = (float(dc_row["lat"]), float(dc_row["lon"]))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in [*OUT.glob("kecamatan/*.yaml"), OUT / "core.yaml", OUT / "regency.yaml"]:  # what this script writes;
        old.unlink(missing_ok=True)  # alerting.yaml and services.yaml are kept by hand
    boundaries = HERE.parent / "inventory" / "boundaries-kubu-raya.geojson"  # regency.yaml names it
    if (OUT / boundaries.name).resolve() != boundaries.resolve():
        shutil.copyfile(boundaries, OUT / boundaries.name)

    (OUT / "regency.yaml").write_text("""\
# Kabupaten Kubu Raya: regency-wide settings, credential and SNMP references.
# Secrets are references only (env:NAME or file:PATH), resolved when a connection opens.
regency:
  name: Kabupaten Kubu Raya
  code: "61.12"
  domain: kuburayakab.go.id
  ntp_servers: [10.112.0.10, 10.112.0.11]
  syslog_servers: [10.112.0.12]
  dns_servers: [10.112.0.53, 10.112.0.54]
  management_networks: [10.112.0.0/16]
  banner: "Jaringan Intranet Pemerintah Kabupaten Kubu Raya. Akses hanya untuk yang berwenang."
  default_credentials: routers
  default_snmp: v3-netops
  # Map boundaries (regency, kecamatan, desa): simplified from cahyadsn/wilayah_boundaries, MIT licence.
  boundaries: boundaries-kubu-raya.geojson
  # Growth-plan costs in Rupiah: ILLUSTRATIVE round figures; replace them with the regency's tender prices.
  plan_costs:
    cable_rp_per_km: 100000000
    route_factor: 1.3
    site_rp: 25000000
    terrain: {Batu Ampar: 1.8, Kubu: 1.5, Teluk Pakedai: 1.5, Terentang: 1.4}

credentials:
  routers: {username: netops, password: env:NETOPS_ROUTER_PASSWORD}
  core: {username: netops, password: env:NETOPS_CORE_PASSWORD, enable: env:NETOPS_CORE_ENABLE}

snmp:
  v3-netops:
    version: "3"
    user: netops
    auth_protocol: sha
    auth_key: env:NETOPS_SNMP_AUTH_KEY
    priv_protocol: aes
    priv_key: env:NETOPS_SNMP_PRIV_KEY
  v2c-modems: {version: 2c, community: env:NETOPS_SNMP_COMMUNITY}
""", encoding="utf-8")

    # -- data center and OPD ---------------------------------------------------
    opd_if_core2 = [f"eth1.{100 + i}" for i in range(1, len(OPD) + 1)]
    core_sites = [dict(id=DC_ID, name="Pusat Data Kabupaten Kubu Raya", tier="datacenter", code="61.12.01.2001",
                       kecamatan="Sungai Raya", lat=dc[0], lon=dc[1])]
    core1_if = ["GigabitEthernet0/0", "GigabitEthernet0/1"] + [f"GigabitEthernet0/2.{10 + k}" for k in range(1, 10)]
    vsat_if: list[str] = []
    core_devices = [
        dict(name="core-01", site=DC_ID, platform="cisco_ios", role="core", mgmt="10.112.0.1",
             model="Cisco ISR 4431", credentials="core", interfaces=core1_if),
        dict(name="core-02", site=DC_ID, platform="frr", role="core", mgmt="10.112.0.2",
             model="FRRouting 8.4 on Debian", credentials="core", interfaces=["eth0", *opd_if_core2]),
    ]
    core_links = [dict(id="dc-core-01-core-02", medium="fiber", provider="Diskominfo", status="active",
                       bandwidth_mbps=10000, since="2021-11-01",
                       a=dict(site=DC_ID, device="core-01", interface="GigabitEthernet0/0"),
                       b=dict(site=DC_ID, device="core-02", interface="eth0"))]
    for i, (short, name) in enumerate(OPD, start=1):
        sid = f"opd-{short}"
        # No surveyed office coordinates are published; OPD are placed on a small ring around
        # the Sungai Raya desa centroid (illustrative only, see README).
        ang = 2 * math.pi * i / len(OPD)
        lat, lon = dc[0] + 0.012 * math.sin(ang), dc[1] + 0.012 * math.cos(ang)
        platform, model, uplink_if, ifs = ("mikrotik_routeros", "RB4011iGS+", "ether1", [f"ether{n}" for n in range(1, 11)])
        if short in HUAWEI_OPD:
            platform, model, uplink_if = "huawei_vrp", "Huawei AR651", "GigabitEthernet0/0/1"
            ifs = [f"GigabitEthernet0/0/{n}" for n in range(0, 4)]
        elif short in CISCO_OPD:
            platform, model, uplink_if = "cisco_ios", "Cisco ISR 4321", "GigabitEthernet0/0/0"
            ifs = ["GigabitEthernet0/0/0", "GigabitEthernet0/0/1"]
        core_sites.append(dict(id=sid, name=name, tier="opd", kecamatan="Sungai Raya", lat=round(lat, 6),
                               lon=round(lon, 6), parent=DC_ID))
        core_devices.append(dict(name=f"{sid}-r1", site=sid, platform=platform, role="access",
                                 mgmt=f"10.112.1.{i}", model=model, interfaces=ifs))
        core_links.append(dict(id=f"fo-{sid}", medium="fiber", provider="Icon Plus",
                               circuit_id=f"SAMPLE-ICON-KR-{i:04d}", bandwidth_mbps=100, sla=99.5,
                               status="active", since=f"2022-{(i % 12) + 1:02d}-01",
                               a=dict(site=DC_ID, device="core-02", interface=f"eth1.{100 + i}"),
                               b=dict(site=sid, device=f"{sid}-r1", interface=uplink_if)))

    # -- kecamatan and desa ----------------------------------------------------
    circuit = {"icon": len(OPD), "mgsky": 0}
    vsat_index = 0
    for k, kr in enumerate(kec_rows, start=1):
        kname = kr["kecamatan"]
        kid = f"kec-{slug(kname)}"
        krouter = f"{kid}-r1"
        desa = [r for r in desa_rows if r["kecamatan"] == kname]
        sites = [dict(id=kid, name=f"Kantor Camat {kname}", tier="kecamatan", code=kr["kode"], kecamatan=kname,
                      lat=float(kr["lat"]), lon=float(kr["lon"]), parent=DC_ID)]
        kdev = dict(name=krouter, site=kid, platform="mikrotik_routeros", role="distribution",
                    mgmt=f"10.112.{10 + k}.1", model="CCR2004-1G-12S+2XS",
                    interfaces=["sfp-sfpplus1", "ether1"])
        devices = [kdev]
        circuit["icon"] += 1
        links = [dict(id=f"fo-{kid}", medium="fiber", provider="Icon Plus",
                      circuit_id=f"SAMPLE-ICON-KR-{circuit['icon']:04d}", bandwidth_mbps=50, sla=99.5,
                      status="active", since="2022-03-01",
                      a=dict(site=DC_ID, device="core-01", interface=f"GigabitEthernet0/2.{10 + k}"),
                      b=dict(site=kid, device=krouter, interface="sfp-sfpplus1"))]
        for i, r in enumerate(desa, start=1):
            dname = r["desa"]
            tier = "kelurahan" if r.get("jenis") == "kelurahan" else "desa"
            sid = f"{'kel' if tier == 'kelurahan' else 'desa'}-{slug(dname)}"
            has_xy = bool(r["lat"])
            dist = km(dc, (float(r["lat"]), float(r["lon"]))) if has_xy else None
            sites.append(dict(id=sid, name=f"Kantor {tier.capitalize()} {dname}", tier=tier, code=r["kode"],
                              kecamatan=kname,
                              lat=float(r["lat"]) if has_xy else None, lon=float(r["lon"]) if has_xy else None,
                              parent=kid))
            router = f"{sid}-r1"
            mgmt_net = f"10.112.{10 + k}"
            devices.append(dict(name=router, site=sid, platform="mikrotik_routeros", role="access",
                                mgmt=f"{mgmt_net}.{10 + i}", model="hAP ac2",
                                interfaces=[f"ether{n}" for n in range(1, 6)]))
            if dname in NO_LINK:
                if dname in PLANNED_VSAT:
                    circuit["mgsky"] += 1
                    links.append(dict(id=f"vsat-{sid}", medium="vsat", provider="Telkom Mangoesky",
                                      bandwidth_mbps=4, sla=98.0, status="planned",
                                      a=dict(site=DC_ID), b=dict(site=sid)))
                continue
            medium = "fiber" if dist is None or dist <= 30 else "radio" if dist <= 33 else "vsat"
            status = "down" if dname in DOWN else "active"
            since = f"{2023 + (i % 2)}-{(i * 5) % 12 + 1:02d}-15"
            if medium == "fiber":
                kdev["interfaces"].append(f"vlan{100 + i}")
                circuit["icon"] += 1
                links.append(dict(id=f"fo-{sid}", medium="fiber", provider="Icon Plus",
                                  circuit_id=f"SAMPLE-ICON-KR-{circuit['icon']:04d}", bandwidth_mbps=20, sla=99.5,
                                  status=status, since=since,
                                  a=dict(site=kid, device=krouter, interface=f"vlan{100 + i}"),
                                  b=dict(site=sid, device=router, interface="ether1")))
            elif medium == "radio":
                kdev["interfaces"].append(f"wlan{i}")
                links.append(dict(id=f"radio-{sid}", medium="radio", provider="Diskominfo", bandwidth_mbps=50,
                                  sla=99.0, status=status, since=since,
                                  a=dict(site=kid, device=krouter, interface=f"wlan{i}"),
                                  b=dict(site=sid, device=router, interface="ether1")))
            else:
                vsat_index += 1
                circuit["mgsky"] += 1
                hub_if = f"GigabitEthernet0/1.{2000 + vsat_index}"
                vsat_if.append(hub_if)
                devices.append(dict(name=f"{sid}-vsat", site=sid, platform="vsat_modem", role="modem",
                                    mgmt=f"{mgmt_net}.{150 + i}", model="Ku-band VSAT terminal",
                                    monitor="icmp", interfaces=["lan"]))
                links.append(dict(id=f"vsat-{sid}", medium="vsat", provider="Telkom Mangoesky",
                                  circuit_id=f"SAMPLE-MGSKY-KR-{circuit['mgsky']:04d}", bandwidth_mbps=4, sla=98.0,
                                  status=status, since=since,
                                  a=dict(site=DC_ID, device="core-01", interface=hub_if),
                                  b=dict(site=sid, device=router, interface="ether1")))
                if dname in PLANNED_FIBER:
                    links.append(dict(id=f"fo-{sid}", medium="fiber", provider="Icon Plus", bandwidth_mbps=20,
                                      sla=99.5, status="planned", a=dict(site=kid), b=dict(site=sid)))
        write(OUT / "kecamatan" / f"{slug(kname)}.yaml",
              f"# Kecamatan {kname} ({kr['kode']}): kantor camat and {_offices(desa)}.\n"
              "# Names, codes and coordinates: cahyadsn/wilayah and wilayah_boundaries (see README).\n"
              "# Devices, addresses and circuits are SAMPLE data.\n",
              [("sites", sites), ("devices", devices), ("links", links)])

    core_devices[0]["interfaces"].extend(vsat_if)
    write(OUT / "core.yaml",
          "# Data center and OPD (agency) offices. Devices, addresses and circuits are SAMPLE data.\n"
          "# OPD coordinates are illustrative (a ring around the Sungai Raya desa centroid), not surveyed.\n",
          [("sites", core_sites), ("devices", core_devices), ("links", core_links)])


if __name__ == "__main__":
    main()
