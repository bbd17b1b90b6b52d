"""Pass 8, corpus: blocks that recur across many documents of one site.

Some noise is visible only across documents: the same footer, disclaimer or promo
block on every page of a site. A batch run learns it in a first pass and removes
it in the cleaning pass:

1. learn: every document goes through the same cleaning as the output would
   (decode, extract, passes 4–7), with a ``Learner`` in the corpus slot that only
   looks. For each site it keeps, per document, the 8-byte hashes of the blocks
   still alive: what the output would have been, so a block a rule already took
   is not counted twice.
2. model: a block is boilerplate for a site when it is in at least ``min_docs``
   of the site's (distinct) documents and in at least ``min_share`` of them.
3. clean: ``CorpusModel.run`` removes those blocks as ``corpus.repeated``, unless
   they are protected (a heading inside the body: see ``_protected``). The
   pipeline's safety valve still guards each document: a page that is mostly
   repeated text (a duplicate of another page) backs off instead of emptying.

Memory is bounded by a sample, not by the corpus: per site, the learner keeps the
``sample`` documents with the smallest content fingerprint (a bottom-k sample).
Up to ``sample`` distinct documents per site the counts are exact; beyond, shares
are measured on a uniform sample of that size. Exact duplicates share a
fingerprint, so a page saved under five URLs counts once. The bottom-k rule also
makes learners mergeable in any order with the same result: shards (``--jobs``
workers, Ray blocks) learn apart and merge into the model a single pass would
have learned, which keeps both engines byte-identical.
"""

from __future__ import annotations

import copy
import heapq
import json
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from .batch import DEFAULT_MAX_BYTES, process_input
from .document import HEADING, PARAGRAPH, Document
from .ruleset import host_of

if TYPE_CHECKING:
    from .inputs import Input
    from .pipeline import Cleaner, CorpusPass

NAME = "corpus"
RULE_ID = "corpus.repeated"
CATEGORY = "corpus"
HASH_BYTES = 8
MODEL_VERSION = 1
# Where a batch keeps its model, beside the manifest, so --resume cleans with it.
CORPUS_MODEL_NAME = ".cleaner-corpus.json"

# Defaults, measured with benchmarks/scale.py on the generated corpus (5,000 pages,
# 20 sites: template blocks on every page, a promo list of 3 of 8 links, a "Read
# also" line of 6 variants on half the pages, i.e. ~8% each; one body in fifty
# republished). Boilerplate kept / body lines eaten by (min_docs, min_share):
# (2, 1%) 0.24% / 0 (republished bodies become "repeated"; the safety valve backs
# the whole page off, footer included), (5, 5%) 0% / 0, (5, 10%) 3.2% / 0 (the
# rotating line is missed), (5, 20%) 4.3% / 0. So: min_docs=5 keeps a story saved
# under a few URLs and tiny sites out; min_share=5% still catches a promo that
# rotates among ~10 variants on every page.
MIN_DOCS = 5
MIN_SHARE = 0.05
# Per-site sample of documents: exact up to here; a share of 5% is then measured on
# 2,000 documents (±0.5 points), at about 300 bytes per sampled document.
SAMPLE = 2000

_WORD = re.compile(r"\w+")
# Protection of in-body subheadings (see _protected): at most this many words and
# no label mark. Subheadings of news sites run one to five words.
SUBHEADING_MAX_WORDS = 6
_LABEL = re.compile(r"[:|»›>]")


@dataclass(frozen=True, slots=True)
class CorpusOptions:
    min_docs: int = MIN_DOCS
    min_share: float = MIN_SHARE
    sample: int = SAMPLE

    def __post_init__(self) -> None:
        if self.min_docs < 2 or not 0 < self.min_share <= 1 or self.sample < 1:
            raise ValueError("corpus options: min_docs >= 2, 0 < min_share <= 1, sample >= 1")


def normalize(text: str) -> str:
    """Case and punctuation folded, so a footer is one key whatever its spacing."""
    return " ".join(_WORD.findall(text.casefold()))


def block_hash(text: str) -> bytes | None:
    """8-byte key of a block's normalized text; None for a block with no words."""
    norm = normalize(text)
    return blake2b(norm.encode("utf-8"), digest_size=HASH_BYTES).digest() if norm else None


