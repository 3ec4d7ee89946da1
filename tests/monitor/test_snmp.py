"""Inventory -> SNMP targets: reply size and expected round trip from the site's uplink medium."""

from __future__ import annotations

from pathlib import Path

import yaml

from netops.inventory import load_inventory
from netops.monitor.snmp import reply_bytes_by_site, rtt_prior_by_site, target_for
from netops.snmp.api import SnmpTarget
from netops.snmp.engine import Engine


def _inventory(tmp_path: Path) -> Path:
    (tmp_path / "community").write_text("public")
    inv = {
        "regency": {"name": "Test", "code": "61.12", "domain": "test.invalid"},
        "snmp": {"v2": {"version": "2c", "community": f"file:{tmp_path / 'community'}", "timeout": 2, "retries": 3}},
        "sites": [{"id": "dc", "name": "DC", "tier": "datacenter"},
                  {"id": "far", "name": "Far", "tier": "opd", "parent": "dc"},
                  {"id": "near", "name": "Near", "tier": "opd", "parent": "dc"}],
        "devices": [{"name": f"{s}-01", "site": s, "platform": "linux", "role": "server", "mgmt": f"127.0.0.{k}",
                     "snmp": "v2"} for k, s in enumerate(("dc", "far", "near"), 1)],
        "links": [{"id": "far-vsat", "medium": "vsat", "provider": "x", "a": {"site": "dc"}, "b": {"site": "far"}},
                  {"id": "near-fo", "medium": "fiber", "provider": "x", "a": {"site": "dc"}, "b": {"site": "near"}}],
    }
    d = tmp_path / "inventory"
    d.mkdir()
    (d / "inventory.yaml").write_text(yaml.safe_dump(inv))
    return d


def test_vsat_site_gets_reply_size_and_rtt_prior(tmp_path: Path) -> None:
    inv = load_inventory(_inventory(tmp_path))
    sizes, rtts = reply_bytes_by_site(inv), rtt_prior_by_site(inv)
    targets = {n: target_for(inv, d, reply_bytes=sizes, rtt_prior=rtts) for n, d in inv.devices.items()}
    assert (targets["far-01"].max_reply_bytes, targets["far-01"].rtt_prior) == (1350, 0.65)
    for name in ("dc-01", "near-01"):
        assert (targets[name].max_reply_bytes, targets[name].rtt_prior) == (None, None)


def test_first_wait_from_the_prior_until_a_round_trip_is_measured() -> None:
    eng = Engine()
    far = SnmpTarget("127.0.0.2", timeout=2.0, retries=3, rtt_prior=0.65)
    plain = SnmpTarget("127.0.0.3", timeout=2.0, retries=3)
    assert eng.first_wait(plain) == 2.0  # nothing known: the whole timeout
    assert abs(eng.first_wait(far) - 1.5 * 0.65) < 1e-9
    eng._sample(far.addr, 0.2)  # a measured round trip replaces the prior
    assert abs(eng.first_wait(far) - max(0.5, 0.2 + 4 * 0.1)) < 1e-9
