"""The batch engine: same outputs whatever the number of workers, reports in input
order, paths refused before anything is written, stdin/stdout, globs and symlinks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.batch import BatchOptions, Summary, run, write_atomic
from cleaner.cli import main
from cleaner.inputs import walk
from cleaner.manifest import MANIFEST_NAME
from cleaner.progress import Progress, render

from .batch_helpers import article, make_tree, outputs, temporaries


def invoke(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("src")
    make_tree(root, 60)
    return root


def test_jobs_1_and_2_give_identical_outputs_and_reports(tree, tmp_path):
    runs = {}
    for jobs in ("1", "2"):
        dst, report = tmp_path / f"out{jobs}", tmp_path / f"report{jobs}.jsonl"
        result = invoke("clean", str(tree), str(dst), "--jobs", jobs, "--report", str(report))
        assert result.exit_code == 0, result.output
        runs[jobs] = (outputs(dst), report.read_bytes())
    assert len(runs["1"][0]) == 60
    assert runs["1"] == runs["2"]


def test_report_lines_are_in_input_order_and_record_removals(tree, tmp_path):
    report = tmp_path / "r.jsonl"
    assert invoke("clean", str(tree), str(tmp_path / "o"), "-j", "2",
                  "--report", str(report)).exit_code == 0
    lines = [json.loads(x) for x in report.read_text().splitlines()]
    assert [x["source"] for x in lines] == [i.rel for i in walk(tree)]
    removals = [r for x in lines for r in x["removals"]]
    assert {"caption", "comments"} <= {r["category"] for r in removals}
    assert all(r["rule"] and r["pass"] for r in removals)


def test_inputs_are_never_modified(tree, tmp_path):
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tree.rglob("*") if p.is_file()}
    invoke("clean", str(tree), str(tmp_path / "o"), "-j", "2")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tree.rglob("*") if p.is_file()}
    assert before == after


@pytest.mark.parametrize("where", ["same", "inside"])
def test_dst_equal_to_or_inside_src_is_refused(tree, where):
    dst = tree if where == "same" else tree / "d00" / "out"
    result = invoke("clean", str(tree), str(dst))
    assert result.exit_code == 2
    assert "must not be" in result.stderr
    assert not (tree / "d00" / "out").exists()


def test_non_empty_dst_is_refused_without_overwrite_or_resume(tree, tmp_path):
    dst = tmp_path / "o"
    dst.mkdir()
    (dst / "mine.txt").write_text("keep me")
    result = invoke("clean", str(tree), str(dst))
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert sorted(p.name for p in dst.iterdir()) == ["mine.txt"]
    assert invoke("clean", str(tree), str(dst), "--overwrite").exit_code == 0
    assert len(outputs(dst)) == 61


def test_missing_src_and_bad_options_exit_2(tmp_path):
    assert invoke("clean", str(tmp_path / "nope"), str(tmp_path / "o")).exit_code == 2
    assert invoke("clean", str(tmp_path), "-", "--resume").exit_code == 2
    assert invoke("clean", str(tmp_path), str(tmp_path / "o"), "--jobs", "0").exit_code == 2


def test_include_and_exclude_globs(tree, tmp_path):
    dst = tmp_path / "o"
    result = invoke("clean", str(tree), str(dst), "--include", "d0[12]/*",
                    "--exclude", "doc00002.txt")
    assert result.exit_code == 0, result.output
    assert sorted(outputs(dst)) == sorted(
        i.rel for i in walk(tree) if i.rel.startswith(("d01/", "d02/")) and "doc00002" not in i.rel)


def test_symlinks_are_followed_without_loops(tmp_path):
    src = tmp_path / "src"
    make_tree(src, 4, folders=2)
    os.symlink(src, src / "d00" / "loop")  # a folder that contains itself
    os.symlink(src / "d01" / "doc00001.txt", src / "linked.txt")
    rels = [i.rel for i in walk(src)]
    assert "linked.txt" in rels
    assert not any("loop/" in r for r in rels)
    assert len(rels) == 5


def test_stdin_to_stdout(tmp_path):
    text = article(__import__("random").Random(3))
    result = invoke("clean", "-", "-", "--quiet", input=text.encode())
    assert result.exit_code == 0, result.output
    assert "(Pic: AGENCY)" not in result.stdout
    assert result.stdout.splitlines()[0] == text.splitlines()[0]
    assert result.stderr == ""


def test_stdin_jsonl_keeps_fields_and_order():
    records = [{"id": i, "text": f"Paragraph {i} of a story about the harbour.\n\nPlease enter your "
                "comment!", "lang": "en"} for i in range(3)]
    data = "\n".join(json.dumps(r) for r in records).encode()
    result = invoke("clean", "-", "-", "-q", input=data)
    assert result.exit_code == 0, result.output
    got = [json.loads(x) for x in result.stdout.splitlines()]
    assert [g["id"] for g in got] == [0, 1, 2]
    assert all(g["lang"] == "en" and "comment" not in g["text"] for g in got)


def test_folder_to_stdout_is_in_input_order(tmp_path):
    src = tmp_path / "s"
    src.mkdir()
    for name, body in (("b.txt", "Second story about rain."), ("a.txt", "First story about sun.")):
        (src / name).write_text(body + "\n")
    result = invoke("clean", str(src), "-", "-j", "2", "-q")
    assert result.stdout == "First story about sun.\nSecond story about rain.\n"


def test_summary_table_counts_everything(tree, tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "empty.txt").write_bytes(b"")
    (tmp_path / "s" / "bin.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "s" / "ok.txt").write_text(article(__import__("random").Random(1)))
    result = invoke("clean", str(tmp_path / "s"), str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "documents   1 ok, 1 skipped, 1 failed" in result.stderr
    assert "failed: bin.txt: binary" in result.stderr
    assert "skipped: empty.txt: empty document" in result.stderr
    assert "removals by category" in result.stderr and "top rules" in result.stderr


def test_quiet_prints_failures_but_no_summary(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "bin.txt").write_bytes(bytes(range(256)) * 8)
    result = invoke("clean", str(tmp_path / "s"), str(tmp_path / "o"), "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith("failed: bin.txt")
    assert "documents" not in result.stderr


def test_progress_bar_shows_count_rate_and_eta(tmp_path):
    assert render(50, 200, 10.0, width=8) == "[##......] 50/200  25% 5 files/s ETA 0:30"
    assert render(0, 10, 0.0, width=4).endswith("ETA --:--")
    assert render(1, 1000, 0.5, width=4).endswith("2 files/s ETA --:--")  # too early to tell
    stream_path = tmp_path / "bar"
    with stream_path.open("w") as stream:
        bar = Progress(3, enabled=True, stream=stream)
        for _ in range(3):
            bar.advance()
        bar.message("failed: x: why")
        bar.finish()
    text = stream_path.read_text()
    assert "3/3 100%" in text and "in 0:00" in text and "failed: x: why\n" in text
    with stream_path.open("w") as stream:
        bar = Progress(3, enabled=False, stream=stream)
        bar.advance()
        bar.finish()
    assert stream_path.read_text() == ""


def test_no_progress_bar_when_stderr_is_not_a_terminal(tree, tmp_path):
    result = invoke("clean", str(tree), str(tmp_path / "o"))
    assert "\r" not in result.stderr and "files/s" not in result.stderr


def test_write_atomic_leaves_no_temporary_and_normal_permissions(tmp_path):
    target = tmp_path / "a" / "b.txt"
    write_atomic(target, b"x\n")
    write_atomic(target, b"y\n")
    assert target.read_bytes() == b"y\n"
    assert os.listdir(target.parent) == ["b.txt"]
    assert target.stat().st_mode & 0o044  # readable by others like any file open() makes


def test_stale_temporaries_of_ours_are_swept_and_others_kept(tree, tmp_path):
    dst = tmp_path / "o"
    assert invoke("clean", str(tree), str(dst), "-q").exit_code == 0
    ours = dst / "d00" / ".doc00000.txt.cleaner-abc123.tmp"
    theirs = dst / "d00" / ".notes.tmp"
    ours.write_text("half")
    theirs.write_text("a user's file")
    assert invoke("clean", str(tree), str(dst), "--resume", "-q").exit_code == 0
    assert not ours.exists() and theirs.exists()
    assert temporaries(dst) == ["d00/.notes.tmp"]


def test_api_run_returns_summary(tree, tmp_path):
    summary = run(BatchOptions(src=tree, dst=tmp_path / "o", jobs=2), __import__(
        "cleaner").Cleaner())
    assert isinstance(summary, Summary)
    assert summary.counts["ok"] == 60 and summary.failed == 0
    assert (tmp_path / "o" / MANIFEST_NAME).is_file()


def test_stdin_into_a_folder_and_gzipped_stdin(tmp_path):
    import gzip

    text = b"A story about the lighthouse keeper.\n\nPlease enter your comment!\n"
    result = invoke("clean", "-", str(tmp_path / "o"), "-q", input=gzip.compress(text))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "stdin.txt").read_text() == "A story about the lighthouse keeper.\n"


def test_an_input_named_like_the_manifest_does_not_overwrite_it(tmp_path):
    src = tmp_path / "s"
    src.mkdir()
    (src / MANIFEST_NAME).write_text('{"text": "A story about the canal."}\n')
    assert invoke("clean", str(src), str(tmp_path / "o"), "-q").exit_code == 0
    assert (tmp_path / "o" / ("_" + MANIFEST_NAME)).read_text().startswith('{"text": "A story')
    assert '"rel"' in (tmp_path / "o" / MANIFEST_NAME).read_text()


def test_worker_resets_trafilatura_caches_when_loaded(monkeypatch):
    import sys

    from cleaner import workers

    meta = pytest.importorskip("trafilatura.meta")
    calls = []
    monkeypatch.setattr(meta, "reset_caches", lambda: calls.append(1))
    workers.reset_library_caches()
    assert calls == [1]
    monkeypatch.delitem(sys.modules, "trafilatura")  # a text-only worker never loads it
    workers.reset_library_caches()
    assert calls == [1]


def test_an_unwritable_output_fails_that_file_only(tmp_path):
    src = tmp_path / "s"
    make_tree(src, 4, folders=2)
    dst = tmp_path / "o"
    (dst / "d01" / "doc00001.txt").mkdir(parents=True)  # a folder where the output goes
    summary = run(BatchOptions(src=src, dst=dst, jobs=1, overwrite=True),
                  __import__("cleaner").Cleaner())
    assert summary.counts["ok"] == 3 and summary.failed == 1
    assert summary.failures[0][0] == "d01/doc00001.txt"
    assert summary.failures[0][2].startswith("cannot write output")
    assert temporaries(dst) == []
