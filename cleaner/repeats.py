"""Pass 6, repeats: noise that shows itself by repetition inside one document.

- ``repeated_line``: a short line that comes back again and again (the caption
  header a tabloid prints above every photo). A sentence an author repeats on
  purpose ends like a sentence and comes back once or twice, so it stays.
- ``pull_quote``: a block that is nothing but a quotation of words the body
  already has (a pull quote), and the short attribution line under it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Final, Iterable, TypeVar

from .document import CELL, HEADING, LIST_ITEM, MAY_OPEN_WITH_SPACE, Block, Document
from .ruleset import Scope

NAME: Final = "repeats"
T = TypeVar("T")

SENTENCE_END: Final = (".", "!", "?", ";", ",", ":", "…")
OPEN_QUOTES: Final = "\"“„«‘'‹‚"
CLOSE_QUOTES: Final = "\"”“»’'›‘"
_NOT_WORD: Final = re.compile(r"[\W_]+")
# A repeated line with code or table punctuation is a listing or a table row, not a label.
_CODE_OR_TABLE: Final = re.compile(r"[{}=;<>|`\\]")
# Every byte that rb"[^\w\s]" matches (not an ASCII word character or white space) → NUL,
# and ASCII letters to lower case.
_PUNCT_TO_NUL: Final = bytes(ord(chr(c).lower()) if c < 128 and (
    chr(c).isalnum() or chr(c) in "_ \t\n\r\x0b\x0c") else 0 for c in range(256))
# The first bytes (in UTF-8) of the characters a pull quote may open with: white space
# and the ASCII quotation marks (the others open with the lead bytes 0xC2 and 0xE2 that
# white space has too).
_MAY_OPEN: Final = bytes(bool(space) or b in (0x22, 0x27)
                         for b, space in enumerate(MAY_OPEN_WITH_SPACE))
# Lead bytes whose characters have no case, are not white space, and come out of no other
# character's case mapping (Hebrew, Arabic, the Indic scripts, CJK ideographs, Hangul...):
# the coarse key keeps them, so that lines in those scripts do not all look alike.
_CASELESS_LEADS: Final = frozenset([0xCB, *range(0xD7, 0xE1), *range(0xE4, 0xEA),
                                    *range(0xEB, 0xEF), *range(0xF1, 0xF5)])
# Bytes left out of the coarse key: ASCII white space but the newline, and every byte of a
# non-ASCII character but those lead bytes (casefold may map the others to other characters).
_COARSE_DROP: Final = bytes(b for b in [*b" \t\r\x0b\x0c", *range(0x1C, 0x20),
                                         *range(0x80, 0x100)] if b not in _CASELESS_LEADS)
# ASCII letters to lower case, for bytes.translate.
_ASCII_LOWER: Final = bytes(range(256)).lower()
# What a line that is not a sentence may end with after its last word.
_TRAILING: Final = CLOSE_QUOTES + ")]"


def _norm(text: str) -> str:
    """Words only, case-folded, single-spaced: what makes two lines 'the same'."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def run(doc: Document, scope: Scope) -> None:
    # The parameters by name, not **params: a call with ** goes through Python's generic
    # argument parsing, twice a document (this module is compiled, setup.py).
    rule = scope.detectors.get("repeated_line")
    if rule is not None:
        p = rule.options["params"]
        repeated_line(doc, rule.id, rule.category, min_count=p["min_count"],
                      max_chars=p["max_chars"], min_words=p["min_words"],
                      max_words=p["max_words"])
    rule = scope.detectors.get("pull_quote")
    if rule is not None:
        p = rule.options["params"]
        pull_quote(doc, rule.id, rule.category, min_words=p["min_words"],
                   attribution_max_words=p["attribution_max_words"],
                   attribution_max_chars=p["attribution_max_chars"])


def repeated_line(doc: Document, rule_id: str, category: str, *, min_count: int, max_chars: int,
                  min_words: int, max_words: int) -> None:
    # Most documents repeat no line at all. A coarse key per line of at most max_chars,
    # made at C speed from its UTF-8 (ASCII letters lower-cased, white space and most
    # non-ASCII bytes dropped) with one translate for all the short lines, is equal for
    # any two lines whose real keys are equal (but for the rare letter casefold spells
    # in ASCII: "ß" is "ss"); the real key and the per-line tests are computed only for
    # lines whose coarse key comes back.
    view = doc.view()
    alive, lines = view.alive, view.lines
    short = [pos for pos, (_, block) in enumerate(alive) if len(block.text) <= max_chars]
    joined = b"\n".join([lines[pos] for pos in short])
    shapes = joined.translate(_ASCII_LOWER, _COARSE_DROP).split(b"\n")
    if len(set(shapes)) > len(shapes) - (min_count - 1):
        return  # no key comes back min_count times
    counts = _tally(shapes)
    keys: dict[int, str] = {}  # alive position → real key, for the lines that may go
    known: dict[str, str | None] = {}  # a line's text → its key (None: it is no label)
    for pos, shape in zip(short, shapes):
        if counts[shape] >= min_count:
            raw = alive[pos][1].text
            if raw in known:  # lines that come back mostly come back as they were
                key = known[raw]
            else:
                key = known[raw] = _label_key(raw)
            if key is not None:
                keys[pos] = key
    kept = _tally(keys.values())
    taken = [pos for pos, key in keys.items()
             if kept[key] >= min_count and min_words <= key.count(" ") + 1 <= max_words
             and alive[pos][1].kind not in (LIST_ITEM, CELL)]
    if not taken:
        return  # most documents that repeat a line repeat list items or sentences
    coarse: list[bytes | None] = [None] * len(lines)
    for pos, shape in zip(short, shapes):
        coarse[pos] = shape
    refrain = _refrains(alive, coarse, counts, min_count)
    for pos in taken:
        if pos not in refrain:
            doc.remove_block(alive[pos][0], NAME, rule_id, category)


