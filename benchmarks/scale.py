"""Scale-out figures: Ray against local throughput, and the corpus pass's cost.

    python benchmarks/scale.py [--docs 5000] [--sites 20] [--cpus 2] [--no-ray]

On the generated corpus of tests/test_corpus_pass.py (``--docs`` articles over
``--sites`` sites, written as text files in one folder per site):
1. local engine (``batch.run``, one process) against ``engine_ray.run_ray`` on a
   local cluster of ``--cpus`` CPUs (cluster start timed apart), outputs compared;
2. corpus pass: time of the learning pass, peak memory of the learner
   (tracemalloc, in a separate run), size of the model;
3. the (min_docs, min_share) grid behind the defaults in cleaner/corpus.py: share of
   boilerplate lines kept and body lines eaten.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Callable, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner import Cleaner  # noqa: E402
from cleaner.batch import BatchOptions, run  # noqa: E402
from cleaner.corpus import CorpusOptions, learn_files, with_corpus  # noqa: E402
from cleaner.inputs import walk  # noqa: E402
from cleaner.manifest import MANIFEST_NAME  # noqa: E402
from tests.test_corpus_pass import SyntheticDoc, learn_and_clean, score, synthetic_corpus  # noqa: E402

T = TypeVar("T")
GRID = [(2, 0.01), (3, 0.02), (5, 0.05), (5, 0.1), (10, 0.05), (5, 0.2), (20, 0.3)]


def write_corpus(docs: list[SyntheticDoc], src: Path) -> int:
    size = 0
    for n, doc in enumerate(docs):
        path = src / doc.site / f"{n:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        size += path.write_text(doc.text, "utf-8")
    return size


def _outputs(root: Path) -> list[Path]:
    """The output files (not the local engine's resume manifest)."""
    return sorted(p.relative_to(root) for p in root.rglob("*")
                  if p.is_file() and p.name != MANIFEST_NAME)


def same_tree(a: Path, b: Path) -> bool:
    files_a, files_b = _outputs(a), _outputs(b)
    return files_a == files_b and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def engines(src: Path, work: Path, n_docs: int, mb: float, cpus: int, use_ray: bool) -> None:
    cleaner = Cleaner()
    _, t_local = timed(lambda: run(BatchOptions(src=src, dst=work / "local"), cleaner))
    print(f"local engine, 1 process:  {t_local:6.2f} s  {n_docs / t_local:8.0f} docs/s  "
          f"{mb / t_local:6.2f} MB/s")
    learner, t_learn = timed(lambda: learn_files(walk(src), cleaner))
    model = learner.model()
    corpus_cleaner = with_corpus(cleaner, model)
    _, t_clean = timed(lambda: run(BatchOptions(src=src, dst=work / "local-corpus"),
                                   corpus_cleaner))
    print(f"local + corpus pass:      {t_learn + t_clean:6.2f} s  (learn {t_learn:.2f} s, "
          f"clean {t_clean:.2f} s; {len(model)} repeated blocks over {len(model.sites)} sites)")
    if not use_ray:
        return
    import ray

    from cleaner.engine_ray import RayOptions, run_ray

    _, t_init = timed(lambda: ray.init(num_cpus=cpus, include_dashboard=False,
                                       log_to_driver=False, logging_level="ERROR"))
    try:
        opts = RayOptions(num_cpus=cpus)
        _, t_ray = timed(lambda: run_ray(BatchOptions(src=src, dst=work / "ray"), cleaner, opts))
        print(f"ray engine, {cpus} CPUs:      {t_ray:6.2f} s  {n_docs / t_ray:8.0f} docs/s  "
              f"{mb / t_ray:6.2f} MB/s  (cluster start {t_init:.1f} s, not included; "
              f"{t_local / t_ray:.2f}x local)")
        _, t_ray_c = timed(lambda: run_ray(BatchOptions(src=src, dst=work / "ray-corpus"),
                                           cleaner, opts, corpus=CorpusOptions()))
        print(f"ray + corpus pass:        {t_ray_c:6.2f} s  "
              f"({(t_learn + t_clean) / t_ray_c:.2f}x local + corpus)")
        print("outputs identical to local: "
              f"{same_tree(work / 'local', work / 'ray')} (rules), "
              f"{same_tree(work / 'local-corpus', work / 'ray-corpus')} (rules + corpus)")
    finally:
        ray.shutdown()


def memory(src: Path) -> None:
    cleaner = Cleaner()
    tracemalloc.start()
    learner = learn_files(walk(src), cleaner)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sampled = sum(len(s.docs) for s in learner.sites.values())
    hashes = sum(len(h) for s in learner.sites.values() for h in s.docs.values())
    print(f"corpus learner: peak {peak / 2**20:.1f} MiB traced during learning; "
          f"{sampled} sampled docs, {hashes / 2**10:.0f} KiB of block hashes")


def grid(docs: list[SyntheticDoc]) -> None:
    print("min_docs min_share  boilerplate kept  body lines eaten")
    for k, p in GRID:
        cleaned = learn_and_clean(docs, Cleaner(rule_list=[]), CorpusOptions(k, p))
        noise, kept, eaten = score(docs, [out.render() for out in cleaned])
        print(f"{k:8d} {p:9.2f}  {kept / noise:16.2%}  {len(eaten):16d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    docs = synthetic_corpus(args.docs, args.sites)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        size = write_corpus(docs, work / "src")
        mb = size / 1e6
        print(f"corpus: {len(docs)} docs, {args.sites} sites, {mb:.1f} MB of text")
        engines(work / "src", work, len(docs), mb, args.cpus, not args.no_ray)
        memory(work / "src")
    grid(docs)


if __name__ == "__main__":
    main()
