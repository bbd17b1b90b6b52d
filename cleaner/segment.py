"""Text input → blocks: one block per non-blank line, typed by its shape.

The seeds show both paragraph styles in the wild (blank lines between
paragraphs, or single newlines); the separator before each block is kept so the
output has the same layout as the input.
"""

from __future__ import annotations

import re

from .document import HEADING, LIST_ITEM, PARAGRAPH, Block

LIST_MARK = re.compile(r"\s*(?:[-*•·▪►–]|\d{1,3}[.)])\s+\S")
# A likely heading: short, starts like a title, does not end like a sentence.
HEADING_MAX_CHARS = 100
HEADING_MAX_WORDS = 14
HEADING_NOT_END = (".", "!", ",", ";", ":", "\"", "”", "…", ")")


def kind_of(line: str) -> str:
    text = line.strip()
    if LIST_MARK.match(text):
        return LIST_ITEM
    if (len(text) <= HEADING_MAX_CHARS and len(text.split()) <= HEADING_MAX_WORDS
            and not text.endswith(HEADING_NOT_END) and (text[0].isupper() or text[0].isdigit())):
        return HEADING
    return PARAGRAPH


def split_text(text: str) -> list[Block]:
    blocks: list[Block] = []
    blank = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            blank = True
            continue
        blocks.append(Block(line.rstrip(), kind_of(line), "\n\n" if blank else "\n"))
        blank = False
    return blocks
