"""Every class of inventory error is reported with file, line and field, all in one run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netops.inventory import InventoryInvalid, load_inventory


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count))


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text().splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def errors_of(root: Path) -> list[str]:
    with pytest.raises(InventoryInvalid) as exc:
        load_inventory(root)
    assert exc.value.exit_code == 2
    return [str(p) for p in exc.value.errors]


def only(errors: list[str], pattern: str) -> str:
    hits = [e for e in errors if re.search(pattern, e)]
    assert len(hits) == 1, f"expected one error matching {pattern!r}, got {errors}"
    return hits[0]


def test_yaml_syntax_error_names_file_and_line(small_inventory: Path) -> None:
    f = small_inventory / "devices.yaml"
    edit(f, "    role: core\n", "    role: core\n  bad: [unclosed\n")
    err = only(errors_of(small_inventory), "YAML syntax error")
    assert err.startswith("inventory/devices.yaml:")
    assert int(err.split(":")[1]) in (line_of(f, "bad: [unclosed"), line_of(f, "bad: [unclosed") + 1)


def test_duplicate_yaml_key(small_inventory: Path) -> None:
    f = small_inventory / "devices.yaml"
    edit(f, "    role: core\n", "    role: core\n    role: access\n")
    err = only(errors_of(small_inventory), "appears twice")
    assert err.startswith(f"inventory/devices.yaml:{line_of(f, 'role: access')}:")


def test_unknown_key_lists_valid_keys(small_inventory: Path) -> None:
    f = small_inventory / "sites.yaml"
    edit(f, "    name: Bappeda\n", "    name: Bappeda\n    kabupaten: Kubu Raya\n")
    err = only(errors_of(small_inventory), "unknown key 'kabupaten'")
    assert err.startswith(f"inventory/sites.yaml:{line_of(f, 'kabupaten')}: sites[opd-bappeda].kabupaten")
    assert "valid keys are" in err and "kecamatan" in err


def test_unknown_section(small_inventory: Path) -> None:
    (small_inventory / "extra.yaml").write_text("routers:\n  - name: x\n")
    err = only(errors_of(small_inventory), "unknown section")
    assert err.startswith("inventory/extra.yaml:1: routers")


def test_wrong_type(small_inventory: Path) -> None:
    f = small_inventory / "links.yaml"
    edit(f, "bandwidth_mbps: 50", "bandwidth_mbps: fifty")
    err = only(errors_of(small_inventory), r"bandwidth_mbps")
    assert err.startswith(f"inventory/links.yaml:{line_of(f, 'fifty')}: links[fo-kec-a].bandwidth_mbps")
    assert "'fifty'" in err


def test_bad_enum_value(small_inventory: Path) -> None:
    f = small_inventory / "links.yaml"
    edit(f, "medium: vsat", "medium: satellite")
    err = only(errors_of(small_inventory), "medium")
    assert f"links.yaml:{line_of(f, 'satellite')}" in err and "'fiber'" in err


def test_bad_ip_address(small_inventory: Path) -> None:
    f = small_inventory / "devices.yaml"
    edit(f, "mgmt: 10.20.11.12", "mgmt: 10.20.11.300")
    err = only(errors_of(small_inventory), "not an IP address")
    assert err.startswith(f"inventory/devices.yaml:{line_of(f, '10.20.11.300')}: devices[desa-a2-r1].mgmt")


def test_missing_required_field(small_inventory: Path) -> None:
    f = small_inventory / "devices.yaml"
    edit(f, "    role: distribution\n", "", 1)
    err = only(errors_of(small_inventory), "required field is missing")
    assert "devices[kec-a-r1].role" in err
    assert err.startswith(f"inventory/devices.yaml:{line_of(f, 'name: kec-a-r1')}")


def test_plain_text_secret_is_refused(tmp_path: Path, small_inventory: Path) -> None:
    f = small_inventory / "regency.yaml"
    edit(f, "password: env:TEST_ROUTER_PASSWORD", "password: hunter2")
    errs = errors_of(small_inventory)
    err = only(errs, "credentials.routers.password")
    assert "env:VARIABLE_NAME or file:" in err
    assert not any("hunter2" in e for e in errs), "the secret itself must not be echoed"


def test_duplicate_site_id_names_both_places(small_inventory: Path) -> None:
    (small_inventory / "zz-more.yaml").write_text(
        "sites:\n  - id: kec-a\n    name: Again\n    tier: kecamatan\n    kecamatan: A\n    parent: dc\n")
    err = only(errors_of(small_inventory), "duplicate id 'kec-a'")
    assert err.startswith("inventory/zz-more.yaml:2:")
    assert f"first at inventory/sites.yaml:{line_of(small_inventory / 'sites.yaml', 'id: kec-a')}" in err


def test_duplicate_device_name(small_inventory: Path) -> None:
    f = small_inventory / "devices.yaml"
    edit(f, "name: desa-a2-r1", "name: desa-a1-r1")
    errs = errors_of(small_inventory)
    only(errs, "duplicate name 'desa-a1-r1'")


def test_duplicate_management_address(small_inventory: Path) -> None:
    f = small_inventory / "devices.yaml"
    edit(f, "mgmt: 10.20.11.12", "mgmt: 10.20.11.11")
    err = only(errors_of(small_inventory), "management address")
    assert err.startswith(f"inventory/devices.yaml:{line_of(f, '10.20.11.11', 2)}: devices[desa-a2-r1].mgmt")
    assert "'desa-a1-r1'" in err


def test_duplicate_circuit_and_kemendagri_code(small_inventory: Path) -> None:
    edit(small_inventory / "links.yaml", "TEST-ICON-0005", "TEST-ICON-0004")
    edit(small_inventory / "sites.yaml", '"61.12.05.2002"', '"61.12.05.2001"')
    errs = errors_of(small_inventory)
    only(errs, r"circuit 'TEST-ICON-0004' is also link 'fo-desa-a1'")
    only(errs, r"Kemendagri code 61.12.05.2001 is also used by site 'desa-b1'")


def test_references_to_missing_things(small_inventory: Path) -> None:
    links = small_inventory / "links.yaml"
    edit(links, "b: {site: desa-a1, device: desa-a1-r1, interface: ether1}",
         "b: {site: desa-a1, device: desa-a1-r9, interface: ether1}")
    edit(links, "b: {site: kec-b, device: kec-b-r1, interface: eth0}",
         "b: {site: kec-b, device: kec-b-r1, interface: eth7}")
    edit(links, "a: {site: kec-b}", "a: {site: kec-z}")
    edit(small_inventory / "devices.yaml", "site: desa-b2\n", "site: desa-b9\n")
    edit(small_inventory / "sites.yaml", "parent: kec-b\n", "parent: kec-x\n")
    errs = errors_of(small_inventory)
    only(errs, r"links\[fo-desa-a1\]\.b\.device: device 'desa-a1-r9' does not exist")
    only(errs, r"links\[fo-kec-b\]\.b\.interface: device 'kec-b-r1' has no interface 'eth7'; it has eth0")
    only(errs, r"links\[fo-desa-b2\]\.a\.site: site 'kec-z' does not exist")
    only(errs, r"devices\[desa-b2-r1\]\.site: site 'desa-b9' does not exist")
    only(errs, r"sites\[desa-b1\]\.parent: site 'kec-x' does not exist")
    f = small_inventory / "links.yaml"
    assert any(e.startswith(f"inventory/links.yaml:{line_of(f, 'desa-a1-r9')}:") for e in errs)


def test_device_at_another_site_and_interface_used_twice(small_inventory: Path) -> None:
    edit(small_inventory / "links.yaml", "b: {site: desa-a2, device: desa-a2-r1, interface: ether1}",
         "b: {site: desa-a2, device: desa-a1-r1, interface: ether1}")
    errs = errors_of(small_inventory)
    only(errs, r"device 'desa-a1-r1' is at site 'desa-a1', not 'desa-a2'")
    only(errs, r"desa-a1-r1 ether1 already carries link 'fo-desa-a1'")


def test_cycle_in_site_tree(small_inventory: Path) -> None:
    f = small_inventory / "sites.yaml"
    edit(f, "    code: \"61.12.01\"\n    kecamatan: A\n    lat: -0.2290\n    lon: 109.6350\n    parent: dc",
         "    code: \"61.12.01\"\n    kecamatan: A\n    lat: -0.2290\n    lon: 109.6350\n    parent: desa-a1")
    err = only(errors_of(small_inventory), "cycle")
    assert "kec-a → desa-a1 → kec-a" in err or "desa-a1 → kec-a → desa-a1" in err


def test_unknown_platform_on_device_and_its_links(small_inventory: Path) -> None:
    f = small_inventory / "devices.yaml"
    edit(f, "platform: frr", "platform: junos")
    errs = errors_of(small_inventory)
    err = only(errs, r"devices\[kec-b-r1\]\.platform")
    assert err.startswith(f"inventory/devices.yaml:{line_of(f, 'junos')}:")
    assert "mikrotik_routeros" in err and "vsat_modem" in err
    only(errs, r"links\[fo-kec-b\]\.b\.device: device 'kec-b-r1' has unknown platform 'junos'")


def test_undefined_credentials_and_snmp(small_inventory: Path) -> None:
    edit(small_inventory / "devices.yaml", "    snmp: v2c\n", "    snmp: v1\n    credentials: admins\n")
    errs = errors_of(small_inventory)
    only(errs, r"devices\[desa-b2-r1\]\.snmp: the SNMP settings named here are not defined; use one of v2c, v3")
    only(errs, r"devices\[desa-b2-r1\]\.credentials: the credentials named here are not defined")


def test_all_errors_reported_in_one_run(small_inventory: Path) -> None:
    edit(small_inventory / "devices.yaml", "mgmt: 10.20.11.12", "mgmt: nope")
    edit(small_inventory / "sites.yaml", "tier: opd", "tier: office")
    edit(small_inventory / "links.yaml", "sla: 98", "sla: 120")
    errs = errors_of(small_inventory)
    assert len(errs) == 3, errs
    assert {e.split(":")[0] for e in errs} == {
        "inventory/devices.yaml", "inventory/sites.yaml", "inventory/links.yaml"}


def test_coordinates_outside_indonesia_warn_but_pass(small_inventory: Path) -> None:
    edit(small_inventory / "sites.yaml", "lat: -0.2000\n    lon: 109.6000", "lat: 109.6000\n    lon: -0.2000")
    with pytest.raises(InventoryInvalid):  # lat 109.6 is not a latitude at all
        load_inventory(small_inventory)
    edit(small_inventory / "sites.yaml", "lat: 109.6000\n    lon: -0.2000", "lat: 48.85\n    lon: 2.35")
    inv = load_inventory(small_inventory)
    assert any("desa-a1" in str(w) and "outside Indonesia" in str(w) for w in inv.warnings)
