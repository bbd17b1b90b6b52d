"""The one document type that moves through every pass.

A document is a list of blocks (paragraphs, headings, list items, quotes, table
cells). Passes never delete blocks: they mark them removed, so later passes can
see what used to be there (tidy needs that) and ``explain`` can show every
removal in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Block kinds. Text input gets them from line shapes, HTML from trafilatura's tree.
PARAGRAPH = "paragraph"
HEADING = "heading"
LIST_ITEM = "list_item"
QUOTE = "quote"
CELL = "cell"
KINDS = (PARAGRAPH, HEADING, LIST_ITEM, QUOTE, CELL)

# Separators written before a block, strongest first. When blocks between two
# kept blocks are removed, the strongest separator among them is kept, so
# removing a caption never glues two paragraphs together.
SEPARATORS = ("\n\n", "\n", " | ")


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


@dataclass(slots=True)
class Block:
    text: str
    kind: str = PARAGRAPH
    sep: str = "\n"
    original: str = ""
    removed_by: str | None = None

    def __post_init__(self) -> None:
        if not self.original:
            self.original = self.text

    @property
    def alive(self) -> bool:
        return self.removed_by is None


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

    def alive(self) -> list[tuple[int, Block]]:
        """(index, block) of the blocks still in the document, in order."""
        return [(i, b) for i, b in enumerate(self.blocks) if b.removed_by is None]

    def remove_block(self, i: int, pass_name: str, rule_id: str, category: str) -> None:
        block = self.blocks[i]
        block.removed_by = rule_id
        self.removals.append(Removal(pass_name, rule_id, category, block.text, i))

    def cut_span(self, i: int, start: int, end: int, pass_name: str, rule_id: str,
                 category: str) -> None:
        block = self.blocks[i]
        self.removals.append(Removal(pass_name, rule_id, category, block.text[start:end], i,
                                     start, end))
        block.text = block.text[:start] + block.text[end:]

    def render(self) -> str:
        """The clean text: kept blocks with the strongest separator that stood between them.

        Normalisation (as the seeds' expected files are written): trailing white space
        stripped from every line, no blank-line runs, none at either end, one final newline.
        """
        out: list[str] = []
        pending: str | None = None
        for block in self.blocks:
            if out and (pending is None or SEPARATORS.index(block.sep) < SEPARATORS.index(pending)):
                pending = block.sep
            if block.alive:
                if out:
                    out.append(pending or block.sep)
                out.append(block.text)
                pending = None
        return normalize("".join(out))

    @property
    def text(self) -> str:
        return self.render()


def normalize(text: str) -> str:
    """Strip line ends, collapse blank-line runs, trim, end with exactly one newline."""
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""
