"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_INVENTORY = ROOT / "inventory"
SMALL_INVENTORY = Path(__file__).resolve().parent / "fixtures" / "inventory" / "small"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip when a machine cannot run a test; under CI=true a skip is a failure.

    CI machines have root, network namespaces and every Debian package the
    project installs, so a missing piece there is a broken setup, not a reason.
    """
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def need_root_netns() -> None:
    need(os.geteuid() == 0, "needs root to create network namespaces")
    ok = subprocess.run(["ip", "netns", "list"], capture_output=True).returncode == 0
    need(ok, "needs 'ip netns' (iproute2) and network namespace support")


def need_binary(name: str) -> str:
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/lib/frr/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None
    )
    need(path is not None, f"needs {name} (installed by scripts/bootstrap from scripts/debian-packages.txt)")
    return path  # type: ignore[return-value]


# Fake values for the small inventory's secret references; tests grep that they never leak.
SMALL_INVENTORY_SECRETS = {
    "TEST_ROUTER_PASSWORD": "rtr-Pw-7f3a9",
    "TEST_SNMP_AUTH": "snmpAuth-K3y-1b2c",
    "TEST_SNMP_PRIV": "snmpPriv-K3y-9d8e",
    "TEST_SNMP_COMMUNITY": "c0mmunity-x41",
}


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The small inventory's secrets, set in the environment its references name."""
    for k, v in SMALL_INVENTORY_SECRETS.items():
        monkeypatch.setenv(k, v)
    return SMALL_INVENTORY_SECRETS


@pytest.fixture
def sample_inventory() -> Path:
    return SAMPLE_INVENTORY


@pytest.fixture
def small_inventory(tmp_path: Path) -> Path:
    """A private copy of the hand-checked small inventory, safe to edit."""
    dest = tmp_path / "inventory"
    shutil.copytree(SMALL_INVENTORY, dest)
    return dest


@pytest.fixture(autouse=True, scope="session")
def _mask_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Config masking's per-installation key lives in the test session's temp dir, never in
    the home directory of whoever runs the tests."""
    os.environ["NETOPS_MASK_KEY_FILE"] = str(tmp_path_factory.mktemp("netops-key") / "mask.key")


from tests.support.promhistory import prom  # noqa: E402,F401 - session fixture of tests/report and tests/cli
