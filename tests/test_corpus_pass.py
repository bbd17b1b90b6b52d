"""Corpus pass (cleaner/corpus.py) on a generated corpus of many synthetic sites.

Every site has its own template (masthead, navigation line, promo list, newsletter
box, footer) around article bodies made of generated sentences. The generator
labels each line, so the test knows which lines are boilerplate and which body.
All text here is written for this project.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.corpus import (RULE_ID, CorpusModel, CorpusOptions, Learner, block_hash, learn,
                            site_of)
from cleaner.document import Document

TOWNS = ["Ashford", "Bramley", "Colwick", "Dunmore", "Elston", "Farleigh", "Greyhaven",
         "Holloway", "Ingleby", "Juniper Bay", "Kestrel Point", "Lowmoor", "Marlow Cross",
         "Northcombe", "Oakridge", "Pelham", "Queensferry", "Redwater", "Stanmore", "Thornbury"]
PAPERS = ["Courier", "Gazette", "Herald", "Chronicle", "Observer", "Post", "Echo", "Ledger",
          "Sentinel", "Tribune"]
SUBJECTS = ["the council", "a local charity", "the harbour authority", "the school board",
            "a group of residents", "the bus company", "the county police", "the hospital trust",
            "a family bakery", "the football club", "the library service", "two volunteers"]
VERBS = ["approved", "rejected", "announced", "delayed", "questioned", "funded", "reviewed",
         "celebrated", "proposed", "completed", "criticised", "postponed"]
OBJECTS = ["a new cycle lane", "plans for a second bridge", "the summer festival",
           "repairs to the sea wall", "a housing scheme", "the flood defences",
           "longer opening hours", "a tree planting drive", "the river clean-up",
           "a review of parking charges", "the winter shelter", "a youth orchestra"]
WHEN = ["on Monday", "last week", "after a long debate", "earlier this month", "at short notice",
        "despite objections", "for the third year running", "before the holiday"]
SUBHEADINGS = ["Background", "What happens next", "The numbers", "Reaction"]


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    boilerplate: bool


@dataclass(frozen=True, slots=True)
class SyntheticDoc:
    site: str  # folder name, and the host of its URL
    url: str
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(line.text for line in self.lines) + "\n"


def _sentence(rng: random.Random) -> str:
    n = rng.randint(2, 4000)
    return (f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(WHEN)}, a decision worth {n:,} pounds.")


def _template(i: int) -> dict[str, list[str]]:
    town, paper = TOWNS[i % len(TOWNS)], PAPERS[i % len(PAPERS)]
    name = f"The {town} {paper}"
    host = f"{town.lower().replace(' ', '')}-{paper.lower()}.example"
    promos = [f"- {town} {what}" for what in (
        "market reopens after the storm", "teenager wins national chess title",
        "rail line to close for repairs", "mayor answers your questions",
        "best walks along the coast", "new café opens on the high street",
        "photo gallery: the lantern parade", "school results at a glance")]
    return {
        "host": [host],
        "top": [name, "Home | News | Sport | Opinion | Weather"],
        "inline": [f"Read also: {t[2:]}" for t in promos[:6]],
        "promo_head": [f"More from {name}"],
        "promo": promos,
        "box": [f"The {town} Briefing",
                f"Get the day's local stories from {name} in your inbox every morning at seven."],
        "footer": [f"© 2026 {name} Media Ltd. All rights reserved.",
                   f"Tips and corrections: newsdesk@{host}",
                   f"{name}, 12 Harbour Street, {town}"],
    }


def synthetic_corpus(n_docs: int = 5000, n_sites: int = 20, seed: int = 7) -> list[SyntheticDoc]:
    """``n_docs`` articles spread over ``n_sites`` sites, every line labelled.

    Body: 4–8 generated paragraphs; one article in ten has a recurring subheading
    between its paragraphs (structure, not noise); one in fifty republishes an
    earlier article of its site under a new URL (a near-duplicate body).
    Boilerplate: the site's masthead and navigation, a "Read also" line in half the
    articles (one of six), a promo list (three of eight), a newsletter box, a footer.
    """
    rng = random.Random(seed)
    templates = [_template(i) for i in range(n_sites)]
    docs: list[SyntheticDoc] = []
    bodies: dict[int, list[list[str]]] = {}
    for n in range(n_docs):
        s = n % n_sites
        t = templates[s]
        earlier = bodies.setdefault(s, [])
        if earlier and rng.random() < 0.02:
            body = rng.choice(earlier)
        else:
            body = [" ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
                    for _ in range(rng.randint(4, 8))]
            if rng.random() < 0.1:
                # after the third paragraph at the earliest: body text on both sides
                body.insert(rng.randint(3, len(body) - 1), rng.choice(SUBHEADINGS))
            earlier.append(body)
        lines = [Line(x, True) for x in t["top"]]
        lines += [Line(x, False) for x in body[:2]]
        if rng.random() < 0.5:
            lines.append(Line(rng.choice(t["inline"]), True))
        lines += [Line(x, False) for x in body[2:]]
        lines.append(Line(t["promo_head"][0], True))
        lines += [Line(x, True) for x in rng.sample(t["promo"], 3)]
        lines += [Line(x, True) for x in t["box"] + t["footer"]]
        host = t["host"][0]
        docs.append(SyntheticDoc(host, f"https://www.{host}/news/{n}", tuple(lines)))
    return docs


def score(docs: list[SyntheticDoc], outputs: list[str]) -> tuple[int, int, list[str]]:
    """Against the generator's labels: boilerplate lines in all, those still in the
    output, and the body lines the output lost."""
    noise = kept_noise = 0
    eaten: list[str] = []
    for doc, out in zip(docs, outputs):
        kept = set(out.splitlines())
        for line in doc.lines:
            if line.boilerplate:
                noise += 1
                kept_noise += line.text in kept
            elif line.text not in kept:
                eaten.append(line.text)
    return noise, kept_noise, eaten


def learn_and_clean(docs: list[SyntheticDoc], cleaner: Cleaner,
                    options: CorpusOptions = CorpusOptions()) -> list[Document]:
    """Both passes, in memory: learn with the cleaner's extraction, then clean."""
    learner = Learner(options)
    looking = Cleaner(rule_list=cleaner.rules, corpus=learner)
    for d in docs:
        looking.clean_document(Document(url=d.url), d.text)
    model = learner.model()
    cleaning = Cleaner(rule_list=cleaner.rules, corpus=model)
    return [cleaning.clean_document(Document(url=d.url), d.text) for d in docs]


