"""Aggregation: article means, word-weighted means, grouped means with seeded bootstrap intervals;
theme-, actor- and topic-level tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diplo import load_outputs
from diplo.analysis.aggregate import aggregate_articles, aggregate_by, bootstrap_ci, sum_by_cluster
from diplo.analysis.aggregate import aggregate_actor_tone, aggregate_speaker_tone, aggregate_theme_drivers, \
    aggregate_theme_tone, aggregate_topics


@pytest.fixture
def toy():
    scores = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "sent_id": [0, 1, 0, 1],
                           "tone_vader": [0.5, -0.5, 0.9, 0.1], "theme_energy": [1, 0, 2, 1],
                           "theme_trade": [1, 1, 0, 0], "speaker": ["Iran", "", "Iran", "Azerbaijan"]})
    articles = pd.DataFrame({"doc_id": ["a", "b"], "date": ["2021-01-01", "2022-01-01"], "outlet": ["X", "X"]})
    sentences = scores[["doc_id", "sent_id"]].assign(text=["s0", "s1", "s2", "s3"])
    return scores, articles, sentences


def test_theme_tone_by_date(toy):
    scores, articles, _ = toy
    out = aggregate_theme_tone(scores, articles, by="date", n_boot=200)
    got = out.set_index(["theme", "date"])[["n", "tone_vader"]]
    assert got.loc[("energy", "2021-01-01")].tolist() == [1, 0.5]
    assert got.loc[("energy", "2022-01-01")].tolist() == [2, pytest.approx(0.5)]
    assert got.loc[("trade", "2021-01-01")].tolist() == [2, 0.0]
    assert ("trade", "2022-01-01") not in got.index
    again = aggregate_theme_tone(scores, articles, by="date", n_boot=200)
    pd.testing.assert_frame_equal(out, again)  # seeded bootstrap


@pytest.mark.parametrize("by, expected", [
    ("outlet", [("energy", "X", 3), ("trade", "X", 2)]),
    (["outlet", "date"], [("energy", "X", "2021-01-01", 1), ("energy", "X", "2022-01-01", 2),
                          ("trade", "X", "2021-01-01", 2)]),
])
def test_theme_tone_by_outlet(toy, by, expected):
    out = aggregate_theme_tone(toy[0], toy[1], by=by, n_boot=100)
    keys = ["theme", *([by] if isinstance(by, str) else by), "n"]
    assert [tuple(r) for r in out[keys].values.tolist()] == expected


def test_theme_tone_needs_articles_for_date(toy):
    with pytest.raises(ValueError, match=r"grouping by \['date'\] needs the articles table"):
        aggregate_theme_tone(toy[0], by="date")
    with pytest.raises(ValueError, match="unknown theme column"):
        aggregate_theme_tone(toy[0], toy[1], themes=["weather"])


def test_theme_drivers_rank_by_contribution(toy):
    scores, articles, sentences = toy
    hits = pd.DataFrame({"doc_id": ["b", "b", "b"], "sent_id": [0, 0, 1], "theme": ["energy"] * 3,
                         "match": ["gas", "oil", "grid"]})
    out = aggregate_theme_drivers(scores, sentences, articles, by="date", top=1, theme_hits=hits)
    row = out[(out["theme"] == "energy") & (out["date"] == "2022-01-01")].iloc[0]
    assert (row["doc_id"], row["sent_id"], row["text"], row["rank"]) == ("b", 0, "s2", 1)
    assert row["contribution"] == pytest.approx(0.45) and row["theme_terms"] == "gas; oil"


def test_actor_and_speaker_tone(toy):
    scores, articles, _ = toy
    mentions = pd.DataFrame({"doc_id": ["a", "b", "b"], "sent_id": [0, 0, 1], "actor": ["Iran", "Iran", "Azerbaijan"],
                             "role": ["speaker", "mention", "speaker"], "tone_vader_target": [0.2, 0.4, -0.6]})
    by_actor = aggregate_actor_tone(mentions, n_boot=100).set_index("actor")
    assert by_actor.loc["Iran", "tone_vader_target"] == pytest.approx(0.3)
    over_time = aggregate_actor_tone(mentions, articles, by=["actor", "date"], role="speaker", n_boot=100)
    assert over_time[["actor", "date", "n"]].values.tolist() == [["Azerbaijan", "2022-01-01", 1],
                                                                  ["Iran", "2021-01-01", 1]]
    speakers = aggregate_speaker_tone(scores, n_boot=100).set_index("speaker")
    assert speakers.loc["Iran", "tone_vader"] == pytest.approx(0.7) and "" not in speakers.index
    with pytest.raises(ValueError, match="role='quoted' is not valid"):
        aggregate_actor_tone(mentions, role="quoted")


def test_topic_shares_over_time(toy):
    _, articles, _ = toy
    shares = pd.DataFrame({"doc_id": ["a", "a", "b"], "topic_0": [1.0, 0.0, 0.25], "topic_1": [0.0, 1.0, 0.75]})
    out = aggregate_topics(shares, articles, n_boot=100).set_index("date")
    assert out.loc["2021-01-01", "topic_0"] == 0.5 and out.loc["2022-01-01", "topic_1"] == 0.75


def test_theme_tone_on_the_sample(processed):
    t = load_outputs(processed)
    out = aggregate_theme_tone(t["sentence_scores"], t["articles"], by="date")
    attack = out[out["theme"] == "embassy_attack"]
    # articles.parquet stores date as date32: it comes back as datetime.date
    assert set(map(str, attack["date"])) == {"2023-07-06", "2023-12-07"} and (attack["tone_vader"] < 0).all()


def _scores():
    return pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "n_words": [10, 30, 5, 4],
                         "tone_vader": [1.0, 0.0, np.nan, -0.5], "tone_diplomatic": [4.0, -2.0, 6.0, np.nan]})


def test_article_mean_and_word_weighted_mean_skip_nan():
    out = aggregate_articles(_scores(), ["tone_vader", "tone_diplomatic"]).set_index("doc_id")
    assert out.loc["a", "tone_vader"] == pytest.approx(0.5)
    assert out.loc["a", "tone_vader_wmean"] == pytest.approx(10 / 40)      # the NaN sentence's 5 words drop out
    assert out.loc["a", "tone_diplomatic_wmean"] == pytest.approx((40 - 60 + 30) / 45)
    assert np.isnan(out.loc["b", "tone_diplomatic"]) and np.isnan(out.loc["b", "tone_diplomatic_wmean"])


def _many_articles(order: str) -> pd.DataFrame:
    """60 articles of 5..60 sentences with random tones (some missing), in article order or interleaved."""
    rng = np.random.default_rng(11)
    sizes = rng.integers(5, 60, 60)
    doc = np.repeat([f"doc{i:03d}" for i in range(60)], sizes)
    n = len(doc)
    table = pd.DataFrame({"doc_id": doc, "sent_id": np.concatenate([np.arange(k) for k in sizes]),
                          "n_words": rng.integers(1, 40, n), "tone_vader": rng.normal(size=n),
                          "tone_diplomatic": rng.normal(size=n) * 3})
    if order == "missing":
        table.loc[rng.choice(n, 30, replace=False), "tone_vader"] = np.nan
    if order == "interleaved":  # the articles' sentences stay in order, the articles are mixed
        table = table.iloc[np.argsort(rng.permutation(n) % 7, kind="stable")].reset_index(drop=True)
    return table


@pytest.mark.parametrize("order", ["sorted", "interleaved", "missing"])
@pytest.mark.parametrize("func", ["aggregate_articles", "sum_by_cluster"])
def test_an_articles_numbers_do_not_depend_on_the_other_articles(order, func):
    """diplo run computes articles chunk by chunk and the run cache segment by segment: each article's sums
    must be the same bits whichever articles share its table (pandas' groupby sum is not)."""
    table = _many_articles(order)
    cols = ["tone_vader", "tone_diplomatic"]
    agg = {"aggregate_articles": aggregate_articles, "sum_by_cluster": sum_by_cluster}[func]
    whole = agg(table, cols).set_index("doc_id")
    alone = pd.concat([agg(table[table["doc_id"] == d], cols) for d in sorted(table["doc_id"].unique())])
    pd.testing.assert_frame_equal(whole, alone.set_index("doc_id"), check_exact=True)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"missing column\(s\) \['tone_lexicon'\]"):
        aggregate_articles(_scores(), ["tone_lexicon"])


