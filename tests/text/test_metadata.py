"""diplo.text.metadata: the issue-3 expectations on the sample articles, and the general rules behind them."""

from __future__ import annotations

import pytest

from diplo import load_outputs
from diplo.text.clean import DEFAULT_STEPS, make_pipeline, remove_boilerplate
from diplo.text.metadata import canonical_outlet, extract_metadata, load_outlets, parse_date


def _meta(text: str):
    normalized = make_pipeline(*DEFAULT_STEPS)(text)
    return extract_metadata(normalized, removed=remove_boilerplate(normalized).removed)


# doc_id -> expected (date, date_source, outlet, outlet_source, author, title, dateline)
SAMPLE_EXPECTED = {
    "000_fffe2469ccd24148": ("2023-07-06", "text", "Tehran Times", "boilerplate:first_published",
                             "Faramarz Kuhpayeh", None, None),
    "001_f93eaf8b647e4b6f": ("2021-12-25", "metadata.csv", "Mehr News Agency", "metadata.csv",
                             "Mojtaba Rouzbahani", None, None),
    "002_9be3c843f8453a3d": ("2021-12-23", "text", "Press TV", "boilerplate:mirror_notice", None,
                             "Iran, Azerbaijan oppose foreign interference in regional affairs", None),
    "003_b9d2cb7e29a721eb": ("2023-12-07", "text", "Caspian News", "metadata.csv", "Nigar Bayramli",
                             "Azerbaijani, Iranian Top Diplomats Discuss Regional Projects", None),
    "004_0c3bfa3d25225ea3": ("2023-10-05", "text", "The Diplomatic Insight", "boilerplate:dateline", None, None,
                             "Tehran"),
}


@pytest.mark.parametrize("doc_id", sorted(SAMPLE_EXPECTED))
def test_sample_article_metadata(processed, doc_id):
    row = load_outputs(processed)["articles"].set_index("doc_id").loc[doc_id]
    date, date_source, outlet, outlet_source, author, title, dateline = SAMPLE_EXPECTED[doc_id]
    got = row[["date", "date_source", "outlet", "outlet_source", "author", "title", "dateline"]]
    # parquet dates come back as datetime.date
    got = [None if v is None or v != v else v.isoformat() if hasattr(v, "isoformat") else v for v in got]
    assert got == [date, date_source, outlet, outlet_source, author, title, dateline]


@pytest.mark.parametrize("path, outlet", [
    ("000_fffe2469ccd24148.txt", "Tehran Times"),
    ("001_f93eaf8b647e4b6f.txt", "Mehr News Agency"),
    ("002_9be3c843f8453a3d.txt", "Press TV"),
    ("003_b9d2cb7e29a721eb.txt", None),  # Caspian News is not named in its text
    ("004_0c3bfa3d25225ea3.txt", "The Diplomatic Insight"),
])
def test_outlet_from_the_text_alone(raw_dir, path, outlet):
    assert _meta((raw_dir / path).read_text()).outlet == outlet


def test_001_has_no_date_in_its_text(raw_dir):
    meta = _meta((raw_dir / "001_f93eaf8b647e4b6f.txt").read_text())
    assert (meta.date, meta.date_source) == (None, "unknown")


def test_crawl_stamp_is_never_the_date():
    meta = _meta("Last update: July 24, 2024 00:56\n\nIran and Azerbaijan met in Baku to talk about trade.")
    assert meta.date is None


def test_date_inside_the_story_is_not_the_publication_date():
    meta = _meta("Iran and Azerbaijan met in Baku.\n\nThe first meeting was held on December 10, 2021 in Moscow.")
    assert meta.date is None


def test_header_date_beats_the_caption_date():
    text = ("By Nigar Bayramli December 7, 2023\n\nMinisters met in Moscow on December 5, 2023. / Mfa.Gov.Az\n\n"
            "The two ministers met in Moscow.")
    assert _meta(text).date == "2023-12-07"


