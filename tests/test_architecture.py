"""The package's seams, checked from its source: who may import whom, and no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

from support import REPO

PACKAGE = REPO / "qa"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every qa module ``path`` imports, at the top or inside a function (lazy imports count too)."""
    me = _module_name(path)
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        out.update(n for n in names if n in modules and n != me)
    return out


def _graph() -> nx.DiGraph:
    paths = [p for p in PACKAGE.rglob("*.py")]
    modules = {_module_name(p) for p in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for p in paths:
        graph.add_edges_from((_module_name(p), t) for t in _imports(p, modules))
    return graph


def test_no_relative_imports_hide_from_this_check():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree)), path


def test_the_package_has_no_import_cycles():
    cycles = list(nx.simple_cycles(_graph()))
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_readers_and_the_milvus_backend_never_import_the_local_index():
    graph = _graph()
    index_modules = {"qa.index.store", "qa.index.lexical", "qa.index.dense", "qa.index.documents", "qa.index.writer"}
    outsiders = [m for m in graph if m.startswith("qa.reader") or m.startswith("qa.backends.milvus")]
    assert "qa.reader.neural" in outsiders and "qa.backends.milvus.collection" in outsiders
    for module in outsiders:
        reached = nx.descendants(graph, module)
        assert not reached & index_modules, f"{module} reaches {sorted(reached & index_modules)}"


def test_no_test_imports_the_scripts_folder():
    for path in (REPO / "tests").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                assert not any(n == "scripts" or n.startswith("scripts.") for n in names), path
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "sys.path" not in node.value or "scripts" not in node.value, path
