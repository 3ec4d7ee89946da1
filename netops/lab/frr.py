"""FRR devices (real FRRouting in a namespace each): not built yet.

Until then a lab that selects an ``frr`` device stops with a clear error
instead of starting half a network.
"""
from __future__ import annotations

from pathlib import Path

from netops.inventory.loader import Inventory
from netops.lab.plan import LabError, LabPlan
from netops.lab.procs import State


def start_all(inv: Inventory, plan: LabPlan, workdir: Path, state: State, timeout: float) -> None:
    frr = sorted(n for n, d in plan.devices.items() if d.netns)
    if frr:
        raise LabError(f"FRR devices are not simulated yet ({', '.join(frr)}); "
                       "leave them out with --where platform!=frr")


def teardown(state: State) -> None:
    return None
