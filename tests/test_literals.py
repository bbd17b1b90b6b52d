"""The literal prefilter: every match of a rule contains one of its literals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.literals import block_literals, required_literals
from cleaner.rules import parse_file


@pytest.mark.parametrize("pattern, expected", [
    ("advertisement", {"advertisement"}),
    (r"please enter your (?:comment|name)", {"please enter your comment", "please enter your name"}),
    (r"(?:pic|photo)s?\s*:\s*\w+", {"pic", "photo"}),
    (r"[Ff]ollow us on \w+", {"follow us on "}),
    (r"[A-Z]{3,}: .*", None),  # nothing literal: checked on every block
    (r"(?:ab|photo)", None),  # one branch too short to be worth it
])
def test_required_literals(pattern, expected):
    found = required_literals(pattern)
    assert (set(found) if found else None) == expected


def test_leading_literals_stop_where_more_would_be_too_many():
    """Past MAX_ALTERNATIVES strings the prefixes found so far are kept: every match
    still starts with one of them (an empty answer sent the rule to a weak literal)."""
    pairs = ["ab", "cd", "ef", "gh", "ij", "kl", "mn", "op"]
    pattern = r"(?:got|have) " + f"(?:{'|'.join(pairs)})" * 4 + " tip"
    assert block_literals(pattern) == {(f"{w} {x}{y}", True) for w in ("got", "have")
                                       for x in pairs for y in pairs}


def test_each_branch_of_a_whole_block_rule_gets_its_own_literals():
    """"por" alone, anywhere in a line, is in "report" and "support"; the branch that
    opens with it gets it at a line's start, the other branch what it contains."""
    pattern = r"por:?\s+\w+|\d+ min de leitura"
    assert required_literals(pattern) == {"por", " min de leitura"}
    assert block_literals(pattern) == {("por", True), (" min de leitura", False)}
    assert block_literals(r"\w+|\d+ min de leitura") is None  # a branch without one
    assert block_literals(r"by \w+") == {("by ", True)}


RULE = """
[[rule]]
id = "legal.test-umlaut"
category = "legal"
description = "A non-ASCII literal."
kind = "block"
pattern = 'über uns'
remove = ["Über uns"]
keep = ["Wir sprechen über uns selbst."]
"""


@pytest.mark.parametrize("line", ["über uns", "Über uns", "ÜBER UNS", "Über Uns"])
def test_prefilter_finds_non_ascii_capitals(line):
    cleaner = Cleaner(rule_list=parse_file(RULE, "t.toml"))
    assert cleaner.clean_text(f"Body text here.\n{line}\n").text == "Body text here.\n"


WORDS = st.sampled_from(["photo", "Photo", "PIC", "pic:", "credit", "the", "(", ")", ":", "ä",
                         "Über", "x", " ", "getty", "AP"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=12).map("".join))
def test_prefilter_never_hides_a_match(text):
    """Wherever a rule's regex matches, the text contains one of its literals (folded)."""
    pattern = r"[(\[]\s*(?:pic(?:ture)?s?|photos?|credit)\s*:\s*[^()]{1,20}[)\]]"
    literals = required_literals(pattern)
    assert literals
    if re.search(pattern, text, re.IGNORECASE):
        folded = text.encode().lower()
        variants = {f.encode().lower() for lit in literals for f in (lit, lit.upper(), lit.title())}
        assert any(v in folded for v in variants)
