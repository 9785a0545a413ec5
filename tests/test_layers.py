"""The code's shape: layers that import downwards only, no import cycles, small modules.

Imports are read from the source with ``ast`` (every import, including those inside a
function, since a deferred import is still a dependency), so the test needs neither Django
nor the modules' import side effects. Migrations are generated code and left out.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"
TESTS = Path(__file__).resolve().parent
MAX_LINES = 400
# Layers below the web app and the command line: they never import either.
LOWER_LAYERS = (
    "aftercare.engine",
    "aftercare.protocols",
    "aftercare.exports",
    "aftercare.contracts",
)
UPPER_LAYERS = ("aftercare.web", "aftercare.cli")
# The web app's page packages: each imports the care layer below them, never another.
PAGES = ("web.portal", "web.staff", "web.api")


def modules(root: Path) -> dict[str, Path]:
    """Every module under ``root`` by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(root: Path) -> dict[str, set[str]]:
    """Which of the modules under ``root`` each module imports."""
    known = modules(root)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for target in _targets(ast.parse(path.read_text(encoding="utf-8")), package):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def _targets(tree: ast.AST, package: str) -> Iterable[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def web_part(module: str) -> str:
    """The web layer's part a module belongs to (``aftercare.web.staff.x`` -> ``staff``),
    or the module's top-level package outside it."""
    parts = module.split(".")
    if parts[:2] == ["aftercare", "web"] and len(parts) > 2:
        return f"web.{parts[2]}"
    return ".".join(parts[:2])


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph``, or None when it has none."""
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        return list(error.args[1])
    return None


def parts_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    parts: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        parts[web_part(module)].update(
            web_part(t) for t in targets if web_part(t) != web_part(module)
        )
    return dict(parts)


GRAPH = imports(SOURCE)


def test_no_module_takes_part_in_an_import_cycle() -> None:
    found = cycle(GRAPH)
    assert found is None, " -> ".join(found or ())


def test_the_web_layers_parts_import_each_other_in_one_direction() -> None:
    found = cycle(parts_graph(GRAPH))
    assert found is None, " -> ".join(found or ())


def test_page_packages_never_import_each_other() -> None:
    parts = parts_graph(GRAPH)
    crossing = sorted(f"{page} -> {other}" for page in PAGES for other in parts[page] & set(PAGES))
    assert crossing == []


@pytest.mark.parametrize("layer", LOWER_LAYERS)
def test_a_lower_layer_imports_nothing_from_the_web_app_or_the_command_line(layer: str) -> None:
    reaching_up = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if module == layer or module.startswith(f"{layer}.")
        for target in targets
        if target.startswith(UPPER_LAYERS)
    )
    assert reaching_up == []


@pytest.mark.parametrize("root", [SOURCE, TESTS], ids=["src", "tests"])
def test_no_module_is_over_400_lines(root: Path) -> None:
    """Tests are held to the source's size: a test file past it splits by concern, with the
    helpers its parts share in a module of their own."""
    long = {
        name: lines
        for name, path in modules(root).items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_checks_see_a_cycle_a_deferred_import_and_a_loop_between_parts(
    tmp_path: Path,
) -> None:
    """The checks can fail: a small tree with each fault in it is caught."""
    web = tmp_path / "aftercare" / "web"
    for package in (web / "staff", web / "portal"):
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
    (tmp_path / "aftercare" / "__init__.py").write_text("")
    (web / "__init__.py").write_text("")
    (web / "staff" / "a.py").write_text("from aftercare.web.portal import b\n")
    (web / "portal" / "b.py").write_text("def late():\n    from ..staff.c import x\n")
    (web / "staff" / "c.py").write_text("x = 1\n")
    graph = imports(tmp_path)
    assert graph["aftercare.web.portal.b"] == {"aftercare.web.staff.c"}
    assert cycle(graph) is None
    assert set(cycle(parts_graph(graph)) or ()) == {"web.portal", "web.staff"}
    (web / "staff" / "c.py").write_text("from . import a\n")
    assert cycle(imports(tmp_path)) is not None
