"""The shape of the package, read from its source: no import circles, and the store never reaches up.

Only imports that run when a module is loaded count (those at module level, in `if`/`try` blocks
and class bodies, and those under `if TYPE_CHECKING:`, which state a dependency all the same);
an import inside a function is a deliberate late one and is left out.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "remem"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def load_time_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements outside function bodies."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from load_time_imports(node)


def imported_modules(name: str) -> set[str]:
    """The names of the modules `name` imports at load time (remem's own and any other)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in load_time_imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:  # from . import x, from ..y import z
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.add(submodule if submodule in MODULES else base)
    return found


GRAPH = {name: {m for m in imported_modules(name) if m in MODULES and m != name} for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
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


def test_the_walker_reads_the_package() -> None:
    # A guard on the guard: if the walker found nothing, every test below would pass vacuously.
    assert {"remem.memory", "remem.store.base", "remem.cli"} <= set(MODULES)
    assert {"remem.store", "remem.settings", "remem.write.pipeline"} <= GRAPH["remem.memory"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    sample = "import a\nif TYPE_CHECKING:\n    from b import c\ndef f():\n    import d\nclass E:\n    import e\n"
    assert [ast.unparse(node) for node in load_time_imports(ast.parse(sample))] == [
        "import a",
        "from b import c",
        "import e",
    ]


def test_no_module_imports_itself_round_a_circle() -> None:
    assert cycles(GRAPH) == []


def test_the_store_does_not_import_search_or_write() -> None:
    # The store is the bottom layer: the write path and ranking call it, never the other way round.
    # It may read a leaf of search/, a module that imports nothing of remem: both engines read the
    # one BM25 spec and tokenizer in remem.search.lexical so that SQLite and PostgreSQL rank alike,
    # and a leaf can neither reach back into the store nor bring the rest of search/ with it.
    upward = {
        (name, target)
        for name in MODULES
        if name.startswith("remem.store")
        for target in GRAPH[name]
        if target.startswith(("remem.search", "remem.write")) and not is_leaf(target)
    }
    assert upward == set()
    assert is_leaf("remem.search.lexical") and not is_leaf("remem.search.hybrid")


def is_leaf(module: str) -> bool:
    return module in GRAPH and not {m for m in GRAPH[module] if m.startswith("remem")}


def test_src_never_imports_the_bench_scripts() -> None:
    # bench/ at the repository root holds scripts run by make targets; the package is src/remem/bench.
    assert {(name, "bench") for name in MODULES if any(m.split(".")[0] == "bench" for m in imported_modules(name))} == (
        set()
    )


def test_the_command_line_loads_without_the_benchmarks() -> None:
    # Run, not read: a late import called at load time would escape the walker above.
    probe = "import sys, remem.cli; print(sorted(m for m in sys.modules if m.startswith('remem.bench')))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
