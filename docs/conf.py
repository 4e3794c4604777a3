"""Sphinx configuration for the concentration documentation.

Build from the repository root, with the package installed (``pip install
'.[docs]'``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Warnings fail the build.  The tutorials (MyST notebooks in ``tutorials/``) and the
code cells of the other pages are executed at build time; an error in one fails
the build.  The guideline table (``guideline-table.md``) is generated from the
registry in :mod:`concentration.guidelines` when the page is read.
"""

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent


def _import_concentration():
    """Import the installed package; fall back to the source tree (in-place build).

    ``python -m sphinx`` puts the current directory first on ``sys.path``; from the
    repository root that would shadow the installed package with the source tree,
    which has no compiled kernels in a fresh clone.  The installed package wins.
    """
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT]
    try:
        import concentration
    except ImportError:
        sys.path[:] = saved
        import concentration
    finally:
        if "concentration" in sys.modules:
            sys.path[:] = saved
    return concentration


concentration = _import_concentration()
# autosummary writes one page per API entry; start from scratch so a renamed or
# removed function leaves no orphan page behind.
import shutil  # noqa: E402

shutil.rmtree(DOCS / "api" / "generated", ignore_errors=True)
# The notebook kernels must import the same package this process documents.
_PKG_PARENT = str(Path(concentration.__file__).resolve().parent.parent)
if _PKG_PARENT == str(ROOT):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (_PKG_PARENT, os.environ.get("PYTHONPATH")) if p)

project = "concentration"
author = "The concentration developers"
copyright = "2026, The concentration developers"
release = concentration.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]

# Links to the documentation of the libraries the API names (pandas.DataFrame,
# scipy.sparse, networkx.Graph, ...).  The build runs offline, so each project's
# inventory is the small local one in _inventories/ (see build_inventories.py there).
INVENTORIES = DOCS / "_inventories"
sys.path.insert(0, str(INVENTORIES))
from build_inventories import OBJECTS  # noqa: E402

sys.path.remove(str(INVENTORIES))
intersphinx_mapping = {name: (url, str(INVENTORIES / f"{name}.inv"))
                       for name, (url, _, _) in OBJECTS.items()}
intersphinx_disabled_reftypes = []

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md", "jupyter_execute"]
templates_path = ["_templates"]
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
# Type words that are prose, not objects.
numpydoc_xref_ignore = {"optional", "default", "of", "or", "and", "a", "an", "the", "one",
                        "each", "sequence", "mapping", "callable", "iterable", "array_like",
                        "array-like", "int", "float", "str", "bool", "dict", "list", "tuple",
                        "set", "None", "object", "type", "path", "file", "pair", "pairs",
                        "shape", "with", "to", "in", "per", "any", "by", "keys", "values",
                        "positive", "non-negative", "two", "three", "like", "column",
                        "columns", "name", "names", "row", "rows", "table", "frame"}
# Names the docstrings use without their module: exceptions, results and frames.
numpydoc_xref_aliases = {
    **{name: f"concentration.exceptions.{name}"
       for name in concentration.exceptions.__all__},
    **{name: f"concentration.{name}"
       for name in ("Holdings", "MHHI", "MergerScreen", "ControlModel", "ValidationReport",
                    "PartnershipNetwork", "WeightedHHI")
       if name in concentration.__all__},
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "ndarray": "numpy.ndarray",
}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 120  # per cell
nb_execution_show_tb = True
nb_merge_streams = True
html_theme = "alabaster"
html_static_path = []
html_title = f"concentration {release}"
suppress_warnings = ["myst.header"]

# ---------------------------------------------------------------------------------
# Topic pages: each module's user guide is ``docs/<topic>.md``.  The index lists the
# ones present, in this order, followed by any other top-level page not named here,
# so a newly added page is wired in without editing the index.
TOPIC_ORDER = [
    "datasets", "screening", "guidelines", "guideline-table", "ownership", "overlap",
    "network", "stats", "report", "dask",
]
NOT_TOPICS = {"index", "quickstart", "methodology", "references", "api"}
TOPIC_PLACEHOLDER = "<!-- topic pages are listed here by conf.py -->"
GUIDELINE_TABLE = "guideline-table"
# A page holding a pasted copy of the registry's Markdown is regenerated too.
GENERATED_MARKER = "<!-- Generated by concentration.guidelines.to_markdown()"


