"""Where rules may match: Hyperscan over a document's lines in UTF-8.

The pass runs two kinds of pattern (ruleset.ScanIndex sorts them into a database for
the long lines and one, of every pattern, for the short lines):

- literal strings (literals.py): every match of a rule contains one of its literals,
  so a rule's regex runs only on the lines where one occurs;
- loose translations of the rules that have no usable literal ("a lone date", "a
  gallery counter") and of span rules that read whole paragraphs. Hyperscan does not
  take Python's dialect (no look-arounds or back-references, and bounded repeats of
  groups blow up its compiler), so each such rule becomes a *looser* pattern, one that
  matches wherever the rule can match (and in places it cannot): look-arounds are
  dropped, back-references match anything, large or nested repeats become open ones,
  ``\\w`` and ``\\d`` take every non-ASCII character. The rule's own regex decides on
  the lines named, so the translation can only cost time, never change a result.

The scan runs on the view's lines (``View.lines``, each after a newline; ruleset.Matcher
puts the short ones first) and every pattern is caseless for ASCII (Hyperscan's
caseless flag, which is cheaper than lower-casing the text first), so a negated class
never excludes an ASCII letter; non-ASCII letters get their case variants spelled out
for rules that ignore case (and literals theirs, ruleset.ScanIndex).
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

import hyperscan
from mypy_extensions import mypyc_attr

from .literals import REPEATS, case_variants
from .rules import Rule

MAX_CHAR = 0x10FFFF
NEWLINE = 10
RETURN = 13
SPACE = 32
# Bounds kept exact on a repeated single character (``\d{1,4}``); larger ones, and any
# bound on a repeated group, are opened up (``{2,}``): exact, they multiply the states
# Hyperscan builds, and a prefilter only needs to be loose.
MAX_EXACT_REPEAT = 8
# A range that ignores case is spelled out character by character up to this size;
# a larger one becomes "any character".
MAX_FOLDED_RANGE = 300
SINGLE_CHAR = (C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY)
FLAGS = (hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_CASELESS
         | hyperscan.HS_FLAG_ALLOWEMPTY)

Ranges = list[tuple[int, int]]
# Supersets of Python's Unicode classes: every non-ASCII character counts as a word
# character and a digit. None of them holds a newline, so no match crosses a line.
_WORD: Ranges = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A), (0x80, MAX_CHAR)]
# The characters str.isspace() takes, but the newline (tests/test_prefilter.py checks it).
_SPACES: Ranges = [(0x9, 0x9), (0xB, 0xD), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0),
                   (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F),
                   (0x205F, 0x205F), (0x3000, 0x3000)]
_CATEGORIES: dict[Any, Ranges] = {
    C.CATEGORY_DIGIT: [(0x30, 0x39), (0x80, MAX_CHAR)],
    C.CATEGORY_WORD: _WORD,
    C.CATEGORY_SPACE: _SPACES,
    C.CATEGORY_NOT_DIGIT: [(0, 9), (11, 0x2F), (0x3A, MAX_CHAR)],
    C.CATEGORY_NOT_WORD: [(0, 9), (11, 0x2F), (0x3A, 0x40), (0x5B, 0x5E), (0x60, 0x60),
                          (0x7B, MAX_CHAR)],
    C.CATEGORY_NOT_SPACE: [(0, 8), (0x21, MAX_CHAR)],
}
ANY = "[^\\n]"


def _esc(c: int) -> str:
    ch = chr(c)
    return ch if ch.isascii() and ch.isalnum() else "\\x{%x}" % c


def _class(ranges: Ranges, negate: bool = False) -> str:
    body = "".join(_esc(a) if a == b else f"{_esc(a)}-{_esc(b)}" for a, b in sorted(set(ranges)))
    return f"[{'^' if negate else ''}{body}]"


def _without(ranges: Ranges, c: int) -> Ranges:
    out: Ranges = []
    for a, b in ranges:
        if a <= c <= b:
            out += [(a, c - 1)] if a < c else []
            out += [(c + 1, b)] if b > c else []
        else:
            out.append((a, b))
    return out


def _takes(ranges: Ranges, c: int) -> bool:
    return any(a <= c <= b for a, b in ranges)


def _ascii_not_letters(ranges: Ranges) -> Ranges:
    """The ranges' ASCII characters that are not letters: the scan is caseless for the
    letters, and Hyperscan's caseless flag may fold other characters."""
    out: Ranges = []
    for a, b in ranges:
        for lo, hi in ((a, min(b, 0x40)), (max(a, 0x5B), min(b, 0x60)), (max(a, 0x7B), min(b, 0x7F))):
            if lo <= hi:
                out.append((lo, hi))
    return out


