"""Pass 4, blocks: ``block`` rules drop a whole block, ``span`` rules cut a piece out of one."""

from __future__ import annotations

from typing import Final

from .document import Document
from .rules import Rule
from .ruleset import Scope

NAME: Final = "blocks"


def _has_content(text: str) -> bool:
    return any(c.isalnum() for c in text)


def run(doc: Document, scope: Scope) -> None:
    matcher = scope.matcher
    # A block tried on an earlier round, its text unchanged since, gives the same answer:
    # block rules are keyed by the block's index, span rules by its complement.
    tried = doc.tried()
    for i, idxs in matcher.candidates(doc, "block"):
        if i in tried:
            continue
        tried.add(i)
        block = doc.blocks[i]
        rule = matcher.first_full(idxs, block)
        if rule is not None:
            doc.remove_block(i, NAME, rule.id, rule.category)
    cut: list[int] = []
    for i, idxs in matcher.candidates(doc, "span"):
        if ~i not in tried:
            tried.add(~i)
            if _cut_spans(doc, i, idxs, scope):
                cut.append(i)
    # A block left with only noise once a span is cut ("(Pic: AP)" gone, "Advertisement"
    # left) is tried against every block rule, so one run of the pass finds it all.
    every = matcher.of_kind["block"]
    for i in cut:
        block = doc.blocks[i]
        if block.removed_by is None:
            rule = matcher.first_full(every, block)
            if rule is not None:
                doc.remove_block(i, NAME, rule.id, rule.category)


def _cut_spans(doc: Document, i: int, idxs: list[int], scope: Scope) -> bool:
    """Cut every span these rules find in block i; True if anything was cut."""
    block = doc.blocks[i]
    hits = list(scope.matcher.spans(idxs, block))
    if not hits:
        return False
    # Cut right to left so earlier offsets stay valid; overlapping hits keep the first rule's.
    taken: dict[tuple[int, int], Rule] = {}
    for rule, m in hits:
        if not any(m.start() < e and s < m.end() for s, e in taken):
            taken[(m.start(), m.end())] = rule
    for (start, end), rule in sorted(taken.items(), key=lambda kv: kv[0], reverse=True):
        doc.cut_span(i, start, end, NAME, rule.id, rule.category)
    if not _has_content(block.text):
        # Nothing but the cut pieces was there: the block goes with the leftmost cut's rule.
        doc.remove_block(i, NAME, rule.id, rule.category)
    elif block.text != block.text.strip():
        doc.set_text(i, block.text.strip())
    return True
