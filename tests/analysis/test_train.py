"""diplo train and diplo.scoring.model: fit, save, load, refuse foreign or changed files, CLI end to end."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from diplo.analysis.train import train_model
from diplo.io.paths import file_sha256
from diplo.analysis.validate import validate_file
from diplo.cli import main
from diplo.scoring.model import MODEL_FORMAT, ModelError, ModelScorer

COOP = ["signed an agreement on trade", "praised the talks and welcomed the visit", "agreed to expand cooperation",
        "pledged aid and support", "held friendly consultations", "welcomed the new partnership"]
CONFLICT = ["condemned the deadly attack", "accused the government of lying", "troops killed civilians in a raid",
            "imposed sanctions and expelled diplomats", "threatened military action", "rejected the demands angrily"]
ACTORS = ["Iran", "Azerbaijan", "Armenia", "Turkey", "Russia", "Georgia", "The ministry", "The president"]


def _synthetic(n: int, seed: int) -> pd.DataFrame:
    """Sentences whose label is set by the act phrase (a learnable signal) with random actors and fillers."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        label = ("coop", "conflict", "neutral")[i % 3]
        actor = ACTORS[rng.integers(len(ACTORS))]
        if label == "neutral":
            text = f"{actor} said the meeting would take place on day {rng.integers(1, 28)} in the capital."
        else:
            phrases = COOP if label == "coop" else CONFLICT
            text = f"{actor} {phrases[rng.integers(len(phrases))]} on {('Monday', 'Tuesday', 'Friday')[i % 3]}."
        rows.append((text, label))
    return pd.DataFrame(rows, columns=["text", "label"])


@pytest.fixture(scope="module")
def trained():
    data = _synthetic(90, seed=1)
    model, report = train_model(data["text"], data["label"], folds=3, seed=0, grid=(1.0, 10.0), n_boot=50,
                                meta={"training_sha256": "0" * 64})
    return model, report


def test_classifier_learns_and_reports_cv_with_intervals(trained):
    model, report = trained
    assert report["kind"] == "classifier" and model.labels == ("conflict", "coop", "neutral")
    assert report["labels"] == {"conflict": 30, "coop": 30, "neutral": 30}
    assert set(report["grid"]) == {"1.0", "10.0"} and report["chosen"] in (1.0, 10.0)
    lo, hi = report["macro_f1_ci"]
    assert 0.9 <= report["macro_f1"] <= 1.0 and lo <= report["macro_f1"] <= hi
    test = _synthetic(30, seed=99)
    assert (model.predict(test["text"]) == test["label"].to_numpy()).mean() >= 0.9
    assert model.meta["cv"] == report and model.meta["diplo_version"]


def test_save_load_round_trip_same_scores_and_bytes(trained, tmp_path):
    model, _ = trained
    path = model.save(tmp_path / "m.zip")
    again = ModelScorer.load(path)
    texts = ["Iran condemned the deadly attack on Tuesday.", "Armenia agreed to expand cooperation.", "", None]
    a, ev_a = model.score(texts, evidence=True)
    b, ev_b = again.score(texts, evidence=True)
    assert list(a) == list(model.columns) == ["tone_model", "p_model_conflict", "p_model_coop", "p_model_neutral"]
    for col in a:
        np.testing.assert_allclose(a[col], b[col], equal_nan=True)
    assert np.isnan(a["tone_model"][2:]).all()
    pd.testing.assert_frame_equal(ev_a, ev_b)
    assert again.meta["training_sha256"] == "0" * 64 and again.labels == model.labels
    assert again.save(tmp_path / "m2.zip").read_bytes() == path.read_bytes()


def test_evidence_names_the_features_that_weighed_most(trained):
    model, _ = trained
    _, ev = model.score(["Iran condemned the deadly attack on Tuesday."], evidence=True)
    assert len(ev) == 5 and (ev["row"] == 0).all()
    assert ev["weight"].abs().is_monotonic_decreasing
    assert ev["term"].str.match(r"^[wcs]:").all()
    # the conflict words or the shipped scorers' negative/conflict values carry the prediction
    assert ev["term"].iloc[0] in {"w:condemned", "w:deadly", "w:attack", "s:vader_neg", "s:lexicon_neg",
                                  "s:diplomatic_conflict", "s:tone_diplomatic"}


def test_tfidf_rebuilt_from_arrays_equals_scikit_learn(trained):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from diplo.scoring.model import WORD_ANALYZER

    model, _ = trained
    texts = _synthetic(12, seed=5)["text"].tolist()
    vocab = {t: i for i, t in enumerate(model.word_vocabulary)}
    vec = TfidfVectorizer(vocabulary=vocab, sublinear_tf=True, **WORD_ANALYZER)
    vec.fit(texts)
    vec.idf_ = model.word_idf
    ours = model.transform(texts)[:, :len(vocab)].toarray()
    np.testing.assert_allclose(ours, vec.transform(texts).toarray(), atol=1e-12)


def test_regressor_on_numbers(tmp_path):
    rng = np.random.default_rng(3)
    data = _synthetic(60, seed=2)
    y = data["label"].map({"coop": 2.0, "conflict": -2.0, "neutral": 0.0}) + rng.normal(0, 0.3, len(data))
    model, report = train_model(data["text"], y, folds=3, grid=(1.0,), n_boot=20)
    assert report["kind"] == "regressor" and report["pearson"] > 0.8 and model.columns == ("tone_model",)
    again = ModelScorer.load(model.save(tmp_path / "r.zip"))
    np.testing.assert_allclose(again.predict(["Iran praised the talks."]), model.predict(["Iran praised the talks."]))


