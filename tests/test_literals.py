"""The literal prefilter: every match of a rule contains one of its literals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.literals import block_literals, edge_chars, literal_sets, required_literals
from cleaner.document import Block
from cleaner.rules import parse_file
from cleaner.ruleset import Matcher


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


CREDIT = r".{0,280}[(\[]\s*(?:pic|photos?|credit)\s*:\s*[^()\[\]]{1,60}[)\]]"
COOKIES = r"by (?=.{0,80}?(?:cookie|privacy))(?:using|browsing) (?:this|our) site you agree.*"


@pytest.mark.parametrize("pattern, expected", [
    (CREDIT, [{"pic", "photo", "credit"}, {":"}, {")", "]"}]),
    # A look-ahead's literals are in the text too; a negative one's and an optional
    # part's are not.
    (COOKIES, [{f"{v} {w} site you agree" for v in ("using", "browsing") for w in ("this", "our")},
               {"cookie", "privacy"}, {"by "}]),
    (r"(?!.*cookie)share(?: on facebook)?", [{"share"}]),
    (r"\d+ of \d+", [{" of "}]),
    (r"[A-Z]{3,}: .*", [{": "}]),
    (r"\w+", []),
])
def test_literal_sets(pattern, expected):
    assert [set(s) for s in literal_sets(pattern)] == expected


def _pick(*options: str) -> st.SearchStrategy[str]:
    return st.sampled_from(options)


# Near-misses and matches of the two patterns, about a third of them matches.
CREDITS = st.tuples(_pick("", "The crowd ", "Über uns "), _pick("(", "[", ""),
                    _pick("Pic", "PHOTOS", "Credit", "picture"), _pick("", " ", "\t"),
                    _pick(":", " :", ""), _pick("Jo Smith", "AP", "ÄÖ"), _pick(")", "]", "")
                    ).map("".join)
CONSENTS = st.tuples(_pick("By ", "by ", ""), _pick("using ", "browsing ", "reading "),
                     _pick("this", "OUR"), _pick(" site you agree", " site, you agree"),
                     _pick(" to cookies.", " to our Privacy policy", "", " to the terms")
                     ).map("".join)


@settings(max_examples=300, deadline=None)
@given(CREDITS, CONSENTS)
def test_a_block_the_regex_takes_holds_a_literal_of_every_set(credit, consent):
    """What lets the matcher skip a rule's regex on a block (ruleset._holds): wherever
    the regex matches, the lower-cased text has a literal of each of its sets."""
    for pattern, text in ((CREDIT, credit), (COOKIES, consent)):
        if re.fullmatch(pattern, text, re.IGNORECASE):
            low = text.lower()
            assert all(any(lit in low for lit in s) for s in literal_sets(pattern))


CREDIT_RULE = """
[[rule]]
id = "caption.test-credit"
category = "caption"
description = "A caption that ends in a credit."
kind = "block"
max_chars = 300
pattern = '''%s'''
remove = ["A crowd at the stadium (Photo: Jo Smith)"]
keep = ["She showed the photo: it was taken in May."]
""" % CREDIT


def test_the_matcher_checks_only_the_sets_its_scan_does_not_imply():
    rule = parse_file(CREDIT_RULE, "t.toml")[0]
    matcher = Matcher([rule])
    assert matcher.checks == [((":",), (")", "]"))]  # "photo" is what the scan looked for
    tried: list[str] = []

    class Spy:
        def fullmatch(self, text: str) -> re.Match[str] | None:
            tried.append(text)
            return re.fullmatch(CREDIT, text, re.IGNORECASE)

    matcher.regexes = [Spy()]  # type: ignore[list-item]
    # A block without a closing bracket is not tried; one with all the literals is.
    assert matcher.first_full([0], Block("She showed the photo: it was taken in May.")) is None
    assert matcher.first_full([0], Block("A crowd at the stadium (Photo: Jo Smith)")) is rule
    assert tried == ["A crowd at the stadium (Photo: Jo Smith)"]


@pytest.mark.parametrize("pattern, ignore_case, opens, ends", [
    (CREDIT, True, None, {")", "]"}),  # it opens with any character
    (r"\s*(?:photo|pic)s?:\s*\w+", True, {"p", "P"}, None),  # white space is stripped
    (r"(?:by )?reuters\.?", True, set("bBrR"), {".", "s", "S", "ſ"}),  # "ſ" matches "s"
    (r"Foo(?=\s)|bar", False, {"F", "b"}, {"o", "r"}),  # a look-ahead reads no character
    (r"(?i)Foo", False, {"f", "F"}, {"o", "O"}),
    (r"\d+ min read", True, None, {"d", "D"}),
])
def test_edge_chars(pattern, ignore_case, opens, ends):
    assert edge_chars(pattern, ignore_case) == (opens and frozenset(opens), ends and frozenset(ends))


# Each pattern with near-misses and matches of it.
EDGES = [
    (CREDIT, CREDITS),
    (r"(?:by )?reuters\.?", st.tuples(_pick("", "By ", "by", "BY "), _pick("Reuters", "REUTERſ", "x"),
                                      _pick("", ".", " .")).map("".join)),
    (r"\s*(?:pic|photo)s?\s*:\s*(?:jo|ann)?",
     st.tuples(_pick("", " ", "\t"), _pick("Pic", "PHOTOS", "pics", "a"), _pick("", " "),
               _pick(":", ""), _pick("", " "), _pick("", "Jo", "ANN", ".")).map("".join)),
    (r"(?:ab|c?)+d*", st.lists(_pick("ab", "c", "d", "a", " "), max_size=6).map("".join)),
]


@settings(max_examples=300, deadline=None)
@given(st.tuples(*(texts for _, texts in EDGES)))
def test_a_block_the_regex_takes_opens_and_ends_with_its_edge_chars(texts):
    """What lets the matcher skip a block rule's regex on a block by its first and last
    character (ruleset.Matcher.first_full)."""
    for (pattern, _), text in zip(EDGES, texts):
        text = text.strip()
        if text and re.fullmatch(pattern, text, re.IGNORECASE):
            opens, ends = edge_chars(pattern, True)
            assert opens is None or text[0] in opens
            assert ends is None or text[-1] in ends
