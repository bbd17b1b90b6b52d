"""Compiled rules, chosen by a document's site and language.

Site rules are looked up by domain (the host and each parent domain), so the
cost of a document does not grow with the number of site files. The rules that
apply to one (sites, language) scope are compiled once and cached.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import urlsplit

from ahocorasick_rs import BytesAhoCorasick, Implementation

from .document import Block, Document, View
from .linescan import LineScan
from .literals import leading_literals, required_literals
from .rules import Rule

TEXT_KINDS = ("block", "span", "section", "tail")


class Matcher:
    """The text rules of a scope behind one literal prefilter (see literals.py).

    ``scan`` finds, per block, the rules whose literal occurs in it where it can
    matter: anywhere in the block, or at its start for a whole-block rule whose
    pattern opens with a literal, and only in blocks no longer than the rule's
    ``max_chars``; and, from one Hyperscan pass (linescan.py), the lines where one of
    the few rules without a usable literal ("unanchored") may match. A pass then runs
    only those rules' regexes, in rule order. The scan is redone only when text changes.
    """

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self.regexes = [r.regex() for r in rules]
        self.max_chars = [r.options.get("max_chars", 1 << 62) for r in rules]
        self.kinds = [r.options.get("kinds") for r in rules]
        self.at_start = [False] * len(rules)
        self.of_kind = {k: [i for i, r in enumerate(rules) if r.kind == k] for k in TEXT_KINDS}
        by_literal: dict[str, list[int]] = {}
        self.unanchored: list[int] = []
        for idx, rule in enumerate(rules):
            pattern = rule.pattern or ""
            literals = leading_literals(pattern) if rule.kind != "span" else None
            self.at_start[idx] = literals is not None
            literals = literals or required_literals(pattern)
            if literals is None or (rule.kind == "span" and "max_chars" not in rule.options):
                # No literal, or a span rule that reads whole paragraphs (where a literal
                # is common and its regex slow): found by the line scan instead.
                self.unanchored.append(idx)
            else:
                for lit in literals:
                    by_literal.setdefault(lit, []).append(idx)
        variants: dict[bytes, set[int]] = {}
        for lit, idxs in by_literal.items():
            for form in {lit, lit.upper(), lit.title()}:
                variants.setdefault(form.encode("utf-8").lower(), set()).update(idxs)
        self.linescan = LineScan([rules[i] for i in self.unanchored]) if self.unanchored else None
        self.literals = list(variants)
        # Per literal: (rule, kind, max_chars, only at a block's start) for each rule it
        # stands for, and the longest block any of them looks at.
        self.literal_entries = [
            tuple((idx, rules[idx].kind, self.max_chars[idx], self.at_start[idx])
                  for idx in sorted(variants[lit]))
            for lit in self.literals]
        self.literal_widest = [max(e[2] for e in entries) for entries in self.literal_entries]
        self.automaton = self._automaton()

    def _automaton(self) -> BytesAhoCorasick | None:
        return (BytesAhoCorasick(self.literals, implementation=Implementation.DFA)
                if self.literals else None)

    # A worker gets the analysed literals with the rules and only rebuilds the automaton
    # (which does not pickle): milliseconds, where analysing the literals takes seconds.
    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "automaton"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.automaton = self._automaton()

    def scan(self, doc: Document) -> dict[str, dict[int, set[int]]]:
        """Rule kind → block index → indexes of the rules worth trying on that block.

        The literal scan runs on UTF-8 bytes lower-cased for ASCII only (ten times cheaper than
        str.lower on non-ASCII text); literals were added in upper and title case too,
        which covers non-ASCII capitals in the usual spellings ("ÜBER UNS", "Über uns").
        """
        hits: dict[str, dict[int, set[int]]] = {k: {} for k in TEXT_KINDS}
        view = doc.view()
        if self.automaton is not None:
            self._scan_literals(view, hits)
        if self.linescan is not None:
            self._scan_unanchored(view, hits)
        return hits

    def _scan_literals(self, view: View, hits: dict[str, dict[int, set[int]]]) -> None:
        data = view.folded
        found = self.automaton.find_matches_as_indexes(data, overlapping=True)
        if not found:
            return
        starts = view.starts
        alive, entries, widest = view.alive, self.literal_entries, self.literal_widest
        for lit, start, _ in found:
            line = bisect_right(starts, start) - 1
            i, block = alive[line]
            size = len(block.text)
            if size > widest[lit]:
                continue  # a long paragraph: none of this literal's rules looks at it
            opens = not data[starts[line]:start].strip()
            for idx, kind, limit, start_only in entries[lit]:
                if size <= limit and (opens or not start_only):
                    hits[kind].setdefault(i, set()).add(idx)

    def _scan_unanchored(self, view: View, hits: dict[str, dict[int, set[int]]]) -> None:
        alive, rules, max_chars = view.alive, self.rules, self.max_chars
        for pos, line in self.linescan.lines(view.folded):
            idx = self.unanchored[pos]
            i, block = alive[line]
            if len(block.text) <= max_chars[idx]:
                hits[rules[idx].kind].setdefault(i, set()).add(idx)

    def candidates(self, doc: Document, kind: str) -> list[tuple[int, list[int]]]:
        """(block index, rule indexes to try, in order) for the blocks a kind's rules may hit."""
        found = doc.hits(self)[kind]
        blocks = doc.blocks
        return [(i, sorted(found[i])) for i in sorted(found) if blocks[i].removed_by is None]

    def first_full(self, idxs: list[int], block: Block) -> Rule | None:
        """The first of these rules whose pattern matches all of the block within its limits."""
        text = block.text.strip()
        for idx in idxs:
            kinds = self.kinds[idx]
            if (len(text) <= self.max_chars[idx] and not (kinds and block.kind not in kinds)
                    and self.regexes[idx].fullmatch(text)):
                return self.rules[idx]
        return None

    def spans(self, idxs: list[int], block: Block) -> Iterator[tuple[Rule, re.Match[str]]]:
        """Every (rule, match) of these span rules in the block, rules in order."""
        for idx in idxs:
            kinds = self.kinds[idx]
            if kinds and block.kind not in kinds:
                continue
            for m in self.regexes[idx].finditer(block.text):
                if m.end() > m.start():
                    yield self.rules[idx], m


@dataclass
class Scope:
    """The rules that apply to one document, ready to run."""

    rules: list[Rule]
    matcher: Matcher = field(init=False)
    dom: list[Rule] = field(init=False)
    detectors: dict[str, Rule] = field(init=False)

    def __post_init__(self) -> None:
        self.matcher = Matcher([r for r in self.rules if r.kind in TEXT_KINDS])
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
                scope = self._by_rules[ids] = Scope(chosen)
            self._scopes[key] = scope
        return scope
