"""Speed on ../shared/datasets/news-pages: the cleaner against bare trafilatura, one worker each.

Figures, all from one run on the same pages:
- HTML mode: documents/s and MB/s of ``trafilatura.extract()`` on the raw bytes, and
  of the cleaner on the same raw bytes (decode, dom rules, extraction, text passes:
  what ``cleaner clean`` does per file, minus file I/O); the ratio cleaner/trafilatura
  is the bar (≥ 0.9). Time is this process's CPU time (``time.process_time``); each page
  is done by both back to back, so a slow spell of the machine hits both alike; each
  run over the pages gives one ratio, and the median ratio of ``--runs`` is the figure.
- text mode: MB/s of the text passes and the rendering of the clean text, on text made
  from the pages' extracted text, one document per page, repeated to ``--text-mb`` MB
  (bar: ≥ 50 MB/s per core); the median of ``--runs`` runs, each just before one of
  the HTML passes, so that they are spread over the whole benchmark. A document is
  handed over as ``cleaner clean`` hands over a UTF-8 text file: its text and its
  bytes (batch.clean_one); reading and decoding the file are not timed.
- memory: peak RSS of the process, and the peak traced allocation of one cleaner
  pass over the pages (tracemalloc, run separately since it slows everything).
- first-use costs, which the steady-state figures leave out: loading and compiling the
  rules (``Cleaner()`` and its prefilter), and the cleaner's first pass over the pages
  against its steady pass (a scope is made the first time a site with rules or a new
  language comes up). A batch over many sites pays these once per worker.

The measuring functions take a list of pages and return seconds, so another script
(worker scaling, memory per worker) can reuse them with its own pool around them.

    python benchmarks/speed.py [--runs 5] [--limit N] [--text-mb 16] [--json out.json] [--check]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from trafilatura import extract

from report import finish  # benchmarks/report.py (scripts run from this folder)
from cleaner.decode import decode
from cleaner.document import Document
from cleaner.pipeline import Cleaner

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "datasets" / "news-pages"

# The bars (DESIGN.md): HTML throughput at least this share of bare trafilatura's,
# text mode at least this many MB/s on one core.
HTML_MIN_RATIO = 0.9
TEXT_MIN_MBPS = 50.0
MB = 1_000_000


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    url: str | None
    raw: bytes


# -- inputs ---------------------------------------------------------------------------

def load_pages(root: Path = DATASET, limit: int | None = None) -> list[Page]:
    """The news pages, unzipped in memory (unzipping is not part of what is timed)."""
    urls = json.loads((root / "urls.json").read_text(encoding="utf-8"))
    files = sorted((root / "html").glob("*.html.gz"))[:limit]
    return [Page(f.name, urls.get(f"html/{f.name}"), gzip.decompress(f.read_bytes()))
            for f in files]


def text_corpus(pages: list[Page], target_mb: float) -> list[tuple[str, bytes]]:
    """trafilatura's text of each page, once, then cycled until the total reaches
    ``target_mb``; each with its UTF-8, as a text file comes to the passes
    (batch.clean_one hands over a UTF-8 file's text and its bytes)."""
    texts = [(t, t.encode("utf-8")) for t in (extract(p.raw, include_comments=False)
                                              for p in pages) if t]
    out = list(texts)
    size = sum(len(data) for _, data in texts)
    while texts and size < target_mb * MB:
        for doc in texts:
            out.append(doc)
            size += len(doc[1])
    return out


# -- one pass over the inputs, in seconds ----------------------------------------------

def trafilatura_page(page: Page) -> None:
    extract(page.raw, url=page.url, include_comments=False, include_tables=True)


def clean_page(cleaner: Cleaner, page: Page) -> Document:
    """What the batch does for one HTML file once it has the bytes."""
    html = decode(page.raw, html=True)
    return cleaner.clean_document(Document(source=page.name, url=page.url, format="html"), html)


def time_html_paired(pages: list[Page], cleaner: Cleaner) -> tuple[float, float]:
    """Seconds of trafilatura and of the cleaner over all pages, each page done by both
    back to back (which goes first alternates), so that a slow spell of the machine,
    which lasts seconds on a shared VM, falls on both alike."""
    clock = time.process_time
    spent = [0.0, 0.0]
    for n, page in enumerate(pages):
        order = ((0, lambda: trafilatura_page(page)), (1, lambda: clean_page(cleaner, page)))
        for side, fn in (order if n % 2 == 0 else order[::-1]):
            start = clock()
            fn()
            spent[side] += clock() - start
    return spent[0], spent[1]


def time_cleaner_text(texts: list[tuple[str, bytes]], cleaner: Cleaner) -> float:
    start = time.process_time()
    for text, data in texts:
        cleaner.clean_document(Document(format="text"), text, data).render()
    return time.process_time() - start


# -- memory -----------------------------------------------------------------------------

def peak_rss_mb() -> float:
    """Peak resident set of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB


def traced_peak_mb(fn: Callable[[], Any]) -> float:
    """Peak Python allocation while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


# -- report -----------------------------------------------------------------------------

def start_cleaner() -> tuple[Cleaner, float]:
    """A cleaner with the default rules, ready for its first document, and the CPU
    seconds that took (rule files read and checked, the prefilter compiled)."""
    start = time.process_time()
    cleaner = Cleaner()
    cleaner.ruleset.scope()
    return cleaner, time.process_time() - start


def measure(pages: list[Page], runs: int, text_mb: float) -> dict[str, Any]:
    n, size = len(pages), sum(len(p.raw) for p in pages) / MB
    cleaner, start_up = start_cleaner()
    texts = text_corpus(pages, text_mb)
    text_size = sum(len(data) for _, data in texts) / MB
    # The first pass stands apart: the cleaner makes a scope the first time it meets a site
    # with rules or a new language, and trafilatura fills its caches. The ratio is taken
    # from the passes after it: the steady state of a long batch.
    first = time_html_paired(pages, cleaner)
    # Each text-mode run comes before one of the paired passes, so the runs are spread over
    # the whole benchmark: five runs back to back took a few seconds, and one slow spell
    # of the shared machine could decide them all.
    text_runs, pairs = [], []
    for _ in range(runs):
        text_runs.append(time_cleaner_text(texts, cleaner))
        pairs.append(time_html_paired(pages, cleaner))
    text_s = statistics.median(text_runs)
    html = {"trafilatura": statistics.median(t for t, _ in pairs),
            "cleaner": statistics.median(c for _, c in pairs)}
    ratios = [t / c for t, c in pairs]
    traced = traced_peak_mb(lambda: [clean_page(cleaner, page) for page in pages])
    return {
        "pages": n, "html_mb": round(size, 3), "runs": runs,
        # The text path compiled by mypyc (setup.py), or interpreted (CLEANER_PURE=1).
        "compiled": not sys.modules[Document.__module__].__file__.endswith(".py"),
        "trafilatura": {"seconds": round(html["trafilatura"], 3),
                        "docs_per_s": round(n / html["trafilatura"], 2),
                        "mb_per_s": round(size / html["trafilatura"], 3)},
        "cleaner_html": {"seconds": round(html["cleaner"], 3),
                         "docs_per_s": round(n / html["cleaner"], 2),
                         "mb_per_s": round(size / html["cleaner"], 3)},
        "html_ratio": round(statistics.median(ratios), 3),
        "html_ratios": [round(r, 3) for r in ratios],
        "cleaner_text": {"documents": len(texts), "mb": round(text_size, 3),
                         "seconds": round(text_s, 3), "mb_per_s": round(text_size / text_s, 2),
                         "mb_per_s_runs": [round(text_size / t, 2) for t in text_runs]},
        "memory": {"peak_rss_mb": round(peak_rss_mb(), 1),
                   "traced_peak_mb_cleaner_html": round(traced, 1)},
        "first_use": {"start_up_s": round(start_up, 3),
                      "first_pass_s": round(first[1], 3),
                      "steady_pass_s": round(html["cleaner"], 3)},
    }


def check_bars(figures: dict[str, Any]) -> list[str]:
    failed = []
    if figures["html_ratio"] < HTML_MIN_RATIO:
        failed.append(f"HTML throughput ratio {figures['html_ratio']} < {HTML_MIN_RATIO}")
    if figures["cleaner_text"]["mb_per_s"] < TEXT_MIN_MBPS:
        failed.append(f"text mode {figures['cleaner_text']['mb_per_s']} MB/s < {TEXT_MIN_MBPS}")
    return failed


def print_figures(f: dict[str, Any]) -> None:
    print(f"pages: {f['pages']} ({f['html_mb']} MB of HTML), median of {f['runs']} runs, "
          f"one worker each, CPU time; text path {'compiled' if f['compiled'] else 'interpreted'}")
    for name in ("trafilatura", "cleaner_html"):
        s = f[name]
        print(f"{name:<13} {s['docs_per_s']:>8.2f} docs/s {s['mb_per_s']:>8.3f} MB/s "
              f"({s['seconds']:.2f} s)")
    print(f"HTML ratio cleaner/trafilatura: {f['html_ratio']:.3f} (median of the runs: "
          f"{', '.join(f'{r:.3f}' for r in f['html_ratios'])})")
    t = f["cleaner_text"]
    print(f"text mode: {t['mb_per_s']:.2f} MB/s ({t['mb']} MB in {t['documents']} documents, "
          f"{t['seconds']:.2f} s; median of the runs: "
          f"{', '.join(f'{r:.2f}' for r in t['mb_per_s_runs'])})")
    m = f["memory"]
    print(f"memory: peak RSS {m['peak_rss_mb']} MB; traced peak of one cleaner pass "
          f"{m['traced_peak_mb_cleaner_html']} MB")
    u = f["first_use"]
    print(f"first use: start-up {u['start_up_s']:.2f} s (rules loaded, prefilter compiled); "
          f"first pass over the pages {u['first_pass_s']:.2f} s against "
          f"{u['steady_pass_s']:.2f} s steady")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, default=DATASET)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--limit", type=int, help="only the first N pages")
    ap.add_argument("--text-mb", type=float, default=16.0)
    ap.add_argument("--json", dest="json_out", help="write the figures as JSON here ('-': stdout)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a bar fails")
    ap.add_argument("--scaling", action="store_true",
                    help="also run scaling.py: 1 vs 2 workers, memory per worker at 2k/20k docs")
    ap.add_argument("--scale-out", action="store_true",
                    help="also run scale.py: Ray vs local, corpus pass cost and memory")
    args = ap.parse_args(argv)
    for flag, script in ((args.scaling, "scaling.py"), (args.scale_out, "scale.py")):
        if flag:  # their own processes: worker pools and Ray want a clean parent
            print(f"== {script}", flush=True)
            subprocess.run([sys.executable, str(Path(__file__).with_name(script))], check=True)
    if not (args.dataset / "urls.json").exists():
        print(f"dataset not found: {args.dataset}", file=sys.stderr)
        return 2
    figures = measure(load_pages(args.dataset, args.limit), args.runs, args.text_mb)
    print_figures(figures)
    failed = check_bars(figures)
    return finish(figures, failed, args.json_out, args.check)


if __name__ == "__main__":
    sys.exit(main())
