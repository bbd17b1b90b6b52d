"""Required literals of a regex: the prefilter that keeps many rules cheap.

For every text rule we find a set of lower-case strings such that any match of
the rule contains at least one of them ("pic", "photo" for a credit pattern).
One scan of the lower-cased document (prefilter.py) finds where those occur, and
a rule's own regex runs only on the blocks that contain one of its literals.
This is the literal-prefilter idea of grep-like engines; it makes the cost of a
document grow with its length, and only very slowly with the number of rules.
On a block the scan names, the rule's other required sets (``literal_sets``) and the
characters a whole-block match can open and end with (``edge_chars``) rule out most
blocks before the regex runs (ruleset.Matcher).
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _casefix  # type: ignore[attr-defined]
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

import _sre  # type: ignore[import-not-found]

# How selective a literal must be: a letter, digit or punctuation mark weighs 1, a
# space 0.5, a character rare in prose (RARE) 3. Below MIN_WEIGHT a literal would hit
# most lines ("by", "ap"); such a rule is tried on every short block instead.
MIN_WEIGHT = 3.0
RARE = frozenset("©®™@|»«›‹>•▶►")
# A character class of at most this many literal characters counts as alternatives.
MAX_CLASS = 8
REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))


# More alternatives than this and a set of literals stops being worth building
# (the scan takes thousands easily; the cap bounds work on huge patterns).
MAX_ALTERNATIVES = 512


def _weight(literal: str) -> float:
    return sum(3.0 if c in RARE else 0.5 if c.isspace() else 1.0 for c in literal)


def _prune(found: frozenset[str], prefix: bool) -> frozenset[str]:
    """Drop strings that contain a shorter one of the set (at their start, for leading
    literals): wherever they occur, the shorter one occurs too."""
    kept: list[str] = []
    for s in sorted(found, key=len):
        if not any(s.startswith(k) if prefix else k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _score(cands: frozenset[str]) -> tuple[float, int, int]:
    return (min(_weight(s) for s in cands), -len(cands), min(len(s) for s in cands))


def _chars(op: Any, av: Any) -> frozenset[str] | None:
    """The lower-case characters one item matches, if it is a literal (``p``) or a small
    class of literals (``[Pp]``, ``[(\\[]``); None for anything else."""
    if op is C.LITERAL:
        low = chr(av).lower()
        return frozenset([low]) if len(low) == 1 else None
    if op is C.IN and 0 < len(av) <= MAX_CLASS and all(o is C.LITERAL for o, _ in av):
        chars = frozenset(chr(v).lower() for _, v in av)
        return chars if all(len(c) == 1 for c in chars) else None
    return None


def _is_space_run(op: Any, av: Any) -> bool:
    """``\\s*`` and the like: nothing a stripped block ends with."""
    return op in REPEATS and av[0] == 0 and all(
        o is C.IN and all(x == (C.CATEGORY, C.CATEGORY_SPACE) for x in a) for o, a in av[2])


def _lead(items: Any, at_start: bool = False,
          limit: int = MAX_ALTERNATIVES) -> tuple[frozenset[str], bool]:
    """The literal strings every match of ``items`` starts with, and whether the whole
    of ``items`` is literal (so what follows extends them). ``pic|photo`` parses as
    ``p(?:ic|hoto)``: this puts the ``p`` back in front. An optional item gives both
    ways (without it, and with it once); at the start of a stripped block, leading
    white space is skipped. Where going on would make more than ``limit`` strings, the
    shorter ones found so far are the answer: they still open every match."""
    items = list(items)
    found = frozenset([""])
    for k, (op, av) in enumerate(items):
        if at_start and k == 0 and (op is C.AT or _is_space_run(op, av)):
            return _lead(items[1:], at_start, limit)
        chars = _chars(op, av)
        if chars is not None:
            longer, complete, last = frozenset(p + c for p in found for c in chars), True, False
        elif op in REPEATS and av[0] == 0 and av[1] == 1:
            # Both ways take in the rest of the items: nothing is left to extend them.
            rest = items[k + 1:]
            parts = [_lead(rest, at_start and k == 0, limit), _lead([*av[2], *rest], False, limit)]
            longer = frozenset(p + s for p in found for part, _ in parts for s in part)
            complete, last = all(c for _, c in parts), True
        elif op is C.BRANCH and len(av[1]) > limit:
            return found, False  # more alternatives than strings allowed
        elif op is C.SUBPATTERN or op is C.BRANCH:
            parts = ([_lead(av[-1], False, limit)] if op is C.SUBPATTERN
                     else [_lead(alt, False, limit) for alt in av[1]])
            longer = frozenset(p + s for p in found for part, _ in parts for s in part)
            complete = all(c for _, c in parts)
            last = not complete
        else:
            return found, False
        if len(longer) > limit:
            return found, False
        if last:
            return longer, complete
        found = longer
    return found, True


def _sets(items: Any, limit: int = MAX_ALTERNATIVES) -> list[frozenset[str]]:
    """Sets of literals (of at most about ``limit`` each) such that every match of
    ``items`` contains one of each set."""
    items = list(items)
    found: list[frozenset[str]] = []
    for k, (op, av) in enumerate(items):
        # After a literal character the strings this place starts are in the longer
        # ones the place before it starts.
        if k == 0 or _chars(*items[k - 1]) is None:
            found.append(_lead(items[k:], False, limit)[0])
        if op is C.SUBPATTERN:
            found += _sets(av[-1], limit)
        elif op is C.BRANCH and len(av[1]) <= limit:
            alts = [_seq(alt, limit) for alt in av[1]]
            if alts and all(alts):
                found.append(frozenset().union(*alts))  # type: ignore[arg-type]
        elif op in REPEATS and av[0] >= 1:
            found += _sets(av[2], limit)
        elif op is C.ASSERT and av[0] == 1:  # what a look-ahead reads is in the text too
            found += _sets(av[1], limit)
    return [_prune(s, prefix=False) for s in found if s and all(s)]


def _seq(items: Any, limit: int = MAX_ALTERNATIVES) -> frozenset[str] | None:
    """The best set of literals one of which every match of ``items`` contains."""
    return max(_sets(items, limit), key=_score, default=None)


# A literal that must open the block is selective even when short ("by ", "ad:").
MIN_LEAD_WEIGHT = 2.0


@lru_cache(maxsize=None)
def _parse(pattern: str) -> tuple[Any, ...] | None:
    """The parsed pattern, shared by the three questions below (none changes it)."""
    try:
        return tuple(P.parse(pattern, re.IGNORECASE))
    except re.error:
        return None


def _leading(items: Any) -> frozenset[str] | None:
    found, _ = _lead(items, at_start=True)
    found = _prune(found, prefix=True)
    if not all(found) or min(_weight(s) for s in found) < MIN_LEAD_WEIGHT:
        return None
    return found


def _required(items: Any) -> frozenset[str] | None:
    found = _seq(items)
    if not found or _score(found)[0] < MIN_WEIGHT:
        return None
    return found


@lru_cache(maxsize=None)
def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case strings one of which every match contains, or None if there are
    none long enough to be worth a prefilter."""
    items = _parse(pattern)
    return _required(items) if items is not None else None


@lru_cache(maxsize=None)
def block_literals(pattern: str) -> frozenset[tuple[str, bool]] | None:
    """For a rule that takes a whole block: (literal, at_start) pairs, one of which
    every match contains, at its start where at_start. Each branch of a top-level
    alternation gets its own, the literals its matches start with where it has them,
    else those they contain: "por João Silva" opens its line, "tempo de leitura" may
    stand anywhere in one, and the pattern as a whole had only "por" anywhere."""
    items = _parse(pattern)
    if items is None:
        return None
    branches = items[0][1][1] if len(items) == 1 and items[0][0] is C.BRANCH else [items]
    found: set[tuple[str, bool]] = set()
    for branch in branches:
        leading = _leading(list(branch))
        if leading is not None:
            found.update((lit, True) for lit in leading)
            continue
        required = _required(list(branch))
        if required is None:
            return None
        found.update((lit, False) for lit in required)
    return frozenset(found)


# A block is checked for at most this many sets, of at most this many literals each:
# a check costs a substring search per literal, a regex that fails far more.
MAX_SETS = 3
MAX_CHECKED = 8


@lru_cache(maxsize=None)
def literal_sets(pattern: str) -> tuple[frozenset[str], ...]:
    """Sets of lower-case literals one of each of which every match contains, the most
    selective first ("pic" or "photo", and ":", and "(" or "[" for a credit in
    brackets). A block without one of a set's literals need not be tried: finding that
    out costs a few substring searches, failing the regex often costs thousands of steps
    (a bounded repeat backtracking, a look-ahead reading the rest of the line). Like the
    scan's literals, they are lower-cased: the rare letter that re takes for another
    when it ignores case ("ſ" for "s") is not looked for."""
    items = _parse(pattern)
    if items is None:
        return ()
    sets = {s for s in _sets(items, MAX_CHECKED) if len(s) <= MAX_CHECKED and _score(s)[0] >= 1}
    # A set implied by another (each literal of the other holds one of it) adds nothing.
    kept = [b for b in sets if not any(a != b and implies(a, b) for a in sets)]
    return tuple(sorted(kept, key=lambda s: (_score(s), sorted(s)), reverse=True)[:MAX_SETS])


def implies(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether text holding a literal of ``a`` holds one of ``b``."""
    return all(any(x in y for x in b) for y in a)


@lru_cache(maxsize=4096)
def case_variants(c: int) -> frozenset[int]:
    """Every character that matches ``c`` under re.IGNORECASE (a superset)."""
    out = {c, _sre.unicode_tolower(c)}
    for variant in (chr(c).upper(), chr(c).lower(), chr(c).title(), chr(c).casefold()):
        if len(variant) == 1:
            out.add(ord(variant))
    for x in list(out):
        out.update(_casefix._EXTRA_CASES.get(x, ()))
    return frozenset(out)


# A range of more characters than this says nothing useful about a block's ends.
MAX_EDGE_RANGE = 64


@lru_cache(maxsize=None)
def edge_chars(pattern: str, ignore_case: bool) -> tuple[frozenset[str] | None,
                                                          frozenset[str] | None]:
    """The characters a match of a whole stripped block can open and end with (None: any
    character). A block that opens or ends with another need not be tried: a caption
    with its credit in brackets ends with ")" or "]", most paragraphs with a full stop."""
    try:
        parsed = P.parse(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error:
        return None, None
    icase = bool(parsed.state.flags & re.IGNORECASE)
    opens, ends = (_edge(list(parsed), icase, last)[0] for last in (False, True))
    return (frozenset(map(chr, opens)) if opens is not None else None,
            frozenset(map(chr, ends)) if ends is not None else None)


def _edge(items: list[Any], icase: bool, last: bool) -> tuple[set[int] | None, bool]:
    """The characters the first (``last``: the last) character of a match of ``items``
    can be (None: any), and whether the match can be empty."""
    found: set[int] = set()
    for op, av in reversed(items) if last else items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT) or _is_space_run(op, av):
            continue  # nothing, or white space: neither is at the end of a stripped block
        part, empty = _edge_one(op, av, icase, last)
        if part is None:
            return None, False
        found |= part
        if not empty:
            return found, False
    return found, True


def _edge_one(op: Any, av: Any, icase: bool, last: bool) -> tuple[set[int] | None, bool]:
    if op is C.LITERAL:
        return set(case_variants(av)) if icase else {av}, False
    if op is C.IN and not (av and av[0][0] is C.NEGATE):
        chars: set[int] = set()
        for o, a in av:
            if o is C.LITERAL:
                chars |= case_variants(a) if icase else {a}
            elif o is C.RANGE and a[1] - a[0] <= MAX_EDGE_RANGE:
                for c in range(a[0], a[1] + 1):
                    chars |= case_variants(c) if icase else {c}
            else:
                return None, False
        return chars, False
    if op is C.SUBPATTERN:
        _, add, remove, sub = av
        return _edge(list(sub), (icase or bool(add & re.I)) and not remove & re.I, last)
    if op is C.ATOMIC_GROUP:
        return _edge(list(av), icase, last)
    if op is C.BRANCH:
        union: set[int] = set()
        empty = False
        for alt in av[1]:
            part, alt_empty = _edge(list(alt), icase, last)
            if part is None:
                return None, False
            union |= part
            empty = empty or alt_empty
        return union, empty
    if op in REPEATS:
        part, empty = _edge(list(av[2]), icase, last)
        return part, empty or av[0] == 0
    return None, False
