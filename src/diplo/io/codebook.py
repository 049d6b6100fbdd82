"""The codebook: every column diplo writes, its type, unit and meaning.

One source of truth: ``diplo run`` renders it to ``OUT/CODEBOOK.md`` and a test checks that every
column of every output table is documented here.
"""

from __future__ import annotations

from typing import Mapping, Sequence

__all__ = ["CODEBOOK", "describe", "render_codebook"]

# table -> column -> (type, unit, meaning)
CODEBOOK: dict[str, dict[str, tuple[str, str, str]]] = {
    "manifest.csv": {
        "source_file": ("string", "", "path of the input file relative to the raw folder (folders end in '/')"),
        "status": ("string", "ok / rejected / duplicate / skipped",
                   "what happened to the file; duplicate = same bytes as an earlier file (named in reason); "
                   "skipped = its articles are in a language not asked for with --languages (named in reason)"),
        "reason": ("string", "", "why a file was rejected or marked duplicate; empty when ok"),
        "format": ("string", "txt / html / csv / tsv / jsonl", "input format by file extension; empty when unsupported"),
        "encoding": ("string", "", "text encoding detected (utf-8, utf-8-sig, utf-16, cp1252, latin-1, ...); "
                     "empty when the file was not decoded"),
        "n_rows": ("int", "rows", "records read: 1 for a single-article file, data rows for a tabular file "
                   "(a 'partially read' reason says where reading stopped)"),
        "n_rejected_rows": ("int", "rows", "rows of a tabular file rejected (listed in rejected_rows.csv); "
                            "n_rows = n_documents + n_rejected_rows"),
        "n_documents": ("int", "articles", "articles the file contributed (tabular files: rows kept)"),
        "bytes": ("int", "bytes", "file size; 0 when the file could not be read"),
        "sha256": ("string", "hex", "SHA-256 of the file's bytes; empty when the file could not be read"),
        "language": ("string", "ISO 639-1", "language of the file's articles (the most common one for a tabular "
                     "file); empty when none was kept or it was undetermined"),
        "language_confidence": ("float", "0..1", "mean detector confidence of the file's articles in that "
                                "language; empty when no language"),
        "notes": ("string", "", "what ingest changed: an outlet, title or author over 300 characters is cut (ends in "
                  "'…') and its full value kept here ('<doc_id>: title cut from N to 300 characters; full value: ...'); "
                  "empty when nothing was cut"),
    },
    "rejected_rows.csv": {
        "source_file": ("string", "", "tabular input file, relative to the raw folder"),
        "row": ("int", "", "1-based record number (CSV/TSV: data record after the header; JSONL: line number)"),
        "reason": ("string", "", "why the row was not used (empty text, wrong field count, invalid JSON, too long, "
                   "a language not asked for with --languages)"),
    },
    "articles": {
        "doc_id": ("string", "", "article id: file stem; tabular inputs: '<stem>-<row>' with the 1-based record "
                   "number zero-padded to 6 digits (e.g. 'export-000042'); a clashing stem gets '-<8 hex>' added"),
        "source_file": ("string", "", "input file the article came from, relative to the raw folder"),
        "title": ("string", "", "headline; empty when none was found"),
        "title_source": ("string", "metadata.csv / html / table / text / unknown", "where the title came from"),
        "date": ("date", "YYYY-MM-DD", "publication date (parquet: date32; CSV: ISO text); empty when unknown. "
                 "Years outside 1900..next year are refused; Solar Hijri dates are converted to Gregorian"),
        "date_source": ("string", "metadata.csv / html / table / url / file_name / folder_default / text / unknown",
                        "where the date came from (precedence in that order; see diplo.text.corpus)"),
        "outlet": ("string", "", "publishing outlet"),
        "outlet_source": ("string", "metadata.csv / html / table / url / folder_default / text / "
                          "boilerplate:<rule> / unknown",
                          "where the outlet came from (precedence in that order); boilerplate:<rule> = a credit "
                          "line that cleaning removed with that rule (e.g. a crawler's licence footer)"),
        "author": ("string", "", "author from a byline or credit line"),
        "author_source": ("string", "metadata.csv / html / table / folder_default / text / unknown",
                          "where the author came from"),
        "dateline": ("string", "", "place named in the dateline, e.g. 'Tehran'"),
        "url": ("string", "", "address of the article (metadata.csv, HTML page or table column); empty when unknown"),
        "language": ("string", "ISO 639-1", "language of the clean text (lingua detector over en, ru, fa, ar, az, "
                     "tr, hy, ka, kk, uk, ur, fr, de, es, it, zh); empty when undetermined. The English "
                     "dictionaries score only 'en' articles: the tone and theme columns of others are empty (NaN)"),
        "language_confidence": ("float", "0..1", "the detector's confidence in that language"),
        "text": ("string", "", "clean article text (boilerplate removed, quotes/dashes/whitespace normalized, "
                 "variant spellings canonicalized per data/spellings.yml)"),
        "n_words": ("int", "words", "word tokens in the clean text"),
        "n_sentences": ("int", "sentences", "sentences in the clean text"),
        "removed_lines": ("int", "lines/spans", "boilerplate lines and spans removed by cleaning (see removed)"),
        "duplicate_of": ("string", "doc_id", "first earlier article (file order) this one nearly duplicates: "
                         "MinHash estimate of word-5-shingle Jaccard similarity >= 0.8 (--near-duplicate-threshold); "
                         "empty (missing) when none. Near-duplicates stay in every table; drop them with "
                         "articles[articles['duplicate_of'].isna()]"),
        "tone_vader": ("float", "-1..1", "mean of sentence VADER compound scores"),
        "tone_vader_wmean": ("float", "-1..1", "VADER compound averaged over sentences weighted by their word count"),
        "tone_lexicon": ("float", "logit", "mean of sentence dictionary tone (tone_lexicon in sentence_scores)"),
        "tone_lexicon_wmean": ("float", "logit", "dictionary tone averaged over sentences weighted by word count"),
        "tone_diplomatic": ("float", "-10..10", "mean of sentence cooperation(+)/conflict(-) scores"),
        "tone_diplomatic_wmean": ("float", "-10..10",
                                  "diplomatic score averaged over sentences weighted by word count"),
        "title_diplomatic": ("float", "-10..10", "diplomatic score of the article's headline (title), as a "
                             "sentence's, an actor anywhere in it counting; missing when there is no title (its "
                             "terms: diplo.score_tone([title], [DiplomaticScorer(actor_window=HEADLINE_ACTOR_WINDOW)], "
                             "evidence=True), both from diplo.scoring.tone)"),
        "diplomatic_balance": ("float", "-1..1", "cooperative vs conflictual coverage: 0.35 x the headline's "
                               "direction (title_diplomatic >= 1: +1, <= -1: -1, else 0) + 0.65 x the body's "
                               "(cooperative - conflictual) / (cooperative + conflictual + 3) sentences (diplomatic "
                               "score >= 1 / <= -1; the first 3 sentences weigh 2, the rest 1); without a title the "
                               "body's balance alone; 0 when nothing carries diplomatic evidence "
                               "(diplo.analysis.aggregate.diplomatic_balance, TITLE_SHARE, EVIDENCE_PRIOR)"),
        "top_theme": ("string", "theme name / none", "what the article is mainly about: the theme with the most "
                      "hits per 1,000 words, hits in the first 3 sentences counted twice, if that reaches 10 per "
                      "1,000 words with at least 2 hits; else 'none' (diplo.scoring.themes.top_theme)"),
    },
    "sentences": {
        "doc_id": ("string", "", "article id (see articles)"),
        "sent_id": ("int", "", "sentence number within the article, from 0"),
        "para_id": ("int", "", "paragraph number within the article, from 0"),
        "start": ("int", "characters", "offset of the sentence's first character in the article's clean text"),
        "end": ("int", "characters", "offset one past the sentence's last character"),
        "text": ("string", "", "the sentence"),
    },
    "removed": {
        "doc_id": ("string", "", "article the text was removed from"),
        "seq": ("int", "", "order of the removal within the article, from 0"),
        "rule": ("string", "", "cleaning rule that removed it (site_chrome, breadcrumb, share_bar, also_read, "
                 "mirror_notice, photo_caption, first_published, licence_footer, byline, author_credit, "
                 "date_header, dateline, title, repeat = a paragraph or sentence already in the article; "
                 "see diplo.text.clean)"),
        "line": ("int", "", "0-based line of the normalized article text the removal came from"),
        "text": ("string", "", "the removed line, or span when the rest of the line was kept"),
    },
    "sentence_scores": {
        "doc_id": ("string", "", "article id"),
        "sent_id": ("int", "", "sentence number within the article (only sentences of articles in a scored "
                    "language, 'en': the dictionaries are English)"),
        "n_words": ("int", "words", "word tokens in the sentence"),
        "tone_vader": ("float", "-1..1", "VADER compound score (vaderSentiment 3.3.2 rules and lexicon)"),
        "vader_pos": ("float", "0..1", "VADER share of positive sentiment"),
        "vader_neg": ("float", "0..1", "VADER share of negative sentiment"),
        "vader_neu": ("float", "0..1", "VADER share of neutral tokens"),
        "tone_lexicon": ("float", "logit",
                         "dictionary tone log(pos+0.5) - log(neg+0.5) (default AFINN-165; 0 = no match; "
                         "neutral band |x| < 0.5)"),
        "lexicon_pos": ("float", "weight", "summed weights of positive matches (negated negatives at half weight)"),
        "lexicon_neg": ("float", "weight", "summed absolute weights of negative matches (incl. negated positives)"),
        "tone_diplomatic": ("float", "-10..10",
                            "cooperation(+)/conflict(-), Goldstein-like: position-weighted mean of matched "
                            "diplomatic.csv weights (negated x-0.5, hedged x0.3); 0 = no match; neutral |x| < 1"),
        "diplomatic_coop": ("float", "matches", "cooperation matches in the sentence (after negation)"),
        "diplomatic_conflict": ("float", "matches", "conflict matches in the sentence (after negation)"),
        "actors": ("string", "actor names joined by ';'", "actors mentioned in the sentence (aliases in actors.yml), sorted; empty when none"),
        "speaker": ("string", "actor name", "actor the sentence is attributed to ('X said', 'said X', 'according to X', quote + attribution; 'he/she said' takes the speaker of one of the two previous sentences); empty when none"),
    },
    "theme_hits": {
        "doc_id": ("string", "", "article id"),
        "sent_id": ("int", "", "sentence number within the article"),
        "theme": ("string", "", "theme (category of the themes file)"),
        "entry": ("string", "", "dictionary term that matched, as written in the themes file"),
        "match": ("string", "", "the matched text as written in the sentence"),
        "start": ("int", "characters", "offset of the match in the sentence text"),
        "end": ("int", "characters", "offset one past the match in the sentence text"),
        "left": ("string", "", "up to 60 characters of the sentence before the match (whole words)"),
        "right": ("string", "", "up to 60 characters of the sentence after the match (whole words)"),
    },
    "actor_mentions": {
        "doc_id": ("string", "", "article id"),
        "sent_id": ("int", "", "sentence number within the article"),
        "actor": ("string", "", "actor the alias belongs to (actors.yml)"),
        "mention": ("string", "", "the alias as written in the sentence"),
        "start": ("int", "characters", "offset of the mention in the sentence text"),
        "end": ("int", "characters", "offset one past the mention in the sentence text"),
        "role": ("string", "mention / speaker", "speaker when this mention is the sentence's attributed speaker"),
        "window_start": ("int", "characters", "start of the words scored for the target tones (offset in the sentence text)"),
        "window_end": ("int", "characters", "end of the words scored for the target tones"),
        "frame": ("string", "", "stance frame that set or trimmed the target tones (data/frames.yml), as "
                  "'negative frame \"concerns about\" (object)': an object's tone follows the frame's stance, "
                  "a holder's window leaves the frame's words out; empty when none applies"),
    },
    "evidence": {
        "doc_id": ("string", "", "article id"),
        "sent_id": ("int", "", "sentence number within the article"),
        "scorer": ("string", "vader / lexicon / diplomatic", "scorer the term counted for"),
        "term": ("string", "", "lexicon entry that matched (glob or phrase as written in the lexicon)"),
        "start": ("int", "characters", "offset of the match in the sentence text"),
        "end": ("int", "characters", "offset one past the match"),
        "weight": ("float", "scorer units",
                   "signed contribution: vader = lexicon valence; lexicon = weight added to pos (+) or neg (-); "
                   "diplomatic = share of tone_diplomatic (a sentence's weights sum to its score)"),
        "negated": ("bool", "", "the term was negated by the scorer's own rule (vader: its negation rules; lexicon: a negator within 3 tokens, not across a clause break; diplomatic: a negator whose scope reaches the act, see diplo.scoring.tone.DiplomaticScorer)"),
    },
    # the token index `diplo kwic` looks terms up in (diplo.scoring.token_index): tokens as the themes matcher cuts them
    "token_vocabulary": {
        "term": ("string", "", "a distinct token of the sentences, lower-cased as the themes matcher sees it (a word "
                 "with inner hyphens or apostrophes, a number, a punctuation mark); rows sorted by code point"),
        "term_id": ("int", "", "the term's rank in that order (its row number); the key of token_postings"),
        "n": ("int", "occurrences", "times the token occurs in the sentences"),
        "first": ("int", "row of token_postings", "where the term's postings start (they end at first + n)"),
    },
    "token_postings": {
        "term_id": ("int", "", "the token (token_vocabulary); rows sorted by term_id, row, pos"),
        "row": ("int", "row of sentences.parquet", "the sentence holding the occurrence, by its row (0-based)"),
        "pos": ("int", "tokens", "the token's number in the sentence (0-based; punctuation marks count)"),
    },
    # `diplo export dfm OUT --out DIR` (diplo.analysis.export); dfm.mtx rows follow docvars.csv, columns features.csv
    "dfm/features.csv": {
        "feature": ("string", "", "the matrix column's feature: a lower-cased word, a theme or a lexicon entry "
                    "(--features words / themes / lexicon)"),
        "count": ("int", "occurrences", "times the feature was counted in the corpus"),
        "n_docs": ("int", "articles", "articles with at least one occurrence"),
    },
    "dfm/docvars.csv": {
        "doc_id": ("string", "", "the matrix row's article; then date, outlet, title (language when the run has "
                   "it) and every other column of articles except text, as documented there"),
    },
    "dfm/tidy_counts.parquet": {
        "doc_id": ("string", "", "article id"),
        "feature": ("string", "", "feature (see dfm/features.csv)"),
        "count": ("int", "occurrences", "times the feature was counted in the article (non-zero cells only)"),
    },
}

