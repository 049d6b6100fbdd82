"""Chart helpers on small synthetic tables: labelled axes with units, fixed colours, clear errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from diplo.report import plots  # noqa: E402

DATES = ["2021-12-25", "2023-07-06", "2023-10-05"]


@pytest.fixture(autouse=True)
def _style():
    plots.use_style()
    yield
    plt.close("all")


@pytest.fixture
def by_date():
    return pd.DataFrame({"date": DATES, "n": [20, 32, 13], "tone_vader": [0.4, -0.2, 0.1],
                         "tone_vader_lo": [0.3, -0.35, 0.0], "tone_vader_hi": [0.5, -0.1, 0.2]})


@pytest.fixture
def articles():
    return pd.DataFrame({
        "doc_id": ["a", "b", "c"], "date": ["2023-07-06", "2021-12-25", None],
        "outlet": ["Tehran Times", "Mehr News Agency", None], "n_words": [700, 900, 300],
        "removed_lines": [3, 0, 2], "date_source": ["text", "metadata.csv", "unknown"],
        "outlet_source": ["text", "metadata.csv", "unknown"], "theme_energy": [1.5, 0.0, 2.0],
        "theme_corridors": [0.0, 3.0, 0.5],
    })


def test_color_for_is_stable_and_pinned():
    assert plots.color_for("Press TV") == plots.color_for("Press TV")
    assert plots.color_for("tone_vader") == plots.color_for("vader") == plots.PALETTE[0]
    assert plots.color_for(None) == plots.color_for("") == plots.color_for(np.nan)


def test_assign_colors_gives_each_name_of_a_family_its_own_colour():
    names = ["energy", "corridors", "embassy_attack", "sanctions", "water", "border"]
    colours = plots.assign_colors(names)
    assert len(set(colours.values())) == len(names)
    assert all(plots.color_for(n) == c for n, c in colours.items())


def test_tone_over_time_draws_points_with_intervals_not_lines(by_date):
    ax = plots.plot_tone_over_time(by_date, "tone_vader")
    assert ax.get_xlabel() == "publication date"
    assert ax.get_ylabel() == "VADER compound (-1..1)"
    assert ax.get_title()
    (container,) = ax.containers
    assert container.has_yerr
    assert [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 3 and ln.get_linestyle() != "None"] == []
    # the bar of the second date spans its bootstrap interval
    segments = container.lines[2][0].get_segments()
    assert segments[1][:, 1].tolist() == pytest.approx([-0.35, -0.1])


def test_tone_over_time_missing_column_is_named(by_date):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['tone_lexicon'\]; found \['date'"):
        plots.plot_tone_over_time(by_date, "tone_lexicon")


@pytest.mark.parametrize("plot, args", [
    (plots.plot_tone_over_time, ("tone_vader",)),
    (plots.plot_tone_by_outlet, ("tone_vader",)),
    (plots.plot_theme_over_time, (["theme_energy"],)),
    (plots.plot_theme_tone_over_time, ("tone_vader",)),
])
def test_empty_selection_says_so(by_date, plot, args):
    for empty in (by_date.iloc[:0], pd.DataFrame()):  # aggregates of nothing come back without columns
        out = plot(empty, *args)
        ax = out.flat[0] if isinstance(out, np.ndarray) else out
        assert ax.texts[0].get_text().startswith("no ")


def test_tone_by_outlet_uses_outlet_colours():
    table = pd.DataFrame({"outlet": ["Press TV", "Tehran Times"], "n": [5, 6], "tone_vader": [0.1, 0.3]})
    ax = plots.plot_tone_by_outlet(table, "tone_vader")
    colours = [matplotlib.colors.to_hex(c.lines[0].get_color()) for c in ax.containers]
    assert colours == [plots.color_for("Press TV").lower(), plots.color_for("Tehran Times").lower()]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Press TV  (n=5)", "Tehran Times  (n=6)"]


def test_plot_by_scorer_one_panel_per_column(by_date):
    table = by_date.assign(tone_diplomatic=[2.0, -3.0, 1.0])
    axes = plots.plot_by_scorer(plots.plot_tone_over_time, table, ["tone_vader", "tone_diplomatic"])
    assert [a.get_ylabel() for a in axes] == ["VADER compound (-1..1)", "diplomatic (-10 conflict..+10 coop.)"]
    assert axes[0].figure is axes[1].figure


def test_scorer_agreement_needs_square_matrix():
    corr = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["tone_vader", "tone_lexicon"],
                        columns=["tone_vader", "tone_lexicon"])
    ax = plots.plot_scorer_agreement(corr, n=10)
    assert sorted(t.get_text() for t in ax.texts) == ["0.50", "0.50", "1.00", "1.00"]
    with pytest.raises(ValueError, match="square matrix"):
        plots.plot_scorer_agreement(corr.iloc[:1])


def test_corpus_charts(articles):
    ax = plots.plot_articles_timeline(articles)
    assert "1 undated article(s) not shown" in ax.get_xlabel() and "metadata.csv" in ax.get_xlabel()
    assert sum(p.get_height() for p in ax.patches) == 2  # the two dated articles, one bar segment each
    ax = plots.plot_article_lengths(articles)
    assert ax.get_ylabel() == "articles" and "3 articles; shortest 300, longest 900" in ax.get_xlabel()
    ax = plots.plot_metadata_sources(articles)
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"metadata.csv", "text", "unknown"}


def test_undated_timeline_says_how_to_date_the_articles(articles):
    ax = plots.plot_articles_timeline(articles.assign(date=None))
    assert "3 articles without a date" in ax.texts[0].get_text() and "metadata.csv" in ax.texts[0].get_text()


def test_removed_by_rule_totals_per_rule(articles):
    removed = pd.DataFrame({"doc_id": ["a", "a", "a", "c", "zz"], "rule": ["byline", "share_bar", "byline", "byline",
                                                                          "title"]})
    ax = plots.plot_removed_by_rule(removed, articles)  # "zz" is not a selected article
    assert [t.get_text() for t in ax.get_yticklabels()] == ["byline", "share bar"]
    assert [p.get_width() for p in ax.patches] == [3, 1]
    assert [t.get_text() for t in ax.texts] == [" 3 in 2 art.", " 1 in 1 art."]
    ax = plots.plot_removed_by_rule(removed.iloc[:0], articles)
    assert "removed nothing" in ax.texts[0].get_text()


def test_theme_heatmap_has_themes_by_period(articles):
    ax = plots.plot_theme_heatmap(articles, ["theme_energy", "theme_corridors"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["energy", "corridors"]
    # two dated days and the undated article: three periods, articles in brackets
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021-12-25 (1)", "2023-07-06 (1)", "undated (1)"]
    assert len(ax.texts) == 6


def test_charts_do_not_grow_with_articles(tmp_path):
    """5,000 articles with 200 outlets and a 20,000-character outlet name: same-size charts, short labels."""
    rng = np.random.default_rng(0)
    n = 5000
    outlets = np.array([f"outlet {i}" for i in range(199)] + ["x" * 20_000])
    articles = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)],
                             "date": (pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), "D"))
                             .strftime("%Y-%m-%d"), "outlet": rng.choice(outlets, n), "n_words": rng.integers(50, 3000, n),
                             "theme_energy": rng.gamma(1, 1, n), "theme_corridors": rng.gamma(1, 1, n)})
    by_outlet = pd.DataFrame({"outlet": outlets, "n": rng.integers(1, 100, 200), "tone_vader": rng.normal(0, .1, 200)})
    for name, ax in [("timeline", plots.plot_articles_timeline(articles)),
                     ("lengths", plots.plot_article_lengths(articles)),
                     ("heatmap", plots.plot_theme_heatmap(articles, ["theme_energy", "theme_corridors"])),
                     ("outlets", plots.plot_tone_by_outlet(by_outlet))]:
        png, _ = plots.save_figure(ax, tmp_path / name)
        width, height = matplotlib.image.imread(png).shape[1::-1]
        assert max(width, height) <= plots.MAX_PIXELS, name
        labels = [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        assert max(map(len, labels)) <= plots.LABEL_CHARS + 12, name
    assert len(ax.get_yticks()) == 20 and "180 smaller outlet(s) not shown" in ax.get_xlabel()


def test_save_figure_caps_the_size_of_a_huge_figure(tmp_path):
    fig, ax = plt.subplots(figsize=(40, 60))
    png, _ = plots.save_figure(ax, tmp_path / "huge")
    assert max(matplotlib.image.imread(png).shape[:2]) <= plots.MAX_PIXELS


@pytest.mark.parametrize("text, expected", [("short", "short"), ("a  b\nc", "a b c"), ("x" * 70, "x" * 59 + "…")])
def test_short_label(text, expected):
    assert plots.short_label(text) == expected


def _binned(counts, values, freq="month"):
    bins = pd.date_range("2023-01-01", periods=len(counts), freq="MS")
    table = pd.DataFrame({"bin": bins, "n": counts, "n_articles": counts, "tone_vader": values,
                          "tone_vader_lo": np.array(values) - 0.1, "tone_vader_hi": np.array(values) + 0.1})
    table.attrs["freq"] = freq
    return table


def test_trend_hollow_thin_bins_and_lines_only_between_adjacent_full_bins():
    table = _binned([5, 5, 1, 5, 5, 5], [0.1, 0.2, 0.9, 0.3, 0.2, 0.1]).drop(index=4)  # May has no article
    events = pd.DataFrame({"date": pd.to_datetime(["2023-02-10", "2030-01-01"]), "label": ["talks", "later"]})
    ax = plots.plot_trend(table, "tone_vader", min_articles=3, events=events, undated=7)
    lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and len(ln.get_xdata()) > 1
             and ln.get_color() == plots.color_for("tone_vader")]
    assert [len(ln.get_xdata()) for ln in lines] == [2]  # Jan-Feb only: March is thin, May is empty
    hollow = [ln for ln in ax.get_lines() if ln.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and len(hollow[0].get_xdata()) == 1
    assert [t.get_text().strip() for t in ax.texts] == ["talks"]  # the event outside the dates is not drawn
    assert "7 undated articles not shown" in ax.get_xlabel() and "file,date" in ax.get_xlabel()
    assert "most are hollow" not in ax.get_xlabel()
    thin = plots.plot_trend(_binned([1, 2, 5, 1], [0.1, 0.2, 0.3, 0.2]), "tone_vader", min_articles=3)
    assert "most are hollow: freq=quarter or coarser gives fuller bins" in thin.get_xlabel()
    empty = plots.plot_trend(table.iloc[:0], "tone_vader", undated=12)
    assert "no dated articles: 12 articles without a date" in empty.texts[0].get_text()


def test_trend_panels_by_theme_and_outlet_series():
    table = pd.concat([_binned([4] * 6, [0.1] * 6).assign(theme=t, outlet=o) for t in ("energy", "corridors")
                       for o in ("Press TV", "other")], ignore_index=True)
    table.attrs["freq"] = "month"
    axes = plots.plot_trend_panels(table, column="tone_vader", panel="theme", panels=["energy", "karabakh"],
                                   series="outlet", what="sentences about a theme")
    assert [a.get_title() for a in axes] == ["energy", "corridors"]
    assert "no dated sentences about a theme for: karabakh" in axes[0].figure.get_supxlabel()
    legend = axes[0].figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Press TV", "other"]
    # only one outlet has dated articles (the others' are undated): the chart still names it
    one = plots.plot_trend(table[table["outlet"] == "Press TV"], "tone_vader", series="outlet")
    assert [t.get_text() for t in one.get_legend().get_texts()] == ["Press TV"]


def _zero_lines(ax):
    return [ln for ln in ax.get_lines() if list(ln.get_ydata()) == [0, 0] and ln.get_color() == "0.4"]


@pytest.mark.parametrize("ncols, sharey", [(2, True), (1, False)])
def test_trend_panels_zero_line_in_every_panel_and_points_above_the_article_bars(ncols, sharey):
    """Panels drawn before a later panel widens the shared y range to 0 get their zero line too (the top row of
    the actor chart had none); no point sits in the band of the article bars (the bottom fifth)."""
    table = pd.concat([_binned([4] * 6, values).assign(actor=actor) for actor, values in
                       (("Azerbaijan", [0.6, 0.7, 0.65, 0.7, 0.6, 0.7]), ("Iran", [0.8, 0.9, 0.85, 0.9, 0.8, 0.9]),
                        ("Armenia", [-0.6, -0.5, -0.7, -0.5, -0.6, -0.4]))], ignore_index=True)
    table.attrs["freq"] = "month"
    axes = plots.plot_trend_panels(table, column="tone_vader", panel="actor", panels=["Azerbaijan", "Iran"],
                                   ncols=ncols, sharey=sharey, note="shares of a sample")
    assert [a.get_title() for a in axes] == ["Azerbaijan", "Iran", "Armenia"]
    assert [len(_zero_lines(ax)) for ax in axes] == ([1, 1, 1] if sharey else [0, 0, 0])  # 0 in view or not
    for ax in axes:
        low, high = ax.get_ylim()
        lowest = min(np.nanmin(np.asarray(ln.get_ydata(), dtype=float)) for ln in ax.get_lines()
                     if ln.get_color() == plots.color_for("tone_vader"))
        assert (lowest - low) / (high - low) > 0.2  # interval caps included
        assert min(ax.get_yticks()) >= low + (high - low) / 5 - 1e-9  # no tick in the bars' band
    assert "shares of a sample" in axes[0].figure.get_supxlabel()
    if not sharey:
        assert axes[0].get_ylabel() == "VADER compound\n(-1..1)"


def test_numbered_event_labels_stand_above_the_data():
    events = pd.DataFrame({"date": pd.to_datetime(["2023-02-10", "2023-02-14", "2023-04-02"]),
                           "label": ["talks", "visit", "summit"]})
    ax = plots.plot_trend(_binned([5] * 6, [0.1, 0.2, 0.3, 0.2, 0.1, 0.2]), "tone_vader", events=events)
    ax.figure.canvas.draw()  # annotations place themselves when drawn
    numbers = [t for t in ax.texts if t.get_text() in {"1", "2", "3"}]
    assert [t.get_text() for t in numbers] == ["1", "2", "3"]
    assert all(t.xy[1] == 1.0 and t.xyann[1] > 0 for t in numbers)  # above the axes' top, in points
    assert numbers[0].xyann != numbers[1].xyann  # neighbours on two rows
    assert "events (dashed): 1 2023-02-10 talks; 2 2023-02-14 visit; 3 2023-04-02 summit" in ax.get_xlabel()


def test_theme_series_and_actor_tone():
    long = pd.DataFrame({"date": DATES * 2, "theme": ["energy"] * 3 + ["corridors"] * 3,
                         "rate": [1, 2, 3, 0, 1, 0.5], "tone_vader": [0.1, -0.2, 0.3, 0.0, 0.5, -0.4]})
    wide = pd.DataFrame({"date": DATES, "theme_energy": [1.0, 2.0, 3.0], "theme_energy_lo": [0.5, 1.0, 2.0],
                         "theme_energy_hi": [1.5, 3.0, 4.0], "theme_corridors": [0.0, 1.0, 0.5]})
    axes = plots.plot_theme_over_time(wide, ["theme_energy", "theme_corridors"])
    assert [a.get_title() for a in axes] == ["energy", "corridors"]
    assert axes[0].lines[0].get_color() == plots.color_for("energy")
    assert "hits per 1,000 words" in axes[0].figure.get_supylabel()
    axes = plots.plot_theme_tone_over_time(long, "tone_vader")
    assert [a.get_title() for a in axes] == ["corridors", "energy"]
    assert "theme sentences" in axes[0].figure.get_supylabel()
    toward = pd.DataFrame({"actor": ["Azerbaijan", "Iran"], "n": [4, 6], "tone_vader_target": [0.3, 0.1],
                           "tone_vader_target_lo": [0.1, 0.0], "tone_vader_target_hi": [0.4, 0.2]})
    by = pd.DataFrame({"speaker": ["Iran"], "n": [2], "tone_vader": [-0.2]})
    ax = plots.plot_actor_tone(toward, by, "tone_vader")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Azerbaijan  (n=4 / 0)", "Iran  (n=6 / 2)"]
    assert len(ax.containers) == 2
    ax = plots.plot_actor_tone(toward, pd.DataFrame(), "tone_vader")  # no speakers in the selection
    assert len(ax.containers) == 1
    ax = plots.plot_actor_tone(pd.DataFrame(), pd.DataFrame(), "tone_vader")
    assert "no actor mentions" in ax.texts[0].get_text()
    ax = plots.plot_actor_tone(toward, None, "tone_vader", min_n=5)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Iran  (n=6)"]


def test_topic_theme_overlap():
    overlap = pd.DataFrame([[0.5, -0.1]], index=["1: gas, pipeline"], columns=["theme_energy", "theme_corridors"])
    ax = plots.plot_topic_theme_overlap(overlap)
    assert ax.get_ylabel() == "topic (top words)"


def test_save_figure_writes_png_and_svg_deterministically(by_date, tmp_path):
    ax = plots.plot_tone_over_time(by_date)
    first = plots.save_figure(ax, tmp_path / "a" / "tone")
    assert [p.name for p in first] == ["tone.png", "tone.svg"]
    before = [p.read_bytes() for p in first]
    plots.save_figure(ax, tmp_path / "a" / "tone")
    assert [p.read_bytes() for p in first] == before
    assert b"<dc:date>" not in before[1]
