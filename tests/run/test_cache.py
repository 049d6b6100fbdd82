"""Incremental runs (diplo.run.cache): after any kind of change, a cached rerun publishes the bytes of a fresh
run, and recomputes only what the change touched."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import diplo
import diplo.run.cache as cache_module
from diplo import load_outputs
from diplo.cli import main
from diplo.io.raw import Limits
from diplo.io.resources import data_path
from diplo.run.cache_store import scorer_fingerprint
from diplo.run.pipeline import run_pipeline
from diplo.scoring.tone import LexiconScorer
from diplo.text.dates import DateConfig

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 7  # small chunks: chunks cross files and segments, files span chunks
# files whose bytes carry the run's time or a hash of run.json
_TIMED = {"run.json", "generation.json"}

FOOTER = "All Content by Mehr News Agency is licensed under a Creative Commons Attribution 4.0 International License."
UNDATED = """Iran, Armenia discuss regional transit

TEHRAN - Iranian and Armenian officials discussed the North-South transit corridor and the Zangezur route
in a meeting in Tehran on Monday, stressing the need for good neighbourly relations.

The two sides said trade between the neighbours could double if the new rail link is built.

The two sides said trade between the neighbours could double if the new rail link is built.

{footer}
"""
FRENCH = """Le ministre iranien des Affaires étrangères a rencontré son homologue azerbaïdjanais à Bakou lundi.

Les deux pays ont exprimé leur volonté de renforcer la coopération dans le domaine des transports et du commerce,
selon un communiqué publié après la réunion.
"""


def _published(folder: Path) -> dict[str, str]:
    """SHA-256 of every published file (through the public names), but the two with times."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if not p.name.startswith(".") and p.is_file() and p.name not in _TIMED}


def _bench_corpus():
    if "bench_corpus" not in sys.modules:  # registered first: its dataclasses look their module up
        spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_corpus"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_corpus"]


