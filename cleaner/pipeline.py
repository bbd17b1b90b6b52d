"""The cleaning of one document: a pure function of (document, compiled rules).

Stages, in order (see DESIGN.md):
1. decode (bytes → str), 2. dom rules, 3. extract (HTML → typed blocks; text → line blocks),
4. blocks, 5. sections, 6. repeats, 7. tidy — passes 4–7 repeat until nothing changes
(rounds.py, with the safety valve);
8. corpus (when the Cleaner has a corpus model), then tidy again for what it leaves.

Both engines call ``Cleaner.clean_document``; nothing here depends on where the
document came from, which is what keeps their outputs byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple, Protocol

from . import rounds
from .document import Document, Removal
from .rounds import TEXT_PASSES, PassFn
from .rules import Rule, load_rules
from .ruleset import RuleSet, Scope
from .segment import split_text


class CorpusPass(Protocol):
    """Pass 8 (cleaner/corpus.py): a learned model that removes, or a learner that looks."""

    def run(self, doc: Document) -> None: ...


class Cleaned(NamedTuple):
    text: str
    removals: list[Removal]


EXTRACT_MODES = ("balanced", "precision", "recall", "fast")


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """trafilatura settings that matter for what reaches the text passes.

    Comments are off by default: reader comments are not the article.
    """

    mode: str = "balanced"  # balanced | precision | recall | fast
    tables: bool = True
    comments: bool = False

    def __post_init__(self) -> None:
        if self.mode not in EXTRACT_MODES:
            raise ValueError(f"extract mode must be one of {', '.join(EXTRACT_MODES)}, "
                             f"not {self.mode!r}")


class Cleaner:
    """Compiled rules plus options; call it on as many documents as you like.

    >>> text, removals = Cleaner().clean_text("Body.\\n\\nPlease enter your comment!")
    """

    def __init__(self, rules: Iterable[str | Path] = (), *, default_rules: bool = True,
                 rule_list: list[Rule] | None = None,
                 extract: ExtractOptions = ExtractOptions(),
                 corpus: CorpusPass | None = None):
        loaded = rule_list if rule_list is not None else load_rules(
            [Path(p) for p in rules], use_defaults=default_rules)
        self.ruleset = RuleSet(loaded)
        self.extract_options = extract
        self.corpus = corpus

    @property
    def rules(self) -> list[Rule]:
        return self.ruleset.rules

    # -- public entry points ------------------------------------------------
    def clean_text(self, text: str, url: str | None = None, lang: str | None = None) -> Cleaned:
        doc = self.clean_document(Document(url=url, lang=lang, format="text"), text)
        return Cleaned(doc.render(), doc.removals)

    def clean_html(self, html: str | bytes, url: str | None = None) -> Cleaned:
        doc = self.clean_document(Document(url=url, format="html"), html)
        return Cleaned(doc.render(), doc.removals)

    def clean_document(self, doc: Document, content: str | bytes,
                       utf8: bytes | None = None) -> Document:
        """Stages 2–7 on one document; ``content`` is decoded text or HTML, or text in
        UTF-8. ``utf8``: for text, its UTF-8 when the caller has it (a UTF-8 file's
        bytes), which spares encoding its lines again for the scans."""
        doc.chars_in = len(content)
        if doc.format == "html":
            from .extract import extract_html

            extract_html(doc, content, self.ruleset, self.extract_options)
        else:
            if isinstance(content, bytes):
                utf8 = content
                content = content.decode("utf-8")
            blocks, encoded = split_text(content, utf8)
            doc.set_blocks(blocks, line_breaks=False, encoded=encoded)
        scope = self.ruleset.scope(doc.url, doc.lang)
        self.run_passes(doc, scope)
        if self.corpus is not None:
            corpus = self.corpus
            self.run_passes(doc, scope, (("corpus", lambda d, s: corpus.run(d)), TEXT_PASSES[-1]))
        return doc

    def run_passes(self, doc: Document, scope: Scope,
                   passes: tuple[tuple[str, PassFn], ...] = TEXT_PASSES) -> None:
        """Passes in order, again and again until none finds anything (rounds.py)."""
        rounds.run_passes(doc, scope, passes)
