"""Pass 2, dom: remove elements matched by ``dom`` rules (CSS selectors) from the lxml tree.

Runs on the one tree trafilatura then extracts from. Selectors are compiled to
XPath once per scope. A matched element that holds most of the page's text is
left alone: a class name like ``article newsletter-enabled`` must not take the
article with it.
"""

from __future__ import annotations

from typing import Any

from cssselect import HTMLTranslator
from lxml import etree

from .document import Document, Removal
from .rules import Rule

NAME = "dom"
# An element holding more than this share of the page's text is never removed by a dom rule.
DOM_MAX_FRACTION = 0.5
# Removed text is kept in the record up to this length (a sidebar can be long).
RECORD_MAX_CHARS = 1000


def compile_selectors(rules: list[Rule]) -> list[tuple[Rule, Any]]:
    translator = HTMLTranslator()
    return [(r, etree.XPath(translator.css_to_xpath(r.selector or ""))) for r in rules]


_COMPILED: dict[tuple[tuple[str, str], ...], list[tuple[Rule, Any]]] = {}


def compiled(rules: list[Rule]) -> list[tuple[Rule, Any]]:
    """The compiled selectors for one scope's dom rules, compiled once per process."""
    key = tuple((r.id, r.selector or "") for r in rules)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = compile_selectors(rules)
    return found


def _text_len(el: Any) -> int:
    return len(" ".join("".join(el.itertext()).split()))


def apply(tree: Any, compiled: list[tuple[Rule, Any]], doc: Document) -> None:
    if not compiled:
        return
    body = tree.find(".//body")
    total = _text_len(body if body is not None else tree) or 1
    for rule, xpath in compiled:
        for el in xpath(tree):
            if el.getparent() is None or not isinstance(el.tag, str):
                continue  # the root, or already detached with an ancestor
            if el.tag in ("html", "body"):
                continue
            size = _text_len(el)
            if size > total * DOM_MAX_FRACTION:
                doc.notes.append(f"backoff: {rule.id} matched <{el.tag}> holding {size} of "
                                 f"{total} characters of text")
                continue
            text = " ".join(el.text_content().split())
            doc.removals.append(Removal(NAME, rule.id, rule.category, text[:RECORD_MAX_CHARS], -1))
            el.drop_tree()
