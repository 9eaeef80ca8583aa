"""Normalization throughput (run by hand: `.venv/bin/python bench/bench_normalize.py`).

Prints MB/s (UTF-8 megabytes of raw text per second, one core) of ``keyproj.normalize.normalize_text``:
  * on one large text (~20 MB) made by repeating the seed documents,
  * on the same text with every copy made distinct (so that the repeated-paragraph step drops nothing),
  * on the seed documents one by one (small documents: the fixed cost per document),
and the peak memory of normalizing the large text.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from keyproj.normalize import normalize_text  # noqa: E402

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


def timed(function, *args, repeat: int = 3) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (seconds); CPU time is the steadier
    figure on a shared machine."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function(*args)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20.0, help="size of the large text (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the median is printed")
    args = parser.parse_args()

    normalize_text("预热 warm-up")  # build the character tables and load OpenCC once
    for label, distinct in (("seeds repeated", False), ("seeds repeated, copies distinct", True)):
        text = repeated(args.megabytes, distinct)
        megabytes = len(text.encode("utf-8")) / 1e6
        wall, cpu = timed(normalize_text, text, repeat=args.repeat)
        normalized, offsets = normalize_text(text)
        print(f"{label:34s} {megabytes:6.1f} MB  {megabytes / wall:6.1f} MB/s wall  {megabytes / cpu:6.1f} MB/s CPU  "
              f"({len(text):,} -> {len(normalized):,} characters, {offsets.segment_count:,} map segments)")

    documents = seeds()
    megabytes = sum(len(text.encode("utf-8")) for text in documents) / 1e6

    def each() -> None:
        for text in documents:
            normalize_text(text)

    rounds = 20
    wall, cpu = timed(lambda: [each() for _ in range(rounds)], repeat=args.repeat)
    print(f"{'seed documents one by one':34s} {megabytes * rounds:6.1f} MB  {megabytes * rounds / wall:6.1f} MB/s wall  "
          f"{megabytes * rounds / cpu:6.1f} MB/s CPU  ({cpu / rounds / len(documents) * 1000:.2f} ms CPU per document)")

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
