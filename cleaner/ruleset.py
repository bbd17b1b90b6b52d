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

from .rules import Rule


class PatternSet:
    """Many regexes tried as one.

    The combined alternation rejects the common case (a block no rule touches) in a
    single call; only on a hit are the rules tried one by one, in order, to name
    the rule that fired and check its limits.
    """

    def __init__(self, rules: list[Rule]):
        self.rules = [(r, r.regex()) for r in rules]
        parts = [f"(?{'' if r.case_sensitive else 'i'}:{r.pattern})" for r in rules]
        self.combined = re.compile("|".join(parts)) if parts else None

    def __bool__(self) -> bool:
        return self.combined is not None

    def fullmatch(self, text: str, kind: str) -> Rule | None:
        """The first rule whose pattern matches all of ``text`` and whose limits allow it."""
        if self.combined is None or not self.combined.fullmatch(text):
            return None
        for rule, rx in self.rules:
            if _fits(rule, text, kind) and rx.fullmatch(text):
                return rule
        return None

    def search(self, text: str, kind: str) -> Iterator[tuple[Rule, re.Match[str]]]:
        """Every (rule, match) in ``text``; rules in order, matches left to right."""
        if self.combined is None or not self.combined.search(text):
            return
        for rule, rx in self.rules:
            kinds = rule.options.get("kinds")
            if kinds and kind not in kinds:
                continue
            for m in rx.finditer(text):
                if m.end() > m.start():
                    yield rule, m


def _fits(rule: Rule, text: str, kind: str) -> bool:
    kinds = rule.options.get("kinds")
    return len(text) <= rule.options.get("max_chars", len(text)) and not (kinds and kind not in kinds)


@dataclass(slots=True)
class Scope:
    """The rules that apply to one document, ready to run."""

    rules: list[Rule]
    blocks: PatternSet = field(init=False)
    spans: PatternSet = field(init=False)
    sections: PatternSet = field(init=False)
    tails: PatternSet = field(init=False)
    dom: list[Rule] = field(init=False)
    detectors: dict[str, Rule] = field(init=False)
    max_block_chars: int = field(init=False)

    def __post_init__(self) -> None:
        by_kind: dict[str, list[Rule]] = {}
        for rule in self.rules:
            by_kind.setdefault(rule.kind, []).append(rule)
        self.blocks = PatternSet(by_kind.get("block", []))
        self.spans = PatternSet(by_kind.get("span", []))
        self.sections = PatternSet(by_kind.get("section", []))
        self.tails = PatternSet(by_kind.get("tail", []))
        self.dom = by_kind.get("dom", [])
        # One rule per detector: the last one loaded wins (a site file can tune it).
        self.detectors = {r.detector: r for r in by_kind.get("detector", []) if r.detector}
        limits = [r.opt("max_chars") for r in self.rules if r.kind in ("block", "section", "tail")]
        self.max_block_chars = max(limits, default=0)

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
