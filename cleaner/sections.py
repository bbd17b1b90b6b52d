"""Pass 5, sections: ``section`` rules drop a trigger block and what belongs to it;
``tail`` rules cut from a trigger block to the end of the document."""

from __future__ import annotations

from .document import LIST_ITEM, Block, Document
from .ruleset import Scope

NAME = "sections"

# A line of a promo list without bullets: a headline, not a sentence of the article.
HEADLINE_MAX_CHARS = 150
SENTENCE_END = (".", ":", ";", ",")


def _headline_like(block: Block) -> bool:
    text = block.text.strip()
    return len(text) <= HEADLINE_MAX_CHARS and not text.endswith(SENTENCE_END)


def run(doc: Document, scope: Scope) -> None:
    if scope.sections:
        _sections(doc, scope)
    if scope.tails:
        _tail(doc, scope)


def _sections(doc: Document, scope: Scope) -> None:
    alive = doc.alive()
    pos = 0
    while pos < len(alive):
        i, block = alive[pos]
        text = block.text.strip()
        rule = scope.sections.fullmatch(text, block.kind) if len(text) <= scope.max_block_chars else None
        if rule is None:
            pos += 1
            continue
        taken = _belonging(alive[pos + 1:], rule.opt("takes"), rule.opt("max_blocks"))
        doc.remove_block(i, NAME, rule.id, rule.category)
        for j, _ in taken:
            doc.remove_block(j, NAME, rule.id, rule.category)
        pos += 1 + len(taken)


def _belonging(after: list[tuple[int, Block]], takes: str, max_blocks: int) -> list[tuple[int, Block]]:
    """The blocks that belong to a section trigger.

    ``next``: the next ``max_blocks`` blocks. ``list``: the list right after the
    trigger; without one, the run of short headline-like lines, giving back a
    last line that is followed by body text (it is then a subheading).
    """
    window = after[:max_blocks]
    if takes == "next":
        return window
    items = []
    for entry in window:
        if entry[1].kind != LIST_ITEM:
            break
        items.append(entry)
    if items:
        return items
    lines = []
    for entry in window:
        if entry[1].kind == LIST_ITEM or not _headline_like(entry[1]):
            break
        lines.append(entry)
    rest = after[len(lines):]
    if lines and rest and not _headline_like(rest[0][1]):
        lines.pop()
    return lines


def _tail(doc: Document, scope: Scope) -> None:
    alive = doc.alive()
    total = sum(len(b.text) for _, b in alive) or 1
    remaining = total
    for pos, (i, block) in enumerate(alive):
        text = block.text.strip()
        rule = scope.tails.fullmatch(text, block.kind) if len(text) <= scope.max_block_chars else None
        if rule is not None and remaining / total <= rule.opt("max_fraction"):
            for j, _ in alive[pos:]:
                doc.remove_block(j, NAME, rule.id, rule.category)
            return
        remaining -= len(block.text)

