"""Pass 6, repeats: noise that shows itself by repetition inside one document.

- ``repeated_line``: a short line that comes back again and again (the caption
  header a tabloid prints above every photo). A sentence an author repeats on
  purpose ends like a sentence and comes back once or twice, so it stays.
- ``pull_quote``: a block that is nothing but a quotation of words the body
  already has (a pull quote), and the short attribution line under it.
"""

from __future__ import annotations

import re
from collections import Counter

from .document import CELL, LIST_ITEM, Block, Document
from .ruleset import Scope

NAME = "repeats"

SENTENCE_END = (".", "!", "?", ";", ",", ":", "…")
OPEN_QUOTES = "\"“„«‘'‹‚"
CLOSE_QUOTES = "\"”“»’'›‘"
_WORD = re.compile(r"\w+")


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def run(doc: Document, scope: Scope) -> None:
    rule = scope.detectors.get("repeated_line")
    if rule is not None:
        repeated_line(doc, rule.id, rule.category, **rule.opt("params"))
    rule = scope.detectors.get("pull_quote")
    if rule is not None:
        pull_quote(doc, rule.id, rule.category, **rule.opt("params"))


def _line_candidate(block: Block, max_chars: int, min_words: int, max_words: int) -> bool:
    text = block.text.strip()
    if block.kind in (LIST_ITEM, CELL) or len(text) > max_chars or text.endswith(SENTENCE_END):
        return False
    return min_words <= len(text.split()) <= max_words


def repeated_line(doc: Document, rule_id: str, category: str, *, min_count: int, max_chars: int,
                  min_words: int, max_words: int) -> None:
    keys = {i: _norm(b.text) for i, b in doc.alive()
            if _line_candidate(b, max_chars, min_words, max_words)}
    counts = Counter(keys.values())
    for i, key in keys.items():
        if key and counts[key] >= min_count:
            doc.remove_block(i, NAME, rule_id, category)


def _quote_wrapped(text: str) -> bool:
    text = text.strip()
    return len(text) > 2 and text[0] in OPEN_QUOTES and text.rstrip(".!?…")[-1] in CLOSE_QUOTES


def _attribution(block: Block, max_words: int, max_chars: int) -> bool:
    text = block.text.strip().lstrip("—–-~ ").strip()
    return (0 < len(text) <= max_chars and len(text.split()) <= max_words
            and not text.endswith(SENTENCE_END) and block.kind != LIST_ITEM
            and text[0].isupper())


def pull_quote(doc: Document, rule_id: str, category: str, *, min_words: int,
               attribution_max_words: int, attribution_max_chars: int) -> None:
    alive = doc.alive()
    norms = [_norm(b.text) for _, b in alive]
    for pos, (i, block) in enumerate(alive):
        if not _quote_wrapped(block.text):
            continue
        quote = norms[pos]
        if len(quote.split()) < min_words:
            continue
        # The body must carry the same words elsewhere. Where two blocks are the same
        # quotation, only the later one is the pull quote.
        source = next((q for q, other in enumerate(norms) if q != pos and quote in other
                       and not (other == quote and q > pos and _quote_wrapped(alive[q][1].text))),
                      None)
        if source is None or doc.blocks[alive[source][0]].removed_by is not None:
            continue
        doc.remove_block(i, NAME, rule_id, category)
        nxt = alive[pos + 1] if pos + 1 < len(alive) else None
        if nxt and nxt[1].alive and _attribution(nxt[1], attribution_max_words, attribution_max_chars):
            doc.remove_block(nxt[0], NAME, rule_id, category)
