"""Pass 4, blocks: ``block`` rules drop a whole block, ``span`` rules cut a piece out of one."""

from __future__ import annotations

from .document import Document
from .ruleset import Scope

NAME = "blocks"


def _has_content(text: str) -> bool:
    return any(c.isalnum() for c in text)


def run(doc: Document, scope: Scope) -> None:
    limit = scope.max_block_chars
    for i, block in doc.alive():
        text = block.text.strip()
        if not _has_content(text):
            continue
        if scope.blocks and len(text) <= limit:
            rule = scope.blocks.fullmatch(text, block.kind)
            if rule is not None:
                doc.remove_block(i, NAME, rule.id, rule.category)
                continue
        if scope.spans:
            _cut_spans(doc, i, scope)


def _cut_spans(doc: Document, i: int, scope: Scope) -> None:
    block = doc.blocks[i]
    hits = list(scope.spans.search(block.text, block.kind))
    if not hits:
        return
    # Cut right to left so earlier offsets stay valid; overlapping hits keep the first rule's.
    taken: list[tuple[int, int]] = []
    for rule, m in hits:
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        taken.append((m.start(), m.end()))
    by_rule = {(m.start(), m.end()): rule for rule, m in hits}
    for start, end in sorted(taken, reverse=True):
        rule = by_rule[(start, end)]
        doc.cut_span(i, start, end, NAME, rule.id, rule.category)
    if not _has_content(block.text):
        # Nothing but the cut piece was there: the block goes with the last rule that cut.
        doc.remove_block(i, NAME, rule.id, rule.category)
    else:
        block.text = block.text.strip()
