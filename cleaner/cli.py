"""Command line: click wiring only; the work is in batch.py, explain.py and ruletest.py."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .batch import BatchOptions, UsageError, run
from .pipeline import Cleaner
from .rules import RuleError

EXIT_FAILED_DOCS, EXIT_USAGE = 1, 2

rules_option = click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
                            help="A rule file or folder; repeatable. Same id overrides a default.")
no_defaults_option = click.option("--no-default-rules", is_flag=True,
                                  help="Start from no rules at all (only --rules).")


def load_cleaner(rule_paths: tuple[Path, ...], no_default_rules: bool) -> Cleaner:
    try:
        return Cleaner(rule_paths, default_rules=not no_default_rules)
    except RuleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@click.group()
@click.version_option(package_name="cleaner")
def main() -> None:
    """Strip boilerplate out of news articles."""


@main.command()
@click.argument("src", type=click.Path(path_type=Path))
@click.argument("dst", type=click.Path(path_type=Path))
@rules_option
@no_defaults_option
@click.option("--report", type=click.Path(path_type=Path), help="Write one JSONL line per document.")
@click.option("--overwrite", is_flag=True, help="Allow a non-empty DST.")
@click.option("--include", multiple=True, help="Only inputs matching this glob; repeatable.")
@click.option("--exclude", multiple=True, help="Skip inputs matching this glob; repeatable.")
@click.option("--max-bytes", type=int, default=20_000_000, show_default=True,
              help="Skip documents larger than this.")
@click.option("--quiet", is_flag=True, help="No summary.")
def clean(src: Path, dst: Path, rule_paths: tuple[Path, ...], no_default_rules: bool,
          report: Path | None, overwrite: bool, include: tuple[str, ...],
          exclude: tuple[str, ...], max_bytes: int, quiet: bool) -> None:
    """Clean SRC (a file or a folder) into DST, mirroring the tree."""
    cleaner = load_cleaner(rule_paths, no_default_rules)
    opts = BatchOptions(src=src, dst=dst, rules=rule_paths, default_rules=not no_default_rules,
                        report=report, max_bytes=max_bytes, include=include, exclude=exclude,
                        overwrite=overwrite)
    try:
        summary = run(opts, cleaner)
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for source, status, reason in summary.failures:
        click.echo(f"{status}: {source}: {reason}", err=True)
    if not quiet:
        click.echo(summary.table(), err=True)
    sys.exit(EXIT_FAILED_DOCS if summary.failed else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