def site_of(doc: Document) -> str:
    """The site a document belongs to: its URL's host without ``www.``, else the
    folder of its input (``a/b.html`` and ``a/c.jsonl#3`` → ``a``; top level → ``.``)."""
    host = host_of(doc.url)
    if host:
        return host.removeprefix("www.")
    folder = posixpath.dirname(doc.source.split("#", 1)[0])
    return folder or "."


def fingerprint(hashes: bytes) -> int:
    """A document's content key: the same blocks give the same key, wherever it was saved."""
    return int.from_bytes(blake2b(hashes, digest_size=HASH_BYTES).digest(), "big")


def _split(hashes: bytes) -> Iterator[bytes]:
    return (hashes[i:i + HASH_BYTES] for i in range(0, len(hashes), HASH_BYTES))


@dataclass(slots=True)
class _SiteSample:
    """One site: how many documents were seen, and the bottom-k sample of them."""

    seen: int = 0
    docs: dict[int, bytes] = field(default_factory=dict)  # fingerprint → sorted block hashes

    def add(self, fp: int, hashes: bytes, sample: int) -> None:
        self.docs[fp] = hashes
        if len(self.docs) > 2 * sample:  # prune in bulk: amortised O(1) per document
            self.prune(sample)

    def prune(self, sample: int) -> None:
        if len(self.docs) > sample:
            keep = heapq.nsmallest(sample, self.docs)
            self.docs = {fp: self.docs[fp] for fp in keep}


class Learner:
    """Counts blocks per site; put it in a Cleaner's corpus slot to learn with the
    same extraction as cleaning. Partial learners merge in any order."""

    def __init__(self, options: CorpusOptions = CorpusOptions()):
        self.options = options
        self.sites: dict[str, _SiteSample] = {}

    def run(self, doc: Document) -> None:
        """The corpus-pass interface: look at the document, remove nothing."""
        self.observe(doc)

    def observe(self, doc: Document) -> None:
        hashes = {h for _, b in doc.alive() if (h := block_hash(b.text)) is not None}
        if not hashes:
            return
        self.add(site_of(doc), b"".join(sorted(hashes)))

    def add(self, site: str, hashes: bytes, seen: int = 1) -> None:
        """One document of ``site``, as its sorted, joined block hashes."""
        state = self.sites.setdefault(site, _SiteSample())
        state.seen += seen
        if hashes:
            state.add(fingerprint(hashes), hashes, self.options.sample)

    def merge(self, other: Learner) -> Learner:
        for site, state in other.sites.items():
            mine = self.sites.setdefault(site, _SiteSample())
            mine.seen += state.seen
            for fp, hashes in state.docs.items():
                mine.add(fp, hashes, self.options.sample)
        return self

    def rows(self) -> Iterator[dict[str, Any]]:
        """The learner as flat rows (one per sampled document), for a distributed
        group-by-site; ``seen`` rides on the first row of each site."""
        for site, state in self.sites.items():
            state.prune(self.options.sample)
            for n, hashes in enumerate(sorted(state.docs.values())):
                yield {"site": site, "hashes": hashes, "seen": state.seen if n == 0 else 0}

    def model(self) -> CorpusModel:
        return CorpusModel({site: frequent_blocks(state.docs.values(), self.options)
                            for site, state in sorted(self.sites.items())}, self.options)


def frequent_blocks(docs: Iterable[bytes], options: CorpusOptions) -> frozenset[bytes]:
    """The block hashes in at least min_docs and min_share of the site's sampled docs.

    ``docs`` (each a document's sorted block hashes) may come from several
    shards: identical documents count once, and beyond ``sample`` only the
    bottom ``sample`` by fingerprint count, which keeps the result order-independent.
    """
    unique = set(docs)
    if len(unique) > options.sample:
        unique = set(heapq.nsmallest(options.sample, unique, key=fingerprint))
    counts = Counter(h for hashes in unique for h in _split(hashes))
    need = max(options.min_docs, options.min_share * len(unique))
    return frozenset(h for h, c in counts.items() if c >= need)