def _positive(items: Any, icase: bool) -> str:
    ranges: Ranges = []
    for op, av in items:
        if op is C.LITERAL:
            ranges += [(x, x) for x in (case_variants(av) if icase else (av,))]
        elif op is C.RANGE:
            lo, hi = av
            if icase:
                if hi - lo > MAX_FOLDED_RANGE:
                    return ANY
                ranges += [(x, x) for c in range(lo, hi + 1) for x in case_variants(c)]
            ranges.append((lo, hi))
        elif op is C.CATEGORY:
            ranges += _CATEGORIES[av]
        else:
            raise ValueError(f"class item {op}")
    # A line break inside a block is a space in the view.
    if _takes(ranges, NEWLINE) or _takes(ranges, RETURN):
        ranges.append((SPACE, SPACE))
    ranges = _without(ranges, NEWLINE)
    return _class(ranges) if ranges else ANY


def _negative(items: Any) -> str:
    """``[^...]``: exclude only its plain ASCII characters that are not letters;
    excluding less than Python does is looser, which is all a prefilter needs."""
    ranges: Ranges = []
    for op, av in items:
        if op is C.LITERAL:
            ranges.append((av, av))
        elif op is C.RANGE:
            ranges.append(tuple(av))  # type: ignore[arg-type]
    excluded = _ascii_not_letters(ranges)
    # A line break the class lets through is a space in the view: let the space through.
    if not (_takes(ranges, NEWLINE) and _takes(ranges, RETURN)):
        excluded = _without(excluded, SPACE)
    return _class(excluded + [(NEWLINE, NEWLINE)], negate=True)


def _seq(items: Any, icase: bool, anchors: bool) -> str:
    return "".join(_item(op, av, icase, anchors) for op, av in items)


def _item(op: Any, av: Any, icase: bool, anchors: bool) -> str:
    if op is C.LITERAL:
        if av in (NEWLINE, RETURN):
            return "[ \\t]"  # a block's own line breaks are spaces in the view
        if icase:
            chars = case_variants(av)
            return _esc(av) if len(chars) == 1 or (av < 128 and chr(av).isalpha()
                                                     and chars <= {av, av ^ 0x20}) \
                else _class([(x, x) for x in chars])
        return _esc(av)
    if op is C.NOT_LITERAL:
        return _negative([(C.LITERAL, av)])
    if op is C.ANY:
        return ANY
    if op is C.IN:
        if av and av[0][0] is C.NEGATE:
            return _negative(av[1:])
        return _positive(av, icase)
    if op is C.BRANCH:
        return "(?:" + "|".join(_seq(branch, icase, anchors) for branch in av[1]) + ")"
    if op is C.SUBPATTERN:
        _, add, remove, items = av
        return "(?:" + _seq(items, (icase or bool(add & re.I)) and not remove & re.I, anchors) + ")"
    if op is C.ATOMIC_GROUP:
        return "(?:" + _seq(av, icase, anchors) + ")"
    if op in REPEATS:
        lo, hi, items = av
        body = "(?:" + _seq(items, icase, anchors) + ")"
        single = len(items) == 1 and items[0][0] in SINGLE_CHAR
        if single and hi <= MAX_EXACT_REPEAT:
            return body + "{%d,%d}" % (lo, hi)
        if hi <= 1:
            return body + ("?" if lo == 0 else "")
        lo = min(lo, MAX_EXACT_REPEAT if single else 1)
        return body + ("*" if lo == 0 else "+" if lo == 1 else "{%d,}" % lo)
    if op is C.AT:
        return _ANCHORS.get(av, "") if anchors else ""
    if op in (C.ASSERT, C.ASSERT_NOT):
        return ""
    if op is C.GROUPREF:
        return ANY + "*"
    if op is C.GROUPREF_EXISTS:
        _, yes, no = av
        return "(?:" + _seq(yes, icase, anchors) + "|" + (_seq(no, icase, anchors) if no else "") + ")"
    raise ValueError(f"regex item {op}")


_WS = _class(_SPACES) + "*"
# A block is one line of the view, so its start and end are a line's; the end may have
# white space after it there (a block's final line break is a space in the view).
_ANCHORS = {C.AT_BEGINNING: "^", C.AT_BEGINNING_STRING: "^",
            C.AT_END: _WS + "$", C.AT_END_STRING: _WS + "$"}


def loose_pattern(rule: Rule) -> str:
    """A Hyperscan pattern for one line of the view that matches wherever the
    rule can: in the line for a span rule, the whole line (white space aside) for a
    rule that takes the whole block. Anything it cannot translate matches every line."""
    try:
        parsed = P.parse(rule.pattern or "", 0 if rule.case_sensitive else re.I)
        flags = parsed.state.flags
        # Anchors are kept for a span rule (they make its pattern selective); in a rule
        # that takes the whole block, the line's own anchors stand for them.
        body = _seq(parsed, bool(flags & re.I), rule.kind == "span" and not flags & re.M)
    except (re.error, ValueError, KeyError, TypeError):
        return ANY_LINE
    return body if rule.kind == "span" else f"^{_WS}(?:{body}){_WS}$"


