"""No import cycles around credentials, the keys page and the HTTP server (issue 9, "typed state and clean edges").

The import graph is read from the source (module-level and function-level imports alike: a lazy import inside a
function is still a cycle, only hidden; `if TYPE_CHECKING:` blocks are left out, they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "botflix_mcp"


def _module_names() -> dict[str, Path]:
    names = {}
    for file in PACKAGE.rglob("*.py"):
        parts = file.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        names[name] = file
    return names


def _imports(name: str, file: Path, known: set[str]) -> set[str]:
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            test = node.test
            if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            ):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(alias.name for alias in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)

    Visitor().visit(ast.parse(file.read_text(encoding="utf-8")))
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    names = _module_names()
    return {name: _imports(name, file, set(names)) for name, file in names.items()}


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_graph_reader_sees_lazy_imports() -> None:
    graph = import_graph()
    assert "botflix_mcp.http_app" in graph["botflix_mcp.runner"]  # imported inside a function there


def test_credentials_keys_page_and_http_modules_are_in_no_cycle() -> None:
    graph = import_graph()
    for module in ("credentials", "keys_page", "key_check", "http_app", "http_auth"):
        name = f"botflix_mcp.{module}"
        assert name not in reachable(graph, name), f"{name} imports itself back through {sorted(graph[name])}"


def test_named_pairs_do_not_import_each_other_back() -> None:
    graph = import_graph()
    for a, b in (("credentials", "keys_page"), ("credentials", "http_app"), ("server", "http_app")):
        a, b = f"botflix_mcp.{a}", f"botflix_mcp.{b}"
        assert not (b in reachable(graph, a) and a in reachable(graph, b)), f"{a} <-> {b}"
