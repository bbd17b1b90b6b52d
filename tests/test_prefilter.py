"""The Hyperscan prefilter: the loose patterns of rules without a literal must find
every line a rule's own regex matches (they may find more; the regex decides)."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaner.document import Block, Document, utf8
from cleaner.prefilter import FLAGS, Prefilter, loose_pattern, scan
from cleaner.rules import Rule, default_rules
from cleaner.ruleset import Matcher
from cleaner.segment import split_text


def rule(pattern: str, kind: str = "block", case_sensitive: bool = False,
         **options: int) -> Rule:
    return Rule(id="test.r", category="test", description="", kind=kind, file="t.toml",
                pattern=pattern, case_sensitive=case_sensitive, options=options)


def python_matches(r: Rule, line: str) -> bool:
    if r.kind == "span":
        return any(m.end() > m.start() for m in r.regex().finditer(line))
    return r.regex().fullmatch(line.strip()) is not None


def lines_of(prefilter: Prefilter, text: str) -> set[int]:
    """The lines where the prefilter's patterns match (a match's last byte is on it)."""
    data = utf8(text)
    return {data.count(b"\n", 0, max(end - 1, 0)) for _, end in scan(prefilter.db, data)}


def scan_finds(r: Rule, lines: list[str]) -> set[int]:
    return lines_of(Prefilter(((loose_pattern(r), FLAGS),)), "\n".join(lines))


# Shapes that Hyperscan cannot take as they are, and that a loose translation must
# still cover: look-arounds, back-references, conditionals, atomic groups and possessive
# repeats, nested bounded repeats, case rules beyond ASCII (the Kelvin sign is a "k",
# "ſ" an "s"), Unicode digits and word characters, negated classes with letters in a
# case-sensitive rule (the scan is caseless), escapes of a newline.
PATTERNS = [
    (r"(?=\d|mon)(?:\d{1,2}|mon|tue)(?:[ .:]+(?:\d{1,4}|am|pm|gmt)){0,4}", "block", False),
    (r"(?:(?:photo|image)\s*)?\d{1,3}\s*(?:of|/)\s*\d{1,3}", "block", False),
    (r"[(\[]\s*[\w .'’-]{1,40}?\s*/\s*(?:getty|afp|ap)\s*[)\]]\s*$", "span", False),
    (r"(?<![\w])(\w+) \1(?!\w)", "span", False),
    (r"(\()?\d+(?(1)\))", "block", False),
    (r"(?>ab|a)c|x*+y", "block", False),
    (r"(?:[A-Z][a-z]{1,3}\.? ){2,12}\d{4}", "block", True),
    (r"[^a-z ]{2,5}", "block", True),
    (r"[^A-Z]+ ÜBER", "span", True),
    (r"kelvin\sſession", "block", False),
    (r"über \w+", "block", False),
    (r"\bend\b\Z", "span", False),
    (r"end$", "span", False),
    (r"^(?:photo|ab)\b", "span", False),
    (r"(?m)^end", "span", False),
    (r"^\s+x", "span", False),
    (r"a\nb", "span", False),
    (r"x[\r\n]y", "span", False),
]
TOKENS = st.sampled_from(["mon", "Tue", "12", "3", "٣", " of ", "/", "GMT", " ", ".", ":",
                          "Photo", "(", ")", "[", "]", "Getty", "AP", "ab", "c", "x", "y",
                          "Über", "ÜBER", "über", "Kelvin", "K", "ſession", "session",
                          "End", "END", "a", "b", "\n", "\r", "\xa0", "é", "Z", "q"])


@settings(max_examples=600, deadline=None)
@example(["x END\n"], (r"end$", "span", False))  # a final line break is a space in the view
@example(["x\nEND"], (r"(?m)^end", "span", False))
@example(["END"], (r"[^a-z ]{2,5}", "block", True))  # upper case is lower case in the scan
@example(["12\n12"], (r"[^a-z ]{2,5}", "block", True))  # the class takes the line break
@example(["\u212aELVIN\xa0SESSION"], (r"kelvin\sſession", "block", False))
@example(["Über ٣"], (r"über \w+", "block", False))
@example(["\xa0x"], (r"^\s+x", "span", False))  # the view keeps a block's leading space
@given(st.lists(st.lists(TOKENS, min_size=1, max_size=8).map("".join), min_size=1,
                max_size=4),
       st.sampled_from(PATTERNS))
def test_loose_pattern_finds_every_line_the_regex_matches(raw_lines, spec):
    r = rule(*spec)
    # The view holds a block's own line breaks as spaces (document.View).
    lines = [text.replace("\n", " ").replace("\r", " ") for text in raw_lines if text.strip()]
    if not lines:
        return
    found = scan_finds(r, lines)
    for n, (raw, line) in enumerate(zip([t for t in raw_lines if t.strip()], lines)):
        if python_matches(r, raw):
            assert n in found, (line, loose_pattern(r))


def test_the_white_space_class_is_what_python_calls_white_space():
    from cleaner.prefilter import _SPACES

    listed = {c for a, b in _SPACES for c in range(a, b + 1)}
    assert listed == {c for c in range(0x110000) if chr(c).isspace()} - {10}


def test_the_scan_names_lines_and_can_say_no():
    r = rule(r"\d{1,2}\.\d{1,2}\.\d{4}")
    assert scan_finds(r, ["Prose before.", "12.3.2024", "More prose.", " 1.1.1999 "]) == {1, 3}
    assert scan_finds(r, ["Prose.", "On 12.3.2024 it rained."]) == set()


def test_an_untranslatable_pattern_lets_every_line_through():
    broken = rule("(", kind="span")  # the checker refuses it in a rule file; here no crash
    assert scan_finds(broken, ["one", "two"]) == {0, 1}


def test_a_pattern_hyperscan_refuses_lets_every_line_through():
    from cleaner.prefilter import _compile, literal_pattern

    refused = ("(?<=a)b", FLAGS)  # a look-behind: Hyperscan refuses it
    sources = (literal_pattern(b"photo", False, False), refused)
    prefilter = Prefilter.__new__(Prefilter)  # as a worker unpickles it
    prefilter.__setstate__({"sources": sources, "serialized": _compile(sources),
                            "short_sources": (), "short_serialized": b""})
    assert lines_of(prefilter, "one\nphoto two\nthree") == {0, 1, 2}


def _unanchored_rules() -> list[Rule]:
    rules = [r for r in default_rules() if r.kind in ("block", "span", "section", "tail")]
    matcher = Matcher(rules)
    return [rules[i] for i in matcher.index.unanchored]


@pytest.mark.parametrize("r", _unanchored_rules(), ids=lambda r: r.id)
def test_the_scan_finds_every_remove_example_of_the_default_rules(r):
    """The rules that reach Hyperscan in practice: each remove example, alone and between
    two paragraphs, is a line the scan names."""
    for example in r.remove:
        text = example.text
        lines = ["A paragraph of the article.", text.replace("\n", " "), "Another one."]
        if python_matches(r, text):
            assert 1 in scan_finds(r, lines), (text, r.id)


def test_literals_and_loose_patterns_share_one_scan_that_survives_pickling():
    date = rule(r"\d{1,2}\.\d{1,2}\.\d{4}")
    photo = rule(r"photo: \w+")
    matcher = Matcher([date, photo])
    assert matcher.index.unanchored == [0]  # the date has no literal; "photo: " is one
    doc = Document()
    doc.set_blocks(split_text("Prose.\n1.2.2003\nPHOTO: Ann Lee\nA photo: of prose, long.\n"
                              "\t photo: Bo Li\n\u00a0\u3000\u2009Photo: Cy Wu\n\u2003 4.5.2006")[0])
    # The literal opens lines 2, 4 and 5 (after white space, ASCII or not), not 3; the
    # date is lines 1 and 6.
    assert matcher.scan(doc)["block"] == {1: {0}, 2: {1}, 4: {1}, 5: {1}, 6: {0}}
    # Pickled (a worker's copy), the scan still works; and where the database cannot be
    # loaded (built for another CPU), it is built again from its patterns.
    again = pickle.loads(pickle.dumps(matcher))
    assert again.index._prefilters[0] is not None  # compiled once, not in each worker
    assert again.scan(doc) == matcher.scan(doc)
    state = matcher.index.prefilter(False).__getstate__()
    state["serialized"] = b"not a database"
    again.index.prefilter(False).__setstate__(state)
    assert again.scan(doc) == matcher.scan(doc)


def test_a_literal_that_opens_lines_is_found_there_with_or_without_white_space_before():
    """The literal is spelled with the newline before it for a document whose lines all
    open with a word (the first line too: the view opens with a newline), and with ``^``
    and white space for a document with a line that opens with white space."""
    by = rule(r"(?:by|par) \w+( \w+)?")
    matcher = Matcher([by])
    flat = Document()
    flat.set_blocks(split_text("By Ann Lee\nStood by the pier\nPAR Jean Roy\nby Bo")[0])
    assert not flat.view().indented
    assert matcher.scan(flat)["block"] == {0: {0}, 2: {0}, 3: {0}}
    indented = Document()
    indented.set_blocks(split_text("By Ann Lee\nStood by the pier\n\u00a0 par Jean Roy\n\tby Bo")[0])
    assert indented.view().indented
    assert matcher.scan(indented)["block"] == {0: {0}, 2: {0}, 3: {0}}
    # A quotation mark shares its first byte with some white space; it is no indent.
    quoted = Document()
    quoted.set_blocks(split_text("\u201cBy the pier\u201d\nby Bo")[0])
    assert not quoted.view().indented


OPENERS = st.sampled_from(["By", "by", "PAR", "par", " ", "\t", "\xa0", "\u3000", "x", "Ann",
                           "\u201c", "-"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(OPENERS, min_size=1, max_size=6).map("".join), min_size=1, max_size=5))
def test_a_literal_that_opens_lines_names_every_line_the_rule_takes(lines):
    """Lines that open with the literal, after white space or not, in documents with
    and without indented lines: the scan names each one the rule's regex takes."""
    r = rule(r"(?:by|par) \w+")
    doc = Document()
    doc.set_blocks(split_text("\n".join(lines))[0], line_breaks=False)
    found = Matcher([r]).scan(doc)["block"]
    for i, block in enumerate(doc.blocks):
        if r.regex().fullmatch(block.text.strip()):
            assert i in found, (block.text, doc.view().indented)


