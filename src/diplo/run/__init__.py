"""Stage 5, a raw folder -> every output table: the pipeline, the engines that compute its chunks, and the
freshness check that reruns it only when something changed.

Modules: :mod:`~diplo.run.pipeline` (:func:`run_pipeline`), :mod:`~diplo.run.workers` (process pool, dask),
:mod:`~diplo.run.freshness` (:func:`ensure_processed`), :mod:`~diplo.run.lock` (one writer per output folder),
:mod:`~diplo.run.publish` (staging and all-or-nothing publishing).
"""

from diplo.run.freshness import ensure_processed
from diplo.run.pipeline import ENGINES, RunSummary, run_pipeline
from diplo.run.workers import default_jobs

__all__ = ["ensure_processed", "ENGINES", "RunSummary", "run_pipeline", "default_jobs"]
