"""Stage 3, sentences -> scores: tone (VADER, lexicon, diplomatic), themes and actors, with their evidence.

Every scorer reads one :class:`~diplo.scoring.chunk.Chunk` per chunk of sentences (texts, tokens, the
:class:`~diplo.scoring.match.Matches` of every dictionary) through its ``score_chunk`` method; the protocol is
described in :mod:`diplo.scoring.score`.  Modules: :mod:`~diplo.scoring.chunk`, :mod:`~diplo.scoring.session`
(the owner of the caches), :mod:`~diplo.scoring.match` (dictionaries and the matcher),
:mod:`~diplo.scoring.vader`, :mod:`~diplo.scoring.tone`, :mod:`~diplo.scoring.themes`,
:mod:`~diplo.scoring.actors` and :mod:`~diplo.scoring.score` (:func:`score_sentences`); the fast internals
live in the private package ``diplo.scoring._engine``.
"""

from diplo.scoring.actors import ActorScorer, load_actors, score_actors, score_target_tone
from diplo.scoring.chunk import Chunk, Spans
from diplo.scoring.match import Dictionary, DictionaryError, Matcher, Matches, load_dictionary
from diplo.scoring.score import SCORE_TABLES, score_sentences
from diplo.scoring.session import ScoringSession
from diplo.scoring.themes import ThemeScorer, load_themes, score_themes
from diplo.scoring.tone import DiplomaticScorer, LexiconScorer, available_scorers, get_scorer, score_tone
from diplo.scoring.vader import VaderScorer, score_vader

__all__ = ["ActorScorer", "load_actors", "score_actors", "score_target_tone", "Chunk", "Spans", "Dictionary",
           "DictionaryError", "Matcher", "Matches", "load_dictionary", "SCORE_TABLES", "score_sentences",
           "ScoringSession", "ThemeScorer", "load_themes", "score_themes", "DiplomaticScorer", "LexiconScorer",
           "available_scorers", "get_scorer", "score_tone", "VaderScorer", "score_vader"]
