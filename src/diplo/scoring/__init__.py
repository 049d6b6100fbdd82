"""Stage 3, sentences -> scores: tone (VADER, lexicon, diplomatic), themes and actors, with their evidence.

Modules: :mod:`~diplo.scoring.match` (dictionaries and the matcher), :mod:`~diplo.scoring.vader`,
:mod:`~diplo.scoring.tone`, :mod:`~diplo.scoring.themes`, :mod:`~diplo.scoring.actors`, and
:mod:`~diplo.scoring.score` (every scorer over a chunk of sentences: :func:`score_sentences`).
"""

from diplo.scoring.actors import ActorScorer, load_actors, score_actors, score_target_tone
from diplo.scoring.match import Dictionary, DictionaryError, Matcher, load_dictionary
from diplo.scoring.score import SCORE_TABLES, score_sentences
from diplo.scoring.themes import ThemeScorer, load_themes, score_themes
from diplo.scoring.tone import DiplomaticScorer, LexiconScorer, available_scorers, get_scorer, score_tone
from diplo.scoring.vader import score_vader

__all__ = ["ActorScorer", "load_actors", "score_actors", "score_target_tone", "Dictionary", "DictionaryError",
           "Matcher", "load_dictionary", "SCORE_TABLES", "score_sentences", "ThemeScorer", "load_themes",
           "score_themes", "DiplomaticScorer", "LexiconScorer", "available_scorers", "get_scorer", "score_tone",
           "score_vader"]
