"""The one document type that moves through every pass.

A document is a list of blocks (paragraphs, headings, list items, quotes, table
cells). Passes never delete blocks: they mark them removed, so later passes can
see what used to be there (tidy needs that) and ``explain`` can show every
removal in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .ruleset import Matcher

# Block kinds. Text input gets them from line shapes, HTML from trafilatura's tree.
PARAGRAPH: Final = "paragraph"
HEADING: Final = "heading"
LIST_ITEM: Final = "list_item"
QUOTE: Final = "quote"
CELL: Final = "cell"
KINDS: Final = (PARAGRAPH, HEADING, LIST_ITEM, QUOTE, CELL)

# Separators written before a block, strongest first. When blocks between two
# kept blocks are removed, the strongest separator among them is kept, so
# removing a caption never glues two paragraphs together.
SEPARATORS: Final = ("\n\n", "\n", " | ")

# A list item opens with a bullet or a number; kind_of checks a line's first character
# (one of these, or a digit) before it runs the regex.
LIST_BULLETS: Final = "-*•·▪►–"
LIST_MARK: Final = re.compile(r"\s*(?:[" + re.escape(LIST_BULLETS) + r"]|\d{1,3}[.)])\s+\S")
# A likely heading in plain text: short, starts like a title, does not end like a sentence.
HEADING_MAX_CHARS: Final = 100
HEADING_MAX_WORDS: Final = 14
HEADING_NOT_END: Final = (".", "!", ",", ";", ":", "\"", "”", "…", ")")


def kind_of(line: str) -> str:
    """The block kind a line of plain text has by its shape."""
    text = line.strip()
    if not text:
        return PARAGRAPH
    if (text[0] in LIST_BULLETS or text[0].isdigit()) and LIST_MARK.match(text):
        return LIST_ITEM
    if (len(text) <= HEADING_MAX_CHARS and len(text.split()) <= HEADING_MAX_WORDS
            and not text.endswith(HEADING_NOT_END) and (text[0].isupper() or text[0].isdigit())):
        return HEADING
    return PARAGRAPH


@dataclass(slots=True)
class Removal:
    """One piece of text taken out, and who took it."""

    pass_name: str
    rule_id: str
    category: str
    text: str
    block: int
    # For a span cut out of a block: offsets in the block's text at the time of the cut.
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        d = {"pass": self.pass_name, "rule": self.rule_id, "category": self.category,
             "text": self.text, "block": self.block}
        if self.start is not None:
            d["start"], d["end"] = self.start, self.end
        return d


class Block:
    """A paragraph, heading, list item, quote or cell. ``kind`` is inferred from the
    text's shape on first use when the source did not say (plain text)."""

    __slots__ = ("text", "_kind", "sep", "original", "removed_by")

    def __init__(self, text: str, kind: str | None = None, sep: str = "\n"):
        self.text = text
        self._kind = kind
        self.sep = sep
        self.original = text
        self.removed_by: str | None = None

    @property
    def kind(self) -> str:
        if self._kind is None:
            self._kind = kind_of(self.text)
        return self._kind

    @kind.setter
    def kind(self, value: str) -> None:
        self._kind = value

    @property
    def alive(self) -> bool:
        return self.removed_by is None

    def __repr__(self) -> str:
        state = f", removed_by={self.removed_by!r}" if self.removed_by else ""
        return f"Block({self.text!r}, {self.kind!r}, sep={self.sep!r}{state})"


