"""How the CLI talks: rich tables for people, JSON for scripts, errors on stderr."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from netops.errors import NetopsError
from netops.inventory import Inventory, InventoryInvalid, load_inventory

# Piped output is not cut to 80 columns: scripts and logs get whole names.
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    inventory_path: Path
    json: bool = False
    _inventory: Inventory | None = None

    def inventory(self, *, show_warnings: bool = True) -> Inventory:
        """Load and validate once per run; an invalid inventory stops the command here."""
        if self._inventory is None:
            self._inventory = load_inventory(self.inventory_path)
            if show_warnings and self._inventory.warnings and not self.json:
                n = len(self._inventory.warnings)
                err_console.print(f"[yellow]{n} inventory warning{'s' if n != 1 else ''}[/] "
                                  "(see 'netops inventory validate')")
        return self._inventory


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if obj is None:  # a sub-app invoked on its own, as in some tests
        obj = State(Path(os.environ.get("NETOPS_INVENTORY", "inventory")))
        ctx.find_root().obj = obj
    return obj


def handle_errors(fn: F) -> F:
    """Turn a NetopsError into ``error: message`` on stderr and its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InventoryInvalid as exc:
            for p in exc.errors:
                err_console.print(f"[red]error[/] {escape(str(p))}")
            n = len(exc.errors)
            err_console.print(f"[red]inventory invalid:[/] {n} error{'s' if n != 1 else ''}; "
                              "nothing was run. Fix them and try again.")
            raise typer.Exit(exc.exit_code) from None
        except NetopsError as exc:
            err_console.print(f"[red]error:[/] {escape(str(exc))}")
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    console.out(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def table(title: str | None, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> Table:
    t = Table(title=escape(title) if title else title, show_lines=False, header_style="bold")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*("" if v is None else escape(str(v)) for v in row))
    return t
