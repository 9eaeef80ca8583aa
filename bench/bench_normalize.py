"""Reading and normalization throughput (run by hand: `.venv/bin/python bench/bench_normalize.py`).

Prints MB/s (UTF-8 megabytes of raw text per second, one core; wall time and CPU time of this
process, the median of --repeat runs):
  * ``normalize_text`` on one large text (~20 MB) made by repeating the seed documents, and on the
    same text with every copy made distinct (so that the repeated-paragraph step drops nothing);
  * ``read_document`` (read + decode + normalize) on a corpus of ~2000 seed-sized documents
    (the seeds copied with their numbers altered, as `bench/bench_extract.py` builds it), one by
    one in name order (so the kinds of document alternate, as in a real folder), and
    ``normalize_text`` alone on the same texts;
  * the peak memory of normalizing the large text.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_extract import build_corpus  # noqa: E402

from keyproj.read.documents import read_document  # noqa: E402
from keyproj.read.normalize import normalize_text  # noqa: E402

RAW = REPO / "data" / "raw"


def seeds() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(RAW.glob("*.txt"))]


def repeated(megabytes: float, distinct: bool) -> str:
    """The seeds repeated up to ``megabytes`` of UTF-8; ``distinct`` numbers each copy's lines."""
    one = "\n\n".join(seeds())
    copies = int(megabytes * 1_000_000 / len(one.encode("utf-8"))) + 1
    if not distinct:
        return "\n\n".join([one] * copies)
    lines = one.split("\n")
    return "\n\n".join("\n".join(f"{line}第{copy}份" if len(line) > 20 else line for line in lines)
                       for copy in range(copies))


def timed(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (seconds); CPU time is the steadier
    figure on a shared machine."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def report(label: str, megabytes: float, wall: float, cpu: float, extra: str = "") -> None:
    print(f"{label:40s} {megabytes:6.1f} MB  {megabytes / wall:6.1f} MB/s wall  {megabytes / cpu:6.1f} MB/s CPU"
          f"{'  ' + extra if extra else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20.0,
                        help="size of the large text and of the corpus (default 20)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing; the median is printed")
    args = parser.parse_args()

    normalize_text("预热 warm-up")  # build the character tables and load OpenCC once
    for label, distinct in (("one text, seeds repeated", False), ("one text, copies distinct", True)):
        text = repeated(args.megabytes, distinct)
        megabytes = len(text.encode("utf-8")) / 1e6
        wall, cpu = timed(lambda: normalize_text(text), repeat=max(1, args.repeat // 2))
        normalized, offsets = normalize_text(text)
        report(label, megabytes, wall, cpu, f"({len(text):,} -> {len(normalized):,} characters, "
                                            f"{offsets.segment_count:,} map segments)")
        del text, normalized, offsets

    with tempfile.TemporaryDirectory(prefix="keyproj-bench-") as tmp:
        count, size = build_corpus(Path(tmp), args.megabytes)
        paths = sorted(Path(tmp).glob("*.txt"))
        texts = [path.read_text(encoding="utf-8") for path in paths]
        megabytes = size / 1e6

        def read_each() -> None:
            for path in paths:
                read_document(path)

        def normalize_each() -> None:
            for text in texts:
                normalize_text(text)

        for label, function in ((f"read_document, {count} documents", read_each),
                                (f"normalize_text, {count} documents", normalize_each)):
            wall, cpu = timed(function, repeat=args.repeat)
            report(label, megabytes, wall, cpu, f"({cpu / count * 1000:.3f} ms CPU per document of "
                                                f"{size / count / 1000:.1f} KB on average)")

    text = repeated(args.megabytes, True)
    tracemalloc.start()
    normalize_text(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory while normalizing {len(text.encode('utf-8')) / 1e6:.0f} MB: {peak / 1e6:.0f} MB "
          f"(Python allocations, text itself included); max RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