def test_caption_date_is_the_fallback():
    text = ("Iran, Azerbaijan oppose foreign interference\n\nMinisters meet in Baku on December 23, 2021. "
            "(Photo by IRNA)\n\nThe ministers met on Wednesday.")
    assert _meta(text).date == "2021-12-23"


def test_caption_far_below_the_header_is_not_used():
    body = "\n\n".join(["The ministers met and talked about trade."] * 14)
    text = f"{body}\n\nMinisters meet in Baku on December 23, 2021. (Photo by IRNA)"
    assert _meta(text).date is None


@pytest.mark.parametrize("line, date", [
    ("Published: 7 Dec 2023", "2023-12-07"),
    ("December 7, 2023", "2023-12-07"),
    ("Thursday, December 7, 2023 - 10:15", "2023-12-07"),
    ("date 2023-07-06 The minister left.", "2023-07-06"),
    ("Baku, December 5, 2023 (Report): The minister said.", "2023-12-05"),
])
def test_explicit_header_dates(line, date):
    assert _meta(f"{line}\n\nThe foreign ministers of Iran and Azerbaijan met in Baku on Tuesday.").date == date


@pytest.mark.parametrize("value, expected", [
    ("2023-07-06", "2023-07-06"),
    ("2023-07-06T10:00:00Z", "2023-07-06"),
    ("December 7, 2023", "2023-12-07"),
    ("Dec. 7th, 2023", "2023-12-07"),
    ("5 October 2023", "2023-10-05"),
    ("2023-02-30", None),
    ("February 30, 2023", None),
    ("July 2023", None),
    ("", None),
    ("not a date", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("name, canonical", [
    ("TDI", "The Diplomatic Insight"),
    ("PressTV", "Press TV"),
    ("mehr news", "Mehr News Agency"),
    ("Al-Monitor.", "Al-Monitor"),
])
def test_canonical_outlet(name, canonical):
    assert canonical_outlet(name) == canonical


@pytest.mark.parametrize("yaml_text, message", [
    ("A:\n  aliases: [x]\nB:\n  aliases: [x]\n", "line 4: 'x' already names 'A'"),
    ("A:\n  nick: [x]\n", "line 2: unknown key 'nick'"),
    ("A: [x\n", "invalid YAML"),
    ("A:\n  aliases: x\n", "line 2: aliases of 'A' must be a list"),
])
def test_outlets_file_errors_name_file_and_line(tmp_path, yaml_text, message):
    path = tmp_path / "outlets.yml"
    path.write_text(yaml_text)
    with pytest.raises(ValueError, match=message):
        load_outlets(path)


def test_credit_line_names_an_unlisted_outlet():
    text = "The ministers met in Baku and discussed trade.\n\nFirst published in Al-Monitor"
    assert _meta(text).outlet == "Al-Monitor"


def test_find_outlet_equals_its_earlier_version(raw_dir):
    """The credit-line search skips patterns whose words are absent (ASCII only); tests/oracles.py has
    the version that searched every line with every pattern."""
    import random

    import oracles
    from diplo.text.metadata import _default_outlets, _find_outlet

    lines = [ln.strip() for path in sorted(raw_dir.glob("*.txt"))
             for ln in make_pipeline(*DEFAULT_STEPS)(path.read_text(encoding="utf-8")).split("\n") if ln.strip()]
    lines += ["First published in the website of The Tehran Times.", "ORIGINALLY PUBLISHED BY Mehr.",
              "Fir\u017ft publi\u017fhed in Tehran Times", "all content by TDI is licen\u017fed under CC",
              "Press TV\u2019s website can also be accessed at", "PRESS TV'S WEBSITE CAN ALSO BE ACCESSED here",
              "Press TV News Roku", "first published on"]
    rng = random.Random(4)
    outlets = _default_outlets()
    found = set()
    for _ in range(3000):
        sample = [rng.choice(lines) for _ in range(rng.randint(0, 30))]
        agency = rng.choice([None, "TDI", "IRNA", "xyz"])
        outlet = _find_outlet(sample, agency, outlets)
        assert outlet == oracles.find_outlet(sample, agency, outlets), sample
        found.add(outlet)
    assert len(found) >= 5