def test_bootstrap_is_seeded_and_brackets_the_mean():
    rng = np.random.default_rng(1)
    values = rng.normal(2, 1, 200)
    lo, hi = bootstrap_ci(values, seed=3)
    assert lo < values.mean() < hi and (lo, hi) == bootstrap_ci(values, seed=3)
    assert np.isnan(bootstrap_ci(np.array([1.0]))[0])


def test_aggregate_by_groups_with_intervals():
    table = pd.DataFrame({"outlet": ["x", "x", "x", "y"], "tone_vader": [0.1, 0.3, 0.2, 0.5]})
    out = aggregate_by(table, "outlet", ["tone_vader"])
    assert out["outlet"].tolist() == ["x", "y"] and out["n"].tolist() == [3, 1]
    assert out.loc[0, "tone_vader_lo"] <= out.loc[0, "tone_vader"] <= out.loc[0, "tone_vader_hi"]
    assert np.isnan(out.loc[1, "tone_vader_lo"])


def test_cluster_bootstrap_resamples_articles_not_sentences():
    # Two articles whose sentences agree with each other but not across articles: resampling sentences
    # as if independent gives a narrow interval; resampling articles shows the real spread.
    table = pd.DataFrame({"date": ["d"] * 40, "doc_id": ["a"] * 20 + ["b"] * 20,
                          "tone": [0.1] * 20 + [0.9] * 20})
    clustered = aggregate_by(table, "date", ["tone"], n_boot=500).iloc[0]
    naive = aggregate_by(table, "date", ["tone"], cluster=None, n_boot=500).iloc[0]
    assert clustered["n_articles"] == 2 and "n_articles" not in naive
    assert (clustered["tone_lo"], clustered["tone_hi"]) == (pytest.approx(0.1), pytest.approx(0.9))
    assert naive["tone_hi"] - naive["tone_lo"] < 0.5 * (clustered["tone_hi"] - clustered["tone_lo"])


