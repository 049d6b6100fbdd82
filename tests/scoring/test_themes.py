from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplo.text.corpus import build_articles
from diplo.io.raw import load_documents
from diplo.scoring.match import DictionaryError
from diplo.scoring.themes import THEME_HIT_COLUMNS, ThemeScorer, kwic_table, load_themes, score_themes

THEMES = ["corridors", "energy", "embassy_attack", "security", "karabakh", "trade", "regional_diplomacy",
          "consular"]


@pytest.fixture(scope="module")
def sample_sentences(raw_dir) -> pd.DataFrame:
    return build_articles(load_documents(raw_dir, []))[1]


def _docs_with(article_table: pd.DataFrame, theme: str) -> set[str]:
    return {d[:3] for d in article_table.loc[article_table[f"theme_{theme}"] > 0, "doc_id"]}


def test_packaged_themes_have_descriptions():
    d = load_themes()
    assert d.categories == THEMES
    assert all(d.descriptions[t].strip() for t in THEMES)


@pytest.mark.parametrize("theme, present, absent", [
    ("embassy_attack", {"000", "003"}, {"001", "002"}),
    ("energy", {"001", "002"}, set()),
    ("corridors", {"000", "001", "003"}, set()),
    ("karabakh", {"002", "004"}, set()),
])
def test_sample_expectations(sample_sentences, theme, present, absent):
    found = _docs_with(score_themes(sample_sentences, per="article"), theme)
    assert present <= found
    assert not (absent & found)


def test_kwic_offsets_point_at_the_match(sample_sentences):
    hits = score_themes(sample_sentences, per="hits")
    assert list(hits.columns) == THEME_HIT_COLUMNS
    text = sample_sentences.set_index(["doc_id", "sent_id"])["text"]
    for h in hits.itertuples():
        sent = text[(h.doc_id, h.sent_id)]
        assert sent[h.start:h.end] == h.match
        assert sent[:h.start].endswith(h.left) and sent[h.end:].startswith(h.right)
    attack = hits[hits["theme"] == "embassy_attack"]
    assert "gunman stormed the Azerbaijani embassy" in attack["match"].tolist()  # the NEAR rule: first to last word


def _kwic_one_by_one(matches, texts, width):
    """The context of each match cut with str.find/rfind, one match at a time (what kwic_table computes)."""
    left, right = [], []
    for row, start, end in zip(matches["row"], matches["start"], matches["end"]):
        text = texts[row]
        lo, hi = max(0, start - width), min(len(text), end + width)
        if lo > 0 and (cut := text.find(" ", lo, start)) >= 0:
            lo = cut + 1
        if hi < len(text) and (cut := text.rfind(" ", end, hi)) >= 0:
            hi = cut
        left.append(text[lo:start])
        right.append(text[end:hi])
    return left, right


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab  Σ\u00a0\n.é😁")), max_size=40), min_size=1, max_size=5),
       st.lists(st.tuples(st.integers(0, 4), st.integers(0, 40), st.integers(0, 40)), max_size=12),
       st.integers(0, 12))
def test_kwic_equals_cutting_each_match_alone(texts, spans, width):
    rows = [(r % len(texts), min(a, b), max(a, b)) for r, a, b in spans]
    rows = [(r, min(a, len(texts[r])), min(b, len(texts[r]))) for r, a, b in rows]
    matches = pd.DataFrame(rows, columns=["row", "start", "end"], dtype="int64")
    out = kwic_table(matches, texts, width=width)
    assert (out["left"].tolist(), out["right"].tolist()) == _kwic_one_by_one(matches, texts, width)
    pd.testing.assert_frame_equal(out[["row", "start", "end"]], matches)


@pytest.mark.parametrize("text, theme, expected", [
    ("The attack on the Azerbaijani embassy in Tehran killed a guard.", "embassy_attack", 1),
    ("Militants attack a convoy; the embassies of both countries were consulted.", "embassy_attack", 0),
    ("Iran's gas swap and electricity exports grew.", "energy", 2),
    ("Consultations between the two ministers continued.", "consular", 0),
    ("The rights of Karabakh's Armenians.", "karabakh", 1),
    # a bare mention of Armenia is not the karabakh theme (samples 002, 003); the conflict is
    ("Azerbaijan, Russia, Turkey, Armenia and Iran took part in the event, but Georgia said it would not "
     "attend.", "karabakh", 0),
    ("A transportation link connecting mainland Azerbaijan to its Nakhchivan exclave through southern Armenia.",
     "karabakh", 0),
    ("Azerbaijan and Armenia fought a six-week war last year in which Azeri troops drove Armenian forces out.",
     "karabakh", 2),
    ("The importance of the investigation was stressed.", "trade", 0),
])
def test_precision_cases(text, theme, expected):
    s = pd.DataFrame({"doc_id": ["d"], "sent_id": [0], "text": [text]})
    assert score_themes(s)[f"theme_{theme}"].tolist() == [expected]


