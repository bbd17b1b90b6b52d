"""The Ray engine gives the local engine's outputs and report, byte for byte.

Starts one local Ray cluster with 2 CPUs for the module; skipped when the ``ray``
extra is not installed.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cleaner.manifest import MANIFEST_NAME  # the local engine's resume log, not an output

pytest.importorskip("ray.data")

import ray  # noqa: E402

from cleaner import Cleaner  # noqa: E402
from cleaner.batch import BatchOptions, run  # noqa: E402
from cleaner.corpus import CorpusOptions, learn_files, with_corpus  # noqa: E402
from cleaner.engine_ray import RayOptions, run_ray  # noqa: E402
from cleaner.inputs import walk  # noqa: E402

CORPUS = CorpusOptions(min_docs=3, min_share=0.3)


@pytest.fixture(scope="module", autouse=True)
def ray_cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def _story(n: int) -> str:
    return ("Riverside Weekly | Local news for the valley\n\n"
            f"Residents of ward {n} met on Tuesday to discuss the new bus timetable.\n\n"
            f"The council said {n * 3} routes would change in spring, and invited comments.\n\n"
            "Tips to the newsdesk any time of day\n\n"
            "Riverside Weekly, 4 Mill Lane, Riverside\n\n"
            "Please enter your comment!\n")


def _page(n: int) -> str:
    return (f"<html><head><title>Harbour story {n}</title></head><body><article>"
            f"<h1>Harbour story {n}</h1><p>Boats in the harbour were counted on day {n} by the "
            f"port office, which publishes a yearly report on traffic.</p><p>The count found "
            f"{n + 40} boats, more than last year.</p><p>Subscribe to the Harbour Bulletin for "
            f"the week's news from the port</p></article></body></html>")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """Text, HTML, gzip, JSONL with URLs, an empty file and a broken gzip."""
    src = tmp_path_factory.mktemp("src")
    (src / "weekly").mkdir()
    (src / "harbour").mkdir()
    for n in range(6):
        (src / "weekly" / f"story{n}.txt").write_text(_story(n), "utf-8")
        (src / "harbour" / f"page{n}.html").write_text(_page(n), "utf-8")
    (src / "weekly" / "zipped.txt.gz").write_bytes(gzip.compress(_story(9).encode()))
    records = [{"id": n, "url": f"https://www.weekly.example/{n}", "text": _story(n + 20),
                "lang": "en"} for n in range(5)]
    records.append({"id": "page", "url": "https://harbour.example/p", "html": _page(99)})
    (src / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    (src / "empty.txt").write_text("", "utf-8")
    (src / "broken.txt.gz").write_bytes(b"not gzip at all")
    return src


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != MANIFEST_NAME}


def _local(src: Path, out: Path, cleaner: Cleaner, corpus: bool) -> Path:
    out.mkdir()
    if corpus:
        model = learn_files(walk(src), cleaner, CORPUS).model()
        cleaner = with_corpus(cleaner, model)
    run(BatchOptions(src=src, dst=out / "dst", report=out / "report.jsonl"), cleaner)
    return out


def _ray(src: str | Path, out: Path, cleaner: Cleaner, corpus: bool) -> Path:
    out.mkdir()
    opts = BatchOptions(src=src, dst=out / "dst", report=out / "report.jsonl")  # type: ignore[arg-type]
    run_ray(opts, cleaner, RayOptions(batch_files=3), corpus=CORPUS if corpus else None)
    return out


@pytest.mark.parametrize("corpus", [False, True], ids=["rules", "rules+corpus"])
def test_ray_matches_local_byte_for_byte(mixed: Path, tmp_path: Path, corpus: bool) -> None:
    cleaner = Cleaner()
    local = _local(mixed, tmp_path / "local", cleaner, corpus)
    far = _ray(mixed, tmp_path / "ray", cleaner, corpus)
    assert _tree(far / "dst") == _tree(local / "dst")
    assert (far / "report.jsonl").read_bytes() == (local / "report.jsonl").read_bytes()
    report = [json.loads(x) for x in (local / "report.jsonl").read_text("utf-8").splitlines()]
    statuses = {r["status"] for r in report}
    assert statuses == {"ok", "skipped", "failed"}
    rules = {rm["rule"] for r in report for rm in r.get("removals", ())}
    assert ("corpus.repeated" in rules) == corpus


def test_ray_reads_a_filesystem_url(mixed: Path, tmp_path: Path) -> None:
    cleaner = Cleaner()
    local = _local(mixed, tmp_path / "local", cleaner, corpus=True)
    far = _ray(mixed.as_uri(), tmp_path / "ray", cleaner, corpus=True)
    assert _tree(far / "dst") == _tree(local / "dst")
    assert (far / "report.jsonl").read_bytes() == (local / "report.jsonl").read_bytes()

