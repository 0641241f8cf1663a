"""The layering: imports run one way (YAML → model → RDF → store → answers → CLI / views), with no cycle.

Every import counts, including those inside functions (they are how heavy modules load lazily, and a
cycle through them is still a cycle in the design). `kg` never imports `viz`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("kg", "viz")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}


def _resolve(name: str, known: set[str]) -> str | None:
    """The longest known module that `name` (a module or a name inside one) refers to."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> nx.DiGraph:
    modules = _modules()
    known = set(modules)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for target in targets:
                found = _resolve(target, known)
                # a package's own __init__ is not a dependency of its modules (it holds only docs)
                if found and found != name and not name.startswith(found + "."):
                    graph.add_edge(name, found)
    return graph


def test_no_import_cycle() -> None:
    cycles = list(nx.simple_cycles(import_graph()))
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles)


def test_kg_never_imports_viz() -> None:
    graph = import_graph()
    wrong = [(a, b) for a, b in graph.edges if a.startswith("kg") and b.startswith("viz")]
    assert wrong == []


@pytest.mark.parametrize("lower, higher", [
    ("kg.store", "kg.analysis"), ("kg.store", "kg.query"), ("kg.store", "kg.adapter"),
    ("kg.rdf", "kg.store"), ("kg.load", "kg.rdf"), ("kg.model", "kg.load"),
    ("kg.analysis", "kg.cli"), ("kg.names", "kg.analysis"), ("kg.query", "kg.analysis"),
])
def test_lower_layers_do_not_reach_up(lower: str, higher: str) -> None:
    graph = import_graph()
    reached = {b for a in graph if a == lower or a.startswith(lower + ".") for b in nx.descendants(graph, a)}
    assert not any(b == higher or b.startswith(higher + ".") for b in reached), (lower, higher)


def test_every_module_imports_on_its_own() -> None:
    """Each module imports first, with none of ours loaded before it (an import-time cycle would fail)."""
    names = sorted(n for n in _modules() if not n.endswith("__main__"))
    code = """import importlib, sys
failed = []
for n in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("kg", "viz")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(n)
    except Exception as exc:
        failed.append(f"{n}: {exc!r}")
print("\\n".join(failed))
"""
    result = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr[-500:]
