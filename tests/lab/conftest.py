"""A lab on the small inventory, shared by the lab tests (base 127.102.0.0)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netops.lab import Lab
from tests.conftest import SMALL_INVENTORY, need, need_binary

BASE = "127.102.0.0"  # not the CLI default: running the tests never touches a user's lab
LAB_WHERE: list[str] | None = None


def need_lab_tools() -> None:
    need(os.geteuid() == 0, "the lab needs root (nftables, iptables NFQUEUE, namespaces)")
    for tool in ("nft", "iptables", "snmpbulkwalk", "fping"):
        need_binary(tool)


@pytest.fixture(scope="package")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    need_lab_tools()
    workdir = tmp_path_factory.mktemp("lab")
    lab = Lab(SMALL_INVENTORY, workdir, base=BASE, where=LAB_WHERE, owner_pid=os.getpid())
    try:
        lab.up()
        yield lab
    finally:
        lab.down()


def secret(lab: Lab, name: str) -> str:
    return lab.secrets[name]


def workdir_of(lab: Lab) -> Path:
    return lab.workdir
