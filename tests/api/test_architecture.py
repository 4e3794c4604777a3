"""The package's import graph, read from the source with :mod:`ast`.

The rules are the layering of the package, from the bottom up: kernels, base
(``exceptions``, ``_validation``, ``_results``, ``_quadratic``, ``_tables``, ``_docstrings``,
``_dispatch``), IO, core, figures (``plotting``), analysis (``stats``), report, back ends
and the command line:

* no import cycle between the modules of ``concentration``;
* ``concentration._kernels`` imports nothing of the package;
* only ``concentration.backends`` imports a back end or Dask (``_dispatch`` finds
  back ends by name, at run time, so no static import edge exists);
* nothing but ``concentration.__main__`` imports ``concentration.cli``;
* the core never imports ``reporting`` or ``cli``, ``plotting`` never imports
  ``reporting``, and the core imports ``plotting`` only inside a function (a result's
  ``.plot()`` method);
* no name that starts with an underscore is imported from another module.

Every import counts, at module level or inside a function.
"""

import ast
import pathlib

import pytest

import concentration

# The source tree of the imported package (in CI, the installed copy).
ROOT = pathlib.Path(concentration.__file__).parent
PACKAGE = "concentration"

CORE = ("measures", "screen", "guidelines", "_pairwise", "ownership", "network", "io",
        "datasets", "_tables", "_validation", "_results", "_quadratic", "_dispatch",
        "_docstrings", "exceptions")
OPTIONAL_HEAVY = ("dask", "distributed")


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_package(path: pathlib.Path) -> bool:
    return path.name == "__init__.py"


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _resolve(module: str, is_pkg: bool, level: int, target: str | None) -> str:
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _imports(name: str, path: pathlib.Path):
    """Yield ``(imported module, imported name or None, lineno, at_top_level)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            mod = (_resolve(name, _is_package(path), node.level, node.module)
                   if node.level else node.module)
            for alias in node.names:
                full = f"{mod}.{alias.name}"
                if full in MODULES:  # `from pkg import submodule`
                    yield full, None, node.lineno, id(node) in top
                else:
                    yield mod, alias.name, node.lineno, id(node) in top


def _edges():
    out = []
    for name, path in MODULES.items():
        for target, imported, lineno, top in _imports(name, path):
            out.append((name, target, imported, lineno, top))
    return out


EDGES = _edges()


def _within(module: str, part: str) -> bool:
    full = f"{PACKAGE}.{part}"
    return module == full or module.startswith(full + ".")


def _internal_target(target: str) -> str | None:
    """The package module an import resolves to (the longest known prefix)."""
    parts = target.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in MODULES:
            return cand
        parts.pop()
    return None


def test_source_tree_found():
    assert f"{PACKAGE}.measures" in MODULES
    assert f"{PACKAGE}.backends.dask" in MODULES
    assert len(EDGES) > 50


def test_no_import_cycle():
    graph = {m: set() for m in MODULES}
    for src, target, _, _, _ in EDGES:
        if target.startswith(PACKAGE):
            dst = _internal_target(target)
            # importing a package's submodule runs the package's __init__ first, but the
            # __init__ files only gather names: the edge that matters is to the module itself
            if dst and dst != src:
                graph[src].add(dst)
    # a package __init__ importing its own submodules is the only way into them
    state, stack_path, cycles = {}, [], []

    def visit(node):
        state[node] = 1
        stack_path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                if not _init_edge(node, nxt):
                    cycles.append(stack_path[stack_path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack_path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def _init_edge(src, dst):
    """A submodule reaching back to its own package's __init__ (``from . import x``)."""
    return src.startswith(dst + ".") and _is_package(MODULES[dst])


def test_kernels_import_nothing_of_the_package():
    bad = [(s, t, ln) for s, t, _, ln, _ in EDGES
           if _within(s, "_kernels") and t.startswith(PACKAGE) and not _within(t, "_kernels")]
    assert not bad, bad


def test_only_backends_import_backends_or_dask():
    bad = [(s, t, ln) for s, t, _, ln, _ in EDGES
           if not _within(s, "backends")
           and (_within(t, "backends") or t.split(".")[0] in OPTIONAL_HEAVY)]
    assert not bad, bad


def test_nothing_but_main_imports_cli():
    bad = [(s, t, ln) for s, t, _, ln, _ in EDGES
           if _within(t, "cli") and not _within(s, "cli") and s != f"{PACKAGE}.__main__"]
    assert not bad, bad


@pytest.mark.parametrize("part", CORE)
def test_core_never_imports_reporting_or_cli(part):
    bad = [(s, t, ln) for s, t, _, ln, _ in EDGES
           if _within(s, part) and (_within(t, "reporting") or _within(t, "cli"))]
    assert not bad, bad


@pytest.mark.parametrize("part", CORE)
def test_core_imports_plotting_only_inside_functions(part):
    bad = [(s, t, ln) for s, t, _, ln, top in EDGES
           if _within(s, part) and _within(t, "plotting") and top]
    assert not bad, bad


def test_plotting_never_imports_reporting():
    bad = [(s, t, ln) for s, t, _, ln, _ in EDGES
           if _within(s, "plotting") and _within(t, "reporting")]
    assert not bad, bad


def test_no_underscore_name_leaves_its_module():
    bad = [f"{s}:{ln} imports {n} from {t}" for s, t, n, ln, _ in EDGES
           if n is not None and n.startswith("_") and not n.startswith("__")
           and t.startswith(PACKAGE)]
    assert not bad, "\n".join(bad)


BASE = ("exceptions", "_validation", "_results", "_quadratic", "_tables", "_docstrings",
        "_dispatch", "_version", "_periods", "_entities", "_progress", "_format")


@pytest.mark.parametrize("part", BASE)
def test_base_imports_only_base_and_kernels(part):
    allowed = BASE + ("_kernels",)
    bad = [(s, t, ln) for s, t, _, ln, _ in EDGES
           if _within(s, part) and t.startswith(PACKAGE + ".")
           and not any(_within(t, a) for a in allowed)]
    assert not bad, bad


@pytest.mark.parametrize("part", ("stats", "plotting"))
def test_analysis_and_figures_never_import_reporting_or_cli(part):
    bad = [(s, t, ln) for s, t, _, ln, _ in EDGES
           if _within(s, part) and (_within(t, "reporting") or _within(t, "cli"))]
    assert not bad, bad