@pytest.fixture(scope="module")
def corpus_run() -> tuple[list[SyntheticDoc], list[Document]]:
    docs = synthetic_corpus()
    return docs, learn_and_clean(docs, Cleaner(rule_list=[]))


def test_removes_repeated_boilerplate_and_no_body(corpus_run) -> None:
    docs, cleaned = corpus_run
    noise, kept_noise, eaten = score(docs, [out.render() for out in cleaned])
    assert noise > 50_000
    assert kept_noise <= 0.01 * noise, f"{kept_noise} of {noise} boilerplate lines kept"
    assert eaten == []


def test_removals_are_named_corpus_repeated(corpus_run) -> None:
    _, cleaned = corpus_run
    rules = {r.rule_id for doc in cleaned for r in doc.removals}
    assert rules == {RULE_ID}
    assert all(r.category == "corpus" and r.pass_name == "corpus"
               for doc in cleaned[:50] for r in doc.removals)


def test_subheading_inside_the_body_is_protected() -> None:
    body = ["Background", "What happens next"]
    texts = [f"Masthead\n\nFirst paragraph number {n} of the story.\n\n{body[n % 2]}\n\n"
             f"Second paragraph number {n} with more detail.\n\nFooter line of the site"
             for n in range(20)]
    out = learn_and_clean([SyntheticDoc("s", "https://s.example/", (Line(t, False),))
                           for t in texts], Cleaner(rule_list=[]))
    first = out[0].render()
    assert "Background" in first and "Masthead" not in first and "Footer line" not in first


def test_below_min_docs_or_share_is_kept() -> None:
    options = CorpusOptions(min_docs=5, min_share=0.2)
    texts = [f"Unique story {n}.\n\nEvery page carries this\n\n"
             + ("Rare promo line\n\n" if n < 4 else "")
             + ("Some pages carry this" if n % 10 == 0 else "") for n in range(40)]
    learner = learn([_doc(t) for t in texts], options)
    frequent = learner.model().sites["s.example"]
    assert block_hash("Every page carries this") in frequent
    assert block_hash("Rare promo line") not in frequent  # 4 docs < min_docs
    assert block_hash("Some pages carry this") not in frequent  # 4 of 40 < 20%