def test_single_article_group_has_no_between_article_interval():
    table = pd.DataFrame({"date": ["d", "d", "e", "e"], "doc_id": ["a", "a", "b", "c"],
                          "tone": [0.2, 0.4, 0.0, 1.0]})
    out = aggregate_by(table, "date", ["tone"], n_boot=200).set_index("date")
    assert out.loc["d", "tone"] == pytest.approx(0.3) and np.isnan(out.loc["d", "tone_lo"])
    assert out.loc["e", "n_articles"] == 2 and out.loc["e", "tone_lo"] < out.loc["e", "tone_hi"]


def test_bootstrap_batches_do_not_change_the_draws():
    from diplo.analysis.aggregate import _bootstrap_means

    rng = np.random.default_rng(3)
    sums, counts = rng.normal(size=50), rng.integers(1, 5, size=50).astype(float)
    whole = _bootstrap_means(sums, counts, n_boot=300, seed=1)
    batched = _bootstrap_means(sums, counts, n_boot=300, seed=1, batch_cells=120)
    np.testing.assert_array_equal(whole, batched)


def test_bootstrap_clusters_must_align():
    with pytest.raises(ValueError, match="clusters has 2 labels for 3 values"):
        bootstrap_ci([0.1, 0.2, 0.3], clusters=["a", "b"])


def test_streamed_cluster_sums_give_the_same_table_as_the_sentences():
    from diplo.analysis.aggregate import aggregate_sums, sum_by_cluster

    rng = np.random.default_rng(7)
    table = pd.DataFrame({"doc_id": rng.choice(list("abcdefgh"), 200), "tone": rng.normal(size=200)})
    table.loc[::17, "tone"] = np.nan
    table["date"] = table["doc_id"].map(lambda d: "2021" if d < "e" else "2022")
    # the pipeline keeps per-article sums chunk by chunk, then aggregates them at the end
    chunks = [sum_by_cluster(part, ["tone"]).merge(table[["doc_id", "date"]].drop_duplicates(), on="doc_id")
              for part in (table[table["doc_id"] < "d"], table[table["doc_id"] >= "d"])]
    streamed = aggregate_sums(pd.concat(chunks, ignore_index=True), "date", ["tone"], n_boot=300)
    pd.testing.assert_frame_equal(streamed, aggregate_by(table, "date", ["tone"], n_boot=300))
    assert streamed["n"].sum() == 200 and streamed["n_articles"].tolist() == [4, 4]


def test_aggregate_sums_in_threads_equals_one_thread(monkeypatch):
    """Big workloads resample groups on several threads: each group has its own generator, same results."""
    import diplo.analysis.aggregate as agg

    rng = np.random.default_rng(5)
    n = 400
    sums = agg.sum_by_cluster(pd.DataFrame({"doc_id": np.arange(n).astype(str), "a": rng.normal(size=n),
                                            "b": rng.normal(size=n)}), ["a", "b"])
    sums["date"] = np.array(["x", "y", "z", "w", "v"])[np.arange(n) % 5]
    sums.loc[sums.index % 3 == 0, "b__count"] = 0  # b resamples other units than a
    one = agg.aggregate_sums(sums, "date", ["a", "b"], n_boot=200, seed=4)
    monkeypatch.setattr(agg, "_PARALLEL_CELLS", 0)
    monkeypatch.setattr(agg, "available_cores", lambda: 2)
    pd.testing.assert_frame_equal(agg.aggregate_sums(sums, "date", ["a", "b"], n_boot=200, seed=4), one)
    assert one["b_lo"].notna().all() and not np.array_equal(one["a_lo"], one["b_lo"])


