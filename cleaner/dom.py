"""Pass 2, dom: remove elements matched by ``dom`` rules (CSS selectors) from the lxml tree.

Runs on the one tree trafilatura then extracts from. Most matched elements are
dropped from the tree. Captions are not: they sit inside the article, and taking
them out of the tree can make trafilatura choose a different (shorter) body; so a
caption element stays for extraction and the blocks made only of its text are
removed afterwards (``remove_marked``). All of a scope's selectors
are compiled once into a single XPath union, so a page is walked once however
many dom rules there are; only the elements it finds are then tested rule by rule
to name the rule in the record. A matched element that holds most of the page's
text is left alone: a class name like ``article newsletter-enabled`` must not
take the article with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cssselect import HTMLTranslator, parse
from cssselect.parser import CombinedSelector
from lxml import etree

from .document import Document, Removal
from .rules import Rule

NAME = "dom"
# An element holding more than this share of the page's text is never removed by a
# dom rule (the backoff is noted in the report).
DOM_MAX_FRACTION = 0.5
# Removed text is kept in the record up to this length (a sidebar can be long).
RECORD_MAX_CHARS = 1000
NEVER = ("html", "head", "body")
# Categories whose elements are left in the tree and removed as text after extraction.
IN_TEXT_CATEGORIES = frozenset({"caption"})
# A block shorter than this is not removed for appearing inside a marked element
# (a lone "Photo" or a date could be anywhere).
MARK_MIN_CHARS = 12

Marks = list[tuple[Rule, str]]


@dataclass(frozen=True, slots=True)
class Compiled:
    """One scope's dom rules, ready to run."""

    rules: tuple[Rule, ...]
    union: Any  # every selector in one XPath: one walk of the tree
    # Per rule: an XPath testing the element itself (selectors without combinators),
    # or None when the rule's full XPath must be run to know (``aside .widget``).
    tests: tuple[Any, ...]
    full: tuple[Any, ...]


def _is_compound(selector: str) -> bool:
    return not any(isinstance(s.parsed_tree, CombinedSelector) for s in parse(selector))


def compile_selectors(rules: list[Rule]) -> Compiled:
    translator = HTMLTranslator()
    full = [translator.css_to_xpath(r.selector or "") for r in rules]
    tests = tuple(etree.XPath(translator.css_to_xpath(r.selector or "", prefix="self::"))
                  if _is_compound(r.selector or "") else None for r in rules)
    union = etree.XPath(" | ".join(full)) if full else None
    return Compiled(tuple(rules), union, tests, tuple(etree.XPath(x) for x in full))


_COMPILED: dict[tuple[tuple[str, str], ...], Compiled] = {}


def compiled(rules: list[Rule]) -> Compiled:
    """The compiled selectors for one scope's dom rules, compiled once per process."""
    key = tuple((r.id, r.selector or "") for r in rules)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = compile_selectors(rules)
    return found


def _text_len(el: Any) -> int:
    return len(" ".join("".join(el.itertext()).split()))


def _top(el: Any) -> Any:
    """The outermost ancestor: the page root, unless ``el`` sits in a dropped subtree."""
    top = el
    for top in el.iterancestors():
        pass
    return top


def _rule_for(el: Any, comp: Compiled, tree: Any, full_hits: dict[int, set[Any]]) -> Rule | None:
    """The first rule (in load order) whose selector matches ``el``."""
    for i, (rule, test) in enumerate(zip(comp.rules, comp.tests)):
        if test is not None:
            if test(el):
                return rule
            continue
        if i not in full_hits:
            full_hits[i] = set(comp.full[i](tree))
        if el in full_hits[i]:
            return rule
    return None


def apply(tree: Any, comp: Compiled, doc: Document) -> Marks:
    """Drop every element a rule matches (tail text stays), recording each removal;
    return the text of the elements left in place to be removed after extraction."""
    marks: Marks = []
    if comp.union is None:
        return marks
    matches = comp.union(tree)
    if not matches:
        return marks
    root = _top(tree)
    body = root.find(".//body")
    total = _text_len(body if body is not None else root) or 1
    full_hits: dict[int, set[Any]] = {}
    for el in matches:
        if not isinstance(el.tag, str) or el.tag in NEVER or el.getparent() is None:
            continue
        if _top(el) is not root:
            continue  # inside an element already removed
        rule = _rule_for(el, comp, tree, full_hits)
        if rule is None:
            continue
        size = _text_len(el)
        if size > total * DOM_MAX_FRACTION:
            doc.notes.append(f"backoff: {rule.id} matched <{el.tag}> holding {size} of "
                             f"{total} characters of text")
            continue
        text = " ".join(el.text_content().split())
        if rule.category in IN_TEXT_CATEGORIES:
            if text:
                marks.append((rule, text))
            continue
        doc.removals.append(Removal(NAME, rule.id, rule.category, text[:RECORD_MAX_CHARS], -1))
        el.drop_tree()
    return marks


def remove_marked(doc: Document, marks: Marks) -> None:
    """Remove the extracted blocks whose whole text lies inside a marked element."""
    if not marks:
        return
    for i, block in doc.alive():
        text = " ".join(block.text.split())
        if len(text) < MARK_MIN_CHARS:
            continue
        for rule, marked in marks:
            if text in marked:
                doc.remove_block(i, NAME, rule.id, rule.category)
                break
