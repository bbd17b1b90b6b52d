"""Text input → blocks: one block per non-blank line.

The seeds show both paragraph styles in the wild (blank lines between
paragraphs, or single newlines); the separator before each block is kept so the
output has the same layout as the input. A block's kind (heading, list item,
paragraph) is inferred from its shape only when a pass asks for it.
"""

from __future__ import annotations

from typing import Final

from .document import Block, utf8

NEWLINE: Final = 10
STEPS: Final = 64  # bytes stepped over before bytes.find looks for a line's end


def split_text(text: str, data: bytes | None = None) -> tuple[list[Block], list[bytes] | None]:
    """The blocks, and, when ``data`` is the text's UTF-8 (a UTF-8 file's bytes), each
    block's UTF-8 cut from it: the view (document.View) then encodes nothing. A newline
    byte is a newline in UTF-8 and nothing else, so the n-th line of one is the n-th of
    the other."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if data is not None:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    # A block follows a blank line ("\n\n") or another line ("\n"); blank runs count once.
    # Line by line with str.find, which looks for the newline with memchr: str.split
    # compares every character in a loop of its own (most of this function's time).
    blocks: list[Block] = []
    lines: list[bytes] = []
    sep = "\n"
    start, size = 0, len(text)
    at = cut = 0  # the line in data
    while start <= size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        raw = text[start:end]
        if data is not None:
            cut = _line_end(data, at + len(raw))
        line = raw.rstrip()
        if line:
            blocks.append(Block(line, None, sep))
            sep = "\n"
            if data is not None:
                lines.append(_stripped(data[at:cut], raw, line))
        else:
            sep = "\n\n"
        start, at = end + 1, cut + 1
    return blocks, lines if data is not None else None


def _line_end(data: bytes, at: int) -> int:
    """Where the line of ``data`` ends (its newline, or the end), from ``at``, the line's
    start plus its number of characters. A line has at least as many bytes as characters,
    as many if it is ASCII, and no newline byte inside: steps over the extra bytes of its
    other characters, a few in most lines (bytes.find, a generic method call, costs as
    much as a hundred steps), and looks for the rest with find."""
    size = len(data)
    stop = min(at + STEPS, size)
    while at < stop and data[at] != NEWLINE:
        at += 1
    if at < size and data[at] != NEWLINE:
        at = data.find(b"\n", at)
        return at if at >= 0 else size
    return at


def _stripped(encoded: bytes, raw: str, line: str) -> bytes:
    """``encoded`` (the UTF-8 of ``raw``) as the UTF-8 of ``line``, raw right-stripped:
    cut by the white space's length when it is ASCII (a byte a character)."""
    if len(line) == len(raw):
        return encoded
    tail = raw[len(line):]
    return encoded[:len(encoded) - len(tail)] if tail.isascii() else utf8(line)
