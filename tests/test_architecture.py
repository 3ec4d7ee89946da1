"""The house rules of docs/architecture: imports run downwards only, one home per class name.

The module graph is read with the standard library (ast) from every module under netops/, and every
module is imported in a fresh interpreter, so a cycle hidden behind a lazy import is found too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import netops

ROOT = Path(netops.__file__).parent
PRODUCT = ("netops.inventory", "netops.config", "netops.monitor", "netops.report", "netops.snmp", "netops.playbook",
           "netops.facts", "netops.platforms", "netops.secrets", "netops.errors", "netops.gitrepo", "netops.progress")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module but ``netops.__main__`` (the ``python -m netops`` entry: it runs the CLI when imported)."""
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py")) if p.name != "__main__.py"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """netops modules this module imports at run time, at any depth of the file (lazy imports count;
    ``if TYPE_CHECKING:`` imports, for annotations only, do not)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    type_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                 for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in type_only:  # annotations only: no import at run time, so no cycle
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, name, set(mods)) for name, path in mods.items()}


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    done = subprocess.run([sys.executable, "-c", code, *modules()], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_no_import_cycle() -> None:
    g = graph()
    # a package's __init__ re-exporting its own modules is not a cycle between concerns
    edges = {m: {d for d in deps if not (m == d.rpartition(".")[0] and ROOT.joinpath(*m.split(".")[1:], "__init__.py").exists())}
             for m, deps in g.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(edges.get(m, ())):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_layers() -> None:
    wrong = []
    for m, deps in graph().items():
        for d in deps:
            if m.startswith("netops.snmp") and d.startswith(("netops.monitor", "netops.config")):
                wrong.append(f"{m} imports {d}: netops.snmp is below the monitor and the config jobs")
            if m.startswith("netops.monitor") and d.startswith(("netops.config", "netops.report", "netops.playbook")):
                wrong.append(f"{m} imports {d}: the monitor reads devices and serves metrics; config jobs, "
                             "reports and playbooks sit beside or above it (the CLI wires them together)")
            if d.startswith("netops.cli") and not m.startswith("netops.cli"):
                wrong.append(f"{m} imports {d}: only the CLI imports the CLI")
            if d.startswith("netops.lab") and m.startswith(PRODUCT):
                wrong.append(f"{m} imports {d}: product code never depends on the lab")
            if m.startswith("netops.inventory") and d.startswith(("netops.config", "netops.monitor", "netops.report",
                                                                   "netops.snmp", "netops.playbook", "netops.lab")):
                wrong.append(f"{m} imports {d}: the inventory is the bottom layer")
    assert not wrong, "\n".join(sorted(wrong))


def test_every_package_has_a_layer() -> None:
    """A new top-level module or package is placed on purpose: product code, the lab or the CLI."""
    tops = {".".join(m.split(".")[:2]) for m in modules()} - {"netops"}
    unplaced = sorted(tops - set(PRODUCT) - {"netops.cli", "netops.lab"})
    assert not unplaced, f"add to PRODUCT (or the lab or the CLI): {unplaced}"


def test_one_home_per_class_name() -> None:
    """Grep and jump-to-definition land on one place: no class name is defined twice in netops/."""
    homes: dict[str, list[str]] = defaultdict(list)
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                homes[node.name].append(f"{name}:{node.lineno}")
    twice = {cls: where for cls, where in homes.items() if len(where) > 1}
    assert not twice, "\n".join(f"{cls}: {', '.join(where)}" for cls, where in sorted(twice.items()))


def test_tests_that_start_a_lab_are_marked_slow() -> None:
    """The quick tier (``pytest -m "not slow"``) starts no lab: a test file that does (a ``Lab``,
    ``small_lab`` or a test taking the ``lab`` fixture) says so with ``pytestmark = pytest.mark.slow``."""
    unmarked = []
    for path in sorted(Path(__file__).parent.rglob("test_*.py")):
        text = path.read_text()
        takes_lab = any(isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
                        and any(a.arg == "lab" for a in n.args.args) for n in ast.walk(ast.parse(text)))
        if (takes_lab or "Lab(" in text or "small_lab(" in text) and "pytestmark = pytest.mark.slow" not in text:
            unmarked.append(str(path.relative_to(Path(__file__).parent)))
    assert not unmarked, f"start a lab without the slow mark: {unmarked}"