def test_a_block_with_line_breaks_of_its_own_is_one_line_of_the_view():
    """HTML blocks may hold line breaks (a <br>): the view makes them spaces, so a rule
    sees the block as one line; text input's blocks are lines already."""
    doc = Document()
    doc.set_blocks([Block("Photo:\nAnn Lee"), Block("Prose\r\nhere.")])
    assert doc.view().lines == [b"Photo: Ann Lee", b"Prose  here."]
    assert Matcher([rule(r"photo: \w+ \w+")]).scan(doc)["block"] == {0: {0}}


def test_the_first_bytes_of_white_space_are_the_ones_the_view_looks_at():
    from cleaner.document import MAY_OPEN_WITH_SPACE

    firsts = {chr(c).encode()[0] for c in range(0x110000)
              if chr(c).isspace() and not 0xD800 <= c < 0xE000}
    assert {b for b in range(256) if MAY_OPEN_WITH_SPACE[b]} == firsts


def test_patterns_of_rules_that_read_short_blocks_only_scan_the_short_lines_only():
    """A pattern whose rules all have a small max_chars (a whole-block rule's loose
    pattern, a literal) is run over the short lines alone (a second database, of every
    pattern); the long lines get the first database, of the other patterns only. The
    matches still name the right blocks, between long ones that hold the same words."""
    date = rule(r"\d{1,2}\.\d{1,2}\.\d{4}", max_chars=20)
    span = rule(r"\(\d{4}\)", kind="span")
    credit = rule(r"photo: \w+", max_chars=40)
    matcher = Matcher([date, span, credit])
    index = matcher.index
    assert index.unanchored == [0, 1] and index.short_limit == 40
    # The span rule reads whole paragraphs; the date's and the credit's patterns are short.
    databases = index.prefilter(False)
    assert len(databases.sources) == 1 and len(databases.short_sources) == 3
    assert databases.short_sources[:1] == databases.sources
    long = ("A long paragraph of the article that also holds 1.2.2003 (1999) and photo: Ann "
            "in its middle. ") * 2
    doc = Document()
    # Block 5 has its one span at its start (the buffer puts the short lines first).
    other = "Another long paragraph, with no year in brackets in it, that goes on. " * 3
    doc.set_blocks(split_text(f"{long}\n1.2.2003\n{long}\nÜber uns – 3.4.2005\n\t 5.6.2007\n"
                              f"(2001) {other}\nPhoto: Bo Li\nPhoto: Ann Lee, who took it {long}")[0])
    hits = matcher.scan(doc)
    # A date with words before it is not a lone one; a long block holds no credit line.
    assert hits["block"] == {1: {0}, 4: {0}, 6: {2}}
    assert hits["span"] == {0: {1}, 2: {1}, 5: {1}, 7: {1}}
    again = pickle.loads(pickle.dumps(matcher))
    assert again.scan(doc) == hits
