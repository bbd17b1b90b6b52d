"""``cleaner explain``: the document with every removal shown where it was.

Passes never delete blocks and record each cut (block index; for a span, offsets
in the block's text at the time of the cut), so the original text of every block
can be replayed: the cuts are applied again in the order they were made, each
marking the characters it took. A whole-block removal takes what is left.

Markup (plain text, so it survives a pipe; colour is added on a terminal):
``[-removed text-]{rule.id @pass}`` inline, and removed blocks the same way on
their own line. Removals made in the HTML tree before extraction (``dom`` rules)
have no block and are listed first.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import click

from .batch import clean_one
from .document import SEPARATORS, Document, Removal
from .inputs import classify
from .pipeline import Cleaner

REMOVED_STYLE = {"fg": "red", "strikethrough": True}
LABEL_STYLE = {"fg": "cyan"}


@dataclass(slots=True)
class _Piece:
    text: str
    removal: Removal | None = None


def _apply_cut(pieces: list[_Piece], start: int, end: int, removal: Removal) -> None:
    """Mark characters [start, end) of the still-kept text as taken by ``removal``."""
    out: list[_Piece] = []
    pos = 0  # offset in the kept text
    for piece in pieces:
        if piece.removal is not None:
            out.append(piece)
            continue
        a, b = pos, pos + len(piece.text)
        pos = b
        lo, hi = max(a, start), min(b, end)
        if lo >= hi:
            out.append(piece)
            continue
        for text, rem in ((piece.text[:lo - a], None), (piece.text[lo - a:hi - a], removal),
                          (piece.text[hi - a:], None)):
            if text:
                out.append(_Piece(text, rem))
    pieces[:] = out


def _kept(pieces: list[_Piece]) -> str:
    return "".join(p.text for p in pieces if p.removal is None)


def _locate(kept: str, removal: Removal) -> tuple[int, int] | None:
    """Where a span cut sits in the kept text. Its recorded offsets hold unless the
    block was stripped after an earlier cut; then the nearest occurrence of its text."""
    start, end = removal.start or 0, removal.end or 0
    if kept[start:end] == removal.text:
        return start, end
    hits = []
    at = kept.find(removal.text)
    while at != -1:
        hits.append(at)
        at = kept.find(removal.text, at + 1)
    if not hits:
        return None
    best = min(hits, key=lambda h: abs(h - start))
    return best, best + len(removal.text)


def block_pieces(doc: Document) -> list[list[_Piece]]:
    """Each block's original text split into kept pieces and removed ones."""
    pieces = [[_Piece(b.original)] for b in doc.blocks]
    for removal in doc.removals:
        if not 0 <= removal.block < len(doc.blocks):
            continue
        parts = pieces[removal.block]
        if removal.start is None:
            for piece in parts:
                if piece.removal is None:
                    piece.removal = removal
            continue
        where = _locate(_kept(parts), removal)
        if where is not None:
            _apply_cut(parts, *where, removal)
    return pieces


def _label(removal: Removal, color: bool) -> str:
    label = f"{{{removal.rule_id} @{removal.pass_name}}}"
    return click.style(label, **LABEL_STYLE) if color else label  # type: ignore[arg-type]


def _removed(text: str, removal: Removal, color: bool) -> str:
    body = f"[-{text}-]"
    if color:
        body = click.style(body, **REMOVED_STYLE)  # type: ignore[arg-type]
    return body + _label(removal, color)


def render(doc: Document, color: bool = False) -> str:
    """The document with its removals in place (see the module doc for the markup)."""
    out: list[str] = []
    for removal in doc.removals:
        if removal.block < 0:
            out.append(_removed(removal.text, removal, color) + "\n")
    if out:
        out.append("\n")
    for i, (block, parts) in enumerate(zip(doc.blocks, block_pieces(doc))):
        if i:
            out.append(block.sep if block.sep in SEPARATORS else "\n")
        for piece in parts:
            out.append(piece.text if piece.removal is None
                       else _removed(piece.text, piece.removal, color))
    out.append("\n")
    if doc.notes:
        out.extend(f"note: {note}\n" for note in doc.notes)
    return "".join(out)


def explain_bytes(cleaner: Cleaner, data: bytes, name: str, url: str | None = None,
                  color: bool = False) -> str:
    """Clean one file's bytes and render the explanation; raises if it cannot be cleaned."""
    kind, gz = classify(name) or ("text", False)
    if kind == "jsonl":
        raise ValueError("explain takes one document; give it one record's text or HTML")
    if gz:
        data = gzip.decompress(data)
    doc = clean_one(cleaner, data, kind, name, url=url)
    return render(doc, color)
