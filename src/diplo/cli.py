"""The ``diplo`` command line: ``diplo run``, ``diplo report``, ``diplo notebooks``, ``diplo validate``,
``diplo sample``, ``diplo train``, ``diplo export``, ``diplo kwic``.

Each subcommand is a small function registered in :data:`COMMANDS`, so later commands slot in.

Exit codes (:data:`EXIT_CODES`): 0 success; 1 nothing usable remained (``run``) or a notebook failed
(``report``); 2 invalid input, an output folder inside the raw folder, or the output folder in use by
another run; 3 a full disk or an I/O error while writing outputs (the previous outputs stay).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Sequence

__all__ = ["main", "build_parser", "EXIT_CODES"]

EXIT_CODES = {
    0: "success",
    1: "run: no usable article remained (reasons in manifest.csv); report: a notebook failed",
    2: "invalid input or options, an output folder inside the raw folder, or the output folder is in use by "
       "another diplo run/report (named; --wait queues instead)",
    3: "disk full or I/O error while writing outputs: nothing was published, the previous outputs stay",
}
_EPILOG = "exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items())


def _cmd_run(args: argparse.Namespace) -> int:
    from diplo.io.raw import Limits
    from diplo.run.freshness import record_processed
    from diplo.run.pipeline import run_pipeline
    from diplo.run.workers import default_jobs
    from diplo.text.dates import DATE_LANGUAGES, DateConfig

    if args.jobs is None:
        args.jobs = default_jobs()
    if not args.max_file_mb > 0:  # name the option, not the internal byte count it becomes
        raise ValueError(f"--max-file-mb must be a number > 0, got {args.max_file_mb:g}")

    if args.cache and args.no_cache:
        raise ValueError("--cache and --no-cache exclude each other")
    # the cache needs the pandas engine: by default it is left out with dask, named explicitly it is an error
    cache = False if args.no_cache or (args.engine != "pandas" and not args.cache) else (args.cache or True)
    limits = Limits(max_file_bytes=int(args.max_file_mb * 1_000_000), max_article_chars=args.max_article_chars,
                    max_sentence_chars=args.max_sentence_chars)
    options = dict(scorers=_scorers(args), chunk_size=args.chunk_size,
                   columns=args.columns, limits=limits,
                   near_duplicate_threshold=args.near_duplicate_threshold,
                   themes=args.themes, actors=args.actors, jobs=args.jobs,
                   engine=args.engine, scheduler=args.scheduler,
                   progress=False if args.quiet else None, wait=args.wait, languages=args.languages,
                   outlet=args.outlet,
                   dates=DateConfig(order=args.date_order,
                                    languages=tuple(args.date_languages.split(","))
                                    if args.date_languages else DATE_LANGUAGES))
    summary = run_pipeline(args.raw_dir, args.out, **options, cache=cache)
    record_processed(args.raw_dir, args.out, **options)  # a report reading --out finds it up to date
    print(json.dumps({k: str(v) if k == "out_dir" else v for k, v in vars(summary).items()}, indent=2))
    if not summary.n_articles:
        print(f"diplo run: error: no usable article in {args.raw_dir} ({summary.n_files} file(s): "
              f"{summary.n_rejected} rejected, {summary.n_duplicate} duplicate); the reasons are in "
              f"{summary.out_dir / 'manifest.csv'}", file=sys.stderr)
        return 1
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from diplo.report.batch import ReportError, load_params, run_report

    if args.help:
        print(_report_help(args.report_parser, args.notebooks))
        return 0
    params = load_params(args.params, args.p or ())
    raw = _report_raw(args, params)
    if raw is not None:
        params["raw_dir"] = raw
    try:
        out = run_report(params, args.out, notebooks_dir=args.notebooks, notebooks=args.only,
                         progress=not args.quiet, wait=args.wait, jobs=args.jobs)
    except ReportError as exc:
        print(f"diplo report: {exc}", file=sys.stderr)
        return 1
    except TypeError as exc:  # a parameter of the wrong type: the user's input, like a ValueError
        print(f"diplo report: error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0


def _report_raw(args: argparse.Namespace, params: dict) -> str | None:
    """The raw folder from ``RAW``, ``--raw`` or ``-p raw_dir`` (any two given must name the same folder)."""
    from pathlib import Path

    given = [(form, value) for form, value in (("RAW", args.raw), ("--raw", args.raw_option),
                                               ("-p raw_dir", dict(args.p or ()).get("raw_dir")))
             if value is not None]
    if len({Path(str(v)).expanduser().resolve() for _, v in given}) > 1:
        raise ValueError("the raw folder is given twice with different values: "
                         + ", ".join(f"{form} {value}" for form, value in given) + "; give it once")
    return next((str(v) for form, v in given if form != "-p raw_dir"), None)


def _report_help(parser: argparse.ArgumentParser, notebooks_dir: str) -> str:
    """``diplo report --help``: the options, then every notebook parameter read from the notebooks."""
    import textwrap

    from diplo.report.batch import declared_parameters, find_notebooks

    try:
        rows = declared_parameters(notebooks_dir)
        suite = [p.stem for p in find_notebooks(notebooks_dir)]
    except FileNotFoundError as exc:
        return f"{parser.format_help()}\nnotebook parameters: {exc} (pass --notebooks DIR)\n"
    set_by_report = {"raw_dir": "set by RAW / --raw (default data/raw)", "output_dir": "set by --out",
                     "processed_dir": "default for a report: <out>/processed"}
    where = f"{notebooks_dir}/" if notebooks_dir else "the notebooks installed with diplo"
    lines = [f"notebook parameters (read from the parameters cells in {where}; set with -p NAME VALUE "
             "or --params FILE; values are YAML, e.g. -p outlets \"[Press TV]\"):"]
    for row in rows:
        head = f"  {row['name']} ({row['type'] or 'any'}, default {row['default'] or 'none'})"
        if row["notebooks"] != suite:
            head += f" [{', '.join(row['notebooks'])}]"
        text = row["help"] + (f"; {set_by_report[row['name']]}" if row["name"] in set_by_report else "")
        lines.append(head)
        lines.extend(textwrap.wrap(text, width=100, initial_indent=" " * 6, subsequent_indent=" " * 6))
    return parser.format_help() + "\n" + "\n".join(lines) + "\n"


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from diplo.report.batch import copy_notebooks

    try:
        written = copy_notebooks(args.dir, overwrite=args.force)
    except FileExistsError as exc:
        print(f"diplo notebooks: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    print(f"edit them, then: diplo report --notebooks {args.dir} --out reports/NAME", file=sys.stderr)
    return 0


def _cmd_export_dfm(args: argparse.Namespace) -> int:
    from diplo.analysis.export import export_dfm

    summary = export_dfm(args.out_dir, args.out, features=args.features, min_count=args.min_count)
    print(json.dumps(summary, indent=2))
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
                           label_center=args.label_center, coder_columns=_list(args.coder_columns),
                           n_boot=args.n_boot, seed=args.seed)
    print(json.dumps(result, indent=2))
    return 0


def _list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _cmd_sample(args: argparse.Namespace) -> int:
    from diplo.analysis.sample import sample_units, write_coding_sheet

    coders = _list(args.coders) or ["a"]
    sheet = sample_units(args.out_dir, n=args.n, unit=args.unit, by=_list(args.by) or (), period=args.period,
                         seed=args.seed, min_per_stratum=args.min_per_stratum, coders=coders,
                         with_scores=args.with_scores, context=args.context)
    path, guide = write_coding_sheet(sheet, args.out, coders=coders, unit=args.unit)
    print(json.dumps({"sheet": str(path), "guide": str(guide), "n": len(sheet),
                      "strata": sheet["stratum"].value_counts().sort_index().to_dict()}, indent=2))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from diplo.analysis.train import train_file

    report = train_file(args.file, args.out, text_column=args.text_column, label_column=args.label_column,
                        format=args.format, header=not args.no_header,
                        columns=_list(args.columns), kind=args.kind, folds=args.folds, seed=args.seed,
                        n_boot=args.n_boot, name=args.name)
    print(json.dumps(report, indent=2))
    return 0


def _cmd_kwic(args: argparse.Namespace) -> int:
    from diplo.analysis.kwic import kwic

    result = kwic(args.out_dir, args.pattern, window=args.window, n=args.n)
    print(result.to_text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    from diplo import __version__

    parser = argparse.ArgumentParser(prog="diplo", description="Tone and themes of diplomatic news over time.",
                                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"diplo {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="ingest, clean, segment and score a folder of raw articles",
                         epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    run.add_argument("--cache", metavar="DIR", help="cache of cleaned text, sentences and scores reused by the next "
                     "run: only new or changed files are read and cleaned again, and only the scoring whose "
                     "dictionaries changed runs again; same outputs (default: OUT/.cache; pandas engine only)")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar (it shows only on a terminal)")
    run.add_argument("--wait", action="store_true", help="when another run writes --out, wait for it instead "
                     "of exiting with code 2")
    run.set_defaults(func=_cmd_run)

    rep = sub.add_parser("report", help="run the notebook suite through papermill", add_help=False,
                         usage="diplo report [RAW | --raw RAW] [--params FILE] [-p NAME VALUE]... [--out DIR] "
                               "[--only NOTEBOOK]... [--jobs N] [--wait] [-q]",
                         epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    rep.add_argument("-h", "--help", action="store_true", help="show this help, with every notebook parameter")
    rep.add_argument("raw", nargs="?", metavar="RAW", help="folder of raw articles (read only; default data/raw)")
    rep.add_argument("--raw", dest="raw_option", metavar="RAW", help="the same, as an option")
    rep.add_argument("--params", help="YAML file of notebook parameters (see notebooks/params/)")
    rep.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"), help="set one parameter")
    rep.add_argument("--out", default="reports/run", help="output folder for this run")
    rep.add_argument("--notebooks", help="folder holding the notebook suite (default: the notebooks installed "
                     "with diplo; `diplo notebooks DIR` copies them out for editing)")
    rep.add_argument("--only", action="append", help="run only this notebook (stem, repeatable)")
    rep.add_argument("--jobs", type=int, metavar="N", help="notebooks run at once, each in its own kernel (default: "
                     "one per core, as many as the free memory holds; the outputs are the same)")
    rep.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rep.add_argument("--wait", action="store_true", help="when another run writes --out or the processed folder, "
                     "wait for it instead of exiting with code 2")
    rep.set_defaults(func=_cmd_report, report_parser=rep)

    nbs = sub.add_parser("notebooks", help="copy the notebook suite into a folder for editing")
    nbs.add_argument("dir", help="folder to copy the notebooks (and params/ examples) into")
    nbs.add_argument("--force", action="store_true", help="overwrite notebooks already in the folder")
    nbs.set_defaults(func=_cmd_notebooks)

    exp = sub.add_parser("export", help="write a diplo run's output in formats other tools read")
    fmt = exp.add_subparsers(dest="format", required=True)
    dfm = fmt.add_parser("dfm", help="document-feature matrix for R/quanteda: dfm.mtx (Matrix Market), "
                         "features.csv, docvars.csv, tidy_counts.parquet")
    dfm.add_argument("out_dir", metavar="OUT", help="output folder of `diplo run`")
    dfm.add_argument("--out", required=True, help="folder to write the export into")
    dfm.add_argument("--features", choices=["words", "themes", "lexicon"], default="words",
                     help="words: word tokens of the clean text; themes: theme dictionary hits; lexicon: the "
                     "lexicon scorer's matched entries (default: words)")
    dfm.add_argument("--min-count", type=int, default=1, metavar="K",
                     help="keep features counted at least K times in the corpus (default 1)")
    dfm.set_defaults(func=_cmd_export_dfm)

    kw = sub.add_parser("kwic", help="where a term, glob or phrase hits in a run's sentences, in context, "
                        "with counts by outlet and month")
    kw.add_argument("out_dir", metavar="OUT", help="output folder of diplo run")
    kw.add_argument("pattern", metavar="PATTERN", help="a theme term: a word, a glob (corridor*), a phrase or a "
                    "proximity rule ('attack* NEAR/5 embassy'; quote them); matched as themes.yml terms are")
    kw.add_argument("--window", type=int, default=8, help="words of context on each side (default 8)")
    kw.add_argument("--n", type=int, default=50, help="hits shown in context (default 50; counts cover all)")
    kw.set_defaults(func=_cmd_kwic)

    val = sub.add_parser("validate", help="compare tone scorers with human labels (prints JSON)")
    val.add_argument("file", help="labelled CSV / TSV / JSONL / JSON file")
    val.add_argument("--text-column", help="column with the text (default: text)")
    val.add_argument("--label-column", help="column with the human label (default: label; vader: rating)")
    val.add_argument("--scorer", action="append", help="scorer to validate (repeatable; default all shipped "
                                                       "scorers); model:PATH for a model made by diplo train")
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
    val.add_argument("--coder-columns", help="two or more coders' columns (e.g. sentiment_a,sentiment_b): "
                                             "Krippendorff's alpha, and scorers against the coders' majority")
    val.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for the 95%% intervals "
                                                              "(default 1000; 0 for none)")
    val.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resamples (default 0)")
    val.set_defaults(func=_cmd_validate)

    smp = sub.add_parser("sample", help="draw a stratified random sample of a run's sentences for human coding")
    smp.add_argument("out_dir", help="a `diplo run` output folder")
    smp.add_argument("--out", required=True, help="coding sheet to write (CSV); CODING.md is written beside it")
    smp.add_argument("--n", type=int, default=200, help="sample size (default 200)")
    smp.add_argument("--unit", choices=["sentence", "article"], default="sentence", help="what to sample")
    smp.add_argument("--by", help="strata: comma-separated outlet, period, theme (default: none)")
    smp.add_argument("--period", choices=["month", "quarter", "year"], default="month",
                     help="calendar unit of the period stratum (default month)")
    smp.add_argument("--min-per-stratum", type=int, default=5, help="at least this many units per stratum "
                                                                    "(default 5; the sample may exceed --n)")
    smp.add_argument("--seed", type=int, default=0, help="random seed (same seed, same sheet)")
    smp.add_argument("--coders", default="a", help="coder names, comma-separated (default a)")
    smp.add_argument("--context", type=int, default=1, help="sentences of context on each side (default 1)")
    smp.add_argument("--with-scores", action="store_true", help="show the scorers' tone columns (hidden by "
                                                                "default so coders are not swayed)")
    smp.set_defaults(func=_cmd_sample)

    trn = sub.add_parser("train", help="train a scorer from coded sentences (prints cross-validated scores)")
    trn.add_argument("file", help="coded CSV / TSV / JSONL / JSON file")
    trn.add_argument("--text-column", help="column with the text (default: text)")
    trn.add_argument("--label-column", help="column with the code (default: label)")
    trn.add_argument("--out", required=True, help="model file to write (use it as --scorer model:PATH)")
    trn.add_argument("--format", default="auto", choices=["auto", "csv", "tsv", "jsonl", "json", "vader"],
                     help="file layout (as for diplo validate)")
    trn.add_argument("--no-header", action="store_true", help="the CSV/TSV file has no header line")
    trn.add_argument("--columns", help="comma-separated column names for a file without header")
    trn.add_argument("--kind", choices=["auto", "classifier", "regressor"], default="auto",
                     help="categories (logistic regression) or numbers (ridge); auto: numbers with more than "
                          "10 distinct or fractional values are a regression target")
    trn.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    trn.add_argument("--seed", type=int, default=0, help="seed of the folds and bootstrap (default 0)")
    trn.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for the CV intervals")
    trn.add_argument("--name", default="model", help="scorer name (its column is tone_<name>)")
    trn.set_defaults(func=_cmd_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from diplo.run.lock import FolderBusy
    from diplo.run.publish import StorageError, is_storage_error

    try:
        return args.func(args)
    except StorageError as exc:
        print(f"diplo {args.command}: error: {exc.strerror}", file=sys.stderr)
        return 3
    except (ValueError, FileNotFoundError, FolderBusy) as exc:
        print(f"diplo {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if not is_storage_error(exc):
            raise
        where = getattr(args, "out", None) or exc.filename or "the output folder"
        print(f"diplo {args.command}: error: cannot write outputs in {where}: {exc.strerror or exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
