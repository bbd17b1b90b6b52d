"""Quality on ../shared/datasets/webpages-annotated: the cleaner against trafilatura alone.

Three systems scored in one run, on the same decoded pages:
- ``trafilatura``: ``extract(html, include_comments=False, include_tables=True)``, the
  dataset README's reference set-up (P 0.907, R 0.951, F1 0.928 there);
- ``cleaner``: the cleaner on the HTML (dom rules, extraction, text passes), with
  the page's URL from the annotations, as a user's JSONL or --url-map gives it;
- ``text-passes``: the cleaner's text passes alone on trafilatura's txt output.

Every page is decoded once by cleaner/decode.py and the same str is given to all
three systems (trafilatura is not given the raw bytes), so the comparison is of
extraction and cleaning, not of charset guessing.

Scoring as the dataset README says: per snippet, after collapsing white space in
both the snippet and the output, a ``with`` snippet found is a true positive
(missing: false negative), a ``without`` snippet found is a false positive
(absent: true negative); summed over all pages.

    python benchmarks/quality.py [--limit N] [--json out.json] [--check] [--show-misses]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from trafilatura import extract

from cleaner.decode import decode
from report import finish  # benchmarks/report.py (scripts run from this folder)
from cleaner.document import Document
from cleaner.pipeline import Cleaner

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "datasets" / "webpages-annotated"

# The bars (DESIGN.md, issue 3): F1 at least this, and at least F1_MIN_GAIN above
# trafilatura alone; recall no more than RECALL_MAX_DROP below trafilatura's.
F1_FLOOR = 0.953
F1_MIN_GAIN = 0.025
RECALL_MAX_DROP = 0.005


@dataclass(slots=True)
class Page:
    id: str
    url: str | None
    html: str
    with_: list[str]
    without: list[str]


@dataclass(slots=True)
class Score:
    """Snippet counts for one system, summed over pages."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    removals: Counter[str] = field(default_factory=Counter)
    misses: list[dict[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, page: Page, output: str, keep_misses: bool) -> None:
        text = collapse(output)
        for snippet in page.with_:
            if collapse(snippet) in text:
                self.tp += 1
            else:
                self.fn += 1
                if keep_misses:
                    self.misses.append({"page": page.id, "type": "lost", "snippet": snippet})
        for snippet in page.without:
            if collapse(snippet) in text:
                self.fp += 1
                if keep_misses:
                    self.misses.append({"page": page.id, "type": "kept", "snippet": snippet})
            else:
                self.tn += 1

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("misses")
        d.update(precision=round(self.precision, 4), recall=round(self.recall, 4),
                 f1=round(self.f1, 4), removals=dict(self.removals.most_common()))
        return d


def collapse(text: str) -> str:
    return " ".join(text.split())


def load_pages(root: Path = DATASET, limit: int | None = None) -> Iterator[Page]:
    annotations = json.loads((root / "annotations.json").read_text(encoding="utf-8"))
    for i, (pid, ann) in enumerate(sorted(annotations.items())):
        if limit is not None and i >= limit:
            return
        raw = gzip.decompress((root / ann["file"]).read_bytes())
        yield Page(pid, ann.get("url"), decode(raw, html=True), ann.get("with", []),
                   ann.get("without", []))


def trafilatura_text(page: Page) -> str:
    return extract(page.html, include_comments=False, include_tables=True) or ""


def evaluate(pages: Iterator[Page], cleaner: Cleaner, keep_misses: bool = False,
             progress: Callable[[int], None] | None = None) -> dict[str, Score]:
    scores = {"trafilatura": Score(), "cleaner": Score(), "text-passes": Score()}
    for n, page in enumerate(pages, 1):
        base = trafilatura_text(page)
        scores["trafilatura"].add(page, base, keep_misses)

        doc = cleaner.clean_document(Document(source=page.id, url=page.url, format="html"),
                                     page.html)
        scores["cleaner"].add(page, doc.render(), keep_misses)
        scores["cleaner"].removals.update(r.category for r in doc.removals)

        text_doc = cleaner.clean_document(Document(source=page.id, url=page.url), base)
        scores["text-passes"].add(page, text_doc.render(), keep_misses)
        scores["text-passes"].removals.update(r.category for r in text_doc.removals)
        if progress:
            progress(n)
    return scores


def check_bars(scores: dict[str, Score]) -> list[str]:
    """The bars the cleaner misses, as sentences; empty when all hold."""
    base, ours = scores["trafilatura"], scores["cleaner"]
    failed = []
    if ours.f1 < F1_FLOOR:
        failed.append(f"cleaner F1 {ours.f1:.4f} < {F1_FLOOR}")
    if ours.f1 < base.f1 + F1_MIN_GAIN:
        failed.append(f"cleaner F1 {ours.f1:.4f} < trafilatura {base.f1:.4f} + {F1_MIN_GAIN}")
    if ours.recall < base.recall - RECALL_MAX_DROP:
        failed.append(f"cleaner recall {ours.recall:.4f} < trafilatura {base.recall:.4f} "
                      f"- {RECALL_MAX_DROP}")
    return failed


def print_table(scores: dict[str, Score], pages: int) -> None:
    print(f"pages: {pages}")
    print(f"{'system':<12} {'precision':>9} {'recall':>7} {'f1':>7} {'tp':>6} {'fn':>5} "
          f"{'fp':>5} {'tn':>6}")
    for name, s in scores.items():
        print(f"{name:<12} {s.precision:>9.4f} {s.recall:>7.4f} {s.f1:>7.4f} {s.tp:>6} "
              f"{s.fn:>5} {s.fp:>5} {s.tn:>6}")
    for name in ("cleaner", "text-passes"):
        counts = ", ".join(f"{c} {n}" for c, n in scores[name].removals.most_common())
        print(f"removals ({name}): {counts or 'none'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, default=DATASET)
    ap.add_argument("--limit", type=int, help="only the first N pages (by id)")
    ap.add_argument("--rules", action="append", default=[], help="extra rule file or folder")
    ap.add_argument("--json", dest="json_out", help="write the figures as JSON here ('-': stdout)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a bar fails")
    ap.add_argument("--show-misses", action="store_true",
                    help="list the cleaner's lost 'with' and kept 'without' snippets")
    args = ap.parse_args(argv)
    if not (args.dataset / "annotations.json").exists():
        print(f"dataset not found: {args.dataset}", file=sys.stderr)
        return 2

    cleaner = Cleaner(args.rules)
    counted = [0]
    scores = evaluate(load_pages(args.dataset, args.limit), cleaner, args.show_misses,
                      lambda n: counted.__setitem__(0, n))
    print_table(scores, counted[0])
    if args.show_misses:
        for miss in scores["cleaner"].misses:
            print(f"{miss['type']:>5} {miss['page']} {miss['snippet'][:120]!r}")
    failed = check_bars(scores)
    return finish({"pages": counted[0], "systems": {k: v.summary() for k, v in scores.items()}},
                  failed, args.json_out, args.check)


if __name__ == "__main__":
    sys.exit(main())
