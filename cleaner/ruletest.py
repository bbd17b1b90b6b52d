"""Run a rule's own examples: what it must remove and what it must keep.

Used by the test suite (one test id per example) and by ``cleaner rules test``
for users' own rule files. Each example runs with that rule alone, so a failure
points at the rule, not at a neighbour.
"""

from __future__ import annotations

import difflib
from typing import Iterator, NamedTuple

from .document import Document, normalize
from .rules import Example, Rule


class Case(NamedTuple):
    rule: Rule
    example: Example
    must_remove: bool

    @property
    def name(self) -> str:
        which = "remove" if self.must_remove else "keep"
        index = (self.rule.remove if self.must_remove else self.rule.keep).index(self.example)
        return f"{self.rule.id}:{which}{index}"


def cases(rules: list[Rule]) -> Iterator[Case]:
    for rule in rules:
        for ex in rule.remove:
            yield Case(rule, ex, True)
        for ex in rule.keep:
            yield Case(rule, ex, False)


def check(case: Case) -> str | None:
    """None if the example holds, else what went wrong."""
    from .pipeline import Cleaner

    rule, ex = case.rule, case.example
    cleaner = Cleaner(rule_list=[rule])
    doc = Document(source=case.name, format="html" if rule.kind == "dom" else "text",
                   url=f"https://{rule.sites[0]}/" if rule.sites else None,
                   lang=rule.langs[0] if rule.langs else None)
    text = ex.text
    if rule.kind == "dom" and "<html" not in text.lower():
        text = f"<html><body><article><p>{'Body text of the article. ' * 40}</p>{text}</article></body></html>"
    cleaner.clean_document(doc, text)
    fired = [r.text for r in doc.removals if r.rule_id == rule.id]
    if case.must_remove and not fired:
        return f"{case.name}: removed nothing from {ex.text!r}"
    if not case.must_remove and fired:
        return f"{case.name}: removed {fired!r} from text it must keep"
    if ex.clean is not None:
        got, want = doc.render(), normalize(ex.clean)
        if got != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                "expected", "got"))
            return f"{case.name}: output differs from 'clean'\n{diff}"
    return None
