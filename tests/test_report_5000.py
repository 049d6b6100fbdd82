"""The whole report on 5,000 articles from 9 outlets over six years (issue 14's "Done when": a 5,000-article
real-shaped corpus, the suite passing on it with key numbers asserted).

About two CPU minutes (processing and six notebooks; 350 s wall on a loaded machine). It runs in ``make test``;
it is marked ``slow`` so that ``pytest -m "not slow"`` skips it while iterating.
"""

from __future__ import annotations

import pandas as pd
import pytest

from test_report_corpora import NOTEBOOKS, _write

pytestmark = pytest.mark.slow


OUTLETS_9 = (["Tehran Times"] * 6 + ["Press TV"] * 5 + ["Mehr News Agency"] * 4 + ["IRNA"] * 3 + ["Caspian News"] * 2
             + ["The Diplomatic Insight", "Azernews", "Trend News Agency", "APA"])


@pytest.fixture(scope="module")
def five_thousand(tmp_path_factory):
    """5,000 articles over six years from 9 outlets of unequal size, reported with `diplo report`'s code."""
    from diplo.report.batch import run_report

    root = tmp_path_factory.mktemp("n5000")
    dates = pd.date_range("2019-01-01", "2024-12-31", periods=5000).strftime("%Y-%m-%d").tolist()
    raw = _write(root / "raw", 5000, seed=11, dates=dates, outlets=OUTLETS_9)
    return run_report({"raw_dir": str(raw)}, root / "report", notebooks_dir=NOTEBOOKS, progress=False)


def test_5000_articles_report_stays_small_and_counts_every_article(five_thousand):
    import matplotlib.image

    out, tables = five_thousand, five_thousand / "tables"
    by_bin = pd.read_csv(tables / "02_tone" / "tone_by_bin.csv")
    assert len(by_bin) == 24 and by_bin["n_articles"].sum() == 5000  # auto: quarters, every article in one
    by_outlet = pd.read_csv(tables / "02_tone" / "tone_by_outlet_bin.csv")
    assert set(by_outlet["outlet"]) == {"Tehran Times", "Press TV", "Mehr News Agency", "IRNA", "Caspian News",
                                        "APA", "other"} and by_outlet["n_articles"].sum() == 5000
    assert len(pd.read_csv(tables / "02_tone" / "tone_by_outlet.csv")) == 9
    topics = pd.read_csv(tables / "03_themes" / "topics_by_bin.csv")
    assert topics["n_articles"].sum() == 3000  # fitted on a seeded sample, and the chart says so
    caption = (out / "figures" / "03_themes" / "topics_over_time.svg").read_text(encoding="utf-8")
    assert "topic shares of a seeded random sample of 3,000 of the 5,000 selected articles" in caption
    found = pd.read_csv(tables / "06_report" / "headlines.csv", dtype=str).set_index("finding")["value"]
    assert found["articles"] == "5,000" and found["dated articles"] == "5,000" and found["outlets"] == "9"
    for png in out.glob("figures/*/*.png"):
        assert max(matplotlib.image.imread(png).shape[:2]) <= 2400, png.name
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert len(html.encode()) <= 2_000_000, page.name
        assert max((t.count("<tr") for t in html.split("</table>")), default=0) <= 26, page.name  # header + 25
    assert "more rows in tables/02_tone/tone_by_outlet_bin.csv" in (out / "02_tone.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<td>5,000</td><td>5,000</td><td>9</td><td>2019-01-01 to 2024-12-31</td>" in index
    assert index.count("<img src=\"figures/") == 6  # a headline figure for each report
