"""diplo validate: readers for each format, label mapping, metrics, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from diplo.cli import main
from diplo.analysis.validate import label_classes, load_labelled, parse_label_map, to_classes, validate_file

ROWS = [("Iran welcomed the agreement and praised the talks.", "2.5"),
        ("Baku condemned the deadly attack on its embassy.", "-3.1"),
        ("The minister arrived on Tuesday.", "0.1"),
        ("A wonderful, friendly and fruitful visit.", "3.0"),
        ("Troops killed ten people in the raid.", "-3.5")]


@pytest.fixture
def vader_file(tmp_path):
    # the VADER ground-truth layout: id, rating, text; no header; CRLF; a stray quote, a tab in the text
    lines = [f"{i}\t{r}\t{t}" for i, (t, r) in enumerate(ROWS, 1)]
    lines[2] = lines[2].replace("The minister", '"The minister\t')
    f = tmp_path / "truth.txt"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return f


def test_vader_format(vader_file):
    t = load_labelled(vader_file, format="vader")
    assert len(t) == 5 and t["label"].tolist()[0] == "2.5"
    assert t["text"][2].startswith('"The minister\t')


def test_tsv_without_header_needs_columns(vader_file):
    with pytest.raises(ValueError, match="needs --columns"):
        load_labelled(vader_file, format="tsv", header=False)
    t = load_labelled(vader_file, format="tsv", header=False, columns=["id", "rating", "text"], label_column="rating")
    assert len(t) == 5


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "json"])
def test_csv_jsonl_and_json_arrays(tmp_path, suffix):
    f = tmp_path / f"labels.{suffix}"
    recs = [{"sentence": t, "score": float(r)} for t, r in ROWS]
    if suffix == "csv":
        import pandas as pd
        pd.DataFrame(recs).to_csv(f, index=False)
    elif suffix == "jsonl":
        f.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    else:
        f.write_text(json.dumps(recs))
    out = validate_file(f, text_column="sentence", label_column="score", scorers=["diplomatic", "lexicon"])
    assert out["n"] == 5
    assert set(out["scorers"]) == {"diplomatic", "lexicon"}
    assert out["scorers"]["lexicon"]["pearson"] > 0.5
    assert sum(map(sum, out["scorers"]["lexicon"]["confusion"]["matrix"])) == 5


def test_missing_column_names_the_found_ones(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("body,y\nhello,1\n")
    with pytest.raises(ValueError, match=r"column\(s\) \['text'\] not found; columns are \['body', 'y'\]"):
        load_labelled(f, label_column="y")


def test_bad_lines_are_named(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"text": "a", "label": 1}\n{broken\n')
    with pytest.raises(ValueError, match="line 2: invalid JSON"):
        load_labelled(f)
    g = tmp_path / "y.tsv"
    g.write_text("text\tlabel\nonly one field\n")
    with pytest.raises(ValueError, match=r"line 2: expected 2 tab-separated fields"):
        load_labelled(g)


@pytest.mark.parametrize("labels, kwargs, expected", [
    (["2.5", "-0.3", "0.6", ""], {}, [1, 0, 1, np.nan]),
    ([2.0, 4.0, 6.0], {"center": 4.0, "band": 0.5}, [-1, 0, 1]),
    (["0", "1", "2", "3", "4", "9"], {"label_map": "conflibert"}, [0, 1, 1, -1, -1, np.nan]),
    (["AGREE", "THREATEN", "DOCUMENT"], {"label_map": "plover"}, [1, -1, np.nan]),
    (["pos", "neg"], {"label_map": {"pos": 1, "neg": -1}}, [1, -1]),
])
def test_label_classes(labels, kwargs, expected):
    np.testing.assert_array_equal(label_classes(labels, **kwargs), np.array(expected, dtype=float))


def test_categorical_labels_need_a_map():
    with pytest.raises(ValueError, match="label 'AGREE' is not a number; give --label-map"):
        label_classes(["AGREE"])
    with pytest.raises(ValueError, match="unknown label map 'cameo2'; presets:"):
        label_classes(["1"], label_map="cameo2")


def test_score_classes_band_and_nan():
    assert to_classes(np.array([0.04, -0.06, np.nan, 2.0]), 0.05).tolist() == [0, -1, 0, 1]


@pytest.mark.parametrize("spec, expected", [
    ("plover", "plover"), (None, None), ("0=0,1=1,3=-1", {"0": 0, "1": 1, "3": -1}),
])
def test_parse_label_map(spec, expected):
    assert parse_label_map(spec) == expected


def test_parse_label_map_rejects_bad_classes():
    with pytest.raises(ValueError, match="must be -1, 0 or 1"):
        parse_label_map("a=2")


def test_newsmtsc_targets(tmp_path):
    f = tmp_path / "n.jsonl"
    recs = [
        {"sentence_normalized": "Critics said Smith lied, but praised Jones for his wonderful honesty.",
         "targets": [{"from": 13, "to": 18, "mention": "Smith", "polarity": 2.0},
                     {"from": 37, "to": 42, "mention": "Jones", "polarity": 6.0}]},
        {"sentence_normalized": "Brown spoke on Monday.",
         "targets": [{"from": 0, "to": 5, "mention": "Brown", "polarity": 4.0}]},
    ]
    f.write_text("\n".join(json.dumps(r) for r in recs))
    t = load_labelled(f, format="newsmtsc")
    assert t[["start", "end"]].values.tolist() == [[13, 18], [37, 42], [0, 5]]
    out = validate_file(f, format="newsmtsc", scorers=["vader"])
    assert out["n"] == 3 and out["label_map"] == "newsmtsc"
    assert out["target"]["vader"]["accuracy"] >= out["scorers"]["vader"]["accuracy"]


def test_cli_validate_prints_json(vader_file, capsys):
    assert main(["validate", str(vader_file), "--format", "vader", "--scorer", "vader",
                 "--scorer", "diplomatic"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 5 and list(out["scorers"]) == ["vader", "diplomatic"]
    assert out["scorers"]["vader"]["neutral_band"] == 0.05
    assert out["scorers"]["vader"]["macro_f1"] > 0.5


def test_cli_unknown_scorer_is_a_clear_error(vader_file, capsys):
    assert main(["validate", str(vader_file), "--format", "vader", "--scorer", "nope"]) == 2
    assert "valid scorers: diplomatic, lexicon, vader" in capsys.readouterr().err


def test_cli_missing_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "none.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_validate_with_a_user_lexicon(vader_file, tmp_path, capsys):
    cat = tmp_path / "mini.cat"
    cat.write_text("POSITIVE\n\tWELCOM*\n\tWONDERFUL\nNEGATIVE\n\tCONDEMN*\n\tKILL*\n")
    assert main(["validate", str(vader_file), "--format", "vader", "--scorer", "lexicon", "--lexicon", str(cat)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scorers"]["lexicon"]["confusion"]["matrix"] == [[2, 0, 0], [0, 1, 0], [0, 0, 2]]


# ---- coded sheets (issue 17): known answers, bootstrap intervals, coders -----------------------------------

class FixedScorer:
    """A scorer whose score for each text is the number written in it (so the predictions are known)."""

    name = "fixed"
    columns = ("tone_fixed",)

    def score(self, texts, *, evidence=False):
        return {"tone_fixed": np.array([float(t.split()[-1]) for t in texts])}, None

    def score_chunk(self, chunk, *, evidence=False):  # the scorer protocol (diplo.scoring.chunk.Chunk)
        return self.score(chunk.texts, evidence=evidence)


def test_macro_f1_and_accuracy_on_a_sheet_with_known_answers():
    from diplo.analysis.validate import validate_scorers
    import pandas as pd

    gold = [1, 1, 1, -1, -1, 0]
    pred = [1, 1, -1, -1, 0, 0]
    table = pd.DataFrame({"text": [f"sentence {p}" for p in pred], "label": [str(g) for g in gold]})
    out = validate_scorers(table, [FixedScorer()], n_boot=200, seed=3)["scorers"]["fixed"]
    # F1: class 1 = 2*2/(3+2) = 0.8; class -1 = 2*1/(2+2) = 0.5; class 0 = 2*1/(1+2) = 2/3
    assert out["macro_f1"] == round((0.8 + 0.5 + 2 / 3) / 3, 4) == 0.6556
    assert out["accuracy"] == round(4 / 6, 4)
    assert out["confusion"]["matrix"] == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    lo, hi = out["macro_f1_ci"]
    assert 0 <= lo <= out["macro_f1"] <= hi <= 1
    again = validate_scorers(table, [FixedScorer()], n_boot=200, seed=3)["scorers"]["fixed"]
    assert again["macro_f1_ci"] == out["macro_f1_ci"]  # seeded
    assert out["pearson"] == round(float(np.corrcoef(gold, pred)[0, 1]), 4) and len(out["pearson_ci"]) == 2


@pytest.mark.parametrize("a, b, nominal, ordinal", [
    # coincidences o00=2, o11=4, o01=o10=1 (n=8): 1 - (2/8) / (2*3*5/56) = 8/15; two values: ordinal = nominal
    (["1", "1", "0", "0"], ["1", "1", "0", "1"], 8 / 15, 8 / 15),
    # n(-1)=2, n(0)=1, n(1)=3; one 0/1 disagreement: nominal 1 - (2/6)/(22/30) = 6/11;
    # ordinal delta^2(0,1) = ((1+3)/2)^2 = 4, D_o = 8/6, D_e = 2*(2*2.25 + 6*12.25 + 3*4)/30 = 6: 1 - 8/36 = 7/9
    (["-1", "0", "1"], ["-1", "1", "1"], 6 / 11, 7 / 9),
])
def test_krippendorff_alpha_matches_hand_computed_cases(a, b, nominal, ordinal):
    import pandas as pd
    from diplo.analysis.validate import coder_agreement

    out = coder_agreement(pd.DataFrame({"a": a, "b": b}), ["a", "b"])
    assert out["alpha_nominal"] == round(nominal, 4)
    assert out["alpha_ordinal"] == round(ordinal, 4)
    assert out["n_units"] == len(a)


def test_coder_agreement_text_codes_blanks_and_errors():
    import pandas as pd
    from diplo.analysis.validate import coder_agreement, majority_codes

    table = pd.DataFrame({"a": ["coop", "conflict", "coop", ""], "b": ["coop", "conflict", "conflict", "coop"],
                          "c": ["coop", "", "conflict", ""]})
    out = coder_agreement(table, ["a", "b", "c"])
    assert out["alpha_ordinal"] is None and out["n_units"] == 3 and out["percent_agreement"] == round(2 / 3, 4)
    assert majority_codes(table, ["a", "b", "c"]).tolist() == ["coop", "conflict", "conflict", "coop"]
    with pytest.raises(ValueError, match="two or more coder columns"):
        coder_agreement(table, ["a"])


def test_cli_validate_coded_sheet_with_coders(tmp_path, capsys):
    import pandas as pd

    rows = [("Iran welcomed the agreement and praised the talks.", "1", "1", "1"),
            ("Baku condemned the deadly attack on its embassy.", "-1", "-1", "-1"),
            ("The minister arrived on Tuesday.", "0", "0", "1"),
            ("A wonderful, friendly and fruitful visit.", "1", "1", "0"),
            ("Troops killed ten people in the raid.", "-1", "0", "-1"),
            ("They met again.", "0", "1", "-1")]  # no majority: left out
    sheet = tmp_path / "coding.csv"
    pd.DataFrame(rows, columns=["text", "sentiment_a", "sentiment_b", "sentiment_c"]).to_csv(sheet, index=False)
    assert main(["validate", str(sheet), "--coder-columns", "sentiment_a,sentiment_b,sentiment_c",
                 "--scorer", "vader", "--n-boot", "100"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 5 and out["coders"]["n_no_majority"] == 1 and out["coders"]["n_units"] == 6
    assert out["gold_counts"] == {"-1": 2, "0": 1, "1": 2}
    assert -1 <= out["coders"]["alpha_nominal"] < out["coders"]["alpha_ordinal"] <= 1
    assert len(out["scorers"]["vader"]["macro_f1_ci"]) == 2 and out["bootstrap"]["n_boot"] == 100
