"""The text passes on small documents: what each removes, what each must leave."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, repeats
from cleaner.document import LIST_BULLETS, LIST_MARK, Block, Document, fold, utf8
from cleaner.rounds import VALVE_MIN_CHARS
from cleaner.rules import parse_file

BODY = ("The council met on Tuesday to discuss the new bridge, which has been delayed "
        "for three years by rising costs and a dispute over the design.")


def rules(text: str) -> Cleaner:
    return Cleaner(rule_list=parse_file(text, "test.toml"))


SECTION = """
[[rule]]
id = "promo.related-heading"
category = "promo"
description = "Related stories heading and its list."
kind = "section"
pattern = 'related stories'
remove = ["Related stories\\n- A"]
keep = ["Related stories are rare."]
"""


def test_section_takes_the_list_under_the_heading():
    text = f"{BODY}\nRelated stories\n- Bridge costs rise again\n- Mayor under fire\n{BODY}\n"
    assert rules(SECTION).clean_text(text).text == f"{BODY}\n{BODY}\n"


def test_section_without_list_gives_back_a_subheading_followed_by_body():
    text = f"{BODY}\nRelated stories\nBridge costs rise again\nMayor under fire\nThe next phase\n{BODY}\n"
    out = rules(SECTION).clean_text(text).text
    assert out == f"{BODY}\nThe next phase\n{BODY}\n"


TAIL = """
[[rule]]
id = "comments.leave-a-comment"
category = "comments"
description = "Comment form trigger."
kind = "tail"
pattern = 'leave a comment'
remove = ["Body.\\nLeave a comment\\nName"]
keep = ["Please leave a comment on the plan, the mayor said."]
"""


def test_tail_cuts_to_the_end():
    text = f"{BODY}\n\n{BODY}\n\nLeave a comment\nName\nEmail\n"
    assert rules(TAIL).clean_text(text).text == f"{BODY}\n\n{BODY}\n"


def test_tail_trigger_early_in_a_long_article_is_ignored():
    text = f"{BODY}\nLeave a comment\n" + f"{BODY}\n" * 10
    cleaned = rules(TAIL).clean_text(text)
    assert cleaned.text == text and cleaned.removals == []


def test_caption_header_repeated_and_sentence_repeated_on_purpose():
    text = ("Gallery of the storm\n\nTrees fell across the road.\n\nGallery of the storm\n\n"
            "We will rebuild.\n\nGallery of the storm\n\nWe will rebuild.\n\nWe will rebuild.\n")
    out = Cleaner().clean_text(text).text
    assert out == ("Trees fell across the road.\n\nWe will rebuild.\n\nWe will rebuild.\n\n"
                   "We will rebuild.\n")


def test_a_song_chorus_stays_while_a_caption_header_goes():
    # The chorus's lines come back together, in order; the header stands alone each time.
    verses = [("Walking down the harbour road", "The lights are coming on"),
              ("The fishing boats are waiting", "The nets are on the quay"),
              ("The winter wind is calling", "The gulls are flying free")]
    song = "".join(f"{a}\n{b}\nOh the harbour, oh the harbour\nWe will sail at dawn\n\n"
                   for a, b in verses)
    gallery = "".join(f"Summit in pictures\n\n{caption}\n\n" for caption in
                      ("Leaders arrive.", "The statement is signed.", "Protesters wait outside."))
    cleaned = Cleaner().clean_text("The crowd sang along:\n\n" + song + gallery)
    assert {r.text for r in cleaned.removals} == {"Summit in pictures"}
    assert cleaned.text.count("Oh the harbour, oh the harbour") == 3


def test_pull_quote_and_attribution_go_body_quote_stays():
    text = ("“We will not be rushed into a bad deal,” the minister said on Monday.\n\n"
            "“We will not be rushed into a bad deal”\n\nJane Smith\n\nTalks resume in May.\n")
    out = Cleaner().clean_text(text).text
    assert out == ("“We will not be rushed into a bad deal,” the minister said on Monday.\n\n"
                   "Talks resume in May.\n")


def test_a_standalone_quote_that_is_not_repeated_stays():
    text = "“We will not be rushed into a bad deal.”\n\nJane Smith\n\nTalks resume in May.\n"
    assert Cleaner().clean_text(text).text == text


def test_orphan_heading_goes_only_when_its_content_was_removed():
    text = f"{BODY}\nMore from the Daily\n- A story\n- Another\nNext steps\n{BODY}\n"
    cleaner = rules(SECTION.replace("related stories", "more from the daily"))
    assert cleaner.clean_text(text).text == f"{BODY}\nNext steps\n{BODY}\n"
    # a heading over a removed block with a heading after it heads nothing: it goes
    doc = Document()
    doc.set_blocks([Block(BODY), Block("Reader offers", "heading"), Block("Buy a mug", "paragraph"),
                    Block("Weather", "heading"), Block(BODY)])
    doc.remove_block(2, "blocks", "promo.x", "promo")
    from cleaner import tidy
    tidy.run(doc)
    assert [b.removed_by for b in doc.blocks] == [None, "tidy.orphan-heading", "promo.x", None, None]


def test_stray_separators_at_edges_and_beside_removals():
    doc = Document()
    doc.set_blocks([Block("***"), Block(BODY), Block("* * *"), Block(BODY), Block("Ad", "paragraph"),
                    Block("---"), Block(BODY), Block("~~~")])
    doc.remove_block(4, "blocks", "ads.x", "ads")
    from cleaner import tidy
    tidy.run(doc)
    kept = [b.text for b in doc.blocks if b.alive]
    assert kept == [BODY, "* * *", BODY, BODY]


GREEDY = """
[[rule]]
id = "promo.everything"
category = "promo"
description = "A rule far too broad."
kind = "block"
pattern = '.*the.*'
remove = ["the"]
keep = ["x"]
"""


def test_safety_valve_backs_off_a_pass_that_would_eat_the_article():
    text = "\n".join([BODY] * 6) + "\n"
    assert len(text) > VALVE_MIN_CHARS
    cleaned = rules(GREEDY).clean_text(text)
    assert cleaned.text == text and cleaned.removals == []
    doc = Cleaner(rule_list=parse_file(GREEDY, "t.toml")).clean_document(Document(), text)
    assert any(n.startswith("backoff: blocks") for n in doc.notes)


def test_span_cut_keeps_the_paragraph_and_records_offsets():
    para = f"{BODY} {BODY} {BODY}"  # a long paragraph, not a caption
    cleaned = Cleaner().clean_text(f"{para} (Pic: GETTY)\n")
    assert cleaned.text == f"{para}\n"
    (removal,) = cleaned.removals
    assert removal.rule_id == "caption.trailing-credit" and removal.text == "(Pic: GETTY)"
    assert cleaned.removals[0].start == len(para) + 1


def test_layout_is_kept_and_normalised():
    text = "Title line\n\n\n\nFirst para.  \nSecond para.\u00a0\n\n\n"
    assert Cleaner(default_rules=False).clean_text(text).text == "Title line\n\nFirst para.\nSecond para.\n"


def test_orphan_heading_does_not_cascade_up_through_short_lines():
    doc = Document()
    doc.set_blocks([Block(BODY), Block("Harbour Office", "heading"), Block("Quay Street 4", "heading"),
                    Block("Tel. 555 0100", "paragraph")])
    doc.remove_block(3, "blocks", "contact.phone", "contact")
    from cleaner import tidy
    tidy.run(doc)
    tidy.run(doc)
    assert [b.removed_by for b in doc.blocks] == [None, None, "tidy.orphan-heading", "contact.phone"]


def test_tail_reaches_its_own_fixpoint():
    text = "Please enter your comment!\n" * 3
    once = Cleaner().clean_text(text).text
    assert once == "Please enter your comment!\n"
    assert Cleaner().clean_text(once).text == once


def _tidied(blocks: list[Block], removed: dict[int, str]) -> list[str | None]:
    from cleaner import tidy

    doc = Document()
    doc.set_blocks(blocks)
    for i, category in removed.items():
        doc.remove_block(i, "blocks", f"{category}.x", category)
    tidy.run(doc)
    return [b.removed_by for b in doc.blocks]


def test_a_title_or_a_heading_over_a_caption_is_not_an_orphan():
    # The title, with only its photo credit under it removed, and a later heading over a
    # caption: neither headed content that went.
    got = _tidied([Block("Ferry back after storms", "heading"), Block("Photo: Jane Doe", "paragraph"),
                   Block(BODY), Block("The new quay", "heading"), Block("Pic: AGENCY", "paragraph"),
                   Block("Timetable", "heading"), Block(BODY)],
                  {1: "caption", 4: "caption"})
    assert got == [None, "caption.x", None, None, "caption.x", None, None]
    # The first block left is the title even when a promo under it went.
    got = _tidied([Block("Ferry back after storms", "heading"), Block("Read more: x", "paragraph"),
                   Block("Timetable", "heading"), Block(BODY)], {1: "promo"})
    assert got == [None, "promo.x", None, None]


def test_a_quoted_subheading_is_not_a_pull_quote():
    quote = "“We will build the bridge before winter comes”"
    text = (f"{BODY}\n\nShe said: {quote[1:-1]}. The crowd cheered.\n\n{quote}\n\n{BODY}\n")
    doc = Document()
    doc.set_blocks([Block(BODY), Block(f"She said: {quote[1:-1]}. The crowd cheered."),
                    Block(quote, "heading"), Block(BODY)])
    cleaner = Cleaner()
    cleaner.run_passes(doc, cleaner.ruleset.scope())
    assert doc.blocks[2].removed_by is None
    # The same line as a paragraph (a pull quote) goes.
    assert quote not in cleaner.clean_text(text).text


def test_repeated_code_or_table_lines_are_not_caption_headers():
    cleaner = Cleaner()
    for line in ("x = load(path)", "| Team | Points |", "}", "<br>", "cd build; make"):
        text = f"{BODY}\n\n{line}\n\n{BODY}\n\n{line}\n\n{BODY}\n\n{line}\n"
        assert cleaner.clean_text(text).text == text, line
    label = "Summit in pictures"
    text = f"{BODY}\n\n{label}\n\n{BODY}\n\n{label}\n\n{BODY}\n\n{label}\n"
    assert label not in cleaner.clean_text(text).text


def test_every_character_a_pull_quote_opens_with_passes_the_first_byte_check():
    """pull_quote skips a block by its line's first byte in the view (_MAY_OPEN): every
    quotation mark and white space character must have its lead byte there."""
    opening = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF
               and (chr(c) in repeats.OPEN_QUOTES or chr(c).isspace())]
    assert len(opening) > len(repeats.OPEN_QUOTES)
    assert [ch for ch in opening if not repeats._MAY_OPEN[utf8(ch + "x")[0]]] == []


def test_the_lead_bytes_kept_in_the_coarse_key_are_of_characters_without_case():
    """repeated_line's coarse key keeps these lead bytes: two lines equal once case-folded
    must still get equal keys, so no character under them may change under case mapping,
    come out of another character's, or be white space (which the real key splits on)."""
    chars = [chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    mapped = {m for ch in chars for v in (ch.casefold(), ch.lower(), ch.upper(), ch.title())
              if v != ch for m in v}
    kept = [ch for ch in chars if ch.encode()[0] in repeats._CASELESS_LEADS]
    assert len(kept) > 100_000  # CJK ideographs, Hangul, Arabic...
    assert [ch for ch in kept if ch.casefold() != ch or ch in mapped or ch.isspace()] == []
    # A line of caseless script is told from another by its key; one with case is not.
    doc = Document()
    doc.set_blocks([Block(t) for t in ("東京の天気", "大阪の天気", "Über", "über")])
    keys = [line.translate(repeats._ASCII_LOWER, repeats._COARSE_DROP)
            for line in doc.view().lines]
    assert keys[0] != keys[1] and keys[2] == keys[3]


def test_fold_lowers_ascii_only_and_makes_valid_utf8_of_a_lone_surrogate():
    assert fold("Über DIE Brücke") == "Über die brücke".encode()
    assert utf8("A\ud800B") == b"A?B"  # what Hyperscan is given must be valid UTF-8
    text = "Body text of the article.\n\nSCENE: x\ud800 (Pic: AGENCY)\n"
    assert "(Pic: AGENCY)" not in Cleaner().clean_text(text).text


def test_the_blocks_pass_remembers_what_it_tried_until_a_text_changes():
    from cleaner import blocks

    cleaner = Cleaner()
    doc = Document()
    doc.set_blocks([Block(BODY), Block("Follow us on Twitter for the latest news"),
                    Block("Photo: Jo Smith"), Block(BODY)])
    scope = cleaner.ruleset.scope()
    blocks.run(doc, scope)
    assert [b.removed_by is not None for b in doc.blocks] == [False, True, True, False]
    tried = doc.tried()
    assert {1, 2} <= tried  # the candidates, block rules
    blocks.run(doc, scope)  # a second round: nothing new, nothing tried again
    assert doc.tried() is tried
    doc.set_text(0, BODY + " More.")
    assert doc.tried() == set()


def test_a_pull_quote_in_capitals_repeats_the_body_all_the_same():
    quote = "“WE WILL BUILD THE BRIDGE BEFORE WINTER COMES”"
    text = (f"{BODY}\n\nShe said: We will build the bridge before winter comes. The crowd "
            f"cheered.\n\n{quote}\n\n{BODY}\n")
    assert quote not in Cleaner().clean_text(text).text


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(" \t\u00a0\u3000.!?…xY" + repeats.OPEN_QUOTES + repeats.CLOSE_QUOTES),
               max_size=12))