def _make_raw(folder: Path, raw_dir: Path) -> Path:
    """The sample articles (with their metadata.csv), 24 synthetic ones, a CSV of 9 articles (spanning chunks), an
    undated article with a repeated paragraph and a wrong agency footer, one in French, an exact duplicate, a
    near-duplicate, a clashing stem in a subfolder and a rejected file."""
    shutil.copytree(raw_dir, folder)
    corpus = _bench_corpus()
    articles = corpus.generate_articles(33, seed=5)
    corpus.write_corpus(articles[:24], folder / "synth")
    with open(folder / "export.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "date", "outlet", "text"])
        for a in articles[24:]:
            writer.writerow([a.title, a.date, "Press TV", " ".join(a.sentences)])
        writer.writerow(["empty", "2024-01-01", "Press TV", ""])  # a rejected row
    (folder / "_news_2001_Iran-Armenia-transit.txt").write_text(UNDATED.format(footer=FOOTER), encoding="utf-8")
    (folder / "fr_bakou.txt").write_text(FRENCH, encoding="utf-8")
    first = sorted(folder.glob("0*.txt"))[0]
    shutil.copy(first, folder / "zz_exact_copy.txt")
    text = first.read_text(encoding="utf-8")
    (folder / "near_copy.txt").write_text(text.replace(".", ". Indeed", 1), encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / first.name).write_text(text + "\nA new closing line about the Zangezur corridor.\n",
                                              encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return folder


def _edit_yaml(src: Path, dest: Path, after: str, line: str) -> Path:
    """``src`` with ``line`` added after ``after``, written to ``dest``."""
    text = src.read_text(encoding="utf-8")
    assert after in text
    dest.write_text(text.replace(after, after + "\n" + line, 1), encoding="utf-8")
    return dest


@pytest.fixture
def workspace(tmp_path, raw_dir):
    raw = _make_raw(tmp_path / "raw", raw_dir)
    dicts = tmp_path / "dicts"
    dicts.mkdir()
    shutil.copy(data_path("themes.yml"), dicts / "themes.yml")
    shutil.copy(data_path("actors.yml"), dicts / "actors.yml")
    shutil.copy(data_path("afinn-en-165.csv"), dicts / "lexicon.csv")
    return raw, dicts, tmp_path


class _Counter:
    """Counts the documents prepared and the sentences scored per part by the cache in this process."""

    def __init__(self, monkeypatch):
        self.prepared = 0
        self.scored = {"tone": 0, "themes": 0}
        prepare, score = cache_module.prepare_chunk, cache_module.score_prepared

        def prepare_chunk(docs, *args, **kwargs):
            self.prepared += len(docs)
            return prepare(docs, *args, **kwargs)

        def score_prepared(prepared, **kwargs):
            for part in kwargs["parts"]:
                self.scored[part] += len(prepared.sentences)
            return score(prepared, **kwargs)

        monkeypatch.setattr(cache_module, "prepare_chunk", prepare_chunk)
        monkeypatch.setattr(cache_module, "score_prepared", score_prepared)


def _options(dicts: Path) -> dict:
    return {"themes": dicts / "themes.yml", "actors": dicts / "actors.yml",
            "scorers": ["vader", LexiconScorer(dicts / "lexicon.csv"), "diplomatic"], "chunk_size": CHUNK}


def _change(kind: str, raw: Path, dicts: Path, options: dict, monkeypatch) -> dict:
    """Apply one kind of change; returns the run options after it."""
    synth = raw / "synth"
    # edited dictionaries under new names: a process's scoring session keeps what it built from a path, so the
    # fresh run of the comparison would score with the old file (the cache itself keys its scorers by
    # content: test_edit_in_place_in_one_process)
    if kind == "themes":
        options = {**options, "themes": _edit_yaml(dicts / "themes.yml", dicts / "themes2.yml", "    - corridor*",
                                                   "    - visit*")}
    elif kind == "actors":
        options = {**options, "actors": _edit_yaml(dicts / "actors.yml", dicts / "actors2.yml", "    - tehran",
                                                   "    - visit*")}
    elif kind == "lexicon":
        shutil.copy(dicts / "lexicon.csv", dicts / "lexicon2.csv")
        with open(dicts / "lexicon2.csv", "a", encoding="utf-8") as fh:
            fh.write("corridor,2,positive\n")
        options = {**options, "scorers": ["vader", LexiconScorer(dicts / "lexicon2.csv"), "diplomatic"]}
    elif kind == "file_added":
        extra = _bench_corpus().generate_articles(3, seed=99)
        for i, article in enumerate(extra):  # one in the middle, two at the end
            name = "bench_0000005a.txt" if i == 0 else f"zzz_new_{i}.txt"
            (synth if i == 0 else raw).joinpath(name).write_text(article.text(), encoding="utf-8")
    elif kind == "file_changed":
        path = sorted(synth.glob("*.txt"))[10]
        path.write_text(path.read_text(encoding="utf-8").replace("the", "a", 3), encoding="utf-8")
    elif kind == "file_removed":
        for path in (sorted(raw.glob("*.txt"))[1], sorted(synth.glob("*.txt"))[3]):
            path.unlink()
    elif kind == "stem_freed":  # the first file goes: its exact copy and the subfolder's file of the same stem
        sorted(raw.glob("0*.txt"))[0].unlink()  # are read again (new status, new doc_id)
    elif kind == "csv_changed":
        text = (raw / "export.csv").read_text(encoding="utf-8")
        (raw / "export.csv").write_text(text.replace("Press TV", "IRNA", 2), encoding="utf-8")
    elif kind == "metadata":
        with open(raw / "metadata.csv", "a", encoding="utf-8") as fh:
            fh.write("synth/bench_0000007.txt,2020-02-02,Tasnim,,,\n")
    elif kind == "option":
        options = {**options, "limits": Limits(max_sentence_chars=80)}
    elif kind == "dates":
        options = {**options, "dates": DateConfig(order="MDY")}
    elif kind == "languages":  # filtered at assembly: nothing recomputed
        options = {**options, "languages": "en"}
    elif kind == "chunk_size":
        options = {**options, "chunk_size": 4}
    elif kind == "touched":  # same bytes, new mtime: hashed again, not read again
        for path in synth.glob("*.txt"):
            os.utime(path, ns=(1, 1))
    elif kind == "version":
        monkeypatch.setattr(diplo, "__version__", diplo.__version__ + ".post1")
    else:
        raise AssertionError(kind)
    return options


# what each change may recompute: (documents prepared, sentences scored for tone, for themes) as "none",
# "some" (fewer than all) or "all"
EXPECTED = {
    "themes": ("none", "none", "all"),
    "actors": ("none", "all", "none"),
    "lexicon": ("none", "all", "none"),
    "file_added": ("some", "some", "some"),
    "file_changed": ("some", "some", "some"),
    "file_removed": ("none", "none", "none"),
    "stem_freed": ("some", "some", "some"),
    "csv_changed": ("some", "some", "some"),
    "metadata": ("some", "some", "some"),
    "option": ("all", "all", "all"),
    "dates": ("all", "all", "all"),
    "languages": ("none", "none", "none"),
    "chunk_size": ("none", "none", "none"),
    "touched": ("none", "none", "none"),
    "version": ("all", "all", "all"),
}


def _share(value: int, cold: int) -> str:
    return "none" if value == 0 else "all" if value == cold else "some" if value < cold else f"more ({value})"


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_rerun_after_a_change_publishes_the_bytes_of_a_fresh_run(kind, workspace, monkeypatch):
    raw, dicts, tmp = workspace
    options = _options(dicts)
    out = tmp / "out"
    first = run_pipeline(raw, out, cache=True, **options)
    assert first.cache["files_recalled"] == 0 and first.cache["files_read"] > 0
    before = _published(out)
    options = _change(kind, raw, dicts, options, monkeypatch)
    with monkeypatch.context() as patch:
        counter = _Counter(patch)
        summary = run_pipeline(raw, out, cache=True, **options)
    with monkeypatch.context() as patch:  # the same run from an empty cache: what "all" means
        cold = _Counter(patch)
        run_pipeline(raw, tmp / "cold", cache=tmp / "cold-cache", **options)
    run_pipeline(raw, tmp / "fresh", **options)
    assert _published(out) == _published(tmp / "fresh") == _published(tmp / "cold")
    if kind in ("touched", "version", "file_removed", "themes"):
        assert (_published(out) == before) == (kind in ("touched", "version"))
    got = (_share(counter.prepared, cold.prepared), _share(counter.scored["tone"], cold.scored["tone"]),
           _share(counter.scored["themes"], cold.scored["themes"]))
    assert got == EXPECTED[kind], f"{kind}: prepared, tone, themes {counter.prepared, counter.scored} " \
                                  f"of {cold.prepared, cold.scored}"
    assert summary.cache["files_read"] == (0 if EXPECTED[kind][0] == "none" else summary.cache["files_read"])
    assert (summary.cache["files_recalled"] > 0) == (kind not in ("option", "dates", "version"))


def test_edit_in_place_in_one_process(workspace):
    """A dictionary edited under the same name between two runs of one process (a notebook) is used."""
    raw, dicts, tmp = workspace
    options = _options(dicts)
    run_pipeline(raw, tmp / "out", cache=True, **options)
    hits = load_outputs(tmp / "out", tables=["theme_hits"])["theme_hits"]
    _edit_yaml(dicts / "themes.yml", dicts / "themes.yml", "    - corridor*", "    - visit*")
    run_pipeline(raw, tmp / "out", cache=True, **options)
    again = load_outputs(tmp / "out", tables=["theme_hits"])["theme_hits"]
    assert "visit*" not in set(hits["entry"])
    assert len(again[again["entry"] == "visit*"]) > 10
    assert again[again["entry"] != "visit*"].reset_index(drop=True).equals(hits)


def test_removed_files_and_old_dictionaries_drop_out_of_the_cache(workspace, monkeypatch):
    raw, dicts, tmp = workspace
    out = tmp / "out"
    run_pipeline(raw, out, cache=True, **_options(dicts))
    segments = out / ".cache" / "segments"
    before = {p.name for p in segments.iterdir()}
    shutil.rmtree(raw / "synth")
    run_pipeline(raw, out, cache=True, **_options(dicts))
    after = {p.name for p in segments.iterdir()}
    assert after < before
    # a themes edit leaves one themes stage per segment: the old one is collected
    run_pipeline(raw, out, cache=True, **_change("themes", raw, dicts, _options(dicts), monkeypatch))
    for seg in segments.iterdir():
        assert len([s for s in seg.iterdir() if s.name.startswith("themes-")]) == 1
        assert len([s for s in seg.iterdir() if s.name.startswith("tone-")]) == 1
    assert len(list((out / ".cache").glob("index-*"))) == 1


def _flip(path: Path, at: float, bit: int = 0xFF) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= bit
    path.write_bytes(bytes(data))


def _damage(kind: str, cache: Path) -> None:
    stages = sorted(p for p in (cache / "segments").glob("*/*") if p.is_dir())
    text = [p for p in stages if p.name == "text"]
    themes = [p for p in stages if p.name.startswith("themes-")]
    tone = [p for p in stages if p.name.startswith("tone-")]
    mix = [p for p in stages if p.name.startswith("mix-")]
    if kind == "flipped_text":
        _flip(text[1] / "sentences.parquet", 0.5)
    elif kind == "flipped_themes":
        _flip(themes[0] / "theme_hits.parquet", 0.33, 0x01)
    elif kind == "flipped_tone":
        _flip(tone[-1] / "evidence.parquet", 0.6)
    elif kind == "flipped_tone_articles":  # the per-article tables kept with the scores
        _flip(tone[1] / "article_tone.parquet", 0.5)
    elif kind == "flipped_mix":
        _flip(mix[0] / "theme_tone_by_article.parquet", 0.5, 0x01)
    elif kind == "mix_gone":
        for path in mix[::2]:
            shutil.rmtree(path)
    elif kind == "missing_file":
        (text[0] / "signatures.bin").unlink()
    elif kind == "partial_stage":  # a run killed while writing: its stage.json never written
        (themes[-1] / "stage.json").unlink()
        (themes[-1].parent / ".themes-x.tmp").mkdir()
    elif kind == "index":
        index = next(cache.glob("index-*"))
        _flip(index / "index.parquet", 0.5)
    elif kind == "index_pointer":
        (cache / "INDEX").write_text("index-nowhere\n", encoding="utf-8")
    elif kind == "segment_gone":
        shutil.rmtree(text[2].parent)
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["flipped_text", "flipped_themes", "flipped_tone", "flipped_tone_articles",
                                  "flipped_mix", "mix_gone", "missing_file", "partial_stage", "index",
                                  "index_pointer", "segment_gone"])
def test_a_damaged_cache_is_recomputed_never_used(kind, workspace):
    raw, dicts, tmp = workspace
    options = _options(dicts)
    run_pipeline(raw, tmp / "fresh", **options)
    out = tmp / "out"
    run_pipeline(raw, out, cache=True, **options)
    _damage(kind, out / ".cache")
    summary = run_pipeline(raw, out, cache=True, **options)
    assert _published(out) == _published(tmp / "fresh")
    assert summary.cache["segments_new"] + summary.cache["segments_completed"] > 0
    again = run_pipeline(raw, out, cache=True, **options)  # and the cache is whole again
    assert _published(out) == _published(tmp / "fresh")
    assert again.cache["files_read"] == again.cache["segments_new"] == again.cache["segments_completed"] == 0


@pytest.mark.parametrize("step", ["staged", "pointed"])
def test_an_interrupted_run_keeps_its_work_and_the_last_index(step, workspace, monkeypatch):
    """A run killed before its outputs are published (staged) or after (pointed, before the cache's index is
    replaced): the next run publishes a fresh run's bytes and reuses the stages the killed run wrote."""
    from diplo.run.publish import KILL_AT_ENV

    raw, dicts, tmp = workspace
    out = tmp / "out"
    run_pipeline(raw, out, cache=True, chunk_size=CHUNK, themes=dicts / "themes.yml")
    themes = _edit_yaml(dicts / "themes.yml", dicts / "themes2.yml", "    - corridor*", "    - visit*")
    code = (f"from diplo.run.pipeline import run_pipeline; run_pipeline({str(raw)!r}, {str(out)!r}, cache=True, "
            f"chunk_size={CHUNK}, themes={str(themes)!r}, progress=False)")
    killed = subprocess.run([sys.executable, "-c", code], env={**os.environ, KILL_AT_ENV: step},
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == -9, killed.stderr[-2000:]
    with monkeypatch.context() as patch:
        counter = _Counter(patch)
        summary = run_pipeline(raw, out, cache=True, chunk_size=CHUNK, themes=themes)
    run_pipeline(raw, tmp / "fresh", chunk_size=CHUNK, themes=themes)
    assert _published(out) == _published(tmp / "fresh")
    assert counter.prepared == sum(counter.scored.values()) == 0
    assert summary.cache["files_read"] == 0


def test_two_jobs_and_a_shared_cache_folder(workspace, monkeypatch):
    raw, dicts, tmp = workspace
    options = _options(dicts)
    run_pipeline(raw, tmp / "fresh", **options)
    shared = tmp / "shared-cache"
    run_pipeline(raw, tmp / "a", cache=shared, jobs=2, **options)
    options = _change("themes", raw, dicts, options, monkeypatch)
    summary = run_pipeline(raw, tmp / "b", cache=shared, jobs=2, **options)
    run_pipeline(raw, tmp / "fresh2", **options)
    assert _published(tmp / "a") == _published(tmp / "fresh")
    assert _published(tmp / "b") == _published(tmp / "fresh2")
    assert not (tmp / "a" / ".cache").exists()
    assert summary.cache["files_read"] == 0 and summary.cache["segments_completed"] > 0


def test_cli_caches_by_default_and_can_be_told_not_to(workspace, capsys):
    raw, _, tmp = workspace
    assert main(["run", str(raw), "--out", str(tmp / "o1"), "-q", "--chunk-size", "7"]) == 0
    assert (tmp / "o1" / ".cache" / "INDEX").is_file()
    assert main(["run", str(raw), "--out", str(tmp / "o2"), "-q", "--no-cache"]) == 0
    assert not (tmp / "o2" / ".cache").exists()
    assert main(["run", str(raw), "--out", str(tmp / "o3"), "-q", "--chunk-size", "7", "--cache", str(tmp / "c")]) == 0
    assert (tmp / "c" / "INDEX").is_file() and not (tmp / "o3" / ".cache").exists()
    assert _published(tmp / "o1") == _published(tmp / "o3")


@pytest.mark.parametrize("kwargs, match", [({"engine": "dask"}, "needs engine 'pandas'"),
                                           ({"scorers": [LexiconScorer(
                                               __import__("diplo.scoring.match", fromlist=["x"])
                                               .dictionary_from_mapping({"positive": ["good"]}))]},
                                            "cannot cache the results")])
def test_cache_refuses_what_it_cannot_key(kwargs, match, raw_dir, tmp_path):
    with pytest.raises(ValueError, match=match):
        run_pipeline(raw_dir, tmp_path / "o", cache=True, **kwargs)


def test_scorer_fingerprints_tell_what_changes_results(tmp_path):
    lexicon = tmp_path / "lex.csv"
    lexicon.write_text("term,weight\ngood,2\nbad,-2\n", encoding="utf-8")
    base = scorer_fingerprint(LexiconScorer(lexicon))
    assert base == scorer_fingerprint(LexiconScorer(lexicon))
    assert base != scorer_fingerprint(LexiconScorer(lexicon, negation_window=0))
    assert base != scorer_fingerprint(LexiconScorer(lexicon, scale="proportion"))
    assert scorer_fingerprint(LexiconScorer()) is not None  # the packaged AFINN file
    lexicon.write_text("term,weight\ngood,2\nbad,-3\n", encoding="utf-8")
    assert base != scorer_fingerprint(LexiconScorer(lexicon))


# the output files a rerun takes over from the published generation, by what a change leaves as it was
_TEXT_FILES = {"sentences.parquet", "removed.parquet", "token_vocabulary.parquet", "token_postings.parquet"}
_TONE_FILES = {"evidence.parquet", "actor_mentions.parquet", "tone_by_article.parquet", "actor_tone_by_article.parquet"}
_ALL_FILES = _TEXT_FILES | _TONE_FILES | {"articles.parquet", "articles.csv", "sentence_scores.parquet",
                                          "theme_hits.parquet", "theme_tone_by_article.parquet"}


def _inodes(folder: Path) -> dict[str, int]:
    """The inode of each published file (a file taken over by a rerun keeps its inode: it is hard-linked)."""
    return {p.name: p.stat().st_ino for p in sorted(folder.iterdir()) if not p.name.startswith(".") and p.is_file()}


def _kept(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name, ino in after.items() if before.get(name) == ino}


@pytest.mark.parametrize("then", ["file_removed", "file_added", "languages", "chunk_size", "actors", "version"])
def test_unchanged_tables_are_taken_over_not_written(then, workspace, monkeypatch):
    """A themes edit leaves the sentences, the token index and the tone tables as they were: the rerun takes
    their published files over; a second change after it takes over only what it leaves as it was."""
    raw, dicts, tmp = workspace
    options = _options(dicts)
    out = tmp / "out"
    first = run_pipeline(raw, out, cache=True, **options)
    assert first.cache["tables_reused"] == 0
    before = _inodes(out)
    same = run_pipeline(raw, out, cache=True, **options)
    assert same.cache["tables_reused"] == 11 and _kept(before, _inodes(out)) >= _ALL_FILES
    options = _change("themes", raw, dicts, options, monkeypatch)
    edited = run_pipeline(raw, out, cache=True, **options)
    run_pipeline(raw, tmp / "fresh", **options)
    assert _published(out) == _published(tmp / "fresh")
    assert edited.cache["tables_reused"] == 7 and _kept(before, _inodes(out)) == _TEXT_FILES | _TONE_FILES
    before = _inodes(out)
    options = _change(then, raw, dicts, options, monkeypatch)
    summary = run_pipeline(raw, out, cache=True, **options)
    run_pipeline(raw, tmp / "fresh2", **options)
    assert _published(out) == _published(tmp / "fresh2")
    # a new version reads and computes everything again, to the same bytes: the published files stay
    kept = {"actors": _TEXT_FILES | {"theme_hits.parquet"}, "version": set(before)}.get(then, set())
    assert _kept(before, _inodes(out)) == kept
    assert summary.cache["tables_reused"] == {"actors": 4}.get(then, 0)


@pytest.mark.parametrize("damage", ["flipped", "truncated", "deleted", "replaced"])
@pytest.mark.parametrize("name", ["sentences.parquet", "token_postings.parquet", "articles.csv"])
def test_a_damaged_published_file_is_written_again_not_taken_over(name, damage, workspace):
    raw, dicts, tmp = workspace
    options = _options(dicts)
    out = tmp / "out"
    run_pipeline(raw, out, cache=True, **options)
    expected = _published(out)
    path = out / ".diplo-current" / name
    if damage == "flipped":
        _flip(path, 0.5, 0x01)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-10])
    elif damage == "deleted":
        path.unlink()
    else:  # a table of other bytes in its place (a file that is not the one the cache recorded)
        shutil.copy(out / ".diplo-current" / "removed.parquet", path)
    summary = run_pipeline(raw, out, cache=True, **options)
    assert _published(out) == expected
    assert summary.cache["tables_reused"] == 10
    assert summary.cache["files_read"] == summary.cache["segments_new"] == summary.cache["segments_completed"] == 0


