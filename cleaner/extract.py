"""Pass 3 for HTML: one parse, dom rules, trafilatura, typed blocks.

Stages, all on the one lxml tree (the page is parsed once):
1. parse with trafilatura's own loader (the same repairs and fallbacks it uses);
2. take the URL (canonical link, og:url) and language (<html lang>, meta) from the
   page when the caller did not give them, so site and language rules can apply;
3. remove the elements matched by the scope's ``dom`` rules (cleaner/dom.py);
4. run trafilatura's extraction cascade on that same tree;
5. turn its result tree (head, p, list/item, quote, table/row/cell, ...) into typed
   blocks, rendered by trafilatura's own txt serializer, so that with no rule
   firing the text is what ``trafilatura.extract()`` gives (that protects recall).

One deliberate difference from trafilatura's txt output: a table row is its
non-empty cells joined by " | " (trafilatura writes "| a |  | b |", and a "|---|"
line under a header row), so cell rules see the cell's text alone.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from html import unescape
from typing import TYPE_CHECKING, Any, Iterator

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.core import trafilatura_sequence
from trafilatura.settings import Extractor
from trafilatura.utils import line_processing, load_html
from trafilatura.xml import process_element

from . import dom
from .document import CELL, HEADING, LIST_ITEM, PARAGRAPH, QUOTE, Block, Document
from .ruleset import RuleSet

if TYPE_CHECKING:
    from .pipeline import ExtractOptions

# trafilatura's result tags that start a block of their own, and the kind each gives.
BLOCK_KINDS = {"head": HEADING, "p": PARAGRAPH, "quote": QUOTE, "code": PARAGRAPH,
               "graphic": PARAGRAPH, "lb": PARAGRAPH, "list": LIST_ITEM, "table": CELL}
CELL_SEP = " | "
# trafilatura escapes a pipe inside a cell as "\\|", so an unescaped " | " separates cells.
CELL_SPLIT = re.compile(r"(?<!\\) \| ")
HEAD_RULE = re.compile(r"\|(?:---\|)+")

# Where a page names itself and its language, most trusted first. Only <head> is
# read (where these belong): a walk of the whole page per lookup would cost more.
URL_XPATHS = [XPath(x) for x in ('/html/head/link[@rel="canonical"]/@href',
                                 '/html/head/meta[@property="og:url"]/@content')]
LANG_XPATHS = [XPath(x) for x in (
    "/html/@lang", "/html/@xml:lang",
    '/html/head/meta[translate(@http-equiv, "CONTENT-LANGUAGE", "content-language")'
    ' = "content-language"]/@content',
    '/html/head/meta[@property="og:locale"]/@content')]


def extract_html(doc: Document, content: str | bytes, ruleset: RuleSet,
                 options: ExtractOptions) -> None:
    """Fill ``doc.blocks`` from an HTML page; dom removals are recorded on ``doc``."""
    tree = load_html(content)
    if tree is None:
        doc.notes.append("extract: not parseable as HTML")
        doc.set_blocks([])
        return
    if doc.url is None:
        doc.url = page_url(tree)
    if doc.lang is None:
        doc.lang = page_lang(tree)
    scope = ruleset.scope(doc.url, doc.lang)
    # lxml.html makes each element's Python object through a Python-level class lookup,
    # and trafilatura walks the tree many times; while these objects stay alive every
    # walk reuses them. Made once here, for the dom pass, and held through extraction.
    elements = list(tree.iter())
    marks = dom.apply(tree, elements, dom.compiled(scope.dom), doc)
    body = run_trafilatura(tree, options, doc.url)
    del elements
    if body is None:
        doc.notes.append("extract: trafilatura found no main text")
        doc.set_blocks([])
        return
    doc.set_blocks(to_blocks(body))
    dom.remove_marked(doc, marks)


def extractor(options: ExtractOptions, url: str | None) -> Extractor:
    """trafilatura's settings object for our options (comments off unless asked)."""
    return Extractor(output_format="txt", fast=options.mode == "fast",
                     precision=options.mode == "precision", recall=options.mode == "recall",
                     comments=options.comments, tables=options.tables, url=url)


