"""Command line: click wiring only; the work is in batch.py, explain.py and ruletest.py.

Exit status: 0 all done, 1 some documents failed (or, for ``rules test``, some
examples), 2 usage or rule-file errors, 130 interrupted (run again with --resume).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

import click

from .batch import (DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, BatchOptions, Interrupted, Summary,
                    UsageError, run)
from .corpus import CORPUS_MODEL_NAME, MIN_DOCS, MIN_SHARE, CorpusOptions
from .inputs import URL
from .pipeline import Cleaner, ExtractOptions
from .rules import Rule, RuleError
from .workers import default_jobs

EXIT_FAILED_DOCS, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
EXTRACT_MODES = ("balanced", "precision", "recall", "fast")

rules_option = click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
                            help="A rule file or folder; repeatable. Same id overrides a default.")
no_defaults_option = click.option("--no-default-rules", is_flag=True,
                                  help="Start from no rules at all (only --rules).")


def extract_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--extract-mode, --no-tables, --comments: how HTML pages are extracted."""
    fn = click.option("--comments", is_flag=True, help="HTML: keep the comment section.")(fn)
    fn = click.option("--no-tables", is_flag=True, help="HTML: leave tables out.")(fn)
    return click.option("--extract-mode", type=click.Choice(EXTRACT_MODES), default="balanced",
                        show_default=True, help="HTML: trafilatura's precision/recall trade-off.")(fn)


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def load_cleaner(rule_paths: tuple[Path, ...], no_default_rules: bool,
                 extract: ExtractOptions = ExtractOptions()) -> Cleaner:
    try:
        return Cleaner(rule_paths, default_rules=not no_default_rules, extract=extract)
    except RuleError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def load_url_map(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    from .urlmap import load_url_map as load  # imported here: only --url-map needs it

    try:
        return load(path)
    except (OSError, ValueError) as exc:
        fail(f"--url-map {path}: {exc}")
        raise


def _path_or_dash(value: str) -> Path | None:
    return None if value == "-" else Path(value)


def _location(value: str, engine: str) -> Any:
    """SRC/DST: None for '-', the URL itself for 'scheme://...' (Ray reads and writes
    those through pyarrow; Path would fold the '//'), else a Path."""
    if URL.match(value):
        if engine != "ray":
            fail(f"{value}: a filesystem URL needs --engine ray")
        return value
    return _path_or_dash(value)


def run_ray_engine(opts: BatchOptions, cleaner: Cleaner, address: str | None,
                   jobs: int | None) -> Summary:
    """--engine ray: the same document function over Ray Data (cleaner/engine_ray.py)."""
    try:
        import ray  # noqa: F401
    except ImportError:
        raise UsageError("--engine ray needs the ray extra: pip install 'cleaner[ray]'") from None
    from .engine_ray import RayOptions, run_ray

    model = (opts.dst / CORPUS_MODEL_NAME if opts.corpus is not None and isinstance(opts.dst, Path)
             else None)
    return run_ray(opts, cleaner, RayOptions(address=address, num_cpus=jobs),
                   corpus=opts.corpus, model_path=model)


def rule_files(paths: tuple[Path, ...]) -> list[Rule]:
    """The rules of PATHS, or the defaults; a broken file is a usage error (exit 2)."""
    from .rules import default_rules, load_layer

    try:
        return load_layer(paths) if paths else default_rules()
    except RuleError as exc:
        fail(str(exc))


@click.group()
@click.version_option(package_name="cleaner")
def main() -> None:
    """Strip boilerplate out of news articles."""


@main.command()
@click.argument("src")
@click.argument("dst")
@rules_option
@no_defaults_option
@extract_options
@click.option("--report", type=click.Path(path_type=Path), help="Write one JSONL line per document.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all cores].")
@click.option("--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds one document may take before it is failed (0: no limit).")
@click.option("--resume", is_flag=True, help="Finish an interrupted run into the same DST: "
              "files already done with the same input and rules are kept.")
@click.option("--overwrite", is_flag=True, help="Allow a non-empty DST and start afresh.")
@click.option("--include", multiple=True, help="Only inputs matching this glob; repeatable.")
@click.option("--exclude", multiple=True, help="Skip inputs matching this glob; repeatable.")
@click.option("--url-map", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file giving each input's URL (scopes site rules).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES,
              show_default=True, help="Skip documents larger than this.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--corpus-pass", is_flag=True,
              help="First learn blocks that recur across a site's documents, then remove them.")
@click.option("--corpus-min-docs", type=click.IntRange(min=2), default=MIN_DOCS, show_default=True,
              help="Corpus pass: a block must be in at least this many documents of a site...")
@click.option("--corpus-min-share", type=click.FloatRange(0, 1, min_open=True), default=MIN_SHARE,
              show_default=True, help="...and in at least this share of them.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: worker processes here; ray: Ray Data (pip install 'cleaner[ray]').")
@click.option("--ray-address", help="Ray: join this cluster (default: start a local one).")
def clean(src: str, dst: str, rule_paths: tuple[Path, ...], no_default_rules: bool,
          extract_mode: str, no_tables: bool, comments: bool, report: Path | None,
          jobs: int | None, timeout: float, resume: bool, overwrite: bool,
          include: tuple[str, ...], exclude: tuple[str, ...], url_map: Path | None,
          max_bytes: int, quiet: bool, corpus_pass: bool, corpus_min_docs: int,
          corpus_min_share: float, engine: str, ray_address: str | None) -> None:
    """Clean SRC (a file, a folder, or - for stdin) into DST (a folder, or - for stdout),
    mirroring the tree."""
    extract = ExtractOptions(mode=extract_mode, tables=not no_tables, comments=comments)
    cleaner = load_cleaner(rule_paths, no_default_rules, extract)
    opts = BatchOptions(src=_location(src, engine), dst=_location(dst, engine), rules=rule_paths,
                        default_rules=not no_default_rules, report=report, max_bytes=max_bytes,
                        include=include, exclude=exclude, overwrite=overwrite,
                        url_map=load_url_map(url_map), jobs=jobs or default_jobs(),
                        timeout=timeout or None, resume=resume,
                        progress=not quiet and sys.stderr.isatty(),
                        corpus=CorpusOptions(corpus_min_docs, corpus_min_share) if corpus_pass else None)
    try:
        if engine == "ray":
            summary = run_ray_engine(opts, cleaner, ray_address, jobs)
        else:
            summary = run(opts, cleaner)
    except UsageError as exc:
        fail(str(exc))
        return
    except Interrupted as exc:
        click.echo(f"\n{exc}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if not quiet:
        click.echo(summary.table(), err=True)
    sys.exit(EXIT_FAILED_DOCS if summary.failed else 0)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--url", help="The page's URL (scopes site rules).")
@rules_option
@no_defaults_option
@extract_options
@click.option("--color/--no-color", default=None, help="Colour [default: on a terminal].")
def explain(file: str, url: str | None, rule_paths: tuple[Path, ...], no_default_rules: bool,
            extract_mode: str, no_tables: bool, comments: bool, color: bool | None) -> None:
    """Show FILE with every removed piece in place, with its rule id and pass."""
    from .explain import explain_bytes

    extract = ExtractOptions(mode=extract_mode, tables=not no_tables, comments=comments)
    cleaner = load_cleaner(rule_paths, no_default_rules, extract)
    data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    try:
        text = explain_bytes(cleaner, data, file, url=url,
                             color=sys.stdout.isatty() if color is None else color)
    except Exception as exc:  # noqa: BLE001 - one document: say why, do not trace back
        click.echo(f"failed: {file}: {exc}", err=True)
        sys.exit(EXIT_FAILED_DOCS)
    click.echo(text, nl=False, color=True)


@main.group()
def rules() -> None:
    """List, check and test rule files."""


@rules.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@no_defaults_option
def rules_list(paths: tuple[Path, ...], no_default_rules: bool) -> None:
    """The loaded rules (defaults, then PATHS) with kind, category and scope."""
    from .rulelist import rule_table

    cleaner = load_cleaner(paths, no_default_rules)
    click.echo(rule_table(cleaner.rules))


@rules.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def rules_check(paths: tuple[Path, ...]) -> None:
    """Validate rule files (PATHS, or the defaults); exit 2 naming file, rule and field."""
    loaded = rule_files(paths)
    files = {r.file for r in loaded}
    click.echo(f"ok: {len(loaded)} rules in {len(files)} files")


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def rules_test(paths: tuple[Path, ...]) -> None:
    """Run every rule's remove/keep examples (PATHS, or the defaults); exit 1 on a failure."""
    from .ruletest import cases, check

    loaded = rule_files(paths)
    all_cases = list(cases(loaded))
    failures = [f for f in map(check, all_cases) if f is not None]
    for failure in failures:
        click.echo(f"FAIL {failure}")
    click.echo(f"{len(all_cases) - len(failures)} of {len(all_cases)} examples pass "
               f"({len(loaded)} rules)")
    sys.exit(EXIT_FAILED_DOCS if failures else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