def _add_articles(raw: Path, names: list[str], seed: int) -> None:
    for name, article in zip(names, _bench_corpus().generate_articles(len(names), seed=seed)):
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(article.text(), encoding="utf-8")


@pytest.mark.parametrize("change", ["after", "after_twice", "between", "near_duplicate", "languages",
                                    "damaged_csv", "damaged_parquet", "chunk_size", "themes"])
def test_added_files_extend_the_published_tables(change, workspace, monkeypatch):
    """Files added after the old ones: the chunks wholly before the first new document are copied from the
    published files (every table's: not assembled at all), to the bytes of a fresh run."""
    raw, dicts, tmp = workspace
    options = _options(dicts)
    if change == "languages":  # the French article is left out of the copied chunks too
        options = {**options, "languages": "en"}
    out = tmp / "out"
    first = run_pipeline(raw, out, cache=True, **options)
    documents = first.n_articles + (change == "languages")
    old = documents // CHUNK  # the chunks wholly before the new files
    assert old >= 4
    if change == "between":  # one new file among the synthetic ones, one at the end
        _add_articles(raw, ["synth/bench_0000005a.txt", "zzz_new.txt"], seed=99)
    elif change == "near_duplicate":  # a near-duplicate of the first article, after the others
        first_file = sorted(raw.glob("0*.txt"))[0]
        text = first_file.read_text(encoding="utf-8")
        (raw / "zzz_near.txt").write_text(text.replace(".", ". Still", 1), encoding="utf-8")
    else:
        _add_articles(raw, ["zzz_new_1.txt", "zzz_new_2.txt", "zzz_new_3.txt"], seed=99)
    if change == "damaged_csv":
        _flip(out / ".diplo-current" / "articles.csv", 0.3, 0x01)
    elif change == "damaged_parquet":
        _flip(out / ".diplo-current" / "sentences.parquet", 0.3, 0x01)
    elif change == "chunk_size":
        options = {**options, "chunk_size": 4}
    elif change == "themes":
        options = _change("themes", raw, dicts, options, monkeypatch)
    summary = run_pipeline(raw, out, cache=True, **options)
    if change == "after_twice":  # the chunks this run copied and wrote are recorded for the next one
        _add_articles(raw, ["zzzz_new_1.txt", "zzzz_new_2.txt"], seed=98)
        old = (documents + 3) // CHUNK
        summary = run_pipeline(raw, out, cache=True, **options)
    run_pipeline(raw, tmp / "fresh", **options)
    assert _published(out) == _published(tmp / "fresh")
    copied, reused = summary.cache["chunks_copied"], summary.cache["chunks_reused"]
    if change == "between":
        assert 0 < reused < old and copied == 10 * reused
    elif change == "damaged_csv":  # the articles' chunks are assembled and written, the other tables copied
        assert reused == 0 and copied == 9 * old
    elif change == "damaged_parquet":
        assert reused == 0 and copied == 9 * old
    elif change == "chunk_size":
        assert reused == copied == 0
    elif change == "themes":  # the text and tone tables: sentences, removed, evidence, actor_mentions, two sums
        assert reused == 0 and copied == 6 * old
    else:
        assert reused == old and copied == 10 * old
    if change == "near_duplicate":
        assert summary.n_near_duplicates == first.n_near_duplicates + 1
    assert summary.n_articles == load_outputs(out, tables=["articles"])["articles"].shape[0]