def test_aggregate_sums_equals_its_per_column_version():
    """Columns over the same clusters share bootstrap draws; tests/oracles.py draws for each column."""
    import oracles
    from diplo.analysis.aggregate import aggregate_sums, sum_by_cluster

    rng = np.random.default_rng(11)
    n = 600
    table = pd.DataFrame({"doc_id": rng.integers(0, 150, n).astype(str), "a": rng.normal(size=n),
                          "b": rng.normal(size=n), "c": rng.normal(size=n)})
    table.loc[::13, ["a", "b"]] = np.nan  # a and b lose the same sentences: shared draws and counts
    table.loc[::7, "c"] = np.nan  # c loses others (and whole articles): its own counts and units
    table.loc[table["doc_id"].isin(["3", "4"]), "c"] = np.nan
    sums = sum_by_cluster(table, ["a", "b", "c"]).assign(
        date=lambda d: d["doc_id"].map(lambda x: f"d{int(x) % 4}"), outlet=lambda d: d["doc_id"].str[-1])
    sums.loc[sums["date"] == "d3", "date"] = np.where(sums.index[sums["date"] == "d3"] % 2, "d3", "d5")
    sums.loc[sums.index % 10 == 3, "outlet"] = None  # a missing key is a group of its own (dropna=False)
    for key in ("date", "outlet", ["date", "outlet"]):
        fast = aggregate_sums(sums, key, ["a", "b", "c"], n_boot=300, seed=2)
        pd.testing.assert_frame_equal(fast, oracles.aggregate_sums(sums, key, ["a", "b", "c"], n_boot=300, seed=2))
    assert fast["a_lo"].notna().sum() > 10
    assert not np.array_equal(fast["a_lo"], fast["b_lo"])


def test_lead_score_weights_the_first_three_sentences_twice():
    from diplo.analysis.aggregate import aggregate_articles

    scores = pd.DataFrame({"doc_id": ["a"] * 5 + ["b"], "sent_id": [4, 3, 2, 1, 0, 0], "n_words": [10] * 6,
                           "tone_x": [0.0, 0.0, 1.0, 1.0, 1.0, np.nan]})
    out = aggregate_articles(scores, ["tone_x"]).set_index("doc_id")
    assert out.loc["a", "tone_x"] == pytest.approx(0.6)
    assert out.loc["a", "tone_x_lead"] == pytest.approx(6 / 8)  # sentences 0-2 weigh 2, 3-4 weigh 1
    assert np.isnan(out.loc["b", "tone_x_lead"])


@pytest.mark.parametrize("scores, prior, expected", [
    ([4.0, 0.0, -2.0, 3.0, -9.0], None, 0.0),      # lead (weight 2): +2 (s0) -2 (s2); later: +1 (s3) -1 (s4)
    ([4.0, 0.5, -0.9, 2.0], None, 3 / 6),          # |score| < 1 is neutral: +2 +1, shrunk by the prior (3)
    ([4.0, 0.5, -0.9, 2.0], 0.0, 1.0),             # no prior: every sentence with evidence is cooperative
    ([-1.0, 0.0, 0.0, 6.0, 6.0, 6.0], None, 1 / 8),  # -2 in the lead against +3 later: intensity does not count
    ([-1.0, 0.0, 0.0, 6.0, 6.0, 6.0], 0.0, 0.2),
    ([0.0, 0.5, -0.5], None, 0.0),                 # no evidence at all: balanced, not missing
    ([-9.0, -0.2, np.nan, 1.0], None, -1 / 6),     # an unscored sentence drops out (but keeps its place): -2 + 1
    ([2.0], None, 0.4),                            # one cooperative lead sentence: 2 / (2 + 3), not a certain +1
    ([2.0] * 3 + [1.5] * 30, None, 36 / 39),       # much evidence: the prior hardly matters
])
def test_diplomatic_balance_counts_cooperative_and_conflictual_sentences(scores, prior, expected):
    from diplo.analysis.aggregate import EVIDENCE_PRIOR, diplomatic_balance

    assert EVIDENCE_PRIOR == 3.0
    table = pd.DataFrame({"doc_id": "a", "sent_id": range(len(scores)), "tone_diplomatic": scores})
    assert diplomatic_balance(table, prior=prior)["a"] == pytest.approx(expected)


