"""Properties over generated text (hypothesis): cleaning never raises, cleaning
clean text changes nothing (clean(clean(x)) == clean(x)), and normalize keeps its contract."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, repeats
from cleaner.document import Block, Document, View, normalize
from cleaner.segment import split_text

CLEANER = Cleaner()

# Lines the default rules act on, article-like lines, and arbitrary text, so the
# generated documents exercise every pass (and their interplay), not just "no match".
NOISY = ["SCENE: Crowds at the pier (Pic: AGENCY)", "Please enter your comment!",
         "Please enter your name here", "Write to Sam Lee at sam.lee@example.com",
         "More Must-Reads from the Weekly", "- A link to another story", "* * *", "---",
         "Harbour summit in the north", "“The harbour will reopen on Monday,” she said.",
         "Jo Smith", "The harbour will reopen on Monday, she said at the meeting."]
line = st.one_of(st.sampled_from(NOISY), st.text(max_size=80),
                 st.text(alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "P"]),
                         max_size=120))
document = st.lists(st.tuples(line, st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"])),
                    max_size=25).map(lambda rows: "".join(t + sep for t, sep in rows))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text())
def test_cleaning_arbitrary_text_never_raises(text):
    out, removals = CLEANER.clean_text(text)
    assert isinstance(out, str)
    assert out == "" or out.endswith("\n")
    assert all(r.rule_id and r.pass_name for r in removals)


@SETTINGS
@given(document)
def test_cleaning_is_idempotent(text):
    once = CLEANER.clean_text(text).text
    assert CLEANER.clean_text(once).text == once


@SETTINGS
@given(document)
def test_removed_text_comes_from_the_input(text):
    for removal in CLEANER.clean_text(text).removals:
        assert removal.text.strip() in text.replace("\r\n", "\n").replace("\r", "\n")


@SETTINGS
@given(document)
def test_cleaning_with_the_text_s_utf8_gives_the_same_result(text):
    """A UTF-8 file's bytes only spare the passes some encoding (batch.clean_one)."""
    def cleaned(*content):
        doc = CLEANER.clean_document(Document(), *content)
        return doc.render(), [(r.rule_id, r.block, r.text) for r in doc.removals]
    expected = cleaned(text)
    assert cleaned(text, text.encode()) == expected
    assert cleaned(text.encode()) == expected


def _normalized_line_by_line(text: str) -> str:
    """normalize's contract spelled out one line at a time."""
    out: list[str] = []
    for line in (raw.rstrip() for raw in text.split("\n")):
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


@SETTINGS
@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000ab"))
def test_normalize_strips_lines_and_collapses_blank_runs(text):
    assert normalize(text) == _normalized_line_by_line(text)


@SETTINGS
@given(document, st.lists(st.integers(min_value=0, max_value=30), max_size=6),
       st.sampled_from(["remove", "cut", "undo"]), st.booleans())
def test_a_view_made_after_changes_equals_a_fresh_one(text, picks, change, with_utf8):
    """After blocks are removed, Document.view reuses the last view's lines; after
    a text change it encodes again; before any, it takes the lines the input came with,
    if any (a UTF-8 file's). Either way it must equal a view made from scratch (one
    that looks for line breaks in the blocks: text input says it has none)."""
    doc = Document()
    text = text.replace("\r", "") + "Über uns\nZweite\nZeile"
    blocks, encoded = split_text(text, text.encode() if with_utf8 else None)
    doc.set_blocks(blocks, line_breaks=False, encoded=encoded)
    assert doc.view().lines == View(doc.alive()).lines
    for k in picks:
        i = k % len(doc.blocks)
        if change == "cut" and doc.blocks[i].text:
            doc.cut_span(i, 0, 1, "test", "test.r", "test")
        else:
            doc.remove_block(i, "test", "test.r", "test")
        if change == "undo":
            doc.undo(0)
        view, fresh = doc.view(), View(doc.alive())
        assert (view.utf8, view.lines, view.starts) == (fresh.utf8, fresh.lines, fresh.starts)
        # Block by block, the lines are the kept text encoded in one go and split.
        kept = "\n".join(b.text.replace("\n", " ").replace("\r", " ") for _, b in doc.alive())
        assert view.utf8 == b"\n" + kept.encode()
        assert view.lines == (kept.encode().split(b"\n") if doc.alive() else [])


def _split_by_lines(text: str) -> list[tuple[str, str]]:
    """split_text's contract, spelled with str.split: one block per non-blank line,
    rstripped, after "\\n\\n" if blank lines stood before it, else after "\\n"."""
    out, sep = [], "\n"
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.rstrip():
            out.append((line.rstrip(), sep))
            sep = "\n"
        else:
            sep = "\n\n"
    return out


@SETTINGS
@given(st.one_of(document, st.text()))
def test_split_text_makes_one_block_per_non_blank_line(text):
    blocks, encoded = split_text(text)
    assert [(b.text, b.sep) for b in blocks] == _split_by_lines(text)
    assert encoded is None


@SETTINGS
@given(st.one_of(document, st.text(), st.text(alphabet=st.sampled_from("ab\n\r \t\xa0\u3000\u2028é"))))
def test_split_text_cuts_each_block_s_utf8_from_the_input_s(text):
    """Given the text's UTF-8 too, the same blocks, and each one's text in UTF-8 (cut
    from the input's bytes, white space stripped the way str.rstrip strips it)."""
    blocks, encoded = split_text(text, text.encode())
    assert [(b.text, b.sep) for b in blocks] == _split_by_lines(text)
    assert encoded == [b.text.encode() for b in blocks]


@SETTINGS
@given(st.text(alphabet=st.sampled_from("ab \t\n\xa0\u3000.")), st.integers(0, 6))
def test_has_words_counts_as_split_does(text, n):
    assert repeats._has_words(text, n) == (len(text.split()) >= n)


@SETTINGS
@given(st.lists(st.text(alphabet=st.sampled_from("ab .")), min_size=1, max_size=6),
       st.text(alphabet=st.sampled_from("ab ."), max_size=3))
def test_holders_finds_the_lines_and_the_count_that_the_slow_way_finds(lines, frag):
    data = "\n".join(lines).encode()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    holders, count = repeats._holders(data, starts, frag.encode())
    assert holders == {q for q, line in enumerate(lines) if frag in line}
    assert count == data.count(frag.encode())


def _render_reference(blocks: list[Block]) -> str:
    """Document.render as first written: join, strip the newlines at the ends, add one."""
    out, rank = [], 3
    for block in blocks:
        rank = min(rank, ("\n\n", "\n", " | ").index(block.sep))
        if block.removed_by is None:
            out += [("\n\n", "\n", " | ")[rank], block.text.rstrip()]
            rank = 3
    text = "".join(out[1:]).strip("\n")
    if "\n" in text and any("\n" in b.text for b in blocks if b.removed_by is None):
        return normalize(text)
    return text + "\n" if text else ""


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["", " ", "a", "b c ", "x\ny", "\n"]),
                          st.sampled_from(["\n\n", "\n", " | "]), st.booleans()), max_size=6))
def test_render_joins_the_kept_blocks_as_the_reference_does(rows):
    doc = Document()
    doc.set_blocks([Block(text, "paragraph", sep) for text, sep, _ in rows])
    for i, (_, _, removed) in enumerate(rows):
        if removed:
            doc.remove_block(i, "test", "test.r", "test")
    assert doc.render() == _render_reference(doc.blocks)
