"""The `keyproj` command line: one subcommand per step of the pipeline."""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from keyproj._version import __version__
from keyproj.errors import BadInputError, KeyprojError
from keyproj.facts import FACT_COLUMNS
from keyproj.paths import REPO_ROOT, OutputLayout, foreign_code, input_reason, outputs_reason
from keyproj.read.documents import discover_documents, read_document
from keyproj.util.atomic import atomic_open, atomic_write_text


def _add_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", metavar="DIR", default=None,
        help="data folder with raw/, reference/, corrections.csv, processed/ "
             "(default: $KEYPROJ_DATA, else the repository's data/)",
    )


def _add_fetch_parser(sub: Any) -> None:
    fetch = sub.add_parser("fetch", help="snapshot web pages into raw/ with a sources.csv row each")
    fetch.add_argument("urls", nargs="*", metavar="URL", help="pages to snapshot (http or https)")
    fetch.add_argument("--from-reference", action="store_true",
                       help="also every distinct source_url of reference/*.csv")
    fetch.add_argument("--refresh", action="store_true", help="fetch again URLs already snapshotted")
    fetch.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per request (default 30)")
    fetch.add_argument("--max-mb", type=float, default=20.0, metavar="MB", help="largest page kept (default 20)")
    fetch.add_argument("--delay", type=float, default=1.0, metavar="S",
                       help="seconds between two requests to one host (default 1)")
    _add_data_option(fetch)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `keyproj` command."""
    parser = argparse.ArgumentParser(
        prog="keyproj",
        description="Key-project (重点项目) planned-vs-actual data: read documents, extract facts, "
                    "build the dataset, render reports.",
    )
    parser.add_argument("--version", action="version", version=f"keyproj {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    read = sub.add_parser("read", help="print the normalized text of documents")
    read.add_argument("paths", nargs="+", metavar="PATH", help="document files or folders")
    read.add_argument("--out", metavar="DIR", help="write one <doc_id>.txt per document into DIR")

    extract = sub.add_parser("extract", help="extract key-project facts from documents into a CSV")
    extract.add_argument("paths", nargs="+", metavar="PATH",
                         help="document files or folders (a folder's sources.csv gives metadata)")
    extract.add_argument("--out", metavar="FILE", help="CSV file to write (default: stdout)")
    extract.add_argument("--jobs", type=int, default=1, metavar="N",
                         help="processes reading and extracting at once (default 1)")
    extract.add_argument("--checks", metavar="FILE",
                         help="also write a CSV (doc_id,note) of the documents whose completed investment is "
                              "not plan x rate / 100 (the arithmetic check)")

    score = sub.add_parser("score", help="compare extracted facts with gold facts: recall and precision")
    score.add_argument("gold", metavar="GOLD", help="CSV of the facts the documents hold")
    score.add_argument("pred", metavar="PRED", help="CSV written by `keyproj extract`")
    score.add_argument("--details", action="store_true", help="list every miss and extra with its quote")
    score.add_argument("--min-recall", type=float, default=None, metavar="R",
                       help="exit 1 when strict recall is below R (0..1), for CI")
    score.add_argument("--min-precision", type=float, default=None, metavar="P",
                       help="exit 1 when strict precision is below P (0..1), for CI")

    build = sub.add_parser("build", help="build data/processed/facts.csv and panel.csv")
    _add_data_option(build)
    build.add_argument("--quiet", action="store_true", help="print nothing but errors")

    _add_fetch_parser(sub)
    export = sub.add_parser("export", help="write the panel and facts for other tools, with a data dictionary")
    export.add_argument("--format", default="csv", metavar="FORMAT",
                        help="csv, xlsx, dta (Stata) or parquet (default csv)")
    export.add_argument("--out", metavar="DIR", default=None,
                        help="folder to write into (default: outputs/export/FORMAT)")
    _add_data_option(export)

    render = sub.add_parser("render", help="render the reports of a config through papermill into HTML")
    render.add_argument("--config", metavar="FILE", default=None,
                        help="reports config (default: notebooks/reports.yaml)")
    render.add_argument("--only", metavar="NAME", action="append", default=None,
                        help="render only this report (repeatable)")
    render.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="reports rendered at once (default: number of cores)")
    render.add_argument("--force", action="store_true", help="render even when nothing changed")
    _add_data_option(render)
    render.add_argument("--outputs", metavar="DIR", default=None, help="output folder (default: outputs/)")
    render.add_argument("--quiet", action="store_true", help="no progress bar; print only failures (for cron)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `keyproj` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        _check_checkout()
        _check_paths(args)
        if args.command in ("read", "extract"):
            # numpy serves these only element by element: OpenBLAS's thread pool would just spend
            # CPU at start-up that --jobs workers need (about 0.05 s per process).
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        if args.command == "read":
            handler = cli_read
        elif args.command == "extract":
            handler = cli_extract
        elif args.command == "score":
            handler = cli_score
        elif args.command == "build":
            handler = cli_build
        elif args.command == "export":
            handler = cli_export
        elif args.command == "fetch":
            handler = cli_fetch
        else:
            handler = cli_render
        return handler(args)
    except KeyprojError as error:
        print(f"keyproj {args.command}: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # the environment (a full disk, a read-only folder): one line naming the path
        print(f"keyproj {args.command}: error: {_os_error_line(error)}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, ImportError) as error:
        if not _caused_by_interrupt(error):
            raise
        print(f"keyproj {args.command}: interrupted", file=sys.stderr)
        return 130


def _os_error_line(error: OSError) -> str:
    """One line for a failed system call: the path(s), the reason, and that earlier outputs stay."""
    paths = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
    reason = error.strerror or str(error)
    return f"{paths or 'a file'}: {reason} (earlier outputs are kept: every write is atomic)"


def _check_checkout() -> None:
    """Refuse to run the code of another checkout (a .venv copied along with its project)."""
    other = foreign_code()
    if other is not None:
        raise KeyprojError(f"this .venv ({sys.prefix}) runs the code of {other}, not of {REPO_ROOT}: "
                           f"run `make setup` in {REPO_ROOT} to rebuild it for this checkout")


def _check_out_file(option: str, value: str | None, inputs: Sequence[str]) -> None:
    """One-line errors for an output file that is a folder, not a file, or a file keyproj reads."""
    if not value:
        return
    path = Path(value)
    if path.is_dir():
        raise KeyprojError(f"{option} {value} is a folder: give a file name, e.g. {path / 'facts.csv'}")
    if path.exists() and not path.is_file():
        raise KeyprojError(f"{option} {value} is not a regular file (a device or a pipe?): give a file name")
    reason = input_reason(path, inputs)
    if reason is not None:
        raise KeyprojError(f"{option} {value} would replace a file keyproj reads ({reason}): "
                           "write to another file")


def _check_paths(args: argparse.Namespace) -> None:
    """Output options checked before anything runs: inputs are never outputs."""
    if args.command == "extract":
        _check_out_file("--out", args.out, args.paths)
        _check_out_file("--checks", args.checks, args.paths)
    elif args.command == "render":
        config = getattr(args, "config", None)
        if config and Path(config).is_dir():
            raise KeyprojError(f"--config {config} is a folder: give the reports file, e.g. {Path(config) / 'reports.yaml'}")
        outputs = getattr(args, "outputs", None)
        reason = outputs_reason(outputs, args.data) if outputs else None
        if reason is not None:
            raise KeyprojError(f"--outputs {outputs} {reason}")


def _caused_by_interrupt(error: BaseException) -> bool:
    """Whether Ctrl-C is behind ``error``: a C extension interrupted while it loads reports an
    ImportError whose cause, somewhere down the chain, is the KeyboardInterrupt."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


