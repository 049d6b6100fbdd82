"""What ingestion makes of a real crawl: outlets, languages, dates, repeated sentences, time of ``diplo run``.

Runs the whole pipeline on a folder (e.g. the 2,000 Tehran Times files in
``../shared/corpora/tehrantimes-mixed``), prints the run summary, and measures the share of sentences that
repeat an earlier sentence of their own article, with the ``repeat`` cleaning rule and without it (the
same loader, cleaning and segmentation otherwise).  Usage::

    .venv/bin/python benchmarks/ingest_real_crawl.py RAW_DIR [--outlet NAME] [--jobs N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from diplo.io.raw import load_documents, load_metadata
from diplo.run.pipeline import run_pipeline
from diplo.text.clean import BOILERPLATE_RULES
from diplo.text.corpus import build_corpus, metadata_overrides


def repeated_share(sentences: pd.DataFrame) -> tuple[int, int]:
    """(sentences repeating an earlier one of their article, all sentences); case and spaces folded."""
    key = sentences["text"].str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
    repeated = key.groupby(sentences["doc_id"]).transform(lambda k: k.duplicated())
    return int(repeated.sum()), len(sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--outlet")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = run_pipeline(args.raw_dir, Path(tmp) / "out", jobs=args.jobs, outlet=args.outlet)
        seconds = time.perf_counter() - start
        after = repeated_share(pd.read_parquet(Path(tmp) / "out" / "sentences.parquet", columns=["doc_id", "text"]))
        articles = pd.read_parquet(Path(tmp) / "out" / "articles.parquet", columns=["outlet"])
    print(f"diplo run: {summary.n_files} files, {summary.n_articles} articles, {summary.n_sentences} sentences "
          f"in {seconds:.0f} s (jobs={args.jobs})")
    for what, counts in summary.counts.items():
        print(f"  {what}: {counts}")
    print(f"  outlet: {articles['outlet'].fillna('-').value_counts().to_dict()}")
    for note in summary.notes:
        print(f"  note: {note}")
    rules = [r for r in BOILERPLATE_RULES if r.name != "repeat"]
    docs = load_documents(args.raw_dir, [])
    before = repeated_share(build_corpus(docs, metadata_overrides(load_metadata(args.raw_dir)), rules=rules)["sentences"])
    for label, (n, total) in (("without the repeat rule", before), ("with it", after)):
        print(f"  sentences repeated within their article, {label}: {n:,} of {total:,} ({n / total:.2%})")


if __name__ == "__main__":
    main()
