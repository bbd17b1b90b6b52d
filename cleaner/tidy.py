"""Pass 7, tidy: what the other passes left behind.

Headings whose content was removed (and that now head nothing), separator lines
stranded at an edge or next to another separator or a removed block. Blank-line
runs and trailing white space are normalised when the document is rendered.
"""

from __future__ import annotations

import re
from typing import Final

from .document import HEADING, Document

NAME: Final = "tidy"
CATEGORY: Final = "tidy"
PREFIX: Final = "tidy."
# Removals that do not empty a heading: a caption or a dateline under a title.
NOT_CONTENT: Final = frozenset({"caption", "furniture"})
SEPARATOR: Final = re.compile(r"[\s\-–—_*•·|=~#+.°◆◇■□●○]{1,40}")


def run(doc: Document) -> None:
    if not doc.removals:
        return  # nothing was removed, so nothing can have been left behind
    _orphan_headings(doc)
    _stray_separators(doc)


def _orphan_headings(doc: Document) -> None:
    """A heading goes when what stood under it was removed as content of its own (a
    promo list, a newsletter box: not by tidy, which would cascade up through every
    short line, nor a caption or a dateline, which sit under a title) and nothing it
    could head follows. The first block left is never taken: it is the article's title."""
    blocks = doc.blocks
    alive = doc.alive()
    categories: dict[int, str] | None = None
    for pos, (i, block) in enumerate(alive[1:], 1):
        nxt = alive[pos + 1][0] if pos + 1 < len(alive) else len(blocks)
        under = blocks[i + 1].removed_by if nxt > i + 1 else None
        if not under or under.startswith(PREFIX) or block.kind != HEADING:
            continue  # what stood right under it is still there, or went by tidy itself
        if nxt == len(blocks) or blocks[nxt].kind == HEADING:
            if categories is None:
                categories = {r.block: r.category for r in doc.removals if r.start is None}
            if categories.get(i + 1) not in NOT_CONTENT:
                doc.remove_block(i, NAME, PREFIX + "orphan-heading", CATEGORY)


def _stray_separators(doc: Document) -> None:
    alive = doc.alive()
    seps = {i for i, b in alive if len(b.text) <= 40 and SEPARATOR.fullmatch(b.text)}
    if not seps:
        return
    for pos, (i, _) in enumerate(alive):
        if i not in seps:
            continue
        prev = alive[pos - 1][0] if pos else None
        nxt = alive[pos + 1][0] if pos + 1 < len(alive) else None
        stray = (prev is None or nxt is None or prev in seps or nxt in seps
                 or prev != i - 1 or nxt != i + 1)
        if stray:
            doc.remove_block(i, NAME, PREFIX + "stray-separator", CATEGORY)
