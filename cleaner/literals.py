"""Required literals of a regex: the prefilter that keeps many rules cheap.

For every text rule we find a set of lower-case strings such that any match of
the rule contains at least one of them ("pic", "photo" for a credit pattern).
One Aho-Corasick scan of the lower-cased document finds where those occur, and
a rule's own regex runs only on the blocks that contain one of its literals.
This is the literal-prefilter idea of grep-like engines; it makes the cost of a
document grow with its length, and only very slowly with the number of rules.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

# A literal shorter than this would hit most lines ("a", "to"); such a rule is
# checked on every block instead (rules check reports it as unanchored).
MIN_LITERAL = 3
REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))


def _char(op: Any, av: Any) -> str | None:
    """The one lower-case character an item matches, if it matches exactly one (modulo case)."""
    if op is C.LITERAL:
        low = chr(av).lower()
        return low if len(low) == 1 else None
    if op is C.IN and av and all(o is C.LITERAL for o, _ in av):
        lows = {chr(v).lower() for _, v in av}
        if len(lows) == 1:
            low = lows.pop()
            return low if len(low) == 1 else None
    return None


# More alternatives than this and a set of literals stops being a useful prefilter.
MAX_ALTERNATIVES = 64


def _score(cands: frozenset[str]) -> tuple[int, int]:
    return (min(len(s) for s in cands), -len(cands))


def _lead(items: Any) -> tuple[frozenset[str], bool]:
    """The literal strings every match of ``items`` starts with, and whether the whole
    of ``items`` is literal (so what follows extends them). ``pic|photo`` parses as
    ``p(?:ic|hoto)``: this puts the ``p`` back in front."""
    found = frozenset([""])
    for op, av in items:
        ch = _char(op, av)
        if ch is not None:
            found = frozenset(p + ch for p in found)
            continue
        if op is C.SUBPATTERN:
            parts = [_lead(av[-1])]
        elif op is C.BRANCH:
            parts = [_lead(alt) for alt in av[1]]
        else:
            return found, False
        found = frozenset(p + s for p in found for part, _ in parts for s in part)
        if len(found) > MAX_ALTERNATIVES:
            return frozenset([""]), False
        if not all(complete for _, complete in parts):
            return found, False
    return found, True


def _seq(items: Any) -> frozenset[str] | None:
    """The best set of literals one of which every match of ``items`` contains."""
    items = list(items)
    best: frozenset[str] | None = None

    def consider(cands: frozenset[str] | None) -> None:
        nonlocal best
        if cands and all(cands) and (best is None or _score(cands) > _score(best)):
            best = cands

    for k, (op, av) in enumerate(items):
        consider(_lead(items[k:])[0])
        if op is C.SUBPATTERN:
            consider(_seq(av[-1]))
        elif op is C.BRANCH:
            alts = [_seq(alt) for alt in av[1]]
            if alts and all(alts):
                consider(frozenset().union(*alts))  # type: ignore[arg-type]
        elif op in REPEATS and av[0] >= 1:
            consider(_seq(av[2]))
    return best


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case strings one of which every match contains, or None if there are
    none long enough to be worth a prefilter."""
    try:
        parsed = P.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    found = _seq(parsed)
    if not found or min(len(s) for s in found) < MIN_LITERAL:
        return None
    return found
