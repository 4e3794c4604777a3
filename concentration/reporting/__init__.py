"""Reproducible HTML/JSON reports on market shares, holdings and partnerships.

:func:`report` writes one self-contained page (and a JSON file with every number in
it) from a configuration or from keyword arguments; :func:`demo_inputs` names the
bundled AI-industry data the ``concentration report --demo`` command uses.
"""

from ._config import load_config
from ._inputs import demo_inputs
from ._report import ReportResult, output_paths, report

__all__ = ["report", "ReportResult", "output_paths", "load_config", "demo_inputs"]