class View:
    """The kept blocks in UTF-8, one line each (a block's own line breaks become
    spaces), each after a newline: lets a pass search the whole document with one
    C-level call, and a literal find where a line opens.

    Made after blocks were only removed (no text changed since ``previous``), it takes
    the previous view's lines of the blocks still kept instead of encoding again. The
    first view of a UTF-8 file's text is given its ``lines``, cut from the file's bytes
    (segment.split_text, Document.set_blocks).
    """

    __slots__ = ("alive", "line_breaks", "_utf8", "_lines", "_starts", "_indented")

    def __init__(self, alive: list[tuple[int, Block]], previous: View | None = None,
                 line_breaks: bool = True, lines: list[bytes] | None = None):
        self.alive = alive
        self.line_breaks = line_breaks
        self._utf8: bytes | None = None
        self._lines: list[bytes] | None = lines
        self._starts: list[int] | None = None
        self._indented: bool | None = None
        if previous is not None and previous._lines is not None:
            self._lines = [line for (_, block), line in zip(previous.alive, previous._lines)
                           if block.removed_by is None]

    @property
    def lines(self) -> list[bytes]:
        """One line per kept block. Encoded block by block: one encode of the whole text
        would have to be split into lines again, which costs more."""
        if self._lines is None:
            if self.line_breaks:
                self._lines = [utf8_line(b.text) for _, b in self.alive]
            else:  # no block holds one (Document.line_breaks)
                self._lines = [utf8(b.text) for _, b in self.alive]
        return self._lines

    @property
    def utf8(self) -> bytes:
        """The lines, each after a newline: the whole document for one C-level search
        (repeats' pull quotes)."""
        if self._utf8 is None:
            self._utf8 = b"\n" + b"\n".join(self.lines)
        return self._utf8

    @property
    def starts(self) -> list[int]:
        """Where each line starts in ``utf8`` (and, last, where one more would)."""
        if self._starts is None:
            self._starts = line_starts(self.lines)
        return self._starts

    @property
    def indented(self) -> bool:
        """Whether a line opens with white space (the prefilter spells the literals that
        open lines for it: ruleset.ScanIndex)."""
        if self._indented is None:
            lines, alive = self.lines, self.alive
            self._indented = False
            for pos in range(len(lines)):
                line = lines[pos]
                if (len(line) and MAY_OPEN_WITH_SPACE[line[0]]
                        and alive[pos][1].text[:1].isspace()):
                    self._indented = True
                    break
        return self._indented


# The first bytes of the white space characters in UTF-8: ASCII ones, and the lead bytes
# of U+0085 and U+00A0, U+1680, U+2000-U+205F and U+3000 (other characters share those;
# str.isspace decides). tests/test_prefilter.py checks the list.
MAY_OPEN_WITH_SPACE: Final = bytes(0x09 <= b <= 0x0D or 0x1C <= b <= 0x20
                                    or b in (0xC2, 0xE1, 0xE2, 0xE3) for b in range(256))


def line_starts(lines: list[bytes], at: int = 1) -> list[int]:
    """Where each line starts when each is put after a newline (the first at ``at``),
    and where one more would."""
    starts = [at]
    for line in lines:
        at += len(line) + 1
        starts.append(at)
    return starts


def utf8_line(text: str) -> bytes:
    """A block's text as one line of the view: its own line breaks are spaces."""
    if "\n" in text or "\r" in text:
        text = text.replace("\n", " ").replace("\r", " ")
    return utf8(text)


def utf8(text: str) -> bytes:
    """Always valid UTF-8, as Hyperscan needs (prefilter.py): a lone surrogate becomes
    "?". (The strict encode compiles to one C call; the one with an error handler looks
    up the codec.)"""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def fold(text: str) -> bytes:
    """UTF-8 with ASCII letters lower-cased: how a literal is spelled for the caseless
    scan (ruleset.ScanIndex), which treats ASCII letters as this does."""
    return utf8(text).lower()


