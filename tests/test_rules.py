"""Rule files: a broken file stops the run before any document is touched, naming
file, rule and field; user files add to and override the defaults."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from cleaner import Cleaner
from cleaner.cli import main
from cleaner.rules import RuleError, load_rules

GOOD = """
[[rule]]
id = "promo.test-rule"
category = "promo"
description = "A test promo line."
kind = "block"
pattern = 'buy our mugs'
remove = ["Buy our mugs"]
keep = ["We did not buy our mugs there."]
"""

BROKEN = {
    "bad-toml": ("[[rule]\nid = 'x.y'", None, None, "bad TOML"),
    "unknown-key": (GOOD.replace("kind =", "colour = 'red'\nkind ="), "promo.test-rule", "colour",
                    "unknown key"),
    "bad-regex": (GOOD.replace("'buy our mugs'", "'buy (our mugs'"), "promo.test-rule", "pattern",
                  "invalid regex"),
    "duplicate-id": (GOOD + GOOD, "promo.test-rule", "id", "duplicate id"),
    "no-keep": (GOOD.replace('keep = ["We did not buy our mugs there."]', ""), "promo.test-rule",
                "keep", "at least one example"),
    "bad-kind": (GOOD.replace('kind = "block"', 'kind = "blob"'), "promo.test-rule", "kind", "must be one of"),
    "bad-selector": (GOOD.replace('kind = "block"\npattern = \'buy our mugs\'',
                                  'kind = "dom"\nselector = "div[[["'), "promo.test-rule", "selector",
                     "invalid CSS selector"),
    "empty-match": (GOOD.replace("'buy our mugs'", "'x*'"), "promo.test-rule", "pattern", "empty"),
    "backref": (GOOD.replace("'buy our mugs'", r"'(buy) \1'"), "promo.test-rule", "pattern", "backreference"),
    "bad-detector-param": ("""
[[rule]]
id = "repeats.x"
category = "caption"
description = "d"
kind = "detector"
detector = "repeated_line"
params = { min_count = "three" }
remove = ["a"]
keep = ["b"]
""", "repeats.x", "params.min_count", "must be like"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_rule_file_names_file_rule_and_field(tmp_path, name):
    text, rule, fld, words = BROKEN[name]
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(RuleError) as info:
        load_rules([path])
    err = info.value
    assert str(path) in str(err) and words in str(err)
    assert err.rule == rule and err.field == fld


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_rule_file_stops_cli_before_any_output(tmp_path, name):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("Body text.\n")
    bad = tmp_path / "bad.toml"
    bad.write_text(BROKEN[name][0])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(src), str(out), "--rules", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output and "error:" in result.output
    assert not out.exists()


def test_user_rule_adds_and_overrides(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD + textwrap.dedent("""
        [[rule]]
        id = "comments.enter-comment-prompt"
        enabled = false
    """))
    cleaner = Cleaner([path])
    ids = {r.id for r in cleaner.rules}
    assert "promo.test-rule" in ids
    assert "comments.enter-comment-prompt" not in ids
    text, removals = cleaner.clean_text("Body.\n\nBuy our mugs\n\nPlease enter your comment!\n")
    assert text == "Body.\n\nPlease enter your comment!\n"
    assert [r.rule_id for r in removals] == ["promo.test-rule"]


def test_user_rule_with_same_id_replaces_default(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace("promo.test-rule", "contact.write-to-author"))
    cleaner = Cleaner([path])
    rule = next(r for r in cleaner.rules if r.id == "contact.write-to-author")
    assert rule.pattern == "buy our mugs" and rule.file == str(path)


def test_no_default_rules_starts_empty(tmp_path):
    assert Cleaner(default_rules=False).rules == []
    text, removals = Cleaner(default_rules=False).clean_text("Body.\n\nPlease enter your comment!\n")
    assert removals == [] and text.endswith("Please enter your comment!\n")


def test_site_file_applies_to_domain_and_subdomains_only(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "example.com.toml").write_text(GOOD.replace("promo.test-rule", "site.example-mugs"))
    cleaner = Cleaner([sites], default_rules=False)
    doc = "Body.\n\nBuy our mugs\n"
    assert cleaner.clean_text(doc, url="https://example.com/a").text == "Body.\n"
    assert cleaner.clean_text(doc, url="https://news.example.com/a").text == "Body.\n"
    assert cleaner.clean_text(doc, url="https://example.org/a").text == doc
    assert cleaner.clean_text(doc, url="https://notexample.com/a").text == doc
    assert cleaner.clean_text(doc).text == doc
    # One prefilter serves both: the other site's scope just ignores the site rule.
    rules = cleaner.ruleset
    assert rules.scope("https://example.com/a") is not rules.scope("https://example.org/a")
    assert rules.scope("https://example.com/a").matcher.index is \
        rules.scope("https://example.org/a").matcher.index


def test_languages_with_the_same_rules_share_one_compiled_scope():
    """A scope is compiled once per set of rules, not once per language label."""
    rules = Cleaner().ruleset
    assert rules.scope(None, "ja") is rules.scope(None, "nl") is rules.scope(None, "ru")
    german = rules.scope(None, "de")
    assert german is not rules.scope(None, "ja")
    assert any("de" in r.langs for r in german.rules)
    assert not any(r.langs and "ja" not in r.langs for r in rules.scope(None, "ja").rules)
    assert german.matcher.index is rules.scope(None, "ja").matcher.index  # one compile


def test_cleaner_pickles_after_use_for_worker_processes():
    import pickle

    cleaner = Cleaner()
    text = "Body text of a story.\n\nPlease enter your comment!\n"
    before = cleaner.clean_text(text)  # compiles a scope (a Hyperscan database)
    twin = pickle.loads(pickle.dumps(cleaner))
    assert twin.clean_text(text) == before
