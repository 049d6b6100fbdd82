"""The notebooks on real-shaped corpora (issue 14): undated, many outlets, text repeated in an article, one
article, an empty selection. Each runs through papermill at a small size with its key numbers asserted.

The corpora are made of sentences recombined from the sample articles (benchmarks/corpus.py), written as the
crawled files are: plain text, a title line, no date unless metadata.csv gives one.
"""

from __future__ import annotations

import shutil
import sys

import pandas as pd
import papermill as pm
import pytest

from conftest import ROOT, RAW

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate_articles  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"


def _write(folder, n, *, seed, dates=None, outlets=None, repeat=None):
    """``n`` synthetic articles as undated .txt files, plus a metadata.csv with ``dates``/``outlets`` if given."""
    folder.mkdir(parents=True)
    rows = []
    for i, article in enumerate(generate_articles(n, seed=seed)):
        paragraphs = [" ".join(p) for p in article.paragraphs]
        if repeat and i < 2:  # the same sentence repeated within the article and in the next one
            paragraphs += [repeat] * 3
        (folder / f"{article.doc_id}.txt").write_text(article.title + "\n\n" + "\n\n".join(paragraphs) + "\n",
                                                      encoding="utf-8")
        rows.append({"file": f"{article.doc_id}.txt", "date": dates[i] if dates else "",
                     "outlet": outlets[i % len(outlets)] if outlets else ""})
    if dates or outlets:
        pd.DataFrame(rows).to_csv(folder / "metadata.csv", index=False)
    return folder


def _run(name, raw, out, **params):
    out.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out / f"{name}.ipynb"),
                        parameters={"raw_dir": str(raw), "output_dir": str(out), "processed_dir": str(out / "processed"),
                                    **params},
                        kernel_name="diplo", cwd=str(NOTEBOOKS), progress_bar=False)
    return out / "tables" / name, (out / f"{name}.ipynb").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def undated(tmp_path_factory):
    root = tmp_path_factory.mktemp("undated")
    return _write(root / "raw", 12, seed=7), root / "out"


@pytest.mark.parametrize("name", ["01_corpus", "02_tone", "03_themes", "04_theme_tone_actors", "06_report"])
def test_undated_corpus_runs_and_says_why_time_charts_are_empty(undated, name):
    raw, out = undated
    tables, text = _run(name, raw, out, n_topics=3)
    assert "12 of them have no publication date" in text and "metadata.csv (columns file,date" in text
    if name == "01_corpus":
        overview = pd.read_csv(tables / "corpus_overview.csv").set_index("outlet")
        assert overview.loc["(all)", "undated"] == 12 and overview.loc["(all)", "articles"] == 12
    if name == "02_tone":
        by_bin = pd.read_csv(tables / "tone_by_bin.csv")  # a header even with no dated article
        assert by_bin.empty and {"bin", "n_articles", "tone_vader", "tone_vader_lo"} <= set(by_bin.columns)
        assert pd.read_csv(tables / "tone_by_outlet.csv")["n_articles"].sum() == 12
        assert len(pd.read_csv(tables / "sample_tone_vader.csv")) == 20
        chart = (out / "figures" / name / "tone_over_time.svg").read_text(encoding="utf-8")
        assert "12 articles without a date" in chart and "metadata.csv" in chart
    if name == "03_themes":
        assert pd.read_csv(tables / "themes_by_bin.csv").empty
        assert len(pd.read_csv(tables / "kwic.csv"))
        assert pd.read_csv(tables / "topics_by_bin.csv").empty  # topics fitted, but no date to bin them by
        assert "1 outlet(s) among the articles with topics" in text
        assert not (tables / "topics_by_outlet_bin.csv").exists()
    if name == "04_theme_tone_actors":
        assert pd.read_csv(tables / "theme_tone_by_bin.csv").empty
        assert pd.read_csv(tables / "actor_tone_by_bin.csv").empty
        assert "1 outlet(s) among the actor mentions" in text
        assert set(pd.read_csv(tables / "theme_tone_drivers.csv")["side"]) <= {"highest", "lowest"}
    if name == "06_report":
        found = pd.read_csv(tables / "headlines.csv", dtype=str).set_index("finding")["value"]
        assert found["articles"] == "12" and found["dated articles"] == "0"


@pytest.fixture(scope="module")
def many_outlets(tmp_path_factory):
    root = tmp_path_factory.mktemp("outlets")
    dates = pd.date_range("2022-01-01", periods=60, freq="12D").strftime("%Y-%m-%d").tolist()
    outlets = ["Tehran Times"] * 4 + ["Press TV"] * 3 + ["Mehr News Agency"] * 2 + [f"Outlet {k}" for k in range(6)]
    return _write(root / "raw", 60, seed=3, dates=dates, outlets=outlets), root / "out"


def test_many_outlets_are_coloured_series_with_the_rest_as_other(many_outlets):
    raw, out = many_outlets
    tables, text = _run("02_tone", raw, out, top_outlets=3, freq="quarter", events="")
    by_outlet_bin = pd.read_csv(tables / "tone_by_outlet_bin.csv")
    assert set(by_outlet_bin["outlet"]) == {"Tehran Times", "Press TV", "Mehr News Agency", "other"}
    assert by_outlet_bin["n_articles"].sum() == 60
    by_bin = pd.read_csv(tables / "tone_by_bin.csv")
    assert by_bin["bin"].tolist() == ["2022-01-01", "2022-04-01", "2022-07-01", "2022-10-01", "2023-01-01",
                                      "2023-04-01", "2023-07-01", "2023-10-01"]
    assert len(pd.read_csv(tables / "tone_by_outlet.csv")) == 9  # every outlet in the table
    assert "have no publication date" not in text