@dataclass(slots=True)
class Document:
    """A document and everything the passes learn about it.

    ``source`` names it in reports (a path, ``path#line`` for JSONL records, or
    ``<stdin>``); ``url`` scopes site rules; ``fields`` keeps the other JSONL fields.
    """

    source: str = "<text>"
    url: str | None = None
    id: str | None = None
    lang: str | None = None
    format: str = "text"
    blocks: list[Block] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    chars_in: int = 0
    # Whether a block's text may hold a line break (HTML: a <br>, a <pre>); the blocks of
    # text input are its lines, and no pass adds one.
    line_breaks: bool = True
    # Characters still in the document; kept up to date by remove_block/cut_span.
    alive_chars: int = 0
    # ``version`` is bumped when a block's text changes (cached literal scans are redone),
    # ``state`` on any change at all (a pass that saw this state has nothing more to do).
    version: int = 0
    state: int = 0
    _hits: tuple[int, Any, dict[str, dict[int, set[int]]]] | None = None
    _alive: tuple[int, list[tuple[int, Block]]] | None = None
    _view: tuple[int, int, View] | None = None
    _tried: tuple[int, set[int]] | None = None

    def set_blocks(self, blocks: list[Block], line_breaks: bool = True,
                   encoded: list[bytes] | None = None) -> None:
        """``encoded``: each block's text in UTF-8, when the input had it: the first
        view's lines (later views reuse them until a text changes)."""
        self.blocks = blocks
        self.line_breaks = line_breaks
        self.alive_chars = sum(len(b.text) for b in blocks)
        self._changed(text=True)
        if encoded is not None:
            alive = self.alive()
            self._view = (self.state, self.version, View(
                alive, None, line_breaks, [encoded[i] for i, _ in alive]))

    def _changed(self, text: bool = False) -> None:
        self.state += 1
        if text:
            self.version += 1

    def alive(self) -> list[tuple[int, Block]]:
        """(index, block) of the blocks still in the document, in order."""
        cached = self._alive
        if cached is None or cached[0] != self.state:
            cached = self._alive = (self.state, [(i, b) for i, b in enumerate(self.blocks)
                                                 if b.removed_by is None])
        return cached[1]

    def view(self) -> View:
        """The kept blocks in UTF-8, one line each, for whole-document scans."""
        cached = self._view
        if cached is None or cached[0] != self.state:
            # Only blocks removed since the last view: it still has the kept blocks' lines.
            previous = cached[2] if cached is not None and cached[1] == self.version else None
            cached = self._view = (self.state, self.version, View(self.alive(), previous,
                                                                self.line_breaks))
        return cached[2]

    def hits(self, matcher: Matcher) -> dict[str, dict[int, set[int]]]:
        """The matcher's literal scan of this document, redone only after text changed."""
        cached = self._hits
        if cached is None or cached[0] != self.version or cached[1] is not matcher:
            cached = self._hits = (self.version, matcher, matcher.scan(self))
        return cached[2]

    def tried(self) -> set[int]:
        """Keys a pass adds for the work it did on this text (the blocks pass: the blocks
        its rules were tried on); emptied when any text changes. A rule that did not
        take a block will not take it on a later round while its text is the same."""
        cached = self._tried
        if cached is None or cached[0] != self.version:
            cached = self._tried = (self.version, set())
        return cached[1]

    def remove_block(self, i: int, pass_name: str, rule_id: str, category: str) -> None:
        block = self.blocks[i]
        if block.removed_by is not None:
            return
        block.removed_by = rule_id
        self.alive_chars -= len(block.text)
        self._changed()
        self.removals.append(Removal(pass_name, rule_id, category, block.text, i))

    def cut_span(self, i: int, start: int, end: int, pass_name: str, rule_id: str,
                 category: str) -> None:
        block = self.blocks[i]
        self.removals.append(Removal(pass_name, rule_id, category, block.text[start:end], i,
                                     start, end))
        block.text = block.text[:start] + block.text[end:]
        self.alive_chars -= end - start
        self._changed(text=True)

    def set_text(self, i: int, text: str) -> None:
        """Replace a block's text without recording a removal (white space trims)."""
        block = self.blocks[i]
        self.alive_chars += len(text) - len(block.text)
        block.text = text
        self._changed(text=True)

    def undo(self, since: int) -> None:
        """Take back every removal after the first ``since`` (the safety valve)."""
        for r in reversed(self.removals[since:]):
            block = self.blocks[r.block] if r.block >= 0 else None
            if block is None:
                continue
            if r.start is not None:
                block.text = block.text[:r.start] + r.text + block.text[r.start:]
                self.alive_chars += len(r.text)
            elif block.removed_by is not None:
                block.removed_by = None
                self.alive_chars += len(block.text)
        del self.removals[since:]
        self._changed(text=True)

    def render(self) -> str:
        """The clean text: kept blocks with the strongest separator that stood between them."""
        out: list[str] = []
        rank = 3  # strongest separator seen since the last kept block (lower is stronger)
        own_breaks = False  # a kept block with line breaks of its own (HTML)
        for block in self.blocks:
            sep = block.sep  # its rank in SEPARATORS, compared, not looked up
            r = 1 if sep == "\n" else 0 if sep == "\n\n" else 2
            if r < rank:
                rank = r
            if block.removed_by is None:
                if out:
                    out.append(SEPARATORS[rank])
                out.append(block.text.rstrip())
                if self.line_breaks and "\n" in block.text:
                    own_breaks = True
                rank = 3
        # Blocks are stripped, non-blank lines joined by at most one blank line; only a
        # block with line breaks of its own needs the general normalisation.
        if not own_breaks:
            out.append("\n")
            text = "".join(out)
            # One final newline: only an empty block at either end leaves more to strip.
            if not (text.startswith("\n") or text.endswith("\n\n")):
                return text
        text = "".join(out).strip("\n")
        if own_breaks and "\n" in text:
            return normalize(text)
        return text + "\n" if text else ""

    @property
    def text(self) -> str:
        return self.render()


# Spelled so that re looks for the literal "\n\n\n" at C speed: "\n{3,}" is tried at
# every position, ten times slower.
_BLANK_RUNS: Final = re.compile(r"\n\n\n+")


def normalize(text: str) -> str:
    """As the seeds' expected files are written: trailing white space stripped from
    every line, blank-line runs collapsed to one, none at either end, one final newline."""
    text = "\n".join(map(str.rstrip, text.split("\n")))
    text = _BLANK_RUNS.sub("\n\n", text).strip("\n")
    return text + "\n" if text else ""