_SUM_NOTE = ("article-level input of the time charts: any calendar bin's mean is sum(__sum) / sum(__count) over "
             "its articles, and the cluster bootstrap resamples these rows")
CODEBOOK["tone_by_article"] = {
    "doc_id": ("string", "", "article id"),
    "n": ("int", "sentences", "sentences of the article; " + _SUM_NOTE),
}
CODEBOOK["theme_tone_by_article"] = {
    "doc_id": ("string", "", "article id"),
    "theme": ("string", "", "theme; one row per article and theme with at least one hit"),
    "n": ("int", "sentences", "sentences of the article about the theme (at least one hit); " + _SUM_NOTE),
}
CODEBOOK["actor_tone_by_article"] = {
    "doc_id": ("string", "", "article id"),
    "actor": ("string", "", "actor (actors.yml)"),
    "direction": ("string", "toward / by", "toward: target tone of the actor's mentions (role mention, "
                  "tone_*_target in actor_mentions); by: tone of the sentences the actor is quoted in (speaker)"),
    "n": ("int", "mentions or sentences", "mentions (toward) or quoted sentences (by) in the article; " + _SUM_NOTE),
}

_TONE_UNITS = {"tone_vader": "-1..1", "tone_lexicon": "logit", "tone_diplomatic": "-10..10"}
for _key, _label in (("date", ("date", "YYYY-MM-DD", "publication date")),
                     ("outlet", ("string", "", "publishing outlet"))):
    _table = {_key: _label, "n": ("int", "sentences", "sentences in the group"),
              "n_articles": ("int", "articles", "articles in the group (the bootstrap's resampling units)")}
    for _col, _unit in _TONE_UNITS.items():
        _table[_col] = ("float", _unit, f"mean sentence {_col} in the group")
        _table[f"{_col}_lo"] = ("float", _unit, "lower end of the 95% percentile cluster-bootstrap interval of "
                                               "the mean (whole articles resampled, 2,000 draws, seed 0; "
                                               "null when the group has one article; a group of more than "
                                               "500 articles: the bootstrap's normal limit, mean -/+ 1.96 "
                                               "cluster-robust standard errors)")
        _table[f"{_col}_hi"] = ("float", _unit, "upper end of the 95% percentile bootstrap interval of the mean")
    CODEBOOK[f"tone_by_{_key}"] = _table