def test_topics_over_time_by_outlet(many_outlets):
    raw, out = many_outlets
    tables, _ = _run("03_themes", raw, out, top_outlets=3, freq="quarter", events="", n_topics=14)
    by_bin = pd.read_csv(tables / "topics_by_bin.csv")
    by_outlet = pd.read_csv(tables / "topics_by_outlet_bin.csv")
    assert set(by_outlet["outlet"]) == {"Tehran Times", "Press TV", "Mehr News Agency", "other"}
    assert by_bin["n_articles"].sum() == by_outlet["n_articles"].sum() == 60
    assert len(by_bin) == 8 and {f"topic_{k}" for k in range(14)} <= set(by_bin.columns)
    # the shares of one quarter, pooled over outlets, are the quarter's mean
    q = by_outlet[by_outlet["bin"] == "2022-01-01"]
    assert (q["topic_0"] * q["n_articles"]).sum() / q["n_articles"].sum() == pytest.approx(
        by_bin.loc[by_bin["bin"] == "2022-01-01", "topic_0"].item(), abs=2e-3)
    svg = (out / "figures" / "03_themes" / "topics_over_time_by_outlet.svg").read_text(encoding="utf-8")
    assert "2 more panel(s) in the table" in svg  # 14 topics: 12 panels drawn, every topic in the table


def test_actor_tone_over_time_by_outlet(many_outlets):
    raw, out = many_outlets
    tables, _ = _run("04_theme_tone_actors", raw, out, top_outlets=2, freq="quarter", events="")
    by_actor = pd.read_csv(tables / "actor_tone_by_bin.csv")
    by_outlet = pd.read_csv(tables / "actor_tone_by_outlet_bin.csv")
    top = by_actor.groupby("actor")["n"].sum().sort_values(ascending=False, kind="stable").head(6).index
    assert set(by_outlet["actor"]) == set(top) and len(top) == 6
    assert set(by_outlet["outlet"]) == {"Tehran Times", "Press TV", "other"}
    mentions = by_actor[by_actor["actor"].isin(top)]
    assert by_outlet["n"].sum() == mentions["n"].sum()  # every mention of the six actors, split by outlet
    pd.testing.assert_series_equal(by_outlet.groupby(["actor", "bin"])["n_articles"].sum(),
                                   mentions.set_index(["actor", "bin"])["n_articles"].sort_index())
    assert (out / "figures" / "04_theme_tone_actors" / "actor_tone_over_time_by_outlet.png").is_file()


def test_report_page_by_outlet_and_change_point_table(many_outlets):
    raw, out = many_outlets
    tables, _ = _run("06_report", raw, out, theme="", freq="month", min_articles=2)
    found = pd.read_csv(tables / "headlines.csv", dtype=str).set_index("finding")["value"]
    assert found["articles"] == "60" and found["outlets"] == "9"
    changes = pd.read_csv(tables / "change_points.csv")
    assert {"bin", "mean_before", "mean_after"} <= set(changes.columns)


def test_text_repeated_in_an_article_is_listed_once(tmp_path):
    praise = "The ministers praised the excellent cooperation and welcomed the great agreement."
    raw = _write(tmp_path / "raw", 6, seed=5, dates=["2023-01-05"] * 6, outlets=["Press TV"], repeat=praise)
    tables, _ = _run("02_tone", raw, tmp_path / "out", scorers=["vader"])
    top = pd.read_csv(tables / "most_cooperative.csv")
    assert top["sentence"].tolist().count(praise) == 1
    assert top["sentence"].is_unique


def test_one_article(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "000_fffe2469ccd24148.txt", raw)
    tables, _ = _run("04_theme_tone_actors", raw, tmp_path / "out")
    theme_tone = pd.read_csv(tables / "theme_tone_by_bin.csv")
    assert set(theme_tone["n_articles"]) == {1} and theme_tone["tone_diplomatic_lo"].isna().all()
    assert {"Iran", "Azerbaijan"} <= set(pd.read_csv(tables / "tone_toward_actors.csv")["actor"])


def test_empty_selection(tmp_path):
    tables, text = _run("03_themes", RAW, tmp_path / "out", start_date="2030-01-01", n_topics=3)
    assert "0 of 5 articles selected" in text
    assert pd.read_csv(tables / "themes_by_bin.csv").empty
    assert "too few for 3 topics" in text


def test_no_theme_hits_and_no_actor_mentions(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    weather = ("Rain fell over the hills on Monday and the rivers rose. Farmers said the harvest looked good. "
               "Schools stayed open and the buses ran late.")
    for i in range(3):
        (raw / f"w{i}.txt").write_text(f"Weather report {i}\n\n{weather}\n", encoding="utf-8")
    pd.DataFrame({"file": [f"w{i}.txt" for i in range(3)], "date": ["2023-03-01", "2023-03-02", "2023-03-03"],
                  "outlet": ["Press TV", "Tehran Times", "Press TV"]}).to_csv(raw / "metadata.csv", index=False)
    tables, text = _run("04_theme_tone_actors", raw, tmp_path / "out")
    assert pd.read_csv(tables / "theme_tone_by_bin.csv").empty
    assert pd.read_csv(tables / "tone_toward_actors.csv").empty
    assert pd.read_csv(tables / "actor_tone_by_bin.csv").empty
    assert "0 outlet(s) among the actor mentions" in text
    figures = tmp_path / "out" / "figures" / "04_theme_tone_actors"
    assert "no actor mentions in this selection" in (figures / "actor_tone.svg").read_text(encoding="utf-8")
    assert "no dated sentences about a theme" in (figures / "theme_tone_over_time.svg").read_text(encoding="utf-8")

