"""The literal prefilter: every match of a rule contains one of its literals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.literals import required_literals
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


# -- edge gates: rules without a literal are tried only on blocks with possible edges --

EDGE_PATTERNS = [
    r"(?=\d|(?:mon|tue)\b)(?:\d{1,2}|mon|tue)(?:[ .:]+(?:\d{1,4}|am|pm|gmt)){0,4}",
    r"(?:(?:photo|image)\s*)?\d{1,3}\s*(?:of|/)\s*\d{1,3}",
    r"[\[(]?\s*(?:advertisement|ads?)\s*[\])]?\s*\.?",
    r"[(\[]\s*[\w .'-]{1,20}?\s*/\s*(?:getty|afp)\s*[)\]]\s*$",
    r"(?:Kelvin|seſsion)\s[ſK]+",
]


@pytest.mark.parametrize("pattern, first, last", [
    (r"\d{1,3} of \d{1,3}", set("0123456789"), set("0123456789")),
    (r"(?=\d|mon)(?:\d+|monday|mon|tuesday)", set("0123456789m"), None),
    (r"(?:pic|photo)s?:\s*\w+", {"p"}, None),
    (r".*credit", None, {"t"}),
])
def test_edge_chars(pattern, first, last):
    from cleaner.literals import edge_chars

    got_first, got_last = edge_chars(pattern, last=False), edge_chars(pattern, last=True)
    assert got_first == (frozenset(first) if first else None)
    if last is not None:
        assert got_last == frozenset(last)


EDGE_TEXT = st.lists(st.sampled_from(["mon", "Tue", "12", "3", " of ", "/", "GMT", " ", ".",
                                      ":", "Photo", "(", ")", "[", "]", "Getty", "AFP", "ads",
                                      "Advertisement", "ſ", "K", "K", "٣", "x"]),
                     min_size=1, max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(EDGE_TEXT, st.sampled_from(EDGE_PATTERNS))
def test_edge_gate_never_hides_a_match(text, pattern):
    """Where a pattern matches a whole stripped block, or ends a block ($), the block's
    first and last characters pass its gates (ASCII judged, anything else passes)."""
    from cleaner.literals import edge_chars, ends_at_end

    def passes(chars, c):
        return chars is None or not c.isascii() or c.lower() in chars

    stripped = text.strip()
    if not stripped:
        return
    if re.fullmatch(pattern, stripped, re.IGNORECASE):
        assert passes(edge_chars(pattern, last=False), stripped[0])
        assert passes(edge_chars(pattern, last=True), stripped[-1])
    if ends_at_end(pattern) and re.search(pattern, text, re.IGNORECASE):
        assert passes(edge_chars(pattern, last=True), stripped[-1])