# ---------------------------------------------------------------- handlers

def cli_read(args: argparse.Namespace) -> int:
    """`keyproj read PATH... [--out DIR]`: print each document's normalized text, or write
    DIR/<doc_id>.txt. Each bad file gets one line on stderr; returns 1 if any failed, else 0."""
    out_dir = Path(args.out) if getattr(args, "out", None) else None
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise KeyprojError(f"--out {out_dir}: not a folder")
    refs, errors = discover_documents(args.paths)
    # Texts written beside the documents would replace them or join the corpus: refuse.
    reason = input_reason(out_dir / "text.txt", args.paths) if out_dir is not None else None
    if out_dir is not None and (reason or any(ref.path.resolve().parent == out_dir.resolve() for ref in refs)):
        raise KeyprojError(f"--out {out_dir} holds files keyproj reads, which the texts would replace or join"
                           f" ({reason or 'input documents'}): write them to another folder")
    total = len(refs) + len(errors)
    failures = 0
    for error in errors:
        print(f"keyproj read: {error}", file=sys.stderr)
        failures += 1
    written: dict[str, Path] = {}
    for ref in refs:
        try:
            document = read_document(ref.path, ref.meta)
        except BadInputError as error:
            print(f"keyproj read: {error}", file=sys.stderr)
            failures += 1
            continue
        if out_dir is None:
            try:
                if len(refs) > 1:
                    print(f"==> {ref.path} <==")
                print(document.text, end="\n\n" if len(refs) > 1 else "\n")
            except BrokenPipeError:  # the reader went away (`keyproj read ... | head`): stop quietly
                _silence_stdout()
                return 1 if failures else 0
            continue
        target = out_dir / f"{document.doc_id}.txt"
        if document.doc_id in written:
            print(f"keyproj read: {ref.path}: {target} already holds the text of {written[document.doc_id]}: "
                  f"rename one of the two files", file=sys.stderr)
            failures += 1
            continue
        try:
            atomic_write_text(target, document.text + "\n")
        except OSError as error:
            raise KeyprojError(f"cannot write {target}: {error.strerror or error}") from None
        written[document.doc_id] = ref.path
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    if failures:
        print(f"keyproj read: {failures} of {total} documents failed", file=sys.stderr)
        return 1
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit-time flush does not fail on a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def cli_extract(args: argparse.Namespace) -> int:
    """`keyproj extract PATH... [--out FILE] [--jobs N]`: the fact CSV of documents."""
    if args.jobs < 1:
        raise KeyprojError(f"--jobs must be 1 or more, not {args.jobs}")
    from keyproj.extract import iter_extracted  # here: a lexicon file that cannot be read is a one-line error

    failures: list[BadInputError] = []
    notes: list[tuple[str, str]] = []
    documents = count = 0

    def write(handle: Any) -> None:
        """Stream each document's CSV lines as they come (memory stays flat)."""
        nonlocal documents, count
        handle.write(",".join(FACT_COLUMNS) + "\n")
        for _, result in iter_extracted(args.paths, args.jobs, as_csv=True):
            documents += 1
            if isinstance(result, BadInputError):
                failures.append(result)
                print(f"keyproj extract: {result}", file=sys.stderr)
            else:
                handle.write(result[0])
                count += result[1]
                if args.checks:
                    notes.extend(_check_notes_of(result[0], result[2]))

    if args.out:
        with atomic_open(args.out, "w", encoding="utf-8", newline="") as handle:
            write(handle)
    else:
        write(sys.stdout)
        sys.stdout.flush()
    if args.checks:
        with atomic_open(args.checks, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["doc_id", "note"])
            writer.writerows(notes)
        print(f"keyproj extract: {len(notes)} arithmetic check note(s) -> {args.checks}", file=sys.stderr)
    if failures:
        print(f"keyproj extract: {len(failures)} of {documents} inputs failed; "
              f"{count} facts from the others were written", file=sys.stderr)
        return 1
    return 0


