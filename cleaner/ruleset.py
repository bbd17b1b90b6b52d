"""Compiled rules, chosen by a document's site and language.

Site rules are looked up by domain (the host and each parent domain), so the
cost of a document does not grow with the number of site files. The rules that
apply to one (sites, language) scope are compiled once and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator
from urllib.parse import urlsplit

from ahocorasick_rs import BytesAhoCorasick, Implementation

from .document import Block, Document
from .literals import required_literals
from .rules import Rule


TEXT_KINDS = ("block", "span", "section", "tail")


class Matcher:
    """The text rules of a scope behind one literal prefilter (see literals.py).

    ``scan`` finds, per block, the rules whose required literal occurs in it; a
    pass then runs only those rules' regexes (in rule order), plus the few rules
    without a usable literal ("unanchored"), which are tried on every block.
    """

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self.regexes = [r.regex() for r in rules]
        by_literal: dict[str, list[int]] = {}
        self.unanchored: dict[str, list[int]] = {k: [] for k in TEXT_KINDS}
        for idx, rule in enumerate(rules):
            literals = required_literals(rule.pattern or "")
            if literals is None:
                self.unanchored[rule.kind].append(idx)
            else:
                for lit in literals:
                    by_literal.setdefault(lit, []).append(idx)
        variants: dict[bytes, set[int]] = {}
        for lit, idxs in by_literal.items():
            for form in {lit, lit.upper(), lit.title()}:
                variants.setdefault(form.encode("utf-8").lower(), set()).update(idxs)
        self.literals = list(variants)
        self.literal_rules = [sorted(variants[lit]) for lit in self.literals]
        self.automaton = (BytesAhoCorasick(self.literals, implementation=Implementation.DFA)
                          if self.literals else None)

    def scan(self, doc: Document) -> dict[str, dict[int, set[int]]]:
        """Rule kind → block index → indexes of the rules whose literal occurs in that block.

        The scan runs on UTF-8 bytes lower-cased for ASCII only (ten times cheaper than
        str.lower on non-ASCII text); literals were added in upper and title case too,
        which covers non-ASCII capitals in the usual spellings ("ÜBER UNS", "Über uns").
        """
        hits: dict[str, dict[int, set[int]]] = {k: {} for k in TEXT_KINDS}
        if self.automaton is None:
            return hits
        view = doc.view()
        data = view.folded
        found = self.automaton.find_matches_as_indexes(data, overlapping=True)
        found.sort(key=lambda f: f[1])
        line = pos = 0
        rules = self.rules
        for lit, start, _ in found:
            line += data.count(b"\n", pos, start)
            pos = start
            i = view.alive[line][0]
            for idx in self.literal_rules[lit]:
                hits[rules[idx].kind].setdefault(i, set()).add(idx)
        return hits

    def candidates(self, doc: Document, kind: str) -> list[tuple[int, list[int]]]:
        """(block index, rule indexes to try, in order) for the blocks a kind's rules may hit."""
        found = doc.hits(self)[kind]
        extra = self.unanchored[kind]
        if extra:
            merged = {i: set(extra) for i, _ in doc.alive()}
            for i, idxs in found.items():
                merged.setdefault(i, set()).update(idxs)
            found = merged
        blocks = doc.blocks
        return [(i, sorted(found[i])) for i in sorted(found) if blocks[i].removed_by is None]

    def first_full(self, idxs: list[int], block: Block) -> Rule | None:
        """The first of these rules whose pattern matches all of the block within its limits."""
        text = block.text.strip()
        for idx in idxs:
            rule = self.rules[idx]
            kinds = rule.options.get("kinds")
            if (len(text) <= rule.options.get("max_chars", len(text))
                    and not (kinds and block.kind not in kinds)
                    and self.regexes[idx].fullmatch(text)):
                return rule
        return None

    def spans(self, idxs: list[int], block: Block) -> Iterator[tuple[Rule, re.Match[str]]]:
        """Every (rule, match) of these span rules in the block, rules in order."""
        for idx in idxs:
            rule = self.rules[idx]
            kinds = rule.options.get("kinds")
            if kinds and block.kind not in kinds:
                continue
            for m in self.regexes[idx].finditer(block.text):
                if m.end() > m.start():
                    yield rule, m


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

    @cached_property
    def dom_xpath(self):  # type: ignore[no-untyped-def]
        from .dom import compile_selectors

        return compile_selectors(self.dom)


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
            scope = self._scopes[key] = Scope(chosen)
        return scope
