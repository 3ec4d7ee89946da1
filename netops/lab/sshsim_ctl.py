"""SSH simulator process: placeholder."""
from __future__ import annotations

from pathlib import Path

from netops.inventory.loader import Inventory
from netops.lab.plan import LabPlan
from netops.lab.procs import State


def start(inv: Inventory, plan: LabPlan, workdir: Path, state: State, timeout: float) -> None:
    return None
