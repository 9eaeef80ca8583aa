"""The `keyproj` command line: one subcommand per step of the pipeline."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from keyproj import __version__
from keyproj.errors import KeyprojError


def _add_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", metavar="DIR", default=None,
        help="data folder with raw/, reference/, corrections.csv, processed/ "
             "(default: $KEYPROJ_DATA, else the repository's data/)",
    )


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

    build = sub.add_parser("build", help="build data/processed/facts.csv and panel.csv")
    _add_data_option(build)
    build.add_argument("--quiet", action="store_true", help="print nothing but errors")

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
        if args.command in ("read", "extract"):
            # numpy serves these only element by element: OpenBLAS's thread pool would just spend
            # CPU at start-up that --jobs workers need (about 0.05 s per process).
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        if args.command == "read":
            from keyproj.documents import cli_read as handler
        elif args.command == "extract":
            from keyproj.extract import cli_extract as handler
        elif args.command == "build":
            from keyproj.dataset import cli_build as handler
        else:
            from keyproj.render import cli_render as handler
        return handler(args)
    except KeyprojError as error:
        print(f"keyproj {args.command}: error: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, ImportError) as error:
        if not _caused_by_interrupt(error):
            raise
        print(f"keyproj {args.command}: interrupted", file=sys.stderr)
        return 130


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


if __name__ == "__main__":
    sys.exit(main())
