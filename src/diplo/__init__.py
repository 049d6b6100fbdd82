"""diplo: measure how the tone and themes of diplomatic news change over time.

The data's journey is the package list; each stage imports only the stages before it::

    io        raw files -> RawDocument (encodings, formats, metadata.csv); outputs written and read back
    text      RawDocument -> article -> sentences (clean, metadata, segment, near-duplicates)
    scoring   sentences -> tone, themes, actors, with the evidence behind every score
    analysis  scores -> aggregates with intervals, topics, validation against human labels
    run       a raw folder -> every output table (chunks on a process pool or dask), rebuilt only when stale
    report    tables -> notebook sessions, charts, tables and batch reports
    cli       the ``diplo`` command

This module is the researcher's API: the names a notebook needs, imported on first use so that ``import
diplo`` stays quick.  The library never configures logging.
"""

from __future__ import annotations

import importlib
import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

# public name -> the module that defines it
_FACADE = {
    "run_pipeline": "diplo.run.pipeline", "ensure_processed": "diplo.run.freshness",
    "load_outputs": "diplo.io.outputs",
    "summarize_ingest": "diplo.text.summary", "ingest_notes": "diplo.text.summary",
    "score_sentences": "diplo.scoring.score", "score_tone": "diplo.scoring.tone",
    "score_themes": "diplo.scoring.themes", "score_target_tone": "diplo.scoring.actors",
    "parse_params": "diplo.report.params", "parse_validation_files": "diplo.report.params",
    "start_notebook": "diplo.report.session", "run_report": "diplo.report.batch",
    "show_table": "diplo.report.tables", "theme_names": "diplo.report.tables",
    "corpus_overview": "diplo.report.tables", "top_sentences": "diplo.report.tables", "theme_kwic": "diplo.report.tables",
    "topic_labels": "diplo.report.tables", "validation_table": "diplo.report.tables",
    "confusion_table": "diplo.report.tables", "theme_sentences": "diplo.report.tables",
    "headlines": "diplo.report.tables",
    "aggregate_by": "diplo.analysis.aggregate", "aggregate_theme_tone": "diplo.analysis.aggregate",
    "aggregate_theme_drivers": "diplo.analysis.aggregate", "aggregate_actor_tone": "diplo.analysis.aggregate",
    "aggregate_speaker_tone": "diplo.analysis.aggregate", "aggregate_sums": "diplo.analysis.aggregate",
    "aggregate_binned": "diplo.analysis.trends", "detect_change_points": "diplo.analysis.trends",
    "load_events": "diplo.io.events",
    "fit_topics": "diplo.analysis.topics", "top_terms": "diplo.analysis.topics",
    "score_topics": "diplo.analysis.topics", "paragraph_documents": "diplo.analysis.topics",
    "topic_theme_correlation": "diplo.analysis.topics",
    "validate_file": "diplo.analysis.validate", "kwic": "diplo.analysis.kwic",
    "plots": None,  # the module diplo.report.plots: every chart helper, ``plots.plot_*``
}
_MODULES = {"plots": "diplo.report.plots"}

__all__ = ["__version__", *_FACADE]


def __getattr__(name: str):
    # PEP 562: the facade's names are imported on first use (``from diplo import plots`` still works).
    if name in _FACADE:
        if _FACADE[name] is None:
            value = importlib.import_module(_MODULES[name])
        else:
            value = getattr(importlib.import_module(_FACADE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'diplo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_FACADE])