def _label_key(raw: str) -> str | None:
    """A line's real key (case-folded, single-spaced), or None for a line that is no
    label: it ends like a sentence, or holds code or table punctuation."""
    text = raw.strip()
    if not text or text.rstrip(_TRAILING).endswith(SENTENCE_END) or _CODE_OR_TABLE.search(text):
        return None
    return " ".join(text.casefold().split())


def _refrains(alive: list[tuple[int, Block]], coarse: list[bytes | None],
              counts: dict[bytes, int], min_count: int) -> set[int]:
    """Positions of the lines of a repeated passage: two lines in a row (nothing removed
    between them) that come back together as often as a line must to be taken (a song's
    chorus, a poem's refrain). Noise that repeats stands alone: a caption header sits above
    a different caption each time, or above nothing once the caption is gone."""
    repeated = [key is not None and counts[key] >= min_count for key in coarse]
    pairs = [pos for pos in range(len(alive) - 1) if repeated[pos] and repeated[pos + 1]
             and alive[pos + 1][0] == alive[pos][0] + 1]
    seen = _tally((coarse[pos], coarse[pos + 1]) for pos in pairs)
    return {p for pos in pairs if seen[coarse[pos], coarse[pos + 1]] >= min_count
            for p in (pos, pos + 1)}


def _tally(items: Iterable[T]) -> dict[T, int]:
    """How often each item occurs: Counter's job, without its interpreted __init__ (this
    module is compiled, setup.py)."""
    counts: dict[T, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def _quote_wrapped(text: str) -> bool:
    """Opens with an opening quotation mark and ends with a closing one, white space and a
    final ".!?…" aside (counted off, not stripped: rstrip would copy the text)."""
    text = text.strip()  # the same object when there is nothing to strip
    if len(text) <= 2 or text[0] not in OPEN_QUOTES:
        return False
    end = len(text)
    while text[end - 1] in ".!?…":  # stops at the opening quotation mark at the latest
        end -= 1
    return text[end - 1] in CLOSE_QUOTES


def _has_words(text: str, n: int) -> bool:
    """At least n words: the split stops after n - 1 of them (the rest is one piece)."""
    return len(text.split(None, n - 1)) >= n if n > 0 else True


def _attribution(block: Block, max_words: int, max_chars: int) -> bool:
    text = block.text.strip().lstrip("—–-~ ").strip()
    return (0 < len(text) <= max_chars and len(text.split()) <= max_words
            and not text.endswith(SENTENCE_END) and block.kind != LIST_ITEM
            and text[0].isupper())


def _fragment(line: bytes) -> bytes:
    """The longest run of a quotation's line (View.lines) between punctuation marks and
    non-ASCII characters, ASCII letters lower-cased: a cheap substring that any line
    repeating the quotation must contain."""
    longest = b""
    for run in line.translate(_PUNCT_TO_NUL).split(b"\0"):
        if len(run) > len(longest):
            longest = run
    return longest.strip()


def _holders(data: bytes, starts: list[int], frag: bytes) -> tuple[set[int], int]:
    """The lines of ``data`` (by position; ``starts`` as View.starts) that hold ``frag``,
    and how many times it occurs, not overlapping, as bytes.count says."""
    if not frag:
        return set(range(len(starts) - 1)), len(data) + 1
    lines: set[int] = set()
    count = 0
    at = data.find(frag)
    while at >= 0:  # a fragment holds no newline: each place is inside one line
        count += 1
        lines.add(bisect_right(starts, at) - 1)
        at = data.find(frag, at + len(frag))
    return lines, count


def pull_quote(doc: Document, rule_id: str, category: str, *, min_words: int,
               attribution_max_words: int, attribution_max_chars: int) -> None:
    view = doc.view()
    alive = view.alive
    lines = view.lines
    # A quoted sub-heading repeats a body sentence too, but it is the article's structure.
    # The first byte of a block's line in the view rules out most blocks at once.
    candidates = [pos for pos, (_, b) in enumerate(alive)
                  if lines[pos] and _MAY_OPEN[lines[pos][0]]
                  and (b.text[:1] in OPEN_QUOTES or b.text[:1].isspace()) and _quote_wrapped(b.text)
                  and b.kind != HEADING and _has_words(b.text, min_words)]
    if not candidates:
        return
    chosen = set(candidates)
    lowered = view.utf8.lower()  # the view is as written; the fragments are lower-cased
    kept: list[int] = []  # the candidates that stand alone so far
    for pos in candidates:
        i, block = alive[pos]
        # A quotation that repeats the body, or repeats an earlier standalone quotation.
        # Its fragment must occur in a line before the two are compared word for word.
        fragment = _fragment(lines[pos])
        if lowered.count(fragment) < 2:  # in its own line only: most quotations
            kept.append(pos)
            continue
        holders, count = _holders(lowered, view.starts, fragment)
        sources = [q for q in kept if q in holders]
        if count >= 2:  # itself and a source
            sources += [q for q in sorted(holders) if q not in chosen]
        quote = " " + _norm(block.text) + " " if sources else ""
        if not any(quote in " " + _norm(alive[q][1].text) + " " for q in sources):
            kept.append(pos)
            continue
        doc.remove_block(i, NAME, rule_id, category)
        nxt = alive[pos + 1][1] if pos + 1 < len(alive) else None
        if nxt is not None and nxt.removed_by is None and _attribution(
                nxt, attribution_max_words, attribution_max_chars):
            doc.remove_block(alive[pos + 1][0], NAME, rule_id, category)
