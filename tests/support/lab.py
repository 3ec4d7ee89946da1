"""The module-scoped lab of the small inventory that config, facts and fault tests share the shape of:
root, network namespaces and git needed; started on the test file's own base address, torn down after."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import SMALL_INVENTORY, need, need_binary, need_root_netns

if TYPE_CHECKING:
    from netops.lab import Lab


def small_lab(tmp_path_factory: pytest.TempPathFactory, name: str, base: str, vsat_delay_ms: float,
              where: list[str] | None = None, frr_daemons: tuple[str, ...] | None = None,
              source: Path = SMALL_INVENTORY) -> Iterator[Lab]:
    """Yield a running lab of ``source`` (default ``SMALL_INVENTORY``) on ``base`` (127.x.0.0, one per
    test file: labs of parallel runs never share addresses); VSAT links lose nothing, so no test
    depends on luck."""
    need(os.geteuid() == 0, "the lab needs root")
    need_root_netns()
    need_binary("git")
    from netops.lab import Lab

    extra = {} if frr_daemons is None else {"frr_daemons": frr_daemons}
    lab = Lab(source, tmp_path_factory.mktemp(name), base=base, where=where,
              vsat_delay_ms=vsat_delay_ms, vsat_loss_pct=0.0, owner_pid=os.getpid(), **extra)
    try:
        lab.up()
        yield lab
    finally:
        lab.down()