def learn(docs: Iterable[Document], options: CorpusOptions = CorpusOptions()) -> Learner:
    """A learner over documents already cleaned by passes 1–7 (e.g. by a Cleaner)."""
    learner = Learner(options)
    for doc in docs:
        learner.observe(doc)
    return learner


def with_corpus(cleaner: Cleaner, corpus: CorpusPass | None) -> Cleaner:
    """The same compiled rules with another corpus pass (a learner or a model)."""
    twin = copy.copy(cleaner)
    twin.corpus = corpus
    return twin


def learn_files(items: Iterable[Input], cleaner: Cleaner,
                options: CorpusOptions = CorpusOptions(), max_bytes: int = DEFAULT_MAX_BYTES,
                url_map: Mapping[str, str] | None = None) -> Learner:
    """The first pass of a batch: every input through the very function that will
    clean it (``process_input``), with a learner in the corpus slot. A ``--jobs``
    worker runs it on its shard; the parent merges the learners."""
    learner = Learner(options)
    looking = with_corpus(cleaner, learner)
    for item in items:
        process_input(item, item.out_rel, looking, max_bytes,
                      url=url_map.get(item.rel) if url_map else None)
    return learner


class CorpusModel:
    """What the corpus pass removes: per site, the hashes of its repeated blocks.

    An input of the document function like the rules: cleaning stays a pure
    function of (document, rules, model).
    """

    def __init__(self, sites: dict[str, frozenset[bytes]],
                 options: CorpusOptions = CorpusOptions()):
        self.sites = {s: h for s, h in sites.items() if h}
        self.options = options

    def __len__(self) -> int:
        return sum(len(h) for h in self.sites.values())

    def run(self, doc: Document) -> None:
        frequent = self.sites.get(site_of(doc))
        if not frequent:
            return
        alive = doc.alive()
        hits = [block_hash(b.text) in frequent for _, b in alive]
        for pos, (i, _) in enumerate(alive):
            if hits[pos] and not _protected(alive, hits, pos):
                doc.remove_block(i, NAME, RULE_ID, CATEGORY)

    # -- persistence: the model is saved beside the run's manifest, so a resumed
    # run cleans with the same model it started with.
    def to_json(self) -> dict[str, Any]:
        opts = self.options
        return {"version": MODEL_VERSION, "min_docs": opts.min_docs, "min_share": opts.min_share,
                "sample": opts.sample,
                "sites": {s: sorted(h.hex() for h in hs) for s, hs in sorted(self.sites.items())}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CorpusModel:
        if data.get("version") != MODEL_VERSION:
            raise ValueError(f"corpus model version {data.get('version')!r}, "
                             f"expected {MODEL_VERSION}")
        options = CorpusOptions(data["min_docs"], data["min_share"], data["sample"])
        return cls({s: frozenset(bytes.fromhex(h) for h in hs)
                    for s, hs in data["sites"].items()}, options)

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), separators=(",", ":")) + "\n").encode("utf-8")

    def __repr__(self) -> str:
        # Stable across runs: the manifest's fingerprint of the settings uses it.
        return f"CorpusModel({blake2b(self.to_bytes(), digest_size=16).hexdigest()})"

    def dump(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> CorpusModel:
        return cls.from_json(json.loads(path.read_text("utf-8")))


def _protected(alive: list[tuple[int, Any]], hits: list[bool], pos: int) -> bool:
    """A short repeated heading between two kept body paragraphs is article structure.

    Sites reuse subheadings ("Background", "What happens next") across many
    articles; there they head body text, while template furniture sits at the
    edges of the page or next to other repeated blocks. An inline promo between
    two paragraphs has the same place, but it is labelled ("Read also: ...",
    "Video | ...") or long; a subheading is a few words without a label.
    Repeated paragraphs are not protected: a paragraph on a large share of a
    site's pages is a disclaimer, a bio or a promo, however long.
    """
    block = alive[pos][1]
    if (block.kind != HEADING or pos == 0 or pos + 1 >= len(alive)
            or len(block.text.split()) > SUBHEADING_MAX_WORDS or _LABEL.search(block.text)):
        return False
    return all(not hits[p] and alive[p][1].kind == PARAGRAPH for p in (pos - 1, pos + 1))
