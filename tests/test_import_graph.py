"""The import graph of `app/` and `ui/`, built from the source (every import, including those inside functions):
no cycle between packages, and no import from a lower layer to a higher one.

Layers, lowest first: the base modules (errors, text, fileio, paths, progress, changes), the pure domain, storage
(the database session), the engines (evidence, documents, dossier, backup, recipient, scratch), the use cases
(services), the front-ends' helpers (demo, selftest) and the command line, and the Qt interface above all of app.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The base modules at the top of `app/`: one unit, the package `app` itself.
BASE = {"errors", "text", "fileio", "paths", "progress", "changes"}
LAYERS: dict[str, int] = {
    "app": 0,
    "app.domain": 1,
    "app.storage": 2, "app.scratch": 2,
    "app.evidence": 3, "app.documents": 3, "app.dossier": 3, "app.backup": 3, "app.recipient": 3,
    "app.services": 4,
    "app.demo": 5, "app.selftest": 5, "app.cli": 6, "app.__main__": 7,
    "ui": 8,
}


def package_of(module: str) -> str | None:
    """'app.evidence.store' -> 'app.evidence'; 'ui.pages.x' -> 'ui'; other roots -> None."""
    parts = module.split(".")
    if parts[0] == "ui":
        return "ui"
    if parts[0] != "app":
        return None
    return "app" if len(parts) == 1 or parts[1] in BASE else f"app.{parts[1]}"


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def import_edges() -> dict[tuple[str, str], list[str]]:
    """(from package, to package) -> the modules that import across, for every import statement in app/ and ui/."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("ui/**/*.py")]):
        module = module_name(path)
        source = package_of(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                folder = ROOT.joinpath(*node.module.split("."))
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names  # submodules
                                           if (folder / alias.name).is_dir() or (folder / f"{alias.name}.py").is_file()]
            else:
                continue
            for target in targets:
                package = package_of(target)
                if package is not None and package != source and (target != "app" or source == "ui"):
                    edges[(source, package)].append(module)
    return edges


def test_every_package_has_a_layer():
    packages = {package_of(module_name(p)) for p in [*ROOT.glob("app/**/*.py"), *ROOT.glob("ui/**/*.py")]}
    assert sorted(p for p in packages if p not in LAYERS) == []


def test_no_import_reaches_up_a_layer():
    upward = sorted(f"{source} -> {target} ({', '.join(sorted(set(modules)))})"
                    for (source, target), modules in import_edges().items() if LAYERS[target] > LAYERS[source])
    assert upward == []


def test_no_cycle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in import_edges():
        graph[source].add(target)
    cycles = []
    for start in sorted(graph):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    cycles.append(" -> ".join([*path, start]))
                elif nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    assert cycles == []
