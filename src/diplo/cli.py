"""The ``diplo`` command line: ``diplo run``, ``diplo report``, ``diplo validate``.

Each subcommand is a small function registered in :data:`COMMANDS`, so later commands slot in.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Sequence

__all__ = ["main", "build_parser"]


def _cmd_run(args: argparse.Namespace) -> int:
    from diplo.io.raw import Limits
    from diplo.run.pipeline import run_pipeline
    from diplo.run.workers import default_jobs
    from diplo.text.dates import DATE_LANGUAGES, DateConfig

    if args.jobs is None:
        args.jobs = default_jobs()
    if not args.max_file_mb > 0:  # name the option, not the internal byte count it becomes
        raise ValueError(f"--max-file-mb must be a number > 0, got {args.max_file_mb:g}")

    limits = Limits(max_file_bytes=int(args.max_file_mb * 1_000_000), max_article_chars=args.max_article_chars,
                    max_sentence_chars=args.max_sentence_chars)
    summary = run_pipeline(args.raw_dir, args.out, scorers=_scorers(args), chunk_size=args.chunk_size,
                           columns=args.columns, limits=limits,
                           near_duplicate_threshold=args.near_duplicate_threshold,
                           themes=args.themes, actors=args.actors, jobs=args.jobs,
                           engine=args.engine, scheduler=args.scheduler,
                           progress=False if args.quiet else None, languages=args.languages,
                           outlet=args.outlet,
                           dates=DateConfig(order=args.date_order,
                                            languages=tuple(args.date_languages.split(","))
                                            if args.date_languages else DATE_LANGUAGES))
    print(json.dumps({k: str(v) if k == "out_dir" else v for k, v in vars(summary).items()}, indent=2))
    if not summary.n_articles:
        print(f"diplo run: error: no usable article in {args.raw_dir} ({summary.n_files} file(s): "
              f"{summary.n_rejected} rejected, {summary.n_duplicate} duplicate); the reasons are in "
              f"{summary.out_dir / 'manifest.csv'}", file=sys.stderr)
        return 1
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from diplo.report.batch import ReportError, load_params, run_report

    params = load_params(args.params, args.p or ())
    try:
        out = run_report(params, args.out, notebooks_dir=args.notebooks, notebooks=args.only,
                         progress=not args.quiet)
    except ReportError as exc:
        print(f"diplo report: {exc}", file=sys.stderr)
        return 1
    except TypeError as exc:  # a parameter of the wrong type: the user's input, like a ValueError
        print(f"diplo report: error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0


def _scorers(args: argparse.Namespace) -> list | None:
    """``--scorer`` names, with the ``lexicon`` scorer reading ``--lexicon FILE`` when given."""
    if not getattr(args, "lexicon", None):
        return args.scorer
    from diplo.scoring.tone import LexiconScorer, available_scorers

    custom = LexiconScorer(args.lexicon)
    return [custom if name == "lexicon" else name for name in (args.scorer or available_scorers())]


def _cmd_validate(args: argparse.Namespace) -> int:
    from diplo.analysis.validate import parse_label_map, validate_file

    result = validate_file(args.file, scorers=_scorers(args), format=args.format, text_column=args.text_column,
                           label_column=args.label_column, header=not args.no_header,
                           columns=args.columns.split(",") if args.columns else None,
                           label_map=parse_label_map(args.label_map), label_band=args.label_band,
                           label_center=args.label_center)
    print(json.dumps(result, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diplo", description="Tone and themes of diplomatic news over time.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="ingest, clean, segment and score a folder of raw articles")
    run.add_argument("raw_dir", help="folder of raw articles (read only)")
    run.add_argument("--out", required=True, help="output folder for tables")
    run.add_argument("--scorer", action="append", help="tone scorer to run (repeatable; default all)")
    run.add_argument("--lexicon", help="dictionary for the lexicon scorer (YAML, .cat or CSV; default AFINN-165)")
    run.add_argument("--chunk-size", type=int, default=500, help="articles per processing chunk")
    run.add_argument("--themes", metavar="FILE", help="your own themes YAML (default: the packaged themes.yml)")
    run.add_argument("--actors", metavar="FILE", help="your own actor aliases YAML (default: actors.yml)")
    run.add_argument("--columns", help="column mapping for CSV/TSV/JSONL inputs, e.g. text=body,date=pubdate "
                     "(fields: text, title, date, outlet, author, url)")
    run.add_argument("--max-file-mb", type=float, default=20.0,
                     help="reject single-article files (.txt/.html) larger than this many MB (default 20)")
    run.add_argument("--max-article-chars", type=int, default=5_000_000,
                     help="reject articles whose text is longer than this (default 5,000,000)")
    run.add_argument("--max-sentence-chars", type=int, default=5_000,
                     help="split sentences longer than this at whitespace (default 5,000)")
    run.add_argument("--near-duplicate-threshold", type=float, default=0.8,
                     help="estimated Jaccard similarity of word 5-shingles for duplicate_of (default 0.8; "
                     "0 turns near-duplicate detection off)")
    run.add_argument("--jobs", type=int, default=None,
                     help="worker processes (default: all cores); outputs are identical for any number")
    run.add_argument("--engine", choices=["pandas", "dask"], default="pandas",
                     help="pandas: local process pool; dask: dask.dataframe partitions on a (local) cluster")
    run.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://host:8786 "
                     "(with --engine dask; default: a local cluster of --jobs workers)")
    run.add_argument("--languages", help="keep only articles in these languages (ISO 639-1, e.g. en,fa); the "
                     "others are listed in manifest.csv as skipped (default: keep all; only 'en' is scored)")
    run.add_argument("--outlet", help="folder default outlet: used where metadata.csv, the page and the URL "
                     "name none, above credit lines in the text and boilerplate footers")
    run.add_argument("--date-order", choices=["DMY", "MDY", "YMD"], default="DMY",
                     help="order of all-numeric dates: DMY (default: 07.12.2023 = 7 December 2023), MDY (US) "
                     "or YMD")
    run.add_argument("--date-languages", help="languages whose month names dates are read in, comma-separated "
                     "(default en,ru,fa,ar,az,tr,fr,de,es,uk)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar (it shows only on a terminal)")
    run.set_defaults(func=_cmd_run)

    rep = sub.add_parser("report", help="run the notebook suite through papermill")
    rep.add_argument("--params", help="YAML file of notebook parameters (see notebooks/params/)")
    rep.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"), help="set one parameter")
    rep.add_argument("--out", default="reports/run", help="output folder for this run")
    rep.add_argument("--notebooks", default="notebooks", help="folder holding the notebook suite")
    rep.add_argument("--only", action="append", help="run only this notebook (stem, repeatable)")
    rep.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rep.set_defaults(func=_cmd_report)

    val = sub.add_parser("validate", help="compare tone scorers with human labels (prints JSON)")
    val.add_argument("file", help="labelled CSV / TSV / JSONL / JSON file")
    val.add_argument("--text-column", help="column with the text (default: text)")
    val.add_argument("--label-column", help="column with the human label (default: label; vader: rating)")
    val.add_argument("--scorer", action="append", help="scorer to validate (repeatable; default all)")
    val.add_argument("--lexicon", help="dictionary for the lexicon scorer (quanteda YAML, Lexicoder .cat, "
                                       "term,weight CSV); default AFINN-165")
    val.add_argument("--format", default="auto",
                     choices=["auto", "csv", "tsv", "jsonl", "json", "vader", "newsmtsc"],
                     help="file layout; vader = VADER ground truth (id, rating, text; no header); "
                          "newsmtsc = NewsMTSC JSONL, evaluated per target too")
    val.add_argument("--no-header", action="store_true", help="the CSV/TSV file has no header line")
    val.add_argument("--columns", help="comma-separated column names for a file without header")
    val.add_argument("--label-map", help="categorical labels to -1/0/1: a preset (cameo, conflibert, plover, "
                                         "newsmtsc) or pairs like 0=0,1=1,2=1,3=-1,4=-1")
    val.add_argument("--label-band", type=float, default=0.5,
                     help="numeric labels within this distance of --label-center are neutral (default 0.5)")
    val.add_argument("--label-center", type=float, help="neutral point of numeric labels (default 0)")
    val.set_defaults(func=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"diplo {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