def _check_notes_of(csv_lines: str, settled: list[str]) -> list[tuple[str, str]]:
    """(doc_id, note) for each list the arithmetic check settled and each contradiction left among
    one document's fact rows."""
    from keyproj.extract.checks import check_notes

    rows = [dict(zip(FACT_COLUMNS, cells)) for cells in csv.reader(io.StringIO(csv_lines))]
    return [(rows[0]["doc_id"], note) for note in settled + check_notes(rows)] if rows else []



def cli_score(args: argparse.Namespace) -> int:
    """`keyproj score GOLD PRED`: recall and precision of extracted facts; 1 below a floor."""
    from keyproj.extract.score import check_floors, format_score, score_files

    result = score_files(args.gold, args.pred)
    failures = check_floors(result, args.min_recall, args.min_precision)
    print(format_score(result, details=args.details))
    for failure in failures:
        print(f"keyproj score: {failure}", file=sys.stderr)
    return 1 if failures else 0


def cli_build(args: argparse.Namespace) -> int:
    """`keyproj build [--data DIR] [--quiet]`: build the dataset; 1 when input rows are malformed
    (nothing written) or when documents were skipped (the rest written)."""
    # The data stage pulls in pandas: imported here so that `keyproj read/extract` start fast.
    from keyproj.data.build import build
    from keyproj.data.rows import RowsError

    try:
        result = build(args.data)
    except RowsError as error:
        for problem in error.problems:
            print(f"keyproj build: error: {problem}", file=sys.stderr)
        print(f"keyproj build: {len(error.problems)} problem(s); nothing was written", file=sys.stderr)
        return 1
    for skipped in result.bad_inputs:
        print(f"keyproj build: skipped {skipped}", file=sys.stderr)
    if not args.quiet:
        print(result.summary())
    if result.bad_inputs:
        # The tables were written from the rest; exit 1 so that cron (and make) learn of the skips.
        print(f"keyproj build: {len(result.bad_inputs)} input(s) skipped; the tables hold the rest",
              file=sys.stderr)
        return 1
    return 0


