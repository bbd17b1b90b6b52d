"""Pass 5, sections: ``section`` rules drop a trigger block and what belongs to it;
``tail`` rules cut from a trigger block to the end of the document."""

from __future__ import annotations

from typing import Final

from .document import LIST_ITEM, Block, Document
from .ruleset import Scope

NAME: Final = "sections"

# A line of a promo list without bullets: a headline, not a sentence of the article.
HEADLINE_MAX_CHARS: Final = 150
SENTENCE_END: Final = (".", ":", ";", ",")


def _headline_like(block: Block) -> bool:
    text = block.text.strip()
    return len(text) <= HEADLINE_MAX_CHARS and not text.endswith(SENTENCE_END)


def run(doc: Document, scope: Scope) -> None:
    _sections(doc, scope)
    _tail(doc, scope)


def _sections(doc: Document, scope: Scope) -> None:
    found = scope.matcher.candidates(doc, "section")
    if not found:
        return
    alive = doc.alive()
    where = {i: pos for pos, (i, _) in enumerate(alive)}
    for i, idxs in found:
        block = doc.blocks[i]
        if block.removed_by is not None:
            continue  # taken by an earlier section
        rule = scope.matcher.first_full(idxs, block)
        if rule is None:
            continue
        after = [(j, b) for j, b in alive[where[i] + 1:] if b.removed_by is None]
        taken = _belonging(after, rule.opt("takes"), rule.opt("max_blocks"))
        doc.remove_block(i, NAME, rule.id, rule.category)
        for j, _ in taken:
            doc.remove_block(j, NAME, rule.id, rule.category)


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
    """Cut at the first trigger whose tail is at most max_fraction of the document;
    then look again, since the shorter document may allow an earlier trigger (so the
    pass leaves nothing for a second run to do)."""
    while _cut_tail(doc, scope):
        pass


def _cut_tail(doc: Document, scope: Scope) -> bool:
    found = scope.matcher.candidates(doc, "tail")
    if not found:
        return False
    alive = doc.alive()
    total = doc.alive_chars or 1
    before = 0  # characters of the kept blocks before the current one
    triggers = dict(found)
    for pos, (i, block) in enumerate(alive):
        idxs = triggers.get(i)
        if idxs:
            rule = scope.matcher.first_full(idxs, block)
            if rule is not None and (total - before) / total <= rule.opt("max_fraction"):
                for j, _ in alive[pos:]:
                    doc.remove_block(j, NAME, rule.id, rule.category)
                return True
        before += len(block.text)
    return False
