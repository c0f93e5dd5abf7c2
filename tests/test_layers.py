"""The layers: imports run one way, web -> services and formats -> record, collection, search;
search imports nothing else of the archive; Flask only in the web layer.

Each layer is a folder of `oralhistory/` (`ARCHITECTURE.md`, "Layout"); the app
factory, the CLI and the base modules stay at the top. `ALLOWED` lists today's imports
against the direction, each as a pair; it may only shrink: an entry that no longer
occurs fails the test until removed.
`python -m benchmarks.import_graph` prints the graph's longest chain, cycles and violations.
"""

from __future__ import annotations

from benchmarks.import_graph import FLASK, imports

# What may import what: a layer imports its own modules and the layers it lists.
MAY_IMPORT = {
    "app": {
        "web",
        "services",
        "formats",
        "record",
        "collection",
        "search",
        "base",
        "flask",
        "sqlalchemy",
    },
    "web": {"services", "formats", "record", "collection", "search", "base", "flask"},
    "services": {"record", "collection", "search", "base", "sqlalchemy"},
    "formats": {"record", "base", "sqlalchemy"},
    "record": {"base", "sqlalchemy"},
    "collection": {"record", "base", "sqlalchemy"},  # export and backup read the record
    "search": set(),
    "base": set(),
}

LAYERS = {
    "app": ["oralhistory", "cli", "align_cli"],
    "base": ["messages", "errors", "language_names", "problems"],
    "record": ["record", "record.*"],
    "collection": ["collection", "collection.*"],
    "services": ["services", "services.*"],
    "formats": ["formats", "formats.*"],
    "web": ["web", "web.*"],
    "search": ["search", "search.*"],
}

# Today's imports against the direction: (importer, imported). Only ever shrinks.
ALLOWED: set[tuple[str, str]] = set()


def layer_of(module: str) -> str:
    """The layer `module` belongs to (by `LAYERS`); the libraries are their own layers."""
    if module in FLASK:
        return "flask"
    if module == "sqlalchemy":
        return "sqlalchemy"
    for layer, names in LAYERS.items():
        for name in names:
            if module == name or (name.endswith(".*") and module.startswith(name[:-1])):
                return layer
    raise LookupError(f"{module} has no layer: add it to LAYERS in tests/test_layers.py")


def violations(graph: dict[str, set[str]] | None = None) -> set[tuple[str, str]]:
    """Every import against the layers' direction, as (importer, imported)."""
    graph = imports() if graph is None else graph
    found = set()
    for module, targets in graph.items():
        layer = layer_of(module)
        for target in targets:
            other = layer_of(target)
            if other != layer and other not in MAY_IMPORT[layer]:
                found.add((module, target))
    return found


def test_every_module_of_the_archive_has_a_layer():
    for module in imports():
        layer_of(module)


def test_no_import_runs_against_the_layers_beyond_the_known_ones():
    new = violations() - ALLOWED
    assert not new, "imports against the layers (see MAY_IMPORT): " + ", ".join(
        f"{a} -> {b}" for a, b in sorted(new)
    )


def test_the_list_of_known_violations_only_shrinks():
    gone = ALLOWED - violations()
    assert not gone, "no longer imported: remove from ALLOWED: " + ", ".join(
        f"{a} -> {b}" for a, b in sorted(gone)
    )