def cli_fetch(args: argparse.Namespace) -> int:
    """`keyproj fetch URL... [--from-reference]`: snapshot pages into raw/, one line per URL; 1 when any failed."""
    from keyproj.paths import data_layout
    from keyproj.read.fetch import FetchPolicy, count_by_status, fetch_urls, reference_urls

    layout = data_layout(args.data)
    if not layout.root.is_dir():
        raise KeyprojError(f"data folder {layout.root} does not exist: create it, or give another with --data DIR")
    if args.timeout <= 0 or args.max_mb <= 0 or args.delay < 0:
        raise KeyprojError("--timeout and --max-mb must be above 0 and --delay 0 or more")
    hints = reference_urls(layout.reference) if args.from_reference else {}
    urls = [*args.urls, *hints]
    if not urls:
        raise KeyprojError("nothing to fetch: give URLs or --from-reference (the source URLs of reference/*.csv)")
    policy = FetchPolicy(timeout=args.timeout, max_bytes=int(args.max_mb * 1024 * 1024), host_delay=args.delay)

    def show(outcome: Any) -> None:
        if outcome.status == "failed":
            print(f"keyproj fetch: {outcome.url}: {outcome.message}", file=sys.stderr)
        else:
            print(f"{outcome.status:9s} {outcome.url} {outcome.message}", flush=True)

    outcomes = fetch_urls(urls, layout.raw, policy, refresh=args.refresh, hints=hints, on_result=show)
    counts = count_by_status(outcomes)
    print(", ".join(f"{count} {status}" for status, count in counts.items()) + f" -> {layout.raw}")
    if counts["failed"]:
        print(f"keyproj fetch: {counts['failed']} of {len(outcomes)} URLs failed; the others were kept",
              file=sys.stderr)
        return 1
    return 0


def cli_export(args: argparse.Namespace) -> int:
    """`keyproj export [--format F] [--out DIR] [--data DIR]`: the dataset for other tools; 1 on a bad
    option or malformed input rows."""
    # The data stage pulls in pandas (and openpyxl, pyreadstat or pyarrow): imported here.
    from keyproj.data.export import export
    from keyproj.data.rows import RowsError

    try:
        result = export(args.format, args.out, args.data)
    except RowsError as error:
        for problem in error.problems:
            print(f"keyproj export: error: {problem}", file=sys.stderr)
        print(f"keyproj export: {len(error.problems)} problem(s); nothing was exported", file=sys.stderr)
        return 1
    print(result.summary())
    return 0



class _ProgressBar:
    """A tqdm bar on stderr for `keyproj render`, drawn once more than one report is rendering."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def update(self, result: Any, done: int, total: int) -> None:
        if not self.enabled or total < 2:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=sys.stderr, unit="report", desc="keyproj render")
        if result is not None:
            self.bar.set_postfix_str(result.name)
            self.bar.update(1)

    def __enter__(self) -> "_ProgressBar":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def cli_render(args: argparse.Namespace) -> int:
    """`keyproj render`: render the reports of a config; exit 1 when any report failed."""
    # A render with nothing to do is answered from the state file alone (no pandas, nbformat, kernel).
    from keyproj.render.state import DEFAULT_OUTPUTS, quick_unchanged

    quiet = bool(args.quiet)
    summary = None if args.force else quick_unchanged(args.config, args.only, args.data, args.outputs)
    if summary is None:
        # The render stage pulls in pandas, nbclient and papermill: imported here so that other commands start fast.
        from keyproj.render.config import load_config
        from keyproj.render.run import render_reports

        config = load_config(args.config)
        # The bar only on a terminal: in a log file (cron, CI) it would be a line of carriage returns.
        with _ProgressBar(enabled=not quiet and sys.stderr.isatty()) as bar:
            summary = render_reports(
                config, only=args.only, jobs=args.jobs, force=args.force, data_dir=args.data,
                outputs_dir=args.outputs, on_progress=bar.update,
            )
    outputs = OutputLayout(Path(args.outputs).resolve() if args.outputs else DEFAULT_OUTPUTS)
    if not quiet:
        for result in summary.results:
            if result.status == "ok":
                print(f"rendered   {result.name} ({result.seconds:.1f} s)")
            elif result.status == "unchanged":
                print(f"unchanged  {result.name} (skipped; --force renders it again)")
        done = len(summary.rendered)
        print(f"{done} rendered, {len(summary.results) - done - len(summary.failed)} unchanged, "
              f"{len(summary.failed)} failed in {summary.seconds:.1f} s; index: {outputs.index}")
    if summary.failed:
        print(f"keyproj render: {len(summary.failed)} of {len(summary.results)} reports failed:",
              file=sys.stderr)
        for result in summary.failed:
            print(f"  {result.name}: {result.reason} (see {outputs.failed_of(result.name)})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
