"""``cleaner explain``: every removal shown in place with its rule id and pass."""

from __future__ import annotations

import re

from click.testing import CliRunner

from cleaner import Cleaner, Document
from cleaner.cli import main
from cleaner.document import Block, Removal
from cleaner.explain import render

BODY = ("The ferry service to the island resumed on Monday after a week of storms kept the "
        "boats in harbour.")
CAPTION = "SCENE: Passengers queue at the pier before dawn (Pic: AGENCY)"
# Longer than a caption (the block rule's 300 characters): only the credit goes.
CREDITED = ("Crews worked through the night to repair the damaged landing stage, which had been "
            "closed since the first storm hit the coast last Sunday, and the harbour master said "
            "on Monday morning that the timber decking and the two steel gangways had passed their "
            "safety checks in time for the first sailing of the day (Pic: Harbour Trust)")


def explain(tmp_path, text: str, *args: str):
    path = tmp_path / "story.txt"
    path.write_text(text)
    return CliRunner().invoke(main, ["explain", str(path), *args])


def test_block_and_span_removals_are_shown_in_place(tmp_path):
    text = f"Ferry back after storms\n\n{BODY}\n\n{CAPTION}\n\n{CREDITED}\n\nPlease enter your comment!\n"
    result = explain(tmp_path, text)
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("\n")
    assert lines[0] == "Ferry back after storms"
    assert f"[-{CAPTION}-]{{caption.credited-caption @blocks}}" in lines
    span_line = next(x for x in lines if x.startswith("Crews worked"))
    assert span_line.endswith(" [-(Pic: Harbour Trust)-]{caption.trailing-credit @blocks}")
    assert "[-Please enter your comment!-]{comments.enter-comment-prompt @sections}" in lines
    # Without the markup, the explanation is the original document.
    plain = re.sub(r"\[-(.*?)-\]\{[^}]*\}", r"\1", result.stdout)
    assert plain == text


def test_plain_when_not_a_terminal_colour_on_request(tmp_path):
    text = f"{BODY}\n\n{CAPTION}\n"
    assert "\x1b[" not in explain(tmp_path, text).stdout
    coloured = explain(tmp_path, text, "--color").stdout
    assert "\x1b[" in coloured and "caption.credited-caption" in coloured


def test_spans_cut_in_several_rounds_are_replayed_on_the_original():
    doc = Document(blocks=[Block("Alpha ADVERT beta PROMO gamma")])
    # Two cuts, the second recorded in the text left by the first (as passes do).
    doc.removals = [Removal("blocks", "ad.one", "ads", "ADVERT ", 0, 6, 13),
                    Removal("blocks", "ad.two", "ads", " PROMO", 0, 10, 16)]
    assert render(doc) == "Alpha [-ADVERT -]{ad.one @blocks}beta[- PROMO-]{ad.two @blocks} gamma\n"


def test_dom_removals_are_listed_first():
    doc = Document(blocks=[Block("Kept paragraph.")])
    doc.removals = [Removal("dom", "newsletter.box", "newsletter", "Sign up for our letter", -1)]
    assert render(doc).startswith("[-Sign up for our letter-]{newsletter.box @dom}\n\nKept")


def test_notes_are_shown(tmp_path):
    cleaner = Cleaner()
    doc = cleaner.clean_document(Document(format="text"), BODY)
    doc.notes.append("backoff: blocks would have removed 900 of 1000 characters (x.y)")
    assert render(doc).endswith("note: backoff: blocks would have removed 900 of 1000 characters (x.y)\n")


def test_unreadable_file_fails_with_reason(tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(bytes(range(256)) * 4)
    result = CliRunner().invoke(main, ["explain", str(path)])
    assert result.exit_code == 1
    assert "failed:" in result.stderr and "binary" in result.stderr