def test_article_measures_are_per_1000_words_and_shares():
    s = pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": [0, 1, 0],
                      "text": ["Gas and oil.", "Nothing here at all today.", "No theme."]})
    art = score_themes(s, per="article").set_index("doc_id")
    # a: 2 energy hits in 3 + 5 = 8 words -> 250 per 1,000 words; one sentence of two has a hit
    assert art.loc["a", "theme_energy"] == pytest.approx(250.0)
    assert art.loc["a", "theme_energy_share"] == pytest.approx(0.5)
    assert art.loc["b", "theme_energy"] == 0.0


def test_own_themes_file(tmp_path):
    f = tmp_path / "mine.yml"
    f.write_text("ports:\n  description: sea ports\n  terms: [port*, harbour]\n")
    s = pd.DataFrame({"doc_id": ["d"], "sent_id": [0], "text": ["The port of Anzali and the harbour."]})
    out = score_themes(s, f)
    assert out["theme_ports"].tolist() == [2]
    assert [c for c in out.columns if c.startswith("theme_")] == ["theme_ports"]


def test_nested_themes_file_gives_parent_child_columns(tmp_path):
    f = tmp_path / "nested.yml"
    f.write_text("energy:\n  gas: [gas, pipeline*]\n  oil: [crude oil]\nports: [port*]\n")
    s = pd.DataFrame({"doc_id": ["d"], "sent_id": [0], "text": ["The gas pipeline reached the port."]})
    out = score_themes(s, f)
    assert [c for c in out.columns if c.startswith("theme_")] == ["theme_energy.gas", "theme_energy.oil",
                                                                  "theme_ports"]
    assert out[["theme_energy.gas", "theme_energy.oil", "theme_ports"]].values.tolist() == [[2, 0, 1]]


@pytest.mark.parametrize("content, message", [
    ("energy:\n  - gas\n  - oil\ntrade:\n  - Gas\n", r"line 5: duplicate term 'Gas' \(first defined at line 2\)"),
    ("energy:\n  - gas\n  - [oil\n", r"line \d+: invalid YAML"),
    ("Energy Deals:\n  - gas\n", "line 2: theme name 'Energy Deals' must be lower-case"),
    ("gas:\n  - gas\ngas_share:\n  - oil\n", "line 4: theme name 'gas_share'"),
    ("energy:\n  terms: [gas]\n  colour: red\n", "line 3: unknown key 'colour'"),
])
def test_bad_themes_file_names_the_line(tmp_path, content, message):
    f = tmp_path / "bad.yml"
    f.write_text(content)
    with pytest.raises(DictionaryError, match=message):
        load_themes(f)
    assert str(f) in str(pytest.raises(DictionaryError, load_themes, f).value)


def test_per_is_validated(sample_sentences):
    with pytest.raises(ValueError, match="per='paragraph' is not valid"):
        score_themes(sample_sentences, per="paragraph")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['text'\]"):
        score_themes(sample_sentences.drop(columns="text"))


def test_scorer_from_shared_matches_equals_own_pass():
    from diplo.scoring.chunk import Chunk
    from diplo.scoring.match import Matcher
    scorer = ThemeScorer()
    texts = ["Zangazur corridor and gas.", "", "Consular flights resumed."]
    own = scorer.score(texts)
    chunk = Chunk(texts, matches=Matcher(list(scorer.dictionaries)).match(texts))
    counts, hits = scorer.score_chunk(chunk, evidence=True)
    shared = counts, pd.DataFrame(hits)
    assert {k: v.tolist() for k, v in own[0].items()} == {k: v.tolist() for k, v in shared[0].items()}
    pd.testing.assert_frame_equal(own[1], shared[1])


def test_pipeline_writes_theme_columns_and_hits(processed):
    from diplo import load_outputs
    tables = load_outputs(processed)
    articles, scores, hits = tables["articles"], tables["sentence_scores"], tables["theme_hits"]
    for theme in THEMES:
        assert scores[f"theme_{theme}"].dtype.kind == "i"
        assert articles[f"theme_{theme}_share"].between(0, 1).all()
    # every sentence-level count is backed by exactly that many KWIC rows
    counts = hits.groupby(["doc_id", "sent_id", "theme"]).size()
    long = scores.melt(id_vars=["doc_id", "sent_id"], value_vars=[f"theme_{t}" for t in THEMES])
    long = long[long["value"] > 0]
    assert sorted(zip(long["doc_id"], long["sent_id"], long["variable"].str[6:], long["value"])) == \
        sorted((d, s, t, n) for (d, s, t), n in counts.items())
    assert _docs_with(articles, "embassy_attack") == {"000", "003"}


def test_cli_themes_option(raw_dir, tmp_path, capsys):
    from diplo.cli import main
    mine = tmp_path / "mine.yml"
    mine.write_text("pipelines:\n  description: gas pipelines\n  terms: [gas, pipeline*]\n")
    assert main(["run", str(raw_dir), "--out", str(tmp_path / "out"), "--themes", str(mine)]) == 0
    articles = pd.read_parquet(tmp_path / "out" / "articles.parquet")
    assert [c for c in articles.columns if c.startswith("theme_")] == ["theme_pipelines", "theme_pipelines_share"]
    bad = tmp_path / "bad.yml"
    bad.write_text("energy:\n  - gas\n  - gas\n")
    assert main(["run", str(raw_dir), "--out", str(tmp_path / "out2"), "--themes", str(bad)]) == 2
    assert "line 3: duplicate term 'gas'" in capsys.readouterr().err
    assert not (tmp_path / "out2" / "articles.parquet").exists()


