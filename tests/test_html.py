"""HTML input end to end: every input form, site scope, typed blocks, fidelity to trafilatura."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from trafilatura import extract

from cleaner.batch import process_input
from cleaner.decode import decode
from cleaner.document import CELL, HEADING, LIST_ITEM, PARAGRAPH, QUOTE, Document, normalize
from cleaner.inputs import walk
from cleaner.pipeline import Cleaner, ExtractOptions
from cleaner.rules import parse_file

from .conftest import shared_path

PARAS = [
    "The council voted on Tuesday to rebuild the old bridge over the river, a project that "
    "residents and engineers have argued about for more than a decade.",
    "Work is due to start in the spring and should take two years, the council said, with "
    "a temporary ferry running while the crossing is closed to traffic.",
    "Shopkeepers on both banks welcomed the decision but asked for help with the months of "
    "lost trade that the closure is likely to bring to the old town.",
]
SITE_RULE = '''
[[rule]]
id = "site.valley-more-from"
category = "promo"
kind = "block"
description = "The site's own promo line under every story."
pattern = "Valley Desk picks of the week"
remove = ["Valley Desk picks of the week"]
keep = ["The Valley Desk picks a story of the week on Fridays."]
'''


def article(extra: str = "", head: str = "", lang: str = "en") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return (f'<html lang="{lang}"><head><title>Bridge</title>{head}</head><body><article>'
            f"<h1>Council backs new bridge</h1>{body}{extra}</article></body></html>")


PROMO = "<p>Valley Desk picks of the week</p>"


@pytest.fixture(scope="module")
def site_cleaner(tmp_path_factory: pytest.TempPathFactory) -> Cleaner:
    sites = tmp_path_factory.mktemp("rules") / "sites"
    sites.mkdir()
    (sites / "valley-news.example.toml").write_text(SITE_RULE, encoding="utf-8")
    return Cleaner([sites])


# -- extraction ---------------------------------------------------------------------------

def test_blocks_keep_their_types() -> None:
    html = article("<h2>What happens next</h2><ul><li>A public meeting in May</li>"
                   "<li>Tenders in the summer</li></ul><blockquote>It is about time the "
                   "bridge was fixed, said a ferry worker who crosses twice a day.</blockquote>"
                   "<table><tr><td>Cost</td><td>12 million</td></tr>"
                   "<tr><td>Length</td><td>140 metres</td></tr></table>")
    doc = Cleaner(rule_list=[]).clean_document(Document(format="html"), html)
    kinds = {b.text: b.kind for b in doc.blocks}
    assert kinds["Council backs new bridge"] == HEADING
    assert kinds[PARAS[0]] == PARAGRAPH
    assert kinds["What happens next"] == HEADING
    assert kinds["- A public meeting in May"] == LIST_ITEM
    assert kinds["It is about time the bridge was fixed, said a ferry worker who crosses "
                 "twice a day."] == QUOTE
    cells = [(b.text, b.sep) for b in doc.blocks if b.kind == CELL]
    assert cells == [("Cost", "\n"), ("12 million", " | "), ("Length", "\n"),
                     ("140 metres", " | ")]
    assert "Cost | 12 million\nLength | 140 metres\n" in doc.render()


def test_text_matches_trafilatura_without_rules() -> None:
    html = article("<h2>Background</h2><p>The bridge was built in 1890 and <b>closed</b> to "
                   "lorries in 2015.</p>Loose text after a paragraph.<ul><li>One</li>"
                   "<li>Two<ul><li>Two and a half</li></ul></li></ul>")
    doc = Cleaner(rule_list=[]).clean_document(Document(format="html"), html)
    assert doc.render() == normalize(extract(html, include_comments=False) or "")


def test_section_rule_sees_heading_and_its_list() -> None:
    rule_list = parse_file('''
[[rule]]
id = "t.more-stories"
category = "promo"
kind = "section"
description = "a more-stories heading and its list"
pattern = "More stories"
remove = ["More stories"]
keep = ["More stories were told."]
''', "t.toml")
    html = article("<h3>More stories</h3><ul><li>Ferry fares to rise in June after "
                   "council review</li><li>Old town market reopens with forty stalls</li></ul>")
    doc = Cleaner(rule_list=rule_list).clean_document(Document(format="html"), html)
    text = doc.render()
    assert "More stories" not in text and "Ferry fares" not in text and PARAS[2] in text


def test_url_and_language_come_from_the_page(site_cleaner: Cleaner) -> None:
    head = '<link rel="canonical" href="https://www.valley-news.example/2021/bridge">'
    doc = site_cleaner.clean_document(Document(format="html"), article(PROMO, head, "en-GB"))
    assert doc.url == "https://www.valley-news.example/2021/bridge"
    assert doc.lang == "en"
    assert "Valley Desk picks of the week" not in doc.render()
    og = '<meta property="og:url" content="https://valley-news.example/b">'
    assert site_cleaner.clean_document(Document(format="html"), article("", og)).url == \
        "https://valley-news.example/b"


def test_a_given_url_wins_over_the_page() -> None:
    head = '<link rel="canonical" href="https://elsewhere.example/x">'
    doc = Cleaner(rule_list=[]).clean_document(
        Document(format="html", url="https://given.example/y"), article("", head))
    assert doc.url == "https://given.example/y"


@pytest.mark.parametrize("url,applies", [
    ("https://valley-news.example/story", True),
    ("https://www.valley-news.example/story", True),
    ("https://sport.valley-news.example/story", True),
    ("https://other-news.example/story", False),
    ("https://notvalley-news.example/story", False),
    (None, False),
])
def test_site_rule_scope(site_cleaner: Cleaner, url: str | None, applies: bool) -> None:
    text, removals = site_cleaner.clean_html(article(PROMO), url=url)
    assert ("Valley Desk picks of the week" not in text) is applies
    assert any(r.rule_id == "site.valley-more-from" for r in removals) is applies


def test_extract_options() -> None:
    with pytest.raises(ValueError, match="extract mode"):
        ExtractOptions(mode="fastest")
    for mode in ("precision", "recall", "fast"):
        text, _ = Cleaner(rule_list=[], extract=ExtractOptions(mode=mode)).clean_html(article())
        assert PARAS[1] in text


def test_not_html_at_all_gives_an_empty_document() -> None:
    doc = Cleaner(rule_list=[]).clean_document(Document(format="html"), "<html></html>")
    assert doc.render() == "" and doc.notes


# -- input forms through the batch ---------------------------------------------------------

def run_one(path: Path, cleaner: Cleaner, url: str | None = None):  # type: ignore[no-untyped-def]
    [item] = list(walk(path))
    return process_input(item, item.out_rel, cleaner, url=url)


def test_html_file(tmp_path: Path, site_cleaner: Cleaner) -> None:
    f = tmp_path / "story.html"
    f.write_text(article(PROMO), encoding="utf-8")
    result = run_one(f, site_cleaner, url="https://valley-news.example/s")
    assert result.out_rel == "story.txt"
    text = result.payload.decode("utf-8")
    assert PARAS[0] in text and "Valley Desk picks of the week" not in text
    assert result.reports[0]["status"] == "ok"


def test_html_gz_file(tmp_path: Path) -> None:
    f = tmp_path / "story.html.gz"
    f.write_bytes(gzip.compress(article().encode("utf-8")))
    result = run_one(f, Cleaner())
    assert result.out_rel == "story.txt"
    assert PARAS[2] in result.payload.decode("utf-8")


def test_jsonl_with_and_without_url(tmp_path: Path, site_cleaner: Cleaner) -> None:
    f = tmp_path / "pages.jsonl"
    records = [{"id": 1, "url": "https://www.valley-news.example/a", "html": article(PROMO),
                "source": "crawl-7"},
               {"id": 2, "html": article(PROMO)},
               {"id": 3, "text": PARAS[0] + "\n\n" + PARAS[1]}]
    f.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    result = run_one(f, site_cleaner)
    out = [json.loads(line) for line in result.payload.decode("utf-8").splitlines()]
    assert [r["id"] for r in out] == [1, 2, 3]
    assert out[0]["source"] == "crawl-7" and out[0]["url"] == records[0]["url"]
    assert "Valley Desk picks of the week" not in out[0]["text"]  # the site rule, by url
    assert "Valley Desk picks of the week" in out[1]["text"]  # no url: no site rule
    assert PARAS[0] in out[1]["text"] and out[2]["text"].startswith(PARAS[0])


def test_misdeclared_charset(tmp_path: Path) -> None:
    html = article("<p>Le caf\u00e9 cr\u00e8me co\u00fbte 3 \u20ac \u2013 \u00ab tr\u00e8s "
                   "cher \u00bb, disent les habitu\u00e9s du quartier depuis des ann\u00e9es.</p>",
                   head='<meta charset="utf-8">')
    f = tmp_path / "cafe.html"
    f.write_bytes(html.encode("cp1252"))
    text = run_one(f, Cleaner()).payload.decode("utf-8")
    assert "Le caf\u00e9 cr\u00e8me co\u00fbte 3 \u20ac" in text


# -- fidelity on real pages (skipped without ../shared) -------------------------------------

def _no_tables(text: str) -> str:
    """Table rows are laid out differently on purpose (cells joined by " | ")."""
    return " ".join(text.replace("|---", " ").replace("|", " ").split())


def test_fidelity_to_trafilatura_on_dataset_pages() -> None:
    root = shared_path("datasets", "webpages-annotated")
    annotations = json.loads((root / "annotations.json").read_text(encoding="utf-8"))
    cleaner = Cleaner(rule_list=[])
    exact = 0
    for pid in sorted(annotations)[:12]:
        html = decode(gzip.decompress((root / annotations[pid]["file"]).read_bytes()), html=True)
        want = normalize(extract(html, include_comments=False, include_tables=True) or "")
        got = cleaner.clean_document(Document(format="html"), html).render()
        assert _no_tables(got) == _no_tables(want), pid
        exact += got == want
        if not re.search(r"^\|", want, re.M):
            assert got == want, pid
    assert exact >= 8


def test_table_cells_that_look_like_labels_or_counters_stay() -> None:
    # A spec table's 'a/b' values, a record's date labels and a contact table's column
    # header are data: the gallery counter, timestamp and sign-up label rules leave cells alone.
    table = ("<table><tr><th>Name</th><th>Email address</th></tr>"
             "<tr><td>Ward one</td><td>ward1@council.example</td></tr>"
             "<tr><td>Power hp/kW</td><td>150/110</td></tr>"
             "<tr><td>Torque Nm</td><td>320/250</td></tr>"
             "<tr><td>First posted:</td><td>May 2, 2021</td></tr>"
             "<tr><td>Last update posted:</td><td>June 9, 2021</td></tr></table>")
    doc = Cleaner().clean_document(Document(format="html"), article(table))
    text = doc.render()
    assert PARAS[2] in text
    for cell in ("Email address", "150/110", "320/250", "First posted:", "Last update posted:"):
        assert cell in text, (cell, [r.as_dict() for r in doc.removals])


def test_a_lone_fraction_in_a_recipe_stays() -> None:
    recipe = "<h2>Ingredients</h2><p>1/4</p><p>cup butter</p><p>3/4</p><p>cup sugar</p>"
    doc = Cleaner().clean_document(Document(format="html"), article(recipe))
    text = doc.render()
    assert "1/4" in text and "3/4" in text, [r.as_dict() for r in doc.removals]
