"""The shape of the package, checked from its source (issue 9): layers, one HTTP policy, citations that resolve.

- No import cycles among the product's modules, counting imports inside functions and under TYPE_CHECKING
  (the sandbox is apart: it imports nothing of the product's code path).
- AIOZ tool handlers never send a request or unwrap an envelope themselves: they call `aioz/api/`.
- One retry loop: only `botflix_mcp/http.py` sleeps between attempts or handles retryable transport errors.
- Comments cite documents the repository ships, and every `docs/<page>.md §section` they cite exists.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "botflix_mcp"


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in PKG.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _import_graph() -> dict[str, set[str]]:
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        if name.startswith("botflix_mcp.sandbox"):
            continue
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for imported in names:
                if not imported.startswith("botflix_mcp"):
                    continue
                target = resolve(imported)
                if target and target != name and not name.startswith(target + "."):
                    targets.add(target)
        graph[name] = {t for t in targets if not t.startswith("botflix_mcp.sandbox")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    graph = _import_graph()
    cycles = _cycles(graph)
    detail = ["; ".join(f"{m} -> {sorted(t for t in graph[m] if t in cycle)}" for m in cycle) for cycle in cycles]
    assert not cycles, "import cycles:\n" + "\n".join(detail)


def test_the_sandbox_imports_nothing_of_the_product_code_path() -> None:
    allowed = {"botflix_mcp", "botflix_mcp.settings", "botflix_mcp.resources_path", "botflix_mcp.templates"}
    for path in (PKG / "sandbox").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("botflix_mcp"):
                module = node.module
                assert module.startswith("botflix_mcp.sandbox") or module in allowed, f"{path.name}: {module}"


RAW_CALL = re.compile(r"\b(?:api|session|self\.api)\.(?:get|post|put|patch|delete|request)\(")
UNWRAP = re.compile(r"\)\)\.data\b|\bresponse\.data\b")


def test_aioz_tools_call_the_api_layer_only() -> None:
    offenders = []
    for path in sorted((PKG / "aioz" / "tools").glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RAW_CALL.search(line) or UNWRAP.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, "tool handlers must call botflix_mcp/aioz/api/:\n" + "\n".join(offenders)


def test_one_retry_loop() -> None:
    """Only http.py waits between attempts or decides on retryable transport errors."""
    pattern = re.compile(r"\.delay\(|RETRYABLE_EXCEPTIONS|NOT_SENT_EXCEPTIONS")
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        if path == PKG / "http.py" or "sandbox" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "import" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "retry logic outside botflix_mcp/http.py:\n" + "\n".join(offenders)


CITATION = re.compile(r"docs/([\w-]+)\.md\s*§([\w-]+)")


def test_citations_point_at_shipped_documents() -> None:
    problems = []
    for path in sorted(PKG.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"research/(?:aioz|botflix)\.md|\.\./shared", text):
            problems.append(f"{path.relative_to(ROOT)} cites a document the repository does not ship")
        for page, section in CITATION.findall(text):
            doc = ROOT / "docs" / f"{page}.md"
            if not doc.exists():
                problems.append(f"{path.relative_to(ROOT)} cites missing docs/{page}.md")
            elif f"## §{section}" not in doc.read_text(encoding="utf-8"):
                problems.append(f"{path.relative_to(ROOT)} cites missing section docs/{page}.md §{section}")
    assert not problems, "\n".join(problems)


def test_one_image_header_sniffer() -> None:
    """Image signatures and header parsing live in botflix_mcp/files.py only (the sandbox is apart)."""
    needles = ('b"IHDR"', "\\x89PNG", "0xC0, 0xC1", 'b"WEBP"')
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(PKG.rglob("*.py"))
        if path != PKG / "files.py"
        and "sandbox" not in path.parts
        and any(n in path.read_text(encoding="utf-8") for n in needles)
    ]
    assert not offenders, f"image sniffing outside files.py: {offenders}"
