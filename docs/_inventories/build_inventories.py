"""Write the small intersphinx inventories the documentation links against.

The documentation builds offline (CI has no network), so ``conf.py`` points
intersphinx at these local inventories instead of downloading each project's
``objects.inv``.  Each lists the objects of another project that this
documentation names, with the page where that project documents it.  Add a line
to ``OBJECTS`` and rerun ``python docs/_inventories/build_inventories.py`` when a
docstring names a new one.
"""
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: project -> (base URL, version, [(name, role, page relative to the base URL)])
OBJECTS = {
    "python": ("https://docs.python.org/3/", "3", [
        ("ValueError", "exception", "library/exceptions.html#ValueError"),
        ("KeyError", "exception", "library/exceptions.html#KeyError"),
        ("OSError", "exception", "library/exceptions.html#OSError"),
        ("RuntimeError", "exception", "library/exceptions.html#RuntimeError"),
        ("ImportError", "exception", "library/exceptions.html#ImportError"),
        ("MemoryError", "exception", "library/exceptions.html#MemoryError"),
        ("UserWarning", "exception", "library/exceptions.html#UserWarning"),
        ("Exception", "exception", "library/exceptions.html#Exception"),
        ("logging", "module", "library/logging.html#module-logging"),
        ("difflib", "module", "library/difflib.html#module-difflib"),
        ("os.PathLike", "class", "library/os.html#os.PathLike"),
        # the glossary terms and labels numpydoc links plain type words to
        ("sequence", "std:term", "glossary.html#term-sequence"),
        ("mapping", "std:term", "glossary.html#term-mapping"),
        ("iterable", "std:term", "glossary.html#term-iterable"),
        ("callable", "std:term", "glossary.html#term-callable"),
        ("bltin-boolean-values", "std:label", "library/stdtypes.html#bltin-boolean-values"),
    ]),
    "numpy": ("https://numpy.org/doc/stable/", "2", [
        ("numpy.ndarray", "class", "reference/generated/numpy.ndarray.html"),
        ("array_like", "std:term", "glossary.html#term-array_like"),
        ("array-like", "std:term", "glossary.html#term-array-like"),
        ("numpy.random.Generator", "class",
         "reference/random/generator.html#numpy.random.Generator"),
    ]),
    "pandas": ("https://pandas.pydata.org/docs/", "3", [
        ("pandas.DataFrame", "class", "reference/api/pandas.DataFrame.html"),
        ("pandas.Series", "class", "reference/api/pandas.Series.html"),
        ("pandas.Index", "class", "reference/api/pandas.Index.html"),
        ("pandas.MultiIndex", "class", "reference/api/pandas.MultiIndex.html"),
        ("pandas.Categorical", "class", "reference/api/pandas.Categorical.html"),
        ("pandas.CategoricalDtype", "class", "reference/api/pandas.CategoricalDtype.html"),
        ("pandas.Timestamp", "class", "reference/api/pandas.Timestamp.html"),
        ("pandas.Period", "class", "reference/api/pandas.Period.html"),
        ("pandas.factorize", "function", "reference/api/pandas.factorize.html"),
        ("pandas.read_parquet", "function", "reference/api/pandas.read_parquet.html"),
        ("pandas.io.formats.style.Styler", "class",
         "reference/api/pandas.io.formats.style.Styler.html"),
    ]),
    "scipy": ("https://docs.scipy.org/doc/scipy/", "1", [
        ("scipy.sparse", "module", "reference/sparse.html#module-scipy.sparse"),
        ("scipy.sparse.csr_matrix", "class",
         "reference/generated/scipy.sparse.csr_matrix.html"),
        ("scipy.sparse.csr_array", "class", "reference/generated/scipy.sparse.csr_array.html"),
        ("scipy.sparse.linalg", "module",
         "reference/sparse.linalg.html#module-scipy.sparse.linalg"),
        ("scipy.sparse.linalg.cg", "function",
         "reference/generated/scipy.sparse.linalg.cg.html"),
        ("scipy.sparse.csgraph", "module",
         "reference/sparse.csgraph.html#module-scipy.sparse.csgraph"),
    ]),
    "statsmodels": ("https://www.statsmodels.org/stable/", "0", [
        ("statsmodels.regression.linear_model.RegressionResultsWrapper", "class",
         "generated/statsmodels.regression.linear_model.RegressionResults.html"),
        ("statsmodels.regression.linear_model.OLS", "class",
         "generated/statsmodels.regression.linear_model.OLS.html"),
    ]),
    "networkx": ("https://networkx.org/documentation/stable/", "3", [
        ("networkx.Graph", "class", "reference/classes/graph.html#networkx.Graph"),
        ("networkx.DiGraph", "class", "reference/classes/digraph.html#networkx.DiGraph"),
        ("networkx.MultiGraph", "class",
         "reference/classes/multigraph.html#networkx.MultiGraph"),
        ("networkx.MultiDiGraph", "class",
         "reference/classes/multidigraph.html#networkx.MultiDiGraph"),
        ("networkx.betweenness_centrality", "function",
         "reference/algorithms/generated/"
         "networkx.algorithms.centrality.betweenness_centrality.html"),
        ("networkx.pagerank", "function",
         "reference/algorithms/generated/networkx.algorithms.link_analysis."
         "pagerank_alg.pagerank.html"),
    ]),
    "matplotlib": ("https://matplotlib.org/stable/", "3", [
        ("matplotlib.axes.Axes", "class", "api/_as_gen/matplotlib.axes.Axes.html"),
        ("matplotlib.figure.Figure", "class",
         "api/_as_gen/matplotlib.figure.Figure.html#matplotlib.figure.Figure"),
        ("matplotlib.rc_context", "function",
         "api/_as_gen/matplotlib.rc_context.html"),
    ]),
    "dask": ("https://docs.dask.org/en/stable/", "2026", [
        ("dask.dataframe.DataFrame", "class",
         "generated/dask.dataframe.DataFrame.html"),
        ("dask.dataframe.from_pandas", "function",
         "generated/dask.dataframe.from_pandas.html"),
        ("dask.delayed", "function", "delayed-api.html#dask.delayed.delayed"),
        ("dask.compute", "function", "api.html#dask.compute"),
    ]),
    "pyarrow": ("https://arrow.apache.org/docs/", "26", [
        ("pyarrow.dataset", "module", "python/api/dataset.html"),
        ("pyarrow.parquet", "module", "python/api/formats.html#parquet-files"),
        ("pyarrow.compute.Expression", "class",
         "python/generated/pyarrow.dataset.Expression.html"),
        ("pyarrow.parquet.read_table", "function",
         "python/generated/pyarrow.parquet.read_table.html"),
    ]),
}


def write(project, version, objects, path):
    """Write one inventory in Sphinx's version-2 format."""
    lines = [f"{name} {role if ':' in role else 'py:' + role} 1 {page} -"
             for name, role, page in objects]
    header = (f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n"
              "# The remainder of this file is compressed using zlib.\n").encode()
    path.write_bytes(header + zlib.compress(("\n".join(lines) + "\n").encode(), 9))


def main():
    for project, (_, version, objects) in OBJECTS.items():
        write(project, version, objects, HERE / f"{project}.inv")


if __name__ == "__main__":
    main()
