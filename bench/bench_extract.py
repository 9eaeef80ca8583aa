"""Extraction throughput on a synthetic corpus built from the seed documents (run by `make bench`).

Builds corpora of about 10 and 20 MB (UTF-8) from the seeds with every number altered, then
measures in one run:
  * a bare regex scan of the same text (the yardstick: reading files and finding numbers),
  * `keyproj extract DIR --jobs 1` and `--jobs 2` as subprocesses (wall time, MB/s, documents/s per core),
  * peak memory (max RSS) of the extract process for each corpus size: flat if documents are streamed,
  * the machine's own ceiling for --jobs 2: how much faster two CPU-bound processes finish than one
    doing both shares (a virtual machine's two cores rarely give a full 2x).
Each timing is the median of --repeat runs.
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "data" / "raw"
KEYPROJ = [sys.executable, "-m", "keyproj"]
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def build_corpus(folder: Path, megabytes: float, seed: int = 7) -> tuple[int, int]:
    """Write seed copies with altered numbers until the corpus holds ``megabytes``; returns (files, bytes)."""
    rng = random.Random(seed)
    with open(RAW / "sources.csv", encoding="utf-8") as handle:
        sources = list(csv.DictReader(handle))
    texts = {row["file"]: (RAW / row["file"]).read_text(encoding="utf-8") for row in sources}
    folder.mkdir(parents=True, exist_ok=True)
    total, rows = 0, []
    target = int(megabytes * 1_000_000)
    index = 0
    while total < target:
        row = sources[index % len(sources)]

        def alter(match: re.Match[str]) -> str:
            text = match.group(0)
            if len(text) == 4 and text.startswith("20"):
                return text  # keep years, so periods stay realistic
            value = float(text) * rng.uniform(0.5, 1.5)
            return f"{value:.{len(text.split('.')[1])}f}" if "." in text else str(max(1, round(value)))

        text = NUMBER.sub(alter, texts[row["file"]])
        name = f"{index:06d}_{row['file']}"
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        rows.append({**{k: row[k] for k in ("published", "region", "title", "url")}, "file": name})
        total += len(data)
        index += 1
    with open(folder / "sources.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "published", "region", "title", "url"])
        writer.writeheader()
        writer.writerows(rows)
    return index, total


def bare_scan(folder: Path) -> float:
    """Seconds to read every file and find every number with one regex."""
    start = time.perf_counter()
    count = 0
    for path in sorted(folder.glob("*.txt")):
        count += len(NUMBER.findall(path.read_text(encoding="utf-8")))
    return time.perf_counter() - start


def stage_times(folder: Path) -> tuple[float, float]:
    """CPU seconds of (reading + normalizing, extracting from the normalized text) for every document."""
    sys.path.insert(0, str(REPO))
    from keyproj.extract import extract_rows
    from keyproj.read.documents import read_document
    from keyproj.read.sources import read_sources

    meta = read_sources(folder / "sources.csv")
    paths = sorted(folder.glob("*.txt"))
    started = time.process_time()
    documents = [read_document(path, meta.get(path.name)) for path in paths]
    read = time.process_time() - started
    started = time.process_time()
    for document in documents:
        extract_rows(document)
    return read, time.process_time() - started


def _spin(rounds: int) -> int:
    total = 0
    for number in range(rounds):
        total += number
    return total


def parallel_ceiling(rounds: int = 6_000_000) -> float:
    """Speed-up of two worker processes over one on two equal CPU-bound shares (pure Python)."""
    import multiprocessing

    times = []
    for workers in (1, 2):
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_spin, [1, 1])  # the workers are up before the clock starts
            started = time.perf_counter()
            pool.map(_spin, [rounds, rounds], chunksize=1)
            times.append(time.perf_counter() - started)
    return times[0] / times[1]


def run_extract(folder: Path, jobs: int, out: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `keyproj extract` on ``folder`` in a fresh process."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        f"r = subprocess.run({KEYPROJ + ['extract', str(folder), '--jobs', str(jobs), '--out', str(out)]!r}); "
        "e = time.perf_counter() - t; "
        "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
        "print(e, m); sys.exit(r.returncode)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak)


def devset_score() -> str:
    """Strict and loose recall / precision of extraction on tests/devset (the score the issue sets floors for)."""
    from collections import Counter

    sys.path.insert(0, str(REPO))
    from keyproj.extract import extract_rows
    from keyproj.read.documents import read_document

    devset = REPO / "tests" / "devset"
    strict = ("doc_id", "region", "scope", "period_start", "period_end", "metric")
    keys = {"strict": lambda r: tuple(str(r[k]) for k in strict) + (round(float(r["value"]), 2),),
            "loose": lambda r: (r["doc_id"], r["metric"], round(float(r["value"]), 2))}
    with open(devset / "gold.csv", encoding="utf-8") as handle:
        gold_rows = list(csv.DictReader(handle))
    with open(devset / "sources.csv", encoding="utf-8") as handle:
        predicted = [row for meta in csv.DictReader(handle)
                     for row in extract_rows(read_document(devset / "docs" / meta["file"], meta))]
    parts = []
    for name, key in keys.items():
        gold, found = Counter(map(key, gold_rows)), Counter(map(key, predicted))
        matched = sum((gold & found).values())
        parts.append(f"{name} recall {matched / sum(gold.values()):.3f} precision {matched / sum(found.values()):.3f}")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="keyproj-bench-") as tmp:
        small, large = Path(tmp) / "half", Path(tmp) / "full"
        n_small, b_small = build_corpus(small, args.megabytes / 2)
        n_large, b_large = build_corpus(large, args.megabytes)
        mb = b_large / 1e6
        print(f"corpus: {n_large} documents, {mb:.1f} MB (and {n_small} documents, {b_small / 1e6:.1f} MB)")
        scan = statistics.median(bare_scan(large) for _ in range(args.repeat))
        print(f"bare regex scan      : {scan:6.2f} s  {mb / scan:7.1f} MB/s")
        out = Path(tmp) / "facts.csv"
        # Start-up (interpreter, imports, tables) measured on a one-document folder.
        single = Path(tmp) / "single"
        build_corpus(single, 0.001)
        startup = statistics.median(run_extract(single, 1, out)[0] for _ in range(args.repeat))
        print(f"start-up of keyproj extract (one document): {startup:.2f} s")
        results = {}
        for jobs in (1, 2):
            runs = [run_extract(large, jobs, out) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            results[jobs] = seconds
            print(f"keyproj extract -j{jobs}: {seconds:6.2f} s  {mb / seconds / jobs:7.1f} MB/s per core  "
                  f"{n_large / seconds / jobs:7.0f} documents/s per core  peak RSS {peak:.0f} MB")
            steady = seconds - startup
            print(f"  without start-up   : {steady:6.2f} s  {mb / steady / jobs:7.1f} MB/s per core  "
                  f"{n_large / steady / jobs:7.0f} documents/s per core")
        read, extract = stage_times(large)
        print(f"  stages (CPU, in one process): read + normalize {mb / read:5.1f} MB/s, "
              f"extract from normalized text {mb / extract:5.1f} MB/s")
        facts = sum(1 for _ in open(out, encoding="utf-8")) - 1
        print(f"facts extracted      : {facts}")
        ceiling = statistics.median(parallel_ceiling() for _ in range(args.repeat))
        parallel = (results[1] - startup) / (results[2] - startup)
        print(f"--jobs 2 speed-up    : {results[1] / results[2]:.2f}x end to end, {parallel:.2f}x after start-up "
              f"(this machine's ceiling, two CPU-bound processes: {ceiling:.2f}x)")
        print(f"extract -j1 vs scan  : {results[1] / scan:.1f}x the time of the bare scan (target: at most 7.5x)")
        print(f"dev-set score        : {devset_score()}")
        small_peak = max(run_extract(small, 1, out)[1] for _ in range(args.repeat))
        large_peak = max(run_extract(large, 1, out)[1] for _ in range(args.repeat))
        print(f"peak RSS -j1         : {small_peak:.0f} MB at {b_small / 1e6:.0f} MB, "
              f"{large_peak:.0f} MB at {mb:.0f} MB (flat when streamed)")


if __name__ == "__main__":
    main()
