"""Compiled rules, chosen by a document's site and language.

Site rules are looked up by domain (the host and each parent domain), so the
cost of a document does not grow with the number of site files. The rules that
apply to one (sites, language) scope are compiled once and cached.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Final, Iterator
from urllib.parse import urlsplit

from mypy_extensions import mypyc_attr

from .document import Block, Document, fold, line_starts
from .literals import block_literals, edge_chars, implies, literal_sets, required_literals
from .prefilter import FLAGS, Prefilter, literal_pattern, loose_pattern, scan
from .rules import Rule

TEXT_KINDS: Final = ("block", "span", "section", "tail")


def _max_chars(rule: Rule) -> int:
    return rule.options.get("max_chars", 1 << 62)


def _literals(rule: Rule) -> frozenset[tuple[str, bool]] | None:
    """(literal, at a line's start) pairs for a rule, or None for a loose pattern: a span
    rule that reads whole paragraphs gets one too (a literal is common there)."""
    pattern = rule.pattern or ""
    if rule.kind != "span":
        return block_literals(pattern)
    found = required_literals(pattern) if "max_chars" in rule.options else None
    return frozenset((lit, False) for lit in found) if found is not None else None


def _checks(rule: Rule) -> tuple[tuple[str, ...], ...]:
    """The literal sets (literals.literal_sets) a block is checked for before the rule's
    regex runs, but those its prefilter literals already imply."""
    scanned = _literals(rule)
    found = frozenset(lit for lit, _ in scanned) if scanned else frozenset()
    return tuple(tuple(sorted(s)) for s in literal_sets(rule.pattern or "")
                 if not (found and implies(found, s)))


def _holds(checks: tuple[tuple[str, ...], ...], low: str) -> bool:
    """Whether ``low`` (a block's text, lower-cased) holds a literal of every set."""
    for literals in checks:
        for literal in literals:
            if literal in low:
                break
        else:
            return False
    return True


def _entries(rules: list[Rule], idxs: list[int]) -> tuple[tuple[int, str, int], ...]:
    return tuple((idx, rules[idx].kind, _max_chars(rules[idx])) for idx in idxs)


# A line this short is a caption, a label, a prompt: most whole-block rules read no more.
# The patterns whose rules all read at most this many characters scan the lines that
# short only (a second Hyperscan database): long paragraphs hold most of a document's
# bytes, and most of the places where such a pattern matches in them ("sponsored",
# "update", "related" in a sentence) are no use to any of its rules.
SHORT_LINE: Final = 200

# A literal that opens a rule's matches is looked for where a line opens only when it is
# at most this long: short ones ("by", "par", "more") occur inside most paragraphs, long
# ones seldom (and every ``^`` pattern costs compile time: anchoring all of them took 9 s
# instead of 1 s for the default rules; left unanchored, a literal only names more lines).
MAX_ANCHORED: Final = 8


# The compiled module's classes that are pickled to workers with their state (the
# Hyperscan database, the scopes made so far) stay plain Python classes: a compiled class
# cannot be restored without running __init__ (setup.py). Matcher and Scope are compiled
# and pickle as the arguments that make them.
@mypyc_attr(native_class=False)
class ScanIndex:
    """What the prefilter looks for (prefilter.py), and which rules each pattern stands
    for. One index serves every scope of a rule set, so a new site or language costs
    no compile: a scope only ignores the other scopes' rules.

    Each rule gets its literals (literals.py), looked for anywhere in a line or, for a
    whole-block rule (or a branch of one) that opens with a short one, only where a
    line starts (MAX_ANCHORED); or, with no usable literal (and for span rules
    that read whole paragraphs, where a literal is common and the regex slow), a loose
    pattern of its own. A pattern whose rules all read short blocks only (SHORT_LINE)
    is looked for in the short lines only: they get a database of every pattern, the
    long lines one of the others.
    """

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        by_literal: dict[tuple[str, bool], list[int]] = {}
        self.unanchored: list[int] = []
        for idx, rule in enumerate(rules):
            literals = _literals(rule)
            if literals is None:
                self.unanchored.append(idx)
            else:
                for pair in literals:
                    by_literal.setdefault(pair, []).append(idx)
        # The scan is caseless for ASCII only (str.lower on the text would cost ten
        # times as much); literals go in upper and title case too, which covers
        # non-ASCII capitals in the usual spellings ("ÜBER UNS", "Über uns").
        variants: dict[tuple[bytes, bool], set[int]] = {}
        for (lit, at_start), idxs in by_literal.items():
            for form in {lit, lit.upper(), lit.title()}:
                variants.setdefault((fold(form), at_start), set()).update(idxs)
        # Per pattern: its Hyperscan source in the two spellings (prefilter.literal_pattern:
        # for documents whose lines all open with a word, and for the others); (rule,
        # kind, max_chars) for each rule it stands for; and its length, to find where a
        # match starts (a loose pattern counts 1: its match's last byte is on its line).
        # Sorted, not in the hash order of the literal sets: every process builds the same
        # databases, which scan at the same speed.
        patterns = [(tuple(literal_pattern(lit, start and len(lit) <= MAX_ANCHORED, spaced)
                           for spaced in (False, True)), _entries(rules, sorted(idxs)), len(lit))
                    for (lit, start), idxs in sorted(variants.items())]
        for i in self.unanchored:
            loose = (loose_pattern(rules[i]), FLAGS)
            patterns.append(((loose, loose), _entries(rules, [i]), 1))
        # The longest block any of a pattern's rules looks at decides where it is looked
        # for: the patterns of rules that read long blocks come first, and alone make the
        # database for the long lines; the short lines get every pattern.
        widest = [max(e[2] for e in p[1]) for p in patterns]
        order = ([k for k, w in enumerate(widest) if w > SHORT_LINE]
                 + [k for k, w in enumerate(widest) if w <= SHORT_LINE])
        self.entries = [patterns[k][1] for k in order]
        self.widest = [widest[k] for k in order]
        self.lengths = [patterns[k][2] for k in order]
        n_long = sum(1 for w in widest if w > SHORT_LINE)
        # A line this short is looked at by the second database, a longer one by the first.
        self.short_limit = max(self.widest[n_long:], default=0)
        # The second spelling is compiled when the first document that needs it comes.
        self._spellings = [(sources[:n_long], sources) for sources in
                           [tuple(patterns[k][0][spaced] for k in order) for spaced in (0, 1)]]
        self._prefilters: list[Prefilter | None] = [None, None]
        self.prefilter(indented=False)

    def prefilter(self, indented: bool) -> Prefilter:
        """The databases for a document with (without) lines that open with white space."""
        found = self._prefilters[indented]
        if found is None:
            found = self._prefilters[indented] = Prefilter(*self._spellings[indented])
        return found


class Matcher:
    """The text rules of a scope, behind the prefilter of a ScanIndex.

    ``scan`` finds, per block, the rules worth trying there, only in blocks no longer
    than the rule's ``max_chars``; a pass then runs only those rules' regexes, in rule
    order. The scan is redone only when text changes.
    """

    def __init__(self, rules: list[Rule], index: ScanIndex | None = None):
        self.rules = rules
        self.regexes = [r.regex() for r in rules]
        self.max_chars = [_max_chars(r) for r in rules]
        self.kinds = [r.options.get("kinds") for r in rules]
        self.checks = [_checks(r) for r in rules]
        # What a whole block a block rule takes opens and ends with (None: anything).
        edges = [edge_chars(r.pattern or "", not r.case_sensitive) if r.kind == "block"
                 else (None, None) for r in rules]
        self.opens = [e[0] for e in edges]
        self.ends = [e[1] for e in edges]
        self.of_kind = {k: [i for i, r in enumerate(rules) if r.kind == k] for k in TEXT_KINDS}
        self.index = index if index is not None else ScanIndex(rules)
        # The index's rule → this scope's, or -1 for a rule of another scope.
        position = {id(rule): i for i, rule in enumerate(rules)}
        self.local = [position.get(id(rule), -1) for rule in self.index.rules]

    def __reduce__(self) -> tuple[type[Matcher], tuple[list[Rule], ScanIndex]]:
        return Matcher, (self.rules, self.index)

    def scan(self, doc: Document) -> dict[str, dict[int, set[int]]]:
        """Rule kind → block index → indexes of the rules worth trying on that block."""
        hits: dict[str, dict[int, set[int]]] = {k: {} for k in TEXT_KINDS}
        index = self.index
        view = doc.view()
        alive, lines, limit = view.alive, view.lines, index.short_limit
        # One buffer, the short lines first: each database scans its part of it.
        placed: list[int] = []
        longer: list[int] = []
        for pos, (_, block) in enumerate(alive):
            (placed if len(block.text) <= limit else longer).append(pos)
        n_short = len(placed)
        placed += longer
        parts = [lines[pos] for pos in placed]
        data = memoryview(b"\n".join([b"", *parts]))
        starts = line_starts(parts)
        prefilter = index.prefilter(view.indented)
        cut = starts[n_short] - 1  # the newline before the first long line
        if n_short:
            self._add(hits, scan(prefilter.short_db, data[:cut]), starts, alive, placed, 0)
        if longer:
            self._add(hits, scan(prefilter.db, data[cut:]), starts, alive, placed, cut)
        return hits

    def _add(self, hits: dict[str, dict[int, set[int]]], found: list[tuple[int, int]],
             starts: list[int], alive: list[tuple[int, Block]], placed: list[int],
             base: int) -> None:
        """Name the rules of each match's patterns for the block of its line: line k of
        the buffer is ``alive[placed[k]]``, the part scanned starts at ``base``."""
        index, local = self.index, self.local
        entries, widest, lengths = index.entries, index.widest, index.lengths
        for pattern, end in found:
            i, block = alive[placed[bisect_right(starts, base + end - lengths[pattern]) - 1]]
            size = len(block.text)
            if size > widest[pattern]:
                continue  # a long paragraph: none of this pattern's rules looks at it
            for rule, kind, limit in entries[pattern]:
                if size <= limit and local[rule] >= 0:
                    hits[kind].setdefault(i, set()).add(local[rule])

    def candidates(self, doc: Document, kind: str) -> list[tuple[int, list[int]]]:
        """(block index, rule indexes to try, in order) for the blocks a kind's rules may hit."""
        found = doc.hits(self)[kind]
        blocks = doc.blocks
        return [(i, sorted(found[i])) for i in sorted(found) if blocks[i].removed_by is None]

    def first_full(self, idxs: list[int], block: Block) -> Rule | None:
        """The first of these rules whose pattern matches all of the block within its limits."""
        text = block.text.strip()
        low = ""
        for idx in idxs:
            kinds = self.kinds[idx]
            if len(text) > self.max_chars[idx] or (kinds and block.kind not in kinds):
                continue
            opens, ends = self.opens[idx], self.ends[idx]
            if text and ((opens is not None and text[0] not in opens)
                         or (ends is not None and text[-1] not in ends)):
                continue
            checks = self.checks[idx]
            if checks:
                low = low or text.lower()
                if not _holds(checks, low):
                    continue
            if self.regexes[idx].fullmatch(text):
                return self.rules[idx]
        return None

    def spans(self, idxs: list[int], block: Block) -> Iterator[tuple[Rule, re.Match[str]]]:
        """Every (rule, match) of these span rules in the block, rules in order."""
        low = ""
        for idx in idxs:
            kinds = self.kinds[idx]
            if kinds and block.kind not in kinds:
                continue
            checks = self.checks[idx]
            if checks:
                low = low or block.text.lower()
                if not _holds(checks, low):
                    continue
            for m in self.regexes[idx].finditer(block.text):
                if m.end() > m.start():
                    yield self.rules[idx], m


@dataclass
class Scope:
    """The rules that apply to one document, ready to run."""

    rules: list[Rule]
    index: ScanIndex | None = None
    matcher: Matcher = field(init=False)
    dom: list[Rule] = field(init=False)
    detectors: dict[str, Rule] = field(init=False)

    def __reduce__(self) -> tuple[type[Scope], tuple[list[Rule], ScanIndex | None]]:
        return Scope, (self.rules, self.index)

    def __post_init__(self) -> None:
        self.matcher = Matcher([r for r in self.rules if r.kind in TEXT_KINDS], self.index)
        self.dom = [r for r in self.rules if r.kind == "dom"]
        # One rule per detector: the first in scope order wins (site rules come first).
        self.detectors = {}
        for rule in self.rules:
            if rule.kind == "detector" and rule.detector:
                self.detectors.setdefault(rule.detector, rule)


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    return host.rstrip(".").lower() if host else None


def _domains(host: str) -> Iterator[str]:
    """www.news.example.com → itself, news.example.com, example.com, com."""
    parts = host.split(".")
    for i in range(len(parts)):
        yield ".".join(parts[i:])


@mypyc_attr(native_class=False)
class RuleSet:
    """All loaded rules; hands out the compiled Scope for a document."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self.generic = [r for r in rules if not r.sites]
        self.by_site: dict[str, list[Rule]] = {}
        for rule in rules:
            for site in rule.sites:
                self.by_site.setdefault(site, []).append(rule)
        self._scopes: dict[tuple[tuple[str, ...], str | None], Scope] = {}
        # The same scope by the rules it holds: every language without rules of its own
        # ("ja", "nl", "ru" ...) gets the same rules, and shares one compiled scope.
        self._by_rules: dict[tuple[str, ...], Scope] = {}
        self._index: ScanIndex | None = None

    def sites_for(self, url: str | None) -> tuple[str, ...]:
        host = host_of(url)
        if not host or not self.by_site:
            return ()
        return tuple(d for d in _domains(host) if d in self.by_site)

    def scope(self, url: str | None = None, lang: str | None = None) -> Scope:
        sites = self.sites_for(url)
        lang = lang.split("-")[0].split("_")[0].lower() if lang else None
        key = (sites, lang)
        scope = self._scopes.get(key)
        if scope is None:
            chosen: list[Rule] = []
            seen: set[str] = set()
            # Site rules first (most specific domain first), then the generic ones.
            for rule in [r for s in sites for r in self.by_site[s]] + self.generic:
                if rule.id in seen or (lang and rule.langs and lang not in rule.langs):
                    continue
                seen.add(rule.id)
                chosen.append(rule)
            ids = tuple(r.id for r in chosen)
            scope = self._by_rules.get(ids)
            if scope is None:
                if self._index is None:  # every text rule, once, at the first scope
                    self._index = ScanIndex([r for r in self.rules if r.kind in TEXT_KINDS])
                scope = self._by_rules[ids] = Scope(chosen, self._index)
            self._scopes[key] = scope
        return scope