def test_quote_wrapped_reads_both_ends_as_strip_would(text):
    """_quote_wrapped reads the ends in place; it says what stripping the text says."""
    stripped = text.strip()
    expected = (len(stripped) > 2 and stripped[0] in repeats.OPEN_QUOTES
                and stripped.rstrip(".!?…")[-1:] in repeats.CLOSE_QUOTES)
    assert repeats._quote_wrapped(text) is expected


def test_a_repeated_line_is_taken_each_time_and_a_sentence_never():
    """repeated_line decides once for each text that comes back (its key, or no label)."""
    label, sentence = "Tweet may have been deleted", "The vote is on Friday."
    text = "\n\n".join([BODY, label, sentence, BODY, label, BODY, sentence, label, BODY,
                        sentence])
    out = Cleaner().clean_text(text + "\n")
    assert label not in out.text and out.text.count(sentence) == 3
    assert [r.text for r in out.removals if r.rule_id.startswith("repeats.")] == [label] * 3


def test_a_standalone_quotation_whose_words_come_back_in_a_later_one_goes_once():
    """The fragment check counts every line: a quotation kept as standalone is the source
    a later repeat of it is compared with."""
    quote = "“We will build the bridge before winter comes, whatever it costs”"
    text = f"{BODY}\n\n{quote}\n\n{BODY}\n\n{quote}\n\n{BODY}\n"
    out = Cleaner().clean_text(text).text
    assert out.count(quote) == 1


def test_the_first_character_check_before_the_list_mark_regex_misses_no_list_item():
    """kind_of runs LIST_MARK only on a line that opens with a bullet or a digit: every
    character the regex takes at a stripped line's start passes that check."""
    takers = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF
              and not chr(c).isspace()
              and (LIST_MARK.match(chr(c) + " x") or LIST_MARK.match(chr(c) + ". x"))]
    assert len(takers) > len(LIST_BULLETS)  # the Unicode digits too
    assert [ch for ch in takers if not (ch in LIST_BULLETS or ch.isdigit())] == []
    assert Block("٣. بند").kind == "list_item" and Block("• item").kind == "list_item"
