"""Fixtures for the monitor tests: real snmpd agents on 127.120.x.y and inventories pointing at them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import need, need_binary
from tests.monitor.agents import Interface, NftImpair, SnmpdAgent, free_udp_port, nft_available

# Our own loopback block (127.120.0.0/16); the third octet comes from the pid so two
# concurrent runs of this suite do not share addresses.
OCTET = 20 + os.getpid() % 200


def addr(n: int) -> str:
    return f"127.120.{OCTET}.{n}"


@pytest.fixture
def agent_factory(tmp_path: Path) -> Iterator[Callable[..., SnmpdAgent]]:
    need_binary("snmpd")
    need_binary("snmpget")
    started: list[SnmpdAgent] = []

    def make(addresses: list[str], interfaces: list[Interface] | None = None, port: int | None = None) -> SnmpdAgent:
        a = SnmpdAgent(tmp_path / f"agent{len(started)}", addresses, port or free_udp_port(addresses),
                       interfaces=interfaces or [Interface(1, "ether1"), Interface(2, "ether2")])
        started.append(a)
        return a.start()

    yield make
    for a in started:
        a.stop()


@pytest.fixture
def nft() -> Iterator[NftImpair]:
    need(nft_available(), "needs root and nft to drop packets to a simulated device")
    n = NftImpair()
    yield n
    n.close()


def write_inventory(root: Path, agent: SnmpdAgent, devices: list[dict], links: list[dict],
                    sites: list[dict] | None = None, snmp_overrides: dict | None = None) -> Path:
    """A small inventory whose devices point at ``agent`` (secrets as file: refs)."""
    sec = root / "secrets"
    sec.mkdir(parents=True, exist_ok=True)
    for name, value in (("community", agent.community), ("auth", agent.auth_key), ("priv", agent.priv_key),
                        ("wrong", "definitely-wrong-key"), ("pw", "router-password")):
        (sec / name).write_text(value)
    snmp = {
        "v2c": {"version": "2c", "community": f"file:{sec / 'community'}", "port": agent.port,
                "timeout": 1.0, "retries": 1},
        "v2c-slow": {"version": "2c", "community": f"file:{sec / 'community'}", "port": agent.port,
                     "timeout": 2.0, "retries": 1},
        "v3": {"version": "3", "user": agent.user, "auth_key": f"file:{sec / 'auth'}",
               "priv_key": f"file:{sec / 'priv'}", "port": agent.port, "timeout": 1.0, "retries": 1},
        "v3-wrongpriv": {"version": "3", "user": agent.user, "auth_key": f"file:{sec / 'auth'}",
                         "priv_key": f"file:{sec / 'wrong'}", "port": agent.port, "timeout": 1.0, "retries": 0},
        "v3-wrongauth": {"version": "3", "user": agent.user, "auth_key": f"file:{sec / 'wrong'}",
                         "priv_key": f"file:{sec / 'priv'}", "port": agent.port, "timeout": 1.0, "retries": 0},
    }
    for k, v in (snmp_overrides or {}).items():
        snmp[k].update(v)
    inv = {
        "regency": {"name": "Kabupaten Uji", "code": "61.12", "domain": "uji.go.id",
                    "default_credentials": "routers", "default_snmp": "v2c"},
        "credentials": {"routers": {"username": "netops", "password": f"file:{sec / 'pw'}"}},
        "snmp": snmp,
        "sites": sites or [
            {"id": "dc", "name": "Pusat Data", "tier": "datacenter", "kecamatan": "Sungai Raya",
             "lat": -0.071, "lon": 109.37},
            {"id": "desa-a", "name": "Kantor Desa A", "tier": "desa", "kecamatan": "Kubu", "parent": "dc",
             "lat": -0.2, "lon": 109.6},
            {"id": "desa-b", "name": "Kantor Desa B", "tier": "desa", "kecamatan": "Kubu", "parent": "dc",
             "lat": -0.3, "lon": 109.5},
            {"id": "desa-c", "name": "Kantor Desa C", "tier": "desa", "kecamatan": "Batu Ampar", "parent": "dc",
             "lat": -0.4, "lon": 109.4},
        ],
        "devices": devices,
        "links": links,
    }
    d = root / "inventory"
    d.mkdir(parents=True, exist_ok=True)
    (d / "inventory.yaml").write_text(yaml.safe_dump(inv, sort_keys=False))
    return d