def run_trafilatura(tree: HtmlElement, options: ExtractOptions, url: str | None) -> Any | None:
    """trafilatura's extraction cascade on our tree; its body element, or None.

    ``bare_extraction`` would copy the whole tree first (about a tenth of the
    extraction's cost); the tree is ours to consume, so the cascade is called
    directly, with the same output-size check ``bare_extraction`` makes.
    """
    opts = extractor(options, url)
    try:
        body, text, comments, comments_text = trafilatura_sequence(tree, opts, url)
    except (TypeError, ValueError):  # what bare_extraction, too, treats as "no text"
        return None
    if len(text) < opts.min_output_size and len(comments_text) < opts.min_output_comm_size:
        return None
    if options.comments and len(comments):
        body.extend(list(comments))
    return body


def page_url(tree: HtmlElement) -> str | None:
    for xpath in URL_XPATHS:
        for value in xpath(tree):
            value = str(value).strip()
            if value.startswith(("http://", "https://")):
                return value
    return None


def page_lang(tree: HtmlElement) -> str | None:
    for xpath in LANG_XPATHS:
        for value in xpath(tree):
            code = str(value).strip().replace("_", "-").split("-")[0].split(",")[0].lower()
            if code.isalpha() and 2 <= len(code) <= 3:
                return code
    return None


# -- trafilatura's result tree → blocks --------------------------------------------------

def to_blocks(body: Any) -> list[Block]:
    """Typed blocks from trafilatura's result body, rendered exactly as its txt output.

    The body is serialized once, child by child, by trafilatura's own
    ``process_element`` into one list of pieces (so its line-joining quirks are kept);
    each piece remembers the top-level element it came from. Every output line then
    takes the kind of the element that wrote its first character; table rows are
    split into cells.
    """
    pieces: list[str] = []
    starts: list[int] = []  # index of the first piece of each run, and the run's kind
    kinds: list[str] = []

    def mark(kind: str) -> None:
        starts.append(len(pieces))
        kinds.append(kind)

    if body.text:
        mark(PARAGRAPH)
        pieces.append(body.text)
    for el in body:
        if not isinstance(el.tag, str):
            continue
        mark(BLOCK_KINDS.get(el.tag, PARAGRAPH))
        process_element(el, pieces, False)
        tail = el.tail
        if tail and len(pieces) > starts[-1] and pieces[-1] in (tail, tail.lstrip()):
            # The element's tail (loose text after it) was written last: a paragraph.
            starts.append(len(pieces) - 1)
            kinds.append(PARAGRAPH)
    return list(_lines_to_blocks(pieces, starts, kinds))


def _lines_to_blocks(pieces: list[str], starts: list[int],
                     kinds: list[str]) -> Iterator[Block]:
    """Split the serialized body into lines, clean each as trafilatura's ``sanitize``
    does, and give each the kind of the run its first character came from."""
    offsets: list[int] = []  # character offset where each run starts
    pos, run = 0, 0
    for i, piece in enumerate(pieces):
        while run < len(starts) and starts[run] == i:
            offsets.append(pos)
            run += 1
        pos += len(piece)
    offsets.extend([pos] * (len(starts) - len(offsets)))
    text = "".join(pieces)
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        first = pos + (len(line) - len(line.lstrip()))
        pos += len(raw)
        cleaned = line_processing(line, True)
        if not cleaned:
            continue
        cleaned = unicodedata.normalize("NFC", unescape(cleaned.replace("\u2424", "")))
        if not cleaned.strip():
            continue
        kind = kinds[max(bisect_right(offsets, first) - 1, 0)] if kinds else PARAGRAPH
        if kind == CELL:
            yield from _row(cleaned)
        else:
            yield Block(cleaned, kind, "\n")


def _row(line: str) -> Iterator[Block]:
    """A table row as trafilatura writes it ("| a | b | ") → one block per non-empty cell."""
    text = line.strip()
    if HEAD_RULE.fullmatch(text):
        return  # the "|---|---|" line under a header row
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells = [c.strip() for c in CELL_SPLIT.split(text)]
    sep = "\n"
    for cell in cells:
        if cell:
            yield Block(cell, CELL, sep)
            sep = CELL_SEP
