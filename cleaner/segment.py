"""Text input → blocks: one block per non-blank line.

The seeds show both paragraph styles in the wild (blank lines between
paragraphs, or single newlines); the separator before each block is kept so the
output has the same layout as the input. A block's kind (heading, list item,
paragraph) is inferred from its shape only when a pass asks for it.
"""

from __future__ import annotations

from .document import Block


def split_text(text: str) -> list[Block]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A block follows a blank line ("\n\n") or another line ("\n"); blank runs count once.
    # Line by line with str.find, which looks for the newline with memchr: str.split
    # compares every character in a loop of its own (most of this function's time).
    blocks: list[Block] = []
    sep = "\n"
    start, size = 0, len(text)
    while start <= size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        line = text[start:end].rstrip()
        if line:
            blocks.append(Block(line, None, sep))
            sep = "\n"
        else:
            sep = "\n\n"
        start = end + 1
    return blocks
