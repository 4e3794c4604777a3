"""Reproducible HTML/JSON reports on market shares, holdings and partnerships.

:func:`report` writes one self-contained page (and a JSON file with every number in
it) from a configuration or from keyword arguments; :func:`demo_inputs` names the
bundled AI-industry data the ``concentration report --demo`` command uses.
"""

from ._sections import ReportResult, demo_inputs, load_config, report

__all__ = ["report", "ReportResult", "load_config", "demo_inputs"]
