"""Generated inputs for the batch tests: small articles written here, with noise
the default rules know, so every run has removals to record."""

from __future__ import annotations

import random
from pathlib import Path

SUBJECTS = ["The council", "A local school", "The harbour authority", "Two volunteers",
            "The regional museum", "A bakery on the high street", "The rail operator"]
VERBS = ["announced", "postponed", "celebrated", "questioned", "reviewed", "welcomed"]
OBJECTS = ["a new timetable for the winter months", "plans for a second footbridge",
           "the results of a survey of residents", "a grant for the summer festival",
           "changes to parking near the station", "the reopening of the east wing"]
NOISE = ["SCENE: Residents gathered outside the town hall (Pic: AGENCY)",
         "Please enter your comment!", "Please enter your name here"]


def article(rng: random.Random, paragraphs: int = 4) -> str:
    lines = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}", ""]
    for _ in range(paragraphs):
        sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
                     f"on {rng.choice(['Monday', 'Tuesday', 'Friday'])}." for _ in range(3)]
        lines += [" ".join(sentences), ""]
        if rng.random() < 0.3:
            lines += [NOISE[0], ""]
    if rng.random() < 0.5:
        lines += NOISE[1:]
    return "\n".join(lines) + "\n"


def make_tree(root: Path, n: int, seed: int = 7, folders: int = 10) -> list[Path]:
    """``n`` small .txt articles spread over ``folders`` sub-folders."""
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        path = root / f"d{i % folders:02d}" / f"doc{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article(rng), encoding="utf-8")
        paths.append(path)
    return paths


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones too) by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def outputs(root: Path) -> dict[str, bytes]:
    """The outputs only: no manifest, no dot files."""
    return {k: v for k, v in tree_bytes(root).items() if not k.split("/")[-1].startswith(".")}


def temporaries(root: Path) -> list[str]:
    return [k for k in tree_bytes(root) if k.endswith(".tmp")]
