"""dom pass: elements removed by CSS selector before extraction, each removal named."""

from __future__ import annotations

from cleaner import dom
from cleaner.document import Document
from cleaner.pipeline import Cleaner
from cleaner.rules import Rule, parse_file

PARA = ("The council voted on Tuesday to rebuild the old bridge over the river, a project "
        "that has been discussed for more than a decade by residents and engineers alike. ")


def rules(toml: str) -> list[Rule]:
    return parse_file(toml, "test.toml")


SIGNUP = rules('''
[[rule]]
id = "t.signup"
category = "newsletter"
kind = "dom"
description = "sign-up box"
selector = ".signup-box"
remove = ['<div class="signup-box">Sign up</div>']
keep = ['<p>Text</p>']

[[rule]]
id = "t.aside-promo"
category = "promo"
kind = "dom"
description = "a promo inside an aside: a selector with a combinator"
selector = "aside .promo"
remove = ['<aside><div class="promo">Buy</div></aside>']
keep = ['<div class="promo">Buy</div>']
''')


def page(inner: str) -> str:
    body = "".join(f"<p>{PARA}</p>" for _ in range(6))
    return f"<html><body><article><h1>Bridge vote</h1>{body}{inner}</article></body></html>"


def clean(html: str, rule_list: list[Rule]) -> Document:
    return Cleaner(rule_list=rule_list).clean_document(Document(format="html"), html)


def test_matched_element_is_removed_and_recorded() -> None:
    doc = clean(page('<div class="signup-box"><p>Get the weekly letter from the valley '
                     'desk in your inbox every Friday morning.</p></div>'), SIGNUP)
    assert "weekly letter" not in doc.render()
    assert "rebuild the old bridge" in doc.render()
    [removal] = [r for r in doc.removals if r.pass_name == "dom"]
    assert (removal.rule_id, removal.category) == ("t.signup", "newsletter")
    assert "weekly letter" in removal.text


def test_unmatched_page_is_untouched() -> None:
    html = page('<div class="signup-boxes-history"><p>The history of the sign-up box.</p></div>')
    with_rules, without = clean(html, SIGNUP), clean(html, [])
    assert with_rules.render() == without.render()
    assert not with_rules.removals


def test_selector_with_combinator_is_named() -> None:
    html = page('<aside><div class="promo"><p>Two for one on all garden tools this week '
                'only, while stocks last at every branch.</p></div></aside>'
                '<div class="promo"><p>This promo div sits outside any aside and stays in the '
                'page because the selector needs an aside around it.</p></div>')
    doc = clean(html, SIGNUP)
    assert [r.rule_id for r in doc.removals if r.pass_name == "dom"] == ["t.aside-promo"]
    assert "garden tools" not in " ".join(b.text for b in doc.blocks)


def test_nested_matches_are_removed_once() -> None:
    html = page('<div class="signup-box"><div class="signup-box"><p>Inner box text that '
                'belongs to the outer box as well.</p></div></div>')
    doc = clean(html, SIGNUP)
    assert len([r for r in doc.removals if r.pass_name == "dom"]) == 1


def test_backs_off_from_an_element_holding_most_of_the_text() -> None:
    body = "".join(f"<p>{PARA}</p>" for _ in range(6))
    html = (f'<html><body><div class="signup-box newsletter-enabled"><h1>Bridge vote</h1>'
            f'{body}</div><footer><p>Contact the desk.</p></footer></body></html>')
    doc = clean(html, SIGNUP)
    assert "rebuild the old bridge" in doc.render()
    assert not [r for r in doc.removals if r.pass_name == "dom"]
    assert any(n.startswith("backoff: t.signup") for n in doc.notes)


def test_selectors_are_indexed_by_the_key_they_need() -> None:
    comp = dom.compiled(SIGNUP)
    assert comp is dom.compiled(SIGNUP)  # compiled once per process
    assert [e[0] for e in comp.index[("class", "signup-box")]] == [0]
    assert [i for i, _ in comp.full] == [1]  # a combinator: run as its own XPath


def test_keys_of_every_selector_shape() -> None:
    shapes = rules('''
[[rule]]
id = "t.shapes"
category = "ads"
kind = "dom"
description = "one selector of each shape"
selector = "figcaption, div#promo-1, [data-ad-slot], [id^='gpt-ad'], p.x.y"
remove = ['<figcaption>x</figcaption>']
keep = ['<p>x</p>']
''')
    keys = set(dom.compiled(shapes).index)
    assert keys - {("class", "x"), ("class", "y")} == {
        ("tag", "figcaption"), ("id", "promo-1"), ("attr", "data-ad-slot"), ("attr", "id")}
    assert len(keys) == 5  # one of the two classes of "p.x.y" is its key
    html = page('<figcaption>a</figcaption><div id="promo-1">b</div><div data-ad-slot="3">c'
                '</div><div id="gpt-ad-7">d</div><p class="y x">e</p><p class="x">f</p>')
    doc = clean(html, shapes)
    assert sorted(r.text for r in doc.removals) == ["a", "b", "c", "d", "e"]


def test_shipped_dom_rules_leave_a_plain_article_alone() -> None:
    html = page("<p>Work is due to start in the spring, the council said.</p>")
    doc = Cleaner().clean_document(Document(format="html"), html)
    assert not [r for r in doc.removals if r.pass_name == "dom"]
    assert "due to start in the spring" in doc.render()


CAPTION = rules('''
[[rule]]
id = "t.caption"
category = "caption"
kind = "dom"
description = "captions stay in the tree and go as text"
selector = "figcaption"
remove = ['<figcaption>x</figcaption>']
keep = ['<p>x</p>']
''')


def test_captions_are_removed_as_text_after_extraction() -> None:
    caption = "The old bridge in winter, seen from the ferry landing on the east bank."
    html = page(f'<div class="photo"><img src="a.jpg"><figcaption><p>{caption}</p>'
                f'</figcaption></div><p>{caption} That view is what residents want back, '
                f'the petition says.</p>')
    plain = clean(html, []).render()
    assert caption + "\n" in plain  # trafilatura keeps this caption
    doc = clean(html, CAPTION)
    text = doc.render()
    assert caption + "\n" not in text
    assert "That view is what residents want back" in text  # a longer block is not a caption
    assert [(r.pass_name, r.rule_id) for r in doc.removals] == [("dom", "t.caption")]
