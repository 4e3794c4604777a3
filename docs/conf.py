"""Sphinx configuration for the concentration documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` after installing the
package with its ``docs`` extra.  Tutorials (MyST notebooks in ``tutorials/``) are
executed at build time; an error in one fails the build.
"""

import concentration

project = "concentration"
author = "The concentration developers"
copyright = "2026, The concentration developers"
release = concentration.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True
html_theme = "alabaster"
html_static_path = []
suppress_warnings = ["myst.header"]