def _rewrite(src, dest, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info.filename)))


@pytest.mark.parametrize("change, message", [
    (lambda name, data: data.replace(b"attack", b"attach") if name == "vocabulary.json" else data,
     "vocabulary.json changed after the model was written"),
    (lambda name, data: data[:-8] + np.float64(9.0).tobytes() if name == "coef.npy" else data,
     "coef.npy changed after the model was written"),
    (lambda name, data: data.replace(MODEL_FORMAT.encode(), b"other/1") if name == "meta.json" else data,
     "is not a diplo model of format 'diplo-model/1'"),
])
def test_load_refuses_changed_files(trained, tmp_path, change, message):
    good = trained[0].save(tmp_path / "good.zip")
    bad = tmp_path / "bad.zip"
    _rewrite(good, bad, change)
    with pytest.raises(ModelError, match=message):
        ModelScorer.load(bad)


@pytest.mark.parametrize("content, message", [
    (b"\x80\x04\x95 pickled bytes", "not a zip of arrays"),
    (None, r"no readable meta.json"),
])
def test_load_refuses_foreign_files(tmp_path, content, message):
    path = tmp_path / "foreign.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("coef.npy", b"x")
    else:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=message):
        ModelScorer.load(path)


def test_too_few_rows_or_labels_are_named():
    with pytest.raises(ValueError, match="only 4 coded rows"):
        train_model(["a b", "c d", "e f", "g h"], ["x", "y", "x", "y"], folds=5)
    with pytest.raises(ValueError, match=r"label\(s\) \{'rare': 1\} have fewer rows than the 3 CV folds"):
        train_model([f"text number {i}" for i in range(10)], ["x"] * 5 + ["y"] * 4 + ["rare"], folds=3)


def test_cli_train_then_validate_with_the_model(tmp_path, capsys):
    data = _synthetic(45, seed=7).rename(columns={"text": "sentence", "label": "code"})
    coded = tmp_path / "coded.csv"
    data.to_csv(coded, index=False)
    model = tmp_path / "model.zip"
    assert main(["train", str(coded), "--text-column", "sentence", "--label-column", "code", "--out", str(model),
                 "--folds", "3", "--n-boot", "50"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model"] == str(model) and report["training_sha256"] == file_sha256(coded)
    assert report["n"] == 45 and len(report["macro_f1_ci"]) == 2
    loaded = ModelScorer.load(model)
    assert loaded.meta["training_file"] == "coded.csv" and loaded.meta["cv"]["macro_f1"] == report["macro_f1"]
    held = _synthetic(30, seed=8)
    held.to_csv(tmp_path / "held.csv", index=False)
    out = validate_file(tmp_path / "held.csv", scorers=[f"model:{model}", "vader"], n_boot=50,
                        label_map={"coop": 1, "conflict": -1, "neutral": 0})
    scored = out["scorers"][f"model:{model}"]
    assert scored["labels_macro_f1"] >= 0.9 and scored["macro_f1"] >= 0.9
    assert sum(map(sum, scored["labels_confusion"]["matrix"])) == 30
    assert scored["kind"] == "classifier" and scored["model"] == "coded.csv" and "macro_f1_ci" in scored
    assert main(["validate", str(tmp_path / "held.csv"), "--scorer", f"model:{model}", "--n-boot", "20",
                 "--label-map", "coop=1,conflict=-1,neutral=0"]) == 0
    assert json.loads(capsys.readouterr().out)["scorers"][f"model:{model}"]["labels_accuracy"] >= 0.9
    assert main(["validate", str(tmp_path / "held.csv"), "--scorer", f"model:{coded}"]) == 2
    assert "is not a diplo model" in capsys.readouterr().err


@pytest.mark.parametrize("path, name", [("models/cameo.zip", "cameo"), ("m/CAMEO v2.model.zip", "cameo_v2"),
                                        ("vader.zip", "model_vader"), ("2024.zip", "model_2024")])
def test_model_scorer_name_comes_from_the_file_name(path, name):
    from diplo.scoring.tone import model_scorer_name
    assert model_scorer_name(path) == name


def test_diplo_run_with_a_model_scorer(trained, tmp_path, raw_dir):
    from diplo.report.params import parse_params
    from diplo.scoring.tone import tone_columns

    path = trained[0].save(tmp_path / "coop_model.zip")
    out = tmp_path / "out"
    assert main(["run", str(raw_dir), "--out", str(out), "--scorer", "diplomatic", "--scorer", f"model:{path}",
                 "-q"]) == 0
    assert tone_columns(["diplomatic", f"model:{path}"]) == ["tone_diplomatic", "tone_coop_model"]
    scores = pd.read_parquet(out / "sentence_scores.parquet")
    assert {"tone_coop_model", "p_coop_model_coop", "p_coop_model_conflict"} <= set(scores.columns)
    assert scores["tone_coop_model"].isin([0.0, 1.0, 2.0]).all()
    articles = pd.read_parquet(out / "articles.parquet")
    assert articles["tone_coop_model"].notna().all()
    evidence = pd.read_parquet(out / "evidence.parquet")
    terms = evidence.loc[evidence["scorer"] == "coop_model", "term"]
    assert len(terms) and terms.str.match(r"^[wcs]:").all()  # the model's features that weighed most
    params = parse_params({"raw_dir": str(raw_dir), "output_dir": str(tmp_path / "rep"),
                          "scorers": ["diplomatic", f"model:{path}"]})
    assert params.scorers == ("diplomatic", f"model:{path}")
    with pytest.raises(ValueError, match="no such model file"):
        tone_columns([f"model:{tmp_path / 'missing.zip'}"])
