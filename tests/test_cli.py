"""``cleaner rules list | check | test`` and the exit statuses of the command line."""

from __future__ import annotations

from click.testing import CliRunner

from cleaner.cli import main
from cleaner.rules import default_rules

GOOD_RULE = '''
category = "promo"
[[rule]]
id = "promo.app-download"
description = "A line pushing the publisher's app is not part of the story."
kind = "block"
pattern = 'download (?:our|the) app(?: now)?[.!]?'
remove = ["Download our app now!"]
keep = ["The council said residents could download the app to report potholes."]
'''
# Its keep example is eaten: rules test must say so and exit 1.
WRONG_RULE = GOOD_RULE.replace("promo.app-download", "promo.too-greedy").replace(
    "download (?:our|the) app(?: now)?[.!]?", ".*download.*")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_rules_list_shows_every_rule_with_scope_and_category(tmp_path):
    (tmp_path / "app.toml").write_text(GOOD_RULE)
    result = invoke("rules", "list", str(tmp_path / "app.toml"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["id", "kind", "category", "scope"]
    row = next(x for x in lines if x.startswith("promo.app-download"))
    assert row.split()[1:4] == ["block", "promo", "all"]
    assert lines[-1] == f"{len(default_rules()) + 1} rules"


def test_rules_list_shows_site_and_language_scope(tmp_path):
    path = tmp_path / "de.toml"
    path.write_text(GOOD_RULE.replace('category = "promo"',
                                      'category = "promo"\nsites = ["example.de"]\nlangs = ["de"]'))
    result = invoke("rules", "list", "--no-default-rules", str(path))
    assert "sites=example.de langs=de" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 rules"


def test_rules_check_accepts_good_and_names_bad_files(tmp_path):
    (tmp_path / "app.toml").write_text(GOOD_RULE)
    result = invoke("rules", "check", str(tmp_path / "app.toml"))
    assert result.exit_code == 0 and result.stdout.startswith("ok: 1 rules in 1 files")
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD_RULE.replace("keep = ", "kep = "))
    result = invoke("rules", "check", str(bad))
    assert result.exit_code == 2
    assert "bad.toml" in result.stderr and "promo.app-download" in result.stderr
    assert "kep" in result.stderr


def test_rules_check_without_paths_checks_the_defaults():
    result = invoke("rules", "check")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"ok: {len(default_rules())} rules")


def test_rules_test_reports_each_failure_and_exits_1(tmp_path):
    (tmp_path / "good.toml").write_text(GOOD_RULE)
    assert invoke("rules", "test", str(tmp_path / "good.toml")).exit_code == 0
    (tmp_path / "wrong.toml").write_text(WRONG_RULE)
    result = invoke("rules", "test", str(tmp_path / "wrong.toml"))
    assert result.exit_code == 1
    assert "FAIL promo.too-greedy:keep0: removed" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 of 2 examples pass (1 rules)"


def test_rules_test_runs_the_default_examples():
    result = invoke("rules", "test")
    assert result.exit_code == 0, result.stdout
    assert "FAIL" not in result.stdout


def test_unknown_command_and_option_are_usage_errors(tmp_path):
    assert invoke("nope").exit_code == 2
    assert invoke("clean", str(tmp_path), str(tmp_path / "o"), "--frobnicate").exit_code == 2
    assert invoke("clean", str(tmp_path), str(tmp_path / "o"), "--extract-mode", "x").exit_code == 2


def test_extract_options_reach_the_cleaner_and_the_rules_fingerprint(tmp_path):
    import json

    from cleaner.manifest import MANIFEST_NAME

    src = tmp_path / "s"
    src.mkdir()
    (src / "a.txt").write_text("A story about the night ferry.\n")

    def rules_hash(dst, *args):
        assert invoke("clean", str(src), str(dst), "-q", *args).exit_code == 0
        return json.loads((dst / MANIFEST_NAME).read_text().splitlines()[0])["rules_hash"]

    default = rules_hash(tmp_path / "o1")
    assert rules_hash(tmp_path / "o2") == default
    assert rules_hash(tmp_path / "o3", "--extract-mode", "precision") != default
    assert rules_hash(tmp_path / "o4", "--no-tables", "--comments") != default


def test_cli_refuses_a_url_without_the_ray_engine(tmp_path):
    from click.testing import CliRunner

    from cleaner.cli import main

    result = CliRunner().invoke(main, ["clean", "s3://bucket/articles", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "needs --engine ray" in result.output and not (tmp_path / "o").exists()
