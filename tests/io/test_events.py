"""Event lists for time charts: the packaged Iran-Azerbaijan list and a researcher's own CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from diplo.io.events import load_events, packaged_events


def test_packaged_list_has_dated_sourced_events():
    events = load_events("iran_azerbaijan")
    assert "iran_azerbaijan" in packaged_events()
    attack = events[events["date"] == pd.Timestamp("2023-01-27")]
    assert attack["label"].tolist() == ["Attack on Azerbaijan's embassy in Tehran"]
    assert "seed 003" in attack["source"].iloc[0]
    assert events["source"].str.len().gt(0).all()  # every event says where it comes from
    assert events["date"].is_monotonic_increasing


@pytest.mark.parametrize("value", ["", None])
def test_no_events(value):
    assert load_events(value).empty


@pytest.mark.parametrize("text, message", [
    ("when,label\n2023-01-01,x\n", "needs columns date, label; found when, label"),
    ("date,label\n2023-02-30,x\n", "line 2: date '2023-02-30' is not YYYY-MM-DD"),
    ("date,label\n2023-02-03,x\n2023-02-04,\n", "line 3: empty label"),
])
def test_bad_events_file_names_the_line(tmp_path, text, message):
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_events(path)


def test_own_events_file_and_missing_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("date,label,notes\n2024-05-19,Dam opened,x\n2023-01-27,Embassy attack,y\n", encoding="utf-8")
    events = load_events(path)
    assert events["label"].tolist() == ["Embassy attack", "Dam opened"]
    with pytest.raises(ValueError, match="events file 'nope.csv' does not exist.*packaged list: iran_azerbaijan"):
        load_events("nope.csv")
