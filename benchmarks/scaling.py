"""Scaling of the batch engine: throughput at 1 and 2 workers, and peak memory per
worker at 2,000 vs 20,000 documents.

    python benchmarks/scaling.py [--docs 2000] [--many 20000] [--runs 3] [--format auto|html|text]

Bars (DESIGN.md): 2 workers ≥ 1.8 × 1 worker; a worker's peak memory at 20,000
documents within 10 % of that at 2,000 (library caches are reset and workers
recycled, see cleaner/workers.py). Documents are generated here (HTML when the
HTML extractor is installed, else text), so the figures do not depend on any
data set. The 1- and 2-worker runs alternate ``--runs`` times; each pair gives one
speed-up and the median is the figure. ``measure()`` is the function speed.py can import.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import random
import resource
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from cleaner import Cleaner
from cleaner.batch import BatchOptions, run

WORDS = ("harbour council ferry timetable bridge museum festival station survey residents grant "
         "volunteers winter summer repairs meeting report plans island school library").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def _article(rng: random.Random, html: bool) -> str:
    title = _sentence(rng)[:-1]
    paras = [" ".join(_sentence(rng) for _ in range(rng.randint(3, 6))) for _ in range(8)]
    noise = ["SCENE: Residents at the quay (Pic: AGENCY)", "Please enter your comment!"]
    if not html:
        return "\n\n".join([title, *paras[:4], noise[0], *paras[4:], noise[1]]) + "\n"
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{body}<p>{noise[0]}</p></article>"
            f"<footer>{noise[1]}</footer></body></html>")


def make_corpus(root: Path, n: int, html: bool, seed: int = 1) -> int:
    """``n`` generated articles under ``root`` in folders of 500; returns their bytes."""
    rng = random.Random(seed)
    total = 0
    for i in range(n):
        path = root / f"f{i // 500:03d}" / f"doc{i:06d}.{'html' if html else 'txt'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = _article(rng, html).encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


@dataclass(frozen=True, slots=True)
class Measure:
    docs: int
    jobs: int
    seconds: float
    docs_per_s: float
    mb_per_s: float
    worker_peak_mb: float
    parent_cpu_s: float  # the engine's own work (dispatch, manifest, report)
    worker_cpu_s: float  # cleaning, in the worker processes


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def measure(src: Path, jobs: int, cleaner: Cleaner | None = None) -> Measure:
    """One timed run of the local engine over ``src`` (outputs to a temporary folder)."""
    cleaner = cleaner or Cleaner()
    size = sum(p.stat().st_size for p in src.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory(prefix="cleaner-scaling-") as out:
        cpu0, start = _cpu(), time.perf_counter()
        summary = run(BatchOptions(src=src, dst=Path(out) / "o", jobs=jobs, timeout=60), cleaner)
        seconds, cpu1 = time.perf_counter() - start, _cpu()
    docs = sum(summary.counts.values())
    return Measure(docs, jobs, round(seconds, 2), round(docs / seconds, 1),
                   round(size / seconds / 1e6, 2), round(summary.worker_peak_kb / 1024, 1),
                   round(cpu1 - cpu0, 2), round(summary.worker_cpu_s, 2))


def _loop(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speedup(n: int = 3_000_000) -> float:
    """What this machine gives two processes of pure Python arithmetic over one: the
    ceiling any two-worker run can reach here (on shared or hyper-threaded cores it is
    well below 2, and it moves from minute to minute)."""
    ctx = multiprocessing.get_context("fork")
    start = time.perf_counter()
    _loop(n)
    _loop(n)
    one = time.perf_counter() - start
    procs = [ctx.Process(target=_loop, args=(n,)) for _ in range(2)]
    start = time.perf_counter()
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return one / (time.perf_counter() - start)


def _ideal(m: Measure, cores: int = 2) -> float:
    """Seconds the run would take on ``cores`` free cores, from the CPU time it used: the
    parent's and each worker's share run in parallel, and all of it shares the cores."""
    return max(m.parent_cpu_s, m.worker_cpu_s / m.jobs,
               (m.parent_cpu_s + m.worker_cpu_s) / cores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--many", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", choices=("auto", "html", "text"), default="auto")
    args = parser.parse_args()
    html = args.format == "html" or (args.format == "auto" and
                                     importlib.util.find_spec("cleaner.extract") is not None)
    cleaner = Cleaner()
    cleaner.ruleset.scope()  # compile the rules before any timed run, not inside the first
    tmp = Path(tempfile.mkdtemp(prefix="cleaner-scaling-src-"))
    try:
        make_corpus(tmp / "few", args.docs, html)
        make_corpus(tmp / "many", args.many, html)
        pairs, machine = [], []
        for _ in range(args.runs):
            machine.append(machine_speedup())
            pairs.append((measure(tmp / "few", 1, cleaner), measure(tmp / "few", 2, cleaner)))
        many = measure(tmp / "many", 2, cleaner)
    finally:
        shutil.rmtree(tmp)
    speedups = [two.docs_per_s / one.docs_per_s for one, two in pairs]
    one, two = pairs[speedups.index(statistics.median_low(speedups))]
    result = {
        "format": "html" if html else "text",
        "runs": [asdict(m) for pair in pairs for m in pair] + [asdict(many)],
        "speedups_2_vs_1": [round(s, 2) for s in speedups],
        "speedup_2_vs_1": round(statistics.median(speedups), 2),
        # Measured just before each pair: two processes of pure Python arithmetic against
        # one. The cleaner's speed-up cannot exceed what the machine gives at that moment.
        "machine_speedups_2_vs_1": [round(m, 2) for m in machine],
        "machine_speedup_2_vs_1": round(statistics.median(machine), 2),
        # For the median pair: on a machine shared with other work the wall-clock ratio is
        # noise; this is the ratio 2 free cores would give, from the CPU time used (_ideal).
        "cpu_bound_speedup_2_vs_1": round(_ideal(one) / _ideal(two), 2),
        # The same, if a document cost a worker as much CPU with two workers as with one
        # (on shared or hyper-threaded cores it costs more): the engine's own limit.
        "engine_bound_speedup_2_vs_1": round(
            _ideal(one) / _ideal(replace(two, worker_cpu_s=one.worker_cpu_s)), 2),
        "worker_cpu_per_doc_ms": [round(m.worker_cpu_s / m.docs * 1000, 3) for m in (one, two)],
        "worker_peak_growth": round(many.worker_peak_mb / two.worker_peak_mb - 1, 3)
        if two.worker_peak_mb else None,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
