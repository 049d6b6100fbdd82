"""Stage 4, scores -> findings: aggregates with cluster-bootstrap intervals, topic models, validation against
human labels.

Modules: :mod:`~diplo.analysis.aggregate`, :mod:`~diplo.analysis.topics`, :mod:`~diplo.analysis.validate`.
"""

from diplo.analysis.aggregate import (aggregate_actor_tone, aggregate_by, aggregate_speaker_tone,
                                      aggregate_theme_drivers, aggregate_theme_tone, aggregate_topics)
from diplo.analysis.topics import fit_topics, paragraph_documents, score_topics, top_terms, topic_theme_correlation
from diplo.analysis.validate import validate_file, validate_scorers

__all__ = ["aggregate_actor_tone", "aggregate_by", "aggregate_speaker_tone", "aggregate_theme_drivers",
           "aggregate_theme_tone", "aggregate_topics", "fit_topics", "paragraph_documents", "score_topics",
           "top_terms", "topic_theme_correlation", "validate_file", "validate_scorers"]