def test_exact_duplicates_count_once() -> None:
    same = "A story saved under several addresses.\n\nWith its second paragraph."
    learner = learn([_doc(same, f"https://s.example/{n}") for n in range(10)])
    assert learner.sites["s.example"].seen == 10
    assert learner.model().sites == {}


def _doc(text: str, url: str = "https://s.example/a") -> Document:
    return Cleaner(rule_list=[]).clean_document(Document(url=url), text)


def test_merge_is_order_independent_and_bounded() -> None:
    docs = [_doc(f"Story {n} body.\n\nShared footer\n\nPromo {n % 7}", f"https://s.example/{n}")
            for n in range(300)]
    options = CorpusOptions(sample=50)
    whole = learn(docs, options).model()
    shards = [learn(docs[k::3], options) for k in range(3)]
    merged = Learner(options).merge(shards[2]).merge(shards[0]).merge(shards[1])
    assert merged.model().sites == whole.sites
    assert len(merged.sites["s.example"].docs) <= 2 * options.sample
    assert block_hash("Shared footer") in whole.sites["s.example"]


def test_model_json_round_trip(tmp_path: Path) -> None:
    model = CorpusModel({"a.example": frozenset({block_hash("x y")})}, CorpusOptions(3, 0.1, 9))
    model.dump(tmp_path / "model.json")
    back = CorpusModel.load(tmp_path / "model.json")
    assert back.sites == model.sites and back.options == model.options


def test_site_is_host_else_folder() -> None:
    assert site_of(Document(url="https://www.news.example/a")) == "news.example"
    assert site_of(Document(source="crawl/site-a/page.html")) == "crawl/site-a"
    assert site_of(Document(source="batch.jsonl#12")) == "."


def test_mostly_repeated_document_backs_off() -> None:
    """A page that is nothing but a copy of repeated text is guarded by the valve."""
    long = " ".join(f"Sentence {k} of a long standing disclaimer." for k in range(40))
    texts = [f"Story {n} opens here.\n\n{long}" for n in range(10)]
    out = learn_and_clean([SyntheticDoc("s", "https://s.example/", (Line(t, False),))
                           for t in texts], Cleaner(rule_list=[]))
    assert long in out[0].render()
    assert any("backoff: corpus" in note for note in out[0].notes)


def _write_sites(src: Path, docs: list[SyntheticDoc]) -> dict[str, SyntheticDoc]:
    by_rel = {}
    for n, doc in enumerate(docs):
        rel = f"{doc.site}/{n:04d}.txt"
        (src / doc.site).mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(doc.text)
        by_rel[rel] = doc
    return by_rel


def test_cli_corpus_pass_by_folder_and_resume_reuses_the_model(tmp_path: Path) -> None:
    """`cleaner clean --corpus-pass`: sites are the input's subfolders (no URL in text
    files); the model is saved in DST and a --resume run cleans with the same one."""
    from click.testing import CliRunner

    from cleaner.cli import main
    from cleaner.corpus import CORPUS_MODEL_NAME

    src, dst = tmp_path / "src", tmp_path / "out"
    by_rel = _write_sites(src, synthetic_corpus(n_docs=300, n_sites=2, seed=3))
    args = ["clean", str(src), str(dst), "--corpus-pass", "--no-default-rules", "--jobs", "1", "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (dst / CORPUS_MODEL_NAME).exists()
    rels = list(by_rel)
    noise, kept, eaten = score([by_rel[r] for r in rels], [(dst / r).read_text() for r in rels])
    assert noise and kept / noise < 0.01
    assert eaten == []  # no body line is lost
    first = {rel: (dst / rel).read_bytes() for rel in by_rel}
    (dst / next(iter(by_rel))).unlink()  # one output lost: --resume redoes it, same model
    result = CliRunner().invoke(main, [*args, "--resume"])
    assert result.exit_code == 0, result.output
    assert {rel: (dst / rel).read_bytes() for rel in by_rel} == first
