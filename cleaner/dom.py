"""Pass 2, dom: remove elements matched by ``dom`` rules (CSS selectors) from the lxml tree.

Runs on the one tree trafilatura then extracts from. Most matched elements are
dropped from the tree. Captions are not: they sit inside the article, and taking
them out of the tree can make trafilatura choose a different (shorter) body; so a
caption element stays for extraction and the blocks made only of its text are
removed afterwards (``remove_marked``). A page is walked once however many dom
rules there are (see ``Compiled``). A matched element that holds most of the
page's text is left alone: a class name like ``article newsletter-enabled`` must
not take the article with it.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable

from cssselect import HTMLTranslator, parse
from cssselect.parser import CombinedSelector
from lxml import etree

from .document import Document, Removal
from .rules import Rule

NAME = "dom"
# An element holding more than this share of the page's text is never removed by a
# dom rule (the backoff is noted in the report).
DOM_MAX_FRACTION = 0.5
# Below this many characters of text an element is removed without measuring the page.
BIG_ELEMENT_CHARS = 200
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
    """One scope's dom rules, ready to run.

    XPath cannot test many selectors in one walk cheaply (each class test costs a
    string scan per element, a union walks the page once per branch), so each
    simple selector is indexed by a key an element must carry: a class token, an
    id, an attribute name or a tag. One Python pass over the page looks up each
    element's keys and runs only the few selector tests they point to. Selectors
    with combinators (``aside .promo``) run as their own XPath.
    """

    rules: tuple[Rule, ...]
    index: dict[tuple[str, str], list[Entry]]  # key → the selector tests it points to
    full: tuple[tuple[int, Any], ...]  # (rule index, XPath) for selectors with combinators
    attr_names: tuple[str, ...]  # attribute names that are keys (besides class and id)


# A selector test: (rule index, self:: XPath, attribute operator, value). For an
# attribute key the cheap string check (operator, value) runs before the XPath.
Entry = tuple[int, Any, str | None, str | None]
# C functions where there is one: the class check runs on most elements of every page.
ATTR_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "exists": lambda have, want: True,
    "=": operator.eq,
    "*=": operator.contains,
    "^=": str.startswith,
    "$=": str.endswith,
    "~=": lambda have, want: want in have.split(),
}


def _key(tree: Any) -> tuple[tuple[str, str], str | None, str | None]:
    """The most selective key a compound selector requires of an element, and for an
    attribute key its operator and value."""
    found: dict[str, tuple[tuple[str, str], str | None, str | None]] = {}
    while tree is not None:
        name = type(tree).__name__
        if name == "Class":
            found.setdefault("class", (("class", tree.class_name), None, None))
        elif name == "Hash":
            found.setdefault("id", (("id", tree.id), None, None))
        elif name == "Attrib" and tree.operator in ATTR_CHECKS:
            value = tree.value.value if tree.value is not None else None
            found.setdefault("attr", (("attr", tree.attrib.lower()), tree.operator, value))
        elif name == "Element" and tree.element:
            found.setdefault("tag", (("tag", tree.element.lower()), None, None))
        tree = getattr(tree, "selector", None)
    for kind in ("id", "class", "attr", "tag"):
        if kind in found:
            return found[kind]
    return ("all", "*"), None, None


def compile_selectors(rules: list[Rule]) -> Compiled:
    translator = HTMLTranslator()
    index: dict[tuple[str, str], list[Entry]] = {}
    full: list[tuple[int, Any]] = []
    for i, rule in enumerate(rules):
        for sel in parse(rule.selector or ""):
            if isinstance(sel.parsed_tree, CombinedSelector):
                full.append((i, etree.XPath(translator.selector_to_xpath(sel))))
                continue
            test = etree.XPath(translator.selector_to_xpath(sel, prefix="self::"))
            key, op, value = _key(sel.parsed_tree)
            index.setdefault(key, []).append((i, test, op, value))
    attrs = tuple(sorted(v for k, v in index if k == "attr"))
    return Compiled(tuple(rules), index, tuple(full), attrs)


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


def _first(item: Entry) -> int:
    return item[0]


def _matches(tree: Any, elements: list[Any], comp: Compiled) -> list[tuple[Any, int]]:
    """(element, index of the first rule matching it), in document order; ``elements``
    is every node of the tree, in order."""
    index = comp.index
    by_tag = {tag: tests for (kind, tag), tests in index.items() if kind == "tag"}
    by_attr = {name: index[("attr", name)] for name in comp.attr_names}
    everywhere = index.get(("all", "*"), [])
    found: dict[Any, int] = {}
    for el in elements:
        if not isinstance(el.tag, str):
            continue  # a comment or processing instruction
        tests = everywhere + by_tag[el.tag] if by_tag and el.tag in by_tag else everywhere
        # One call for the element's attributes; most elements have none or one.
        for name, have in el.items():
            if name == "class":
                for token in have.split():
                    hit = index.get(("class", token))
                    if hit:
                        tests = tests + hit
            elif name == "id":
                hit = index.get(("id", have))
                if hit:
                    tests = tests + hit
            entries = by_attr.get(name)
            if entries:
                tests = tests + [e for e in entries
                                 if e[2] is None or ATTR_CHECKS[e[2]](have, e[3])]
        if tests:
            for i, test, _, _ in sorted(tests, key=_first):
                if test(el):
                    found[el] = i
                    break
    for i, xpath in comp.full:
        for el in xpath(tree):
            if isinstance(el.tag, str) and found.get(el, len(comp.rules)) > i:
                found[el] = i
    order = {el: n for n, el in enumerate(elements)} if comp.full else None
    items = list(found.items())
    if order is not None:
        items.sort(key=lambda item: order[item[0]])
    return items


def apply(tree: Any, elements: list[Any], comp: Compiled, doc: Document) -> Marks:
    """Drop every element a rule matches (tail text stays), recording each removal;
    return the text of the elements left in place to be removed after extraction.
    ``elements``: every node of the tree, in order."""
    marks: Marks = []
    if not comp.rules:
        return marks
    matches = _matches(tree, elements, comp)
    if not matches:
        return marks
    root = _top(tree)
    total = 0  # the page's text length, measured only when an element might be big
    for el, i in matches:
        if el.tag in NEVER or el.getparent() is None:
            continue
        if _top(el) is not root:
            continue  # inside an element already removed
        rule = comp.rules[i]
        size = _text_len(el)
        if size >= BIG_ELEMENT_CHARS and not total:
            body = root.find(".//body")
            total = _text_len(body if body is not None else root) or 1
        if size >= BIG_ELEMENT_CHARS and size > total * DOM_MAX_FRACTION:
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
