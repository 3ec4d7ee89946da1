"""FRR devices: placeholder until namespaces land."""
from __future__ import annotations

from pathlib import Path

from netops.inventory.loader import Inventory
from netops.lab.plan import LabPlan
from netops.lab.procs import State


def start_all(inv: Inventory, plan: LabPlan, workdir: Path, state: State, timeout: float) -> None:
    return None


def teardown(state: State) -> None:
    return None
