"""The two seed articles come out exactly as their expected files (../shared/seeds)."""

from __future__ import annotations

from click.testing import CliRunner

from cleaner.cli import main

from .conftest import shared_path


def test_cli_on_seed_folder_writes_expected_outputs(tmp_path):
    seeds = shared_path("seeds")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(seeds), str(out)])
    assert result.exit_code == 0, result.output
    expected = sorted(seeds.glob("*.expected.txt"))
    assert len(expected) == 2
    for exp in expected:
        name = exp.name.replace(".expected.txt", ".txt")
        assert (out / name).read_bytes() == exp.read_bytes(), name


def test_api_on_seeds(cleaner):
    seeds = shared_path("seeds")
    for exp in sorted(seeds.glob("*.expected.txt")):
        raw = exp.with_name(exp.name.replace(".expected.txt", ".txt")).read_text(encoding="utf-8")
        text, removals = cleaner.clean_text(raw)
        assert text == exp.read_text(encoding="utf-8")
        assert removals and all(r.rule_id and r.category and r.text for r in removals)
