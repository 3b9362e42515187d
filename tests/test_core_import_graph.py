"""The core's modules import each other without a circle (lazy and TYPE_CHECKING imports count: a circle
hidden inside a function is still a circle), and no core module imports an adapter."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[1]
ADAPTERS = ("xmlcurl", "esl_handlers", "provisioning", "webui", "monitoring", "wsgi", "ESL")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / "centrex").rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The modules (of `known`, or outside names as written) one file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = core_modules()
    known = set(modules)
    graph = {}
    for name, path in modules.items():
        # a module's import of its own package's __init__ is how Python loads it, not a dependency
        graph[name] = {m for m in imports_of(path, known) if m in known and not name.startswith(m + ".")}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_in_the_core():
    graph = import_graph()
    assert len(graph) > 100
    assert circles(graph) == []


def test_the_core_imports_no_adapter():
    known = set(core_modules())
    offenders = [f"{name} imports {m}" for name, path in core_modules().items()
                 for m in imports_of(path, known) if m.split(".")[0] in ADAPTERS]
    assert offenders == []


def test_the_circle_finder_sees_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
