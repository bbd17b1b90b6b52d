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
    blocks: list[Block] = []
    sep = "\n"
    for line in text.split("\n"):
        line = line.rstrip()
        if line:
            blocks.append(Block(line, None, sep))
            sep = "\n"
        else:
            sep = "\n\n"
    return blocks