def test_own_themes_file_through_ensure_processed(raw_dir, tmp_path):
    from diplo.run.freshness import ensure_processed
    mine = tmp_path / "mine.yml"
    mine.write_text("ports:\n  terms: [port*]\n")
    out = tmp_path / "processed"
    assert ensure_processed(raw_dir, out, themes=str(mine)) is True
    assert ensure_processed(raw_dir, out, themes=str(mine)) is False
    mine.write_text("ports:\n  terms: [port*, harbour]\n")  # edited file: reprocess
    assert ensure_processed(raw_dir, out, themes=str(mine)) is True
    assert "theme_ports" in pd.read_parquet(out / "articles.parquet").columns


@pytest.mark.parametrize("per, columns, dtypes", [
    ("sentence", ["n_words", "theme_corridors", "theme_energy"], ["int64"] * 3),
    ("hits", ["theme", "entry", "match", "start", "end"], ["str"] * 3 + ["int64"] * 2),
])
def test_empty_sentences_keep_column_types(per, columns, dtypes):
    empty = pd.DataFrame({"doc_id": pd.Series([], dtype=str), "sent_id": pd.Series([], dtype="int64"),
                          "text": pd.Series([], dtype=str)})
    out = score_themes(empty, per=per)
    assert len(out) == 0
    assert [str(out[c].dtype) for c in columns] == dtypes


def test_counts_for_no_texts_and_texts_without_hits():
    scorer = ThemeScorer()
    counts, hits = scorer.score([])
    assert list(counts) == list(scorer.columns) and all(len(c) == 0 for c in counts.values()) and hits.empty
    counts, _ = scorer.score(["Nothing here.", "Iran's gas swap and electricity exports grew.", ""])
    assert counts["theme_energy"].tolist() == [0, 2, 0] and counts["theme_energy"].dtype == np.int64


def _theme_counts(rows, n_words=100):
    """Sentence rows of one article: theme hit counts per sentence, ``n_words`` words each."""
    return pd.DataFrame([{"doc_id": "a", "sent_id": k, "n_words": n_words, **r} for k, r in enumerate(rows)])


@pytest.mark.parametrize("rows, n_words, expected", [
    ([{"theme_energy": 1, "theme_trade": 0}] * 2, 100, "energy"),     # (2 + 2) / 200 words = 20 per 1,000
    ([{"theme_energy": 1, "theme_trade": 0}], 100, "none"),           # one hit is not enough, however dense
    ([{"theme_energy": 0, "theme_trade": 0}] * 3 + [{"theme_energy": 2, "theme_trade": 0}], 100, "none"),
    # 2 hits after the lead in 400 words: 5 per 1,000 < 10
    ([{"theme_energy": 0, "theme_trade": 1}, {"theme_energy": 0, "theme_trade": 1}, {},
      {"theme_energy": 1, "theme_trade": 0}, {"theme_energy": 2, "theme_trade": 0}], 30, "trade"),
    # 3 energy hits after the lead lose to 2 trade hits in it (weighted 4): the lead says what the story is about
    ([{"theme_energy": 1, "theme_trade": 1}] * 2, 100, "energy"),     # a tie: the theme listed first
    ([{"theme_energy": 0, "theme_trade": 0}] * 2, 100, "none"),
])
def test_top_theme(rows, n_words, expected):
    from diplo.scoring.themes import top_theme

    table = _theme_counts(rows, n_words).fillna(0)
    assert top_theme(table, ["theme_energy", "theme_trade"]).tolist() == [expected]


@pytest.mark.parametrize("kwargs, message", [
    ({"min_hits": 0}, "min_hits >= 1"),
    ({"lead_weight": 0}, "lead_weight > 0"),
    ({"columns": ["theme_x"]}, r"missing column\(s\) \['theme_x'\]"),
])
def test_top_theme_errors(kwargs, message):
    from diplo.scoring.themes import top_theme

    with pytest.raises(ValueError, match=message):
        top_theme(_theme_counts([{"theme_energy": 1}]), **kwargs)


def test_top_theme_is_an_article_column_on_the_sample(processed):
    from diplo import load_outputs

    articles = load_outputs(processed)["articles"].set_index("doc_id")
    themes = set(load_themes().categories) | {"none"}
    assert set(articles["top_theme"]) <= themes
    # the sample's Karabakh reconstruction article: karabakh, its lead's theme, ties trade on hits per 1,000 words
    assert articles.loc["004_0c3bfa3d25225ea3", "top_theme"] == "karabakh"
    assert articles.loc["004_0c3bfa3d25225ea3", "theme_karabakh"] == articles.loc["004_0c3bfa3d25225ea3", "theme_trade"]
    assert "top_theme" in score_themes(pd.DataFrame({"doc_id": ["d"], "sent_id": [0], "text": ["Gas."]}), per="article")