# Column name patterns documented once for a family of columns (e.g. one per theme).  A pattern written
# "table:pattern" applies to that table only (the same family can differ in type between tables); the first
# matching pattern wins, so list the more specific one first.
_PATTERN_COLUMNS: dict[str, tuple[str, str, str]] = {
    "sentence_scores:theme_*": ("int", "hits", "matches of the theme's terms in the sentence (themes.yml; every hit is in theme_hits)"),
    "articles:theme_*_share": ("float", "0..1", "share of the article's sentences with at least one hit of the theme"),
    "articles:theme_*": ("float", "hits per 1,000 words", "theme hits in the article per 1,000 words of its sentences"),
    "tone_*__sum": ("float", "scale of the tone column", "sum of the tone column over the row's sentences "
                    "(actor_tone_by_article toward: over its mentions' target tone); NaN scores skipped"),
    "tone_*__count": ("int", "sentences or mentions", "values summed in the matching __sum (non-missing scores)"),
    "articles:tone_*_lead": ("float", "scale of the tone column", "lead-weighted article tone: mean of the sentence tones with the first 3 sentences of the text weighted 2, the rest 1 (a headline line at the top is not among them: cleaning makes it the title, which diplomatic_balance counts) (diplo.analysis.aggregate.LEAD_SENTENCES, LEAD_WEIGHT)"),
    # a model made by diplo train, run as --scorer model:PATH (its name is the model's file name)
    "sentence_scores:tone_*": ("float", "label index or predicted number", "a trained model's score (model:PATH): for a classifier the index of the predicted label in the model's label list, for a regressor the predicted number; evidence lists its top features"),
    "sentence_scores:p_*": ("float", "0..1", "a trained classifier's probability of one label (p_<model>_<label>)"),
    "articles:tone_*_wmean": ("float", "scale of the tone column", "a trained model's score averaged over sentences weighted by word count"),
    "articles:tone_*": ("float", "scale of the tone column", "a trained model's score, mean over the article's sentences"),
    "actor_mentions:tone_*_target": ("float", "scale of the tone column", "tone of the words about the mention: its clause up to the nearest strong break (; : quotes brackets, but/while/although), stopping at other actors' mentions, scored by that tone scorer; for the object of a stance frame (column frame) the frame's tone or the window's, whichever goes further in the frame's direction, at least the scorer's neutral band"),
}


