"""Instructions per document in text mode (valgrind's callgrind): the steady measure.

On a shared machine the MB/s of text mode moves by a third from minute to minute; the
instructions it takes do not. The texts are trafilatura's extraction of the news pages
(as ``speed.py`` makes them), cleaned and rendered once and then twice, each under
callgrind in a fresh process; the difference over the number of documents leaves out
start-up (rules, the prefilter, imports). Needs valgrind on PATH.

    python benchmarks/instructions.py [--limit N]
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from speed import DATASET, load_pages, start_cleaner, text_corpus

RUNNER = """
import pickle, sys
from cleaner.document import Document
cleaner, texts = pickle.load(open(sys.argv[1], "rb"))
for _ in range(int(sys.argv[2])):
    for text, data in texts:
        cleaner.clean_document(Document(format="text"), text, data).render()
"""


def collected(state: Path, rounds: int) -> int:
    """Instructions callgrind counts for a process that cleans the texts ``rounds`` times."""
    # One hash seed for both processes: start-up (unpickling the rules, building their sets
    # and dicts) costs billions of instructions, and a different seed in each moved their
    # difference by up to 20 K a document.
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          sys.executable, "-c", RUNNER, str(state), str(rounds)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise RuntimeError(f"no count in callgrind's output:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, default=DATASET)
    ap.add_argument("--limit", type=int, help="only the first N pages")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    texts = text_corpus(load_pages(args.dataset, args.limit), 0)  # one text per page
    cleaner, _ = start_cleaner()
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.pickle"
        state.write_bytes(pickle.dumps((cleaner, texts)))
        once, twice = collected(state, 1), collected(state, 2)
    per_doc = (twice - once) / len(texts)
    print(f"{len(texts)} documents: {per_doc / 1e6:.3f} M instructions a document "
          "(clean and render, text mode)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