def test_diplomatic_balance_in_articles_and_unscored_article():
    scores = pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": [1, 0, 0], "n_words": [5, 5, 5],
                           "tone_diplomatic": [-3.0, 2.0, np.nan]})
    out = aggregate_articles(scores, ["tone_diplomatic"]).set_index("doc_id")
    assert out.loc["a", "diplomatic_balance"] == 0.0 and np.isnan(out.loc["b", "diplomatic_balance"])
    # without sent_id (no lead) or without the diplomatic column there is no balance
    assert "diplomatic_balance" not in aggregate_articles(scores.drop(columns="sent_id"), ["tone_diplomatic"])
    assert "diplomatic_balance" not in aggregate_articles(_scores(), ["tone_vader"])


@pytest.mark.parametrize("scores, title, expected", [
    ([4.0, 0.0, -2.0, 3.0, -9.0], 3.5, 0.35),       # balanced sentences: the cooperative headline's share tips it
    ([-4.0, 0.0, 0.0], -2.0, -0.35 - 0.65 * 2 / 5),  # headline and lead agree
    ([2.0, 2.0], -6.0, -0.35 + 0.65 * 4 / 7),       # a conflictual headline against a cooperative lead
    ([2.0] * 3 + [1.5] * 30, -6.0, -0.35 + 0.65 * 36 / 39),  # 33 cooperative sentences: the headline keeps its share
    ([0.0, 0.5], 1.5, 0.35),                        # the headline is the only evidence
    ([0.0, 0.5], 0.5, 0.0),                         # a headline in the neutral band carries no evidence
    ([4.0, 0.0], 0.5, 0.65 * 2 / 5),                # ... and leaves the body its share only
    ([4.0, 0.0], np.nan, 2 / 5),                    # no headline: the body alone
])
def test_diplomatic_balance_counts_the_headline(scores, title, expected):
    from diplo.analysis.aggregate import TITLE_SHARE, diplomatic_balance

    assert TITLE_SHARE == 0.35
    table = pd.DataFrame({"doc_id": "a", "sent_id": range(len(scores)), "tone_diplomatic": scores})
    titles = pd.Series({"a": title, "b": 9.0})  # b has no sentences: it gets no balance
    out = diplomatic_balance(table, titles=titles)
    assert list(out.index) == ["a"] and out["a"] == pytest.approx(expected)


@pytest.mark.parametrize("share, expected", [(0.0, 0.4), (0.5, -0.5 + 0.5 * 0.4), (1.0, -1.0)])
def test_diplomatic_balance_title_share(share, expected):
    from diplo.analysis.aggregate import diplomatic_balance

    table = pd.DataFrame({"doc_id": "a", "sent_id": [0, 1], "tone_diplomatic": [3.0, 0.0]})
    out = diplomatic_balance(table, titles=pd.Series({"a": -4.0}), title_share=share)
    assert out["a"] == pytest.approx(expected)


def test_diplomatic_balance_headline_of_an_unscored_article_stays_missing():
    from diplo.analysis.aggregate import diplomatic_balance

    table = pd.DataFrame({"doc_id": ["a", "b"], "sent_id": [0, 0], "tone_diplomatic": [np.nan, 2.0]})
    out = diplomatic_balance(table, titles=pd.Series({"a": 5.0, "b": -5.0}))
    assert np.isnan(out["a"]) and out["b"] == pytest.approx(-0.35 + 0.65 * 2 / 5)


@pytest.mark.parametrize("kwargs, message", [
    ({"band": 0}, "band must be a positive number, got 0"),
    ({"column": "tone_x"}, r"missing column\(s\) \['tone_x'\]"),
    ({"title_share": 1.5}, r"title_share must be within 0..1, got 1.5"),
    ({"title_share": -0.1}, r"title_share must be within 0..1, got -0.1"),
    ({"prior": -1.0}, r"prior must be a number >= 0, got -1.0"),
    ({"prior": float("nan")}, r"prior must be a number >= 0, got nan"),
])
def test_diplomatic_balance_errors(kwargs, message):
    from diplo.analysis.aggregate import diplomatic_balance

    table = pd.DataFrame({"doc_id": ["a"], "sent_id": [0], "tone_diplomatic": [1.0]})
    with pytest.raises(ValueError, match=message):
        diplomatic_balance(table, **kwargs)


def test_diplomatic_balance_on_the_sample(processed):
    articles = load_outputs(processed)["articles"].set_index("doc_id")
    balance = articles["diplomatic_balance"]
    assert balance.between(-1, 1).all() and balance.notna().all()
    # the sample's articles report meetings and agreements: more cooperative than conflictual sentences
    assert (balance > 0).all()
