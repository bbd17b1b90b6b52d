"""Which files a run reads, what format each is, and where its output goes.

``a/b.html`` → ``DST/a/b.txt``; ``a/b.html.gz`` → ``DST/a/b.txt``; ``a/b.jsonl`` →
``DST/a/b.jsonl``. Paths are walked in sorted order so every run, and every
engine, sees the same list.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator, Sequence

# A filesystem URL (s3://, gs://, file://...), read through pyarrow by the Ray engine.
URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)


@dataclass(frozen=True, slots=True)
class Input:
    path: Path  # where to read it
    rel: str  # its path relative to SRC, with forward slashes
    kind: str  # "html" | "text" | "jsonl"
    gz: bool

    @property
    def out_rel(self) -> str:
        stem = self.rel[:-3] if self.gz else self.rel
        base, _ = os.path.splitext(stem)
        return base + (".jsonl" if self.kind == "jsonl" else ".txt")


def classify(name: str) -> tuple[str, bool] | None:
    """(kind, gzipped) for a file name we read, None for one we skip."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    for kind, suffixes in (("html", HTML_SUFFIXES), ("text", TEXT_SUFFIXES),
                           ("jsonl", JSONL_SUFFIXES)):
        if lower.endswith(suffixes):
            return kind, gz
    return None


def matches(rel: str, globs: Sequence[str]) -> bool:
    name = PurePosixPath(rel).name
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in globs)


def walk(src: Path, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Iterator[Input]:
    """Every input under ``src`` (a file or a folder), sorted; symlinks followed, loops not."""
    if src.is_file():
        found = classify(src.name)
        kind, gz = found if found else ("text", False)
        yield Input(src, src.name, kind, gz)
        return
    seen: set[tuple[int, int]] = set()

    def visit(folder: Path, rel: str) -> Iterator[Input]:
        try:
            st = folder.stat()
        except OSError:
            return
        if (st.st_dev, st.st_ino) in seen:
            return  # a symlink loop, or a folder linked twice
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            child_rel = f"{rel}{entry.name}"
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                continue
            if is_dir:
                yield from visit(Path(entry.path), child_rel + "/")
                continue
            found = classify(entry.name)
            if found is None:
                continue
            if include and not matches(child_rel, include):
                continue
            if exclude and matches(child_rel, exclude):
                continue
            yield Input(Path(entry.path), child_rel, found[0], found[1])

    yield from visit(src, "")


def dedupe_outputs(inputs: list[Input], reserved: Sequence[str] = ()) -> dict[str, str]:
    """Output path per input; where two inputs would share one (``b.html`` and ``b.txt``),
    the later one keeps its full name (``b.html.txt``). ``reserved`` names (the run's
    manifest) are never given to an output."""
    taken: dict[str, str] = {name: "" for name in reserved}
    out: dict[str, str] = {}
    for item in inputs:
        target = item.out_rel
        while target in taken:
            target = "_" + target if target in reserved else (
                item.rel + (".jsonl" if item.kind == "jsonl" else ".txt"))
        taken[target] = item.rel
        out[item.rel] = target
    return out