def topic_pages():
    """Names of the topic pages present in ``docs/``, in reading order."""
    present = {p.stem for p in DOCS.glob("*.md")} | {p.stem for p in DOCS.glob("*.rst")}
    ordered = [t for t in TOPIC_ORDER if t in present]
    rest = sorted(present - set(ordered) - NOT_TOPICS)
    return ordered + rest


def _source_read(app, docname, source):
    if docname == "index" and TOPIC_PLACEHOLDER in source[0]:
        source[0] = source[0].replace(TOPIC_PLACEHOLDER, "\n".join(topic_pages()))
    elif docname == GUIDELINE_TABLE or GENERATED_MARKER in source[0]:
        from concentration.guidelines import to_markdown

        source[0] = to_markdown()


def _always_reread(app, env, added, changed, removed):
    # Both pages depend on things outside their own source: read them every build.
    return [d for d in ("index", GUIDELINE_TABLE) if d in env.found_docs]


# ---------------------------------------------------------------------------------
# Citations.  Several modules list their references once, in the module docstring,
# and cite them from function docstrings (``[OS]_``).  numpydoc makes citation labels
# unique per docstring, so each rendered docstring must define what it cites: before
# numpydoc runs, copy the missing definitions from the module docstring into the
# docstring's References section.
_CITE_USE = re.compile(r"\[([\w-]+)\]_")
_CITE_DEF = re.compile(r"^\.\. \[([\w-]+)\]", re.M)


def _module_citations(module):
    """``{label: [lines]}`` for the ``.. [label]`` entries of a module docstring."""
    import inspect

    doc = inspect.cleandoc(getattr(module, "__doc__", None) or "")
    out, label = {}, None
    for line in doc.splitlines():
        m = _CITE_DEF.match(line)
        if m:
            label = m.group(1)
            out[label] = [line]
        elif label is not None and line.startswith("   "):
            out[label].append(line)
        else:
            label = None
    return out


def _add_module_citations(app, what, name, obj, options, lines):
    if what == "module":
        return
    text = "\n".join(lines)
    missing = sorted(set(_CITE_USE.findall(text)) - set(_CITE_DEF.findall(text)))
    if not missing:
        return
    modname = getattr(obj, "__module__", None) or name.rpartition(".")[0]
    module = sys.modules.get(modname)
    cites = _module_citations(module) if module is not None else {}
    add = [line for label in missing for line in cites.get(label, [])]
    if not add:
        return
    heads = [i for i in range(len(lines) - 1)
             if lines[i].strip() == "References" and set(lines[i + 1].strip()) == {"-"}]
    if not heads:
        lines.extend(["", "References", "----------"] + add)
        return
    # end of the References section: the next numpydoc section heading, or the end
    end = len(lines)
    for i in range(heads[0] + 2, len(lines) - 1):
        if lines[i].strip() and set(lines[i + 1].strip()) == {"-"} and len(lines[i + 1].strip()) >= 3:
            end = i
            break
    while end > heads[0] + 2 and not lines[end - 1].strip():
        end -= 1
    lines[end:end] = add


# ---------------------------------------------------------------------------------
# A tutorial that plots must show its figures: after the build, every tutorial whose
# code draws (plot_*, .plot(, plt.) must have at least one image in its page.
_DRAWS = re.compile(r"(\bplot_\w+\(|\.plot\(|\bplt\.)")


def _tutorials_show_figures(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    missing = []
    for src in sorted((DOCS / "tutorials").glob("*.md")):
        code = "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", src.read_text(),
                                    flags=re.S))
        if not _DRAWS.search(code):
            continue
        page = Path(app.outdir) / "tutorials" / (src.stem + ".html")
        if page.exists() and "<img" not in page.read_text(encoding="utf-8"):
            missing.append(src.name)
    if missing:
        from sphinx.errors import ExtensionError

        raise ExtensionError(
            "tutorials that plot but show no figure: " + ", ".join(missing)
            + ". End the plotting cell with the figure (e.g. `fig`) instead of switching "
            "matplotlib to a non-interactive backend.")


def setup(app):
    app.connect("build-finished", _tutorials_show_figures)
    app.connect("autodoc-process-docstring", _add_module_citations, priority=100)
    app.connect("source-read", _source_read)
    app.connect("env-get-outdated", _always_reread)
    return {"parallel_read_safe": True}
