"""diplo: measure how the tone and themes of diplomatic news change over time.

The data's journey is the module list::

    load -> clean -> segment -> score (tone, themes, actors) -> aggregate -> plots -> report

Each stage imports only the stages before it.  The library never configures logging.
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from diplo.pipeline import run_pipeline, load_outputs  # noqa: E402

__all__ = ["__version__", "run_pipeline", "load_outputs"]
