"""Stage 6, findings -> reports: notebook parameters, the notebook session, analysis tables, charts, batch runs
through papermill and sanitized HTML.

Modules: :mod:`~diplo.report.params`, :mod:`~diplo.report.session`, :mod:`~diplo.report.tables`,
:mod:`~diplo.report.plots` (with :mod:`~diplo.report.style` and
:mod:`~diplo.report.trend_plots`), :mod:`~diplo.report.batch`, :mod:`~diplo.report.sanitize`.
"""

from diplo.report.batch import ReportError, find_notebooks, load_params, notebook_parameters, run_report
from diplo.report.params import NotebookParams, parse_params
from diplo.report.session import NotebookRun, start_notebook

__all__ = ["ReportError", "find_notebooks", "load_params", "notebook_parameters", "run_report", "NotebookParams",
           "parse_params", "NotebookRun", "start_notebook"]