def _byte_escapes(data: bytes) -> str:
    return "".join("\\x%02x" % c for c in data)


# The white space a block may open with (what str.strip takes, the newline aside), as
# UTF-8 byte sequences: literal patterns read bytes, not characters.
_SPACE_CHARS = [chr(c) for lo, hi in _SPACES for c in range(lo, hi + 1)]
_LEADING_SPACE = "(?:[%s]|%s)*" % (
    _byte_escapes(bytes(ord(ch) for ch in _SPACE_CHARS if ch.isascii())),
    "|".join(_byte_escapes(ch.encode()) for ch in _SPACE_CHARS if not ch.isascii()))


def literal_pattern(literal: bytes, at_start: bool, after_space: bool) -> tuple[str, int]:
    """A literal as a caseless pattern on the UTF-8 bytes, and its flags: anywhere, or
    opening a line for rules whose matches start with it. Opening a line, it is the
    literal with the newline before it (the scan puts one before every line): a
    plain literal, where ``^`` costs nearly a third of the scan (an automaton over every
    byte). For documents with lines that open with white space, ``after_space`` spells
    it ``^``, white space, the literal."""
    if at_start and after_space:
        return ("^" + _LEADING_SPACE + _byte_escapes(literal),
                hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_CASELESS)
    return _byte_escapes(b"\n" + literal if at_start else literal), hyperscan.HS_FLAG_CASELESS


# What a rule gets when its pattern cannot be translated or compiled: every line.
ANY_LINE = "^" + ANY + "*$"
Patterns = tuple[tuple[str, int], ...]  # (pattern, Hyperscan flags)


def _build(patterns: Patterns) -> bytes:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=[p.encode("utf-8") for p, _ in patterns],
               ids=list(range(len(patterns))), flags=[f for _, f in patterns])
    return hyperscan.dumpb(db)


def _compiles(pattern: tuple[str, int]) -> bool:
    try:
        _build((pattern,))
    except hyperscan.error:
        return False
    return True


@lru_cache(maxsize=16)
def _compile(patterns: Patterns) -> bytes:
    """The serialized database. Compiling takes a fraction of a second; scopes with the
    same rules, in one process, share it, and workers get it serialized. A loose
    pattern Hyperscan refuses (too large, say) is replaced by ANY_LINE."""
    try:
        return _build(patterns)
    except hyperscan.error:
        return _build(tuple(p if _compiles(p) else (ANY_LINE, FLAGS) for p in patterns))


def _load(serialized: bytes, patterns: Patterns) -> tuple[bytes, Any]:
    """A database ready to scan, built again from its patterns if this CPU cannot load it."""
    try:
        db = hyperscan.loadb(serialized, hyperscan.HS_MODE_BLOCK)
    except hyperscan.error:
        serialized = _build(patterns)
        db = hyperscan.loadb(serialized, hyperscan.HS_MODE_BLOCK)
    db.scratch = hyperscan.Scratch(db)
    return serialized, db


@mypyc_attr(native_class=False)  # pickled with its database (ruleset.ScanIndex)
class Prefilter:
    """The patterns for a document's long lines in one Hyperscan database, and the
    patterns for its short lines (ruleset.SHORT_LINE) in a second one, ids from 0 in
    each (the first's patterns open the second's list). Pickles as its serialized
    databases, and the patterns to build them again on a machine whose CPU cannot load
    them (a Ray node of another kind)."""

    def __init__(self, sources: Patterns, short_sources: Patterns = ()):
        self.sources = sources
        self.short_sources = short_sources
        self.serialized = _compile(self.sources) if self.sources else b""
        self.short_serialized = _compile(self.short_sources) if self.short_sources else b""
        self._load()

    def _load(self) -> None:
        self.db = self.short_db = None  # Hyperscan takes no empty database
        if self.sources:
            self.serialized, self.db = _load(self.serialized, self.sources)
        if self.short_sources:
            self.short_serialized, self.short_db = _load(self.short_serialized, self.short_sources)

    def __getstate__(self) -> dict[str, object]:
        return {"sources": self.sources, "serialized": self.serialized,
                "short_sources": self.short_sources, "short_serialized": self.short_serialized}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.sources = state["sources"]
        self.serialized = state["serialized"]
        self.short_sources = state["short_sources"]
        self.short_serialized = state["short_serialized"]
        self._load()


def scan(db: Any, data: bytes | memoryview) -> list[tuple[int, int]]:
    """(pattern id, end offset) for every place a pattern of ``db`` (a Prefilter's ``db``
    or ``short_db``) matches in ``data``. A module function called with the database, and
    Hyperscan's arguments by position: each scan of a document costs a call less."""
    found: list[tuple[int, int]] = []
    if db is not None:
        db.scan(data, _collect, 0, found)
    return found


def _collect(pattern: int, _start: int, end: int, _flags: int, found: Any) -> None:
    found.append((pattern, end))
