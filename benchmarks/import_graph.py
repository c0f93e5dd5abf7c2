"""The import graph of `oralhistory/`, read from the source with `ast` (nothing is imported):
its cycles, its longest chain and its layer violations (`tests/test_layers.py` holds the
layers and the allowed exceptions).

    .venv/bin/python -m benchmarks.import_graph

Every import counts, at the top of a module or inside a function: an import deferred to
dodge a cycle is still a dependency. Importing a package's module from outside the package
counts as importing the package too (its `__init__` runs first).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "oralhistory"
# libraries whose use is a layer's business (`tests/test_layers.py`)
WATCHED = {"flask", "flask_babel", "flask_wtf", "werkzeug", "jinja2", "sqlalchemy"}
FLASK = {"flask", "flask_babel", "flask_wtf", "werkzeug", "jinja2"}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    """`oralhistory/search/store.py` as `search.store`; the package itself as `oralhistory`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "oralhistory"


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the archive's code (its migrations aside), by `module_name`."""
    return {
        module_name(path, root): path
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.relative_to(root).parts
    }


def _dotted(name: str) -> str:
    # `oralhistory.search.store` -> `search.store`; `oralhistory` stays itself
    return name.removeprefix("oralhistory.") if name != "oralhistory" else name


def imports(root: Path = PACKAGE) -> dict[str, set[str]]:
    """What each module imports: other modules of the archive (by `module_name`) and the
    watched libraries (by their top-level name)."""
    known = modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        package_parts = [] if package in ("", "oralhistory") else package.split(".")
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
                for alias in node.names:
                    full = f"{target}.{alias.name}" if target else alias.name
                    found.add(full if full in known else (target or "oralhistory"))
            elif isinstance(node, ast.ImportFrom):
                found |= _outside(node.module or "", [a.name for a in node.names], known)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    found |= _outside(alias.name, [], known)
        found |= _packages_run(name, found, known)
        found.discard(name)
        graph[name] = found
    return graph


def _packages_run(name: str, targets: set[str], known: dict[str, Path]) -> set[str]:
    # Importing `search.analysis` from outside `search` runs `search/__init__.py` first.
    run = set()
    for target in targets:
        parts = target.split(".")
        for end in range(1, len(parts)):
            package = ".".join(parts[:end])
            if package in known and not (name == package or name.startswith(package + ".")):
                run.add(package)
    return run


def _outside(module: str, names: Iterable[str], known: dict[str, Path]) -> set[str]:
    top = module.split(".")[0]
    if top in WATCHED:
        return {top}
    if top != "oralhistory":
        return set()
    target = _dotted(module)
    return {f"{target}.{n}" if f"{target}.{n}" in known else target for n in names} or {target}


def archive_only(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph less the libraries: modules of the archive and their imports of each other."""
    return {name: {t for t in targets if t in graph} for name, targets in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (each a cycle or a knot of them),
    largest first (Tarjan's algorithm)."""
    graph = archive_only(graph)
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
            part = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found, key=lambda part: (-len(part), part))


def longest_chain(graph: dict[str, set[str]]) -> list[str]:
    """The longest chain of imports that visits no module twice (exact: a search over every
    simple path, fast enough for a graph this size when cycles are few and small)."""
    graph = archive_only(graph)
    best: list[str] = []
    memo: dict[str, list[str]] = {}
    knotted = {node for part in cycles(graph) for node in part}

    def walk(node: str, seen: list[str]) -> None:
        nonlocal best
        if len(seen) > len(best):
            best = list(seen)
        for target in sorted(graph[node]):
            if target in seen:
                continue
            if target not in knotted and target in memo:
                # below a module outside every cycle, its longest chain is always the same
                if len(seen) + len(memo[target]) > len(best):
                    best = [*seen, *memo[target]]
                continue
            seen.append(target)
            walk(target, seen)
            seen.pop()

    # modules outside every cycle, deepest first, so that `memo` is filled before it is read
    order = _depth_first_order(graph)
    for node in order:
        best_before, best = best, []
        walk(node, [node])
        if node not in knotted:
            memo[node] = best
        best = max(best_before, best, key=len)
    return best


def _depth_first_order(graph: dict[str, set[str]]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(node: str) -> None:
        seen.add(node)
        for target in sorted(graph[node]):
            if target not in seen:
                visit(target)
        order.append(node)

    for node in sorted(graph):
        if node not in seen:
            visit(node)
    return order


def main() -> None:
    """Print the longest chain, the cycles and the layer violations of the import graph."""
    from tests.test_layers import violations

    graph = imports()
    chain = longest_chain(graph)
    print(f"modules: {len(graph)}")
    print(f"longest chain: {len(chain) - 1} steps: {' -> '.join(chain)}")
    knots = cycles(graph)
    print(f"cycles: {len(knots)} knot(s)")
    for part in knots:
        print(f"  {len(part)}: {', '.join(part)}")
    found = sorted(violations(graph))
    print(f"layer violations: {len(found)}")
    for importer, imported in found:
        print(f"  {importer} -> {imported}")


if __name__ == "__main__":
    main()
