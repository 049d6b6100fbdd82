"""run.json and the codebook's dictionary hashes: every ``diplo run`` output says how it was made."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from diplo.cli import main
from diplo.io.resources import data_path
from diplo.run.provenance import DEPENDENCIES, dictionary_files

ROLES = ["scorer:diplomatic", "scorer:lexicon", "scorer:vader", "themes", "actors", "outlets", "spellings"]


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_run_json_records_how_the_run_was_made(processed):
    from diplo import __version__

    record = json.loads((processed / "run.json").read_text())
    assert record["diplo_version"] == __version__
    assert set(record["dependencies"]) == set(DEPENDENCIES) and record["dependencies"]["vaderSentiment"] == "3.3.2"
    assert record["scorers"] == ["diplomatic", "lexicon", "vader"]
    assert record["options"]["chunk_size"] == 500 and record["options"]["limits"]["max_sentence_chars"] == 5000
    assert record["thresholds"]["near_duplicate_threshold"] == 0.8
    assert record["thresholds"]["neutral_bands"] == {"vader": 0.05, "lexicon": 0.5, "diplomatic": 1.0}
    assert record["counts"] == {"n_files": 5, "n_articles": 5, "n_sentences": record["counts"]["n_sentences"],
                                "n_rejected_rows": 0, "n_near_duplicates": 0}
    assert record["manifest_sha256"] == _sha(processed / "manifest.csv")
    assert [d["role"] for d in record["dictionaries"]] == ROLES
    for d in record["dictionaries"]:
        assert d["sha256"] == _sha(d["path"]) and Path(d["path"]).name == d["file"]
    packaged = {d["file"]: d for d in record["dictionaries"] if d["packaged"]}
    assert packaged["themes.yml"]["sha256"] == _sha(data_path("themes.yml"))
    assert record["started_at"] <= record["finished_at"]


def test_codebook_names_the_dictionaries_by_hash(processed):
    codebook = (processed / "CODEBOOK.md").read_text()
    for d in json.loads((processed / "run.json").read_text())["dictionaries"]:
        assert f"| {d['role']} | `{d['file']}` |" in codebook and d["sha256"] in codebook
        assert d["path"] not in codebook  # paths are machine-specific: they stay in run.json


def test_own_lexicon_and_themes_change_the_codebook(raw_dir, processed, tmp_path, capsys):
    lexicon = tmp_path / "my.yml"
    lexicon.write_text("positive: [welcome*, cooperat*]\nnegative: [condemn*, attack*]\n")
    themes = tmp_path / "mine.yml"
    themes.write_text("pipelines: [gas, pipeline*]\n")
    out = tmp_path / "out"
    assert main(["run", str(raw_dir), "--out", str(out), "--lexicon", str(lexicon), "--themes", str(themes),
                 "-q"]) == 0
    capsys.readouterr()
    record = {d["role"]: d for d in json.loads((out / "run.json").read_text())["dictionaries"]}
    assert record["scorer:lexicon"] == {"role": "scorer:lexicon", "file": "my.yml", "path": str(lexicon.resolve()),
                                        "packaged": False, "sha256": _sha(lexicon)}
    assert record["themes"]["path"] == str(themes.resolve()) and not record["themes"]["packaged"]
    codebook = (out / "CODEBOOK.md").read_text()
    assert codebook != (processed / "CODEBOOK.md").read_text()
    assert f"| scorer:lexicon | `my.yml` | no | `{_sha(lexicon)}` |" in codebook


@pytest.mark.parametrize("scorers, roles", [
    (["vader"], ["scorer:vader"]),
    (["lexicon", "diplomatic"], ["scorer:lexicon", "scorer:diplomatic"]),
])
def test_dictionary_files_follow_the_scorers(scorers, roles):
    files = dictionary_files(scorers)
    assert [f["role"] for f in files] == [*roles, "themes", "actors", "outlets", "spellings"]
