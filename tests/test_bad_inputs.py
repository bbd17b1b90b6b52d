"""Bad documents are skipped or failed with their reason; the batch goes on.

Every input here is generated: random bytes, a truncated gzip, pages in legacy
encodings with no declared charset, a 50 MB page, deeply nested HTML, an empty
file, and a rule whose regex backtracks catastrophically (with --timeout).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner
from cleaner.batch import BatchOptions, run
from cleaner.cli import main

from .batch_helpers import article, outputs, temporaries

GOOD = "good.txt"
# A rule whose pattern backtracks exponentially on a long run of "a" ending in "1":
# (?:a+)+ can split "aaaa…" in 2^n ways, and the look-ahead fails after every one. The
# prefilter's loose pattern drops look-aheads (prefilter.py), so it lets the line through.
EVIL_RULE = r'''
category = "test"
[[rule]]
id = "test.backtracks"
description = "Deliberately catastrophic: nested quantifiers with a required end."
kind = "block"
pattern = '(?:a+)+(?!1)\d'  # no literal to prefilter on
remove = ["aaa2"]
keep = ["A plain sentence."]
'''
EVIL_LINE = "a" * 40 + "1"


def reports(path: Path) -> dict[str, dict]:
    return {x["source"]: x for x in map(json.loads, path.read_text().splitlines())}


def clean(src: Path, dst: Path, *args: str):
    report = dst.parent / f"{dst.name}.report.jsonl"
    result = CliRunner().invoke(main, ["clean", str(src), str(dst), "--report", str(report),
                                       *args])
    return result, reports(report) if report.exists() else {}


@pytest.fixture
def src(tmp_path) -> Path:
    root = tmp_path / "src"
    root.mkdir()
    (root / GOOD).write_text(article(random.Random(5)), encoding="utf-8")
    return root


def test_random_bytes_fail_as_binary(src, tmp_path):
    (src / "noise.txt").write_bytes(random.Random(1).randbytes(4000))
    result, rep = clean(src, tmp_path / "o")
    assert result.exit_code == 1
    assert rep["noise.txt"]["status"] == "failed"
    assert "binary" in rep["noise.txt"]["reason"]
    assert "failed: noise.txt: binary" in result.stderr
    assert rep[GOOD]["status"] == "ok"
    assert sorted(outputs(tmp_path / "o")) == [GOOD]


def test_truncated_gzip_fails_as_unreadable(src, tmp_path):
    whole = gzip.compress(article(random.Random(2)).encode() * 20)
    (src / "cut.txt.gz").write_bytes(whole[: len(whole) // 2])
    result, rep = clean(src, tmp_path / "o")
    assert result.exit_code == 1
    assert rep["cut.txt.gz"]["status"] == "failed"
    assert rep["cut.txt.gz"]["reason"].startswith("unreadable")
    assert rep[GOOD]["status"] == "ok"


@pytest.mark.parametrize("encoding,text", [
    ("latin-1", "Le café du coin a rouvert ses portes après les travaux de l'été."),
    ("cp1252", "The “new” bridge – finally open – cost €4m, the council’s report says."),
    ("shift_jis", "市議会は新しい時刻表を発表しました。駅の近くの駐車場も変わります。"),
])
def test_legacy_encodings_without_declared_charset_decode(src, tmp_path, encoding, text):
    body = "\n\n".join([text] * 6) + "\n"
    (src / "legacy.txt").write_bytes(body.encode(encoding))
    result, rep = clean(src, tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert rep["legacy.txt"]["status"] == "ok"
    assert text in (tmp_path / "o" / "legacy.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding,text", [
    ("cp1252", "The “new” bridge – finally open – cost €4m, the council’s report says."),
    ("shift_jis", "市議会は新しい時刻表を発表しました。駅の近くの駐車場も変わります。"),
])
def test_legacy_encoded_html_without_charset(src, tmp_path, encoding, text):
    pytest.importorskip("cleaner.extract")
    paras = "".join(f"<p>{text}</p>" for _ in range(8))
    page = f"<html><head><title>t</title></head><body><article>{paras}</article></body></html>"
    (src / "legacy.html").write_bytes(page.encode(encoding))
    result, rep = clean(src, tmp_path / "o")
    assert rep["legacy.html"]["status"] == "ok", rep["legacy.html"]
    assert text in (tmp_path / "o" / "legacy.txt").read_text(encoding="utf-8")


def test_page_over_max_bytes_is_skipped_without_reading_it(src, tmp_path):
    big = src / "big.txt"
    with big.open("wb") as fh:  # 50 MB, sparse: cheap to make, never read
        fh.truncate(50_000_000)
    result, rep = clean(src, tmp_path / "o")
    assert result.exit_code == 0  # skipped is not failed
    assert rep["big.txt"]["status"] == "skipped"
    assert "--max-bytes" in rep["big.txt"]["reason"]
    assert "skipped: big.txt" in result.stderr


def test_max_bytes_applies_to_unzipped_size(src, tmp_path):
    (src / "bomb.txt.gz").write_bytes(gzip.compress(b"word " * 400_000))
    result, rep = clean(src, tmp_path / "o", "--max-bytes", "100000")
    assert rep["bomb.txt.gz"]["status"] == "skipped"
    assert "unzipped" in rep["bomb.txt.gz"]["reason"]


def test_empty_file_is_skipped(src, tmp_path):
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.txt").write_bytes(b" \n\n\t\n")
    result, rep = clean(src, tmp_path / "o")
    assert result.exit_code == 0
    assert rep["empty.txt"]["status"] == rep["blank.txt"]["status"] == "skipped"
    assert rep["empty.txt"]["reason"] == "empty document"


def test_deeply_nested_html_does_not_stop_the_batch(src, tmp_path):
    depth = 5000
    page = "<html><body>" + "<div>" * depth + "<p>Deep text.</p>" + "</div>" * depth + "</body></html>"
    (src / "deep.html").write_text(page)
    result, rep = clean(src, tmp_path / "o", "--timeout", "30")
    assert rep["deep.html"]["status"] in ("ok", "failed")
    if rep["deep.html"]["status"] == "failed":
        assert rep["deep.html"]["reason"]
    assert rep[GOOD]["status"] == "ok"


def test_bad_jsonl_records_are_named_and_the_rest_kept(src, tmp_path):
    lines = [json.dumps({"id": "a", "text": "A story about the new harbour wall."}),
             "{not json", json.dumps(["a", "list"]), json.dumps({"id": "b"}),
             json.dumps({"id": "c", "text": "Another story about the old mill."})]
    (src / "recs.jsonl").write_text("\n".join(lines) + "\n")
    result, rep = clean(src, tmp_path / "o")
    assert result.exit_code == 1
    assert [rep[f"recs.jsonl#{n}"]["status"] for n in range(1, 6)] == [
        "ok", "failed", "failed", "failed", "ok"]
    out = [json.loads(x)["id"] for x in (tmp_path / "o" / "recs.jsonl").read_text().splitlines()]
    assert out == ["a", "c"]


@pytest.fixture
def evil_rules(tmp_path) -> Path:
    path = tmp_path / "evil.toml"
    path.write_text(EVIL_RULE)
    return path


def test_catastrophic_regex_is_killed_at_timeout_and_batch_goes_on(src, tmp_path, evil_rules):
    (src / "evil.txt").write_text(EVIL_LINE + "\n")
    (src / "zz-after.txt").write_text(article(random.Random(9)))
    dst = tmp_path / "o"
    report = tmp_path / "r.jsonl"
    # A subprocess with a hard limit: if the timeout did not work, this would hang for hours.
    proc = subprocess.run([sys.executable, "-m", "cleaner.cli", "clean", str(src), str(dst),
                           "--rules", str(evil_rules), "--timeout", "1", "--jobs", "2",
                           "--report", str(report)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    rep = reports(report)
    assert rep["evil.txt"] == {"source": "evil.txt", "status": "failed",
                               "reason": "timed out after 1s",
                               "chars_in": len(EVIL_LINE) + 1, "chars_out": 0}
    assert "failed: evil.txt: timed out after 1s" in proc.stderr
    assert rep[GOOD]["status"] == rep["zz-after.txt"]["status"] == "ok"
    assert sorted(outputs(dst)) == [GOOD, "zz-after.txt"]
    assert temporaries(dst) == []


def test_catastrophic_record_in_jsonl_fails_alone(src, tmp_path, evil_rules):
    records = [{"id": i, "text": EVIL_LINE if i == 1 else f"Story number {i} about the ferry."}
               for i in range(4)]
    (src / "recs.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result, rep = clean(src, tmp_path / "o", "--rules", str(evil_rules), "--timeout", "1")
    assert result.exit_code == 1
    assert rep["recs.jsonl#2"]["status"] == "failed"
    assert rep["recs.jsonl#2"]["reason"] == "timed out after 1s"
    assert [rep[f"recs.jsonl#{n}"]["status"] for n in (1, 3, 4)] == ["ok"] * 3
    out = [json.loads(x)["id"] for x in (tmp_path / "o" / "recs.jsonl").read_text().splitlines()]
    assert out == [0, 2, 3]


def test_bad_rule_file_stops_before_any_document(src, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nid = "x.y"\nkind = "block"\ncategory = "c"\ndescription = "d"\n'
                   'pattern = "(unclosed"\nremove = ["a"]\nkeep = ["b"]\n')
    result, _ = clean(src, tmp_path / "o", "--rules", str(bad))
    assert result.exit_code == 2
    assert "bad.toml" in result.stderr and "x.y" in result.stderr and "pattern" in result.stderr
    assert not (tmp_path / "o").exists()


class CrashingCleaner(Cleaner):
    """A pass that raises on one document and kills its worker on another."""

    def clean_document(self, doc, content, utf8=None):
        text = content if isinstance(content, str) else content.decode("utf-8", "replace")
        if "RAISE-IN-A-PASS" in text:
            raise ZeroDivisionError("a pass divided by zero")
        if "KILL-THE-WORKER" in text:
            os.kill(os.getpid(), signal.SIGSEGV)
        return super().clean_document(doc, content, utf8)


def test_a_pass_that_crashes_or_kills_its_worker_fails_that_document_only(src, tmp_path):
    (src / "raises.txt").write_text("A story. RAISE-IN-A-PASS\n")
    (src / "segv.txt").write_text("A story. KILL-THE-WORKER\n")
    (src / "zz-after.txt").write_text(article(random.Random(4)))
    summary = run(BatchOptions(src=src, dst=tmp_path / "o", jobs=2,
                               report=tmp_path / "r.jsonl"), CrashingCleaner())
    rep = reports(tmp_path / "r.jsonl")
    assert rep["raises.txt"]["reason"] == "crashed: ZeroDivisionError: a pass divided by zero"
    assert rep["segv.txt"]["reason"] == "crashed: worker killed by SIGSEGV"
    assert rep[GOOD]["status"] == rep["zz-after.txt"]["status"] == "ok"
    assert summary.failed == 2 and summary.counts["ok"] == 2


def test_a_hanging_file_inside_a_chunk_fails_alone(tmp_path, evil_rules):
    from cleaner.batch import chunk_size

    src = tmp_path / "many"
    src.mkdir()
    rng = random.Random(8)
    for n in range(100):
        (src / f"f{n:03d}.txt").write_text(EVIL_LINE + "\n" if n == 41 else article(rng))
    assert chunk_size(100, 1) > 1  # f041 shares its chunk with other files
    summary = run(BatchOptions(src=src, dst=tmp_path / "o", jobs=1, timeout=1,
                               report=tmp_path / "r.jsonl"), Cleaner([evil_rules]))
    rep = reports(tmp_path / "r.jsonl")
    assert rep["f041.txt"]["reason"] == "timed out after 1s"
    assert summary.counts["ok"] == 99 and summary.failed == 1
    assert len(outputs(tmp_path / "o")) == 99
    assert list(rep) == sorted(rep)  # still in input order


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo.extend(kids - found)
            found |= kids
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_kill_9_of_a_run_leaves_no_worker_behind(src, tmp_path, evil_rules):
    """A worker stuck in a catastrophic regex (no --timeout) dies with its run."""

    (src / "evil.txt").write_text(EVIL_LINE + "\n")
    proc = subprocess.Popen([sys.executable, "-m", "cleaner.cli", "clean", str(src),
                             str(tmp_path / "o"), "--rules", str(evil_rules), "--timeout", "0",
                             "--jobs", "1", "-q"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        kids: set[int] = set()
        while time.monotonic() < deadline and len(kids) < 2:  # fork server and a worker
            time.sleep(0.5)
            kids = _descendants(proc.pid)
        assert len(kids) >= 2, "no worker started"
        time.sleep(3)  # the worker is now inside the regex
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 20
        alive = kids
        while alive and time.monotonic() < deadline:
            time.sleep(0.5)
            alive = {k for k in kids if Path(f"/proc/{k}").exists()
                     and "Z" not in Path(f"/proc/{k}/stat").read_text().split(")")[-1][:3]}
        assert not alive, f"processes left running: {alive}"
    finally:
        if proc.poll() is None:
            proc.kill()
