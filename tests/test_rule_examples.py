"""Every rule's own examples, one test id per example (``pytest -k caption.pic``)."""

from __future__ import annotations

import pytest

from cleaner.rules import default_rules
from cleaner.ruletest import cases, check

RULES = default_rules()
CASES = list(cases(RULES))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_example(case):
    failure = check(case)
    assert failure is None, failure


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_remove_and_keep_examples(rule):
    assert rule.remove, f"{rule.id} has no example of what it removes"
    assert rule.keep, f"{rule.id} has no example of what it must keep"
    assert rule.description.strip()


def test_every_generic_file_is_one_category():
    by_file: dict[str, set[str]] = {}
    for rule in RULES:
        # dom rules and detectors are grouped by mechanism, the rest one category per file
        if "/generic/" in rule.file.replace("\\", "/") and rule.kind not in ("dom", "detector"):
            by_file.setdefault(rule.file, set()).add(rule.category)
    assert by_file
    mixed = {f: c for f, c in by_file.items() if len(c) > 1}
    assert not mixed, f"generic rule files mix categories: {mixed}"


def test_ids_are_unique_and_dotted():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all("." in i for i in ids)