def describe(table: str, column: str) -> tuple[str, str, str]:
    """(type, unit, meaning) of ``column`` in ``table``; raises KeyError when undocumented."""
    import fnmatch

    if column in CODEBOOK.get(table, {}):
        return CODEBOOK[table][column]
    for pattern, entry in _PATTERN_COLUMNS.items():
        scope, _, pat = pattern.rpartition(":")
        if (not scope or scope == table) and fnmatch.fnmatchcase(column, pat):
            return entry
    raise KeyError(f"column {column!r} of table {table!r} is not in the codebook")


def render_codebook(dictionaries: Sequence[Mapping] | None = None) -> str:
    """The codebook as Markdown.

    ``dictionaries``: the data files a run read (``role``, ``file``, ``packaged``, ``sha256``; see
    :func:`diplo.run.provenance.dictionary_files`), listed by SHA-256 so a table can be traced to them.
    """
    out = ["# Codebook", "", "Every column diplo writes. Tables are written as parquet (and CSV where noted).", "",
           "\"Empty\" means missing: in `articles` (title, date, author, dateline, url, duplicate_of, ...) a missing "
           "value is null in parquet and an empty cell in CSV, so pandas reads it as NaN: test with `.isna()` "
           "(`== \"\"` finds nothing); `actors` and `speaker` in sentence_scores are the empty string \"\".", "",
           "CSV files are safe to open in a spreadsheet: a text cell starting with `=`, `+`, `-`, `@`, a tab or a "
           "carriage return that is not a number is written with a leading `'` (so it is not run as a formula; "
           "`diplo.io.csvsafe.read_csv` removes it again). Parquet files keep the original text.", ""]
    for table, columns in CODEBOOK.items():
        out += [f"## {table}", "", "| column | type | unit | meaning |", "|---|---|---|---|"]
        out += [f"| `{c}` | {t} | {u} | {m} |" for c, (t, u, m) in columns.items()]
        out.append("")
    if dictionaries:
        out += ["## Dictionaries used by this run", "",
                "Their paths, diplo's version and the options are in `run.json`.", "",
                "| role | file | packaged | SHA-256 |", "|---|---|---|---|"]
        out += [f"| {d['role']} | `{d['file']}` | {'yes' if d['packaged'] else 'no'} | `{d['sha256']}` |"
                for d in dictionaries]
        out.append("")
        out += ["## Column families", "", "| pattern | type | unit | meaning |", "|---|---|---|---|"]
        out += [f"| `{p}` | {t} | {u} | {m} |" for p, (t, u, m) in _PATTERN_COLUMNS.items()]
        out.append("")
    return "\n".join(out)
