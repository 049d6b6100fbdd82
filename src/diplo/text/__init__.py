"""Stage 2, raw document -> article -> sentences: cleaning, metadata, sentence segmentation, near-duplicates.

Modules: :mod:`~diplo.text.clean` (normalization steps and boilerplate rules), :mod:`~diplo.text.metadata`
(title, date, outlet, author), :mod:`~diplo.text.dates` (printed dates, URL and file-name dates),
:mod:`~diplo.text.language` (each article's language), :mod:`~diplo.text.segment` (Punkt sentences),
:mod:`~diplo.text.dedupe` (MinHash near-duplicates), :mod:`~diplo.text.corpus` (the articles, sentences and
removed tables of a chunk), :mod:`~diplo.text.summary` (the run summary: counts by status, language, sources).
"""

from diplo.text.clean import BOILERPLATE_RULES, DEFAULT_STEPS, clean_article, make_pipeline, remove_boilerplate
from diplo.text.corpus import build_corpus, count_words, count_words_many
from diplo.text.dedupe import NearDuplicateIndex, minhash_signatures
from diplo.text.metadata import extract_metadata
from diplo.text.segment import iter_sentences

__all__ = ["BOILERPLATE_RULES", "DEFAULT_STEPS", "clean_article", "make_pipeline", "remove_boilerplate",
           "build_corpus", "count_words", "count_words_many", "NearDuplicateIndex", "minhash_signatures",
           "extract_metadata", "iter_sentences"]
