"""Nothing lost: a run killed with SIGKILL, then --resume, ends with the same outputs
and report as one uninterrupted run, and no temporary files; --resume redoes
exactly the files whose input or rules changed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.manifest import MANIFEST_NAME, Manifest

from .batch_helpers import make_tree, outputs, temporaries

N_FILES = 2000
EXTRA_RULE = '''
[[rule]]
id = "test.harbour-footer"
category = "promo"
description = "A made-up footer line for the resume test."
kind = "block"
pattern = 'Visit the harbour shop today'
remove = ["Visit the harbour shop today"]
keep = ["The harbour shop opened today."]
'''


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cleaner.cli", *args]


def manifest_lines(dst: Path) -> int:
    try:
        return (dst / MANIFEST_NAME).read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("big")
    make_tree(root, N_FILES, seed=11, folders=40)
    return root


@pytest.fixture(scope="module")
def reference(big_tree, tmp_path_factory) -> tuple[Path, Path]:
    """One uninterrupted run: its outputs and report."""
    root = tmp_path_factory.mktemp("ref")
    ref, ref_report = root / "ref", root / "ref.jsonl"
    subprocess.run(cli("clean", str(big_tree), str(ref), "-j", "2", "-q", "--report",
                       str(ref_report)), check=True, timeout=300)
    return ref, ref_report


def start_and_interrupt(src: Path, dst: Path, report: Path, kill) -> int:
    """Start a run, and once a fifth of the files are done, call ``kill(proc)``."""
    proc = subprocess.Popen(cli("clean", str(src), str(dst), "-j", "2", "-q", "--report",
                                str(report)), start_new_session=True)
    deadline = time.monotonic() + 120
    while manifest_lines(dst) < N_FILES // 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    kill(proc)
    return proc.wait()


def test_kill_9_then_resume_gives_identical_outputs(big_tree, reference, tmp_path):
    ref, ref_report = reference
    dst, report = tmp_path / "dst", tmp_path / "dst.jsonl"
    # SIGKILL to the parent and its workers, mid-write or not
    start_and_interrupt(big_tree, dst, report, lambda p: os.killpg(p.pid, signal.SIGKILL))
    done_at_kill = manifest_lines(dst)
    assert N_FILES // 5 <= done_at_kill < N_FILES, "the run was not interrupted mid-way"
    with (dst / MANIFEST_NAME).open("ab") as fh:  # as if the kill tore the line being written
        fh.write(b'{"rel": "d00/doc00000.txt", "in_ha')

    resumed = subprocess.run(cli("clean", str(big_tree), str(dst), "-j", "2", "-q", "--resume",
                                 "--report", str(report)), timeout=300)
    assert resumed.returncode == 0
    assert outputs(dst) == outputs(ref)
    assert len(outputs(ref)) == N_FILES
    assert report.read_bytes() == ref_report.read_bytes()
    assert temporaries(dst) == [] and temporaries(tmp_path) == []


def test_ctrl_c_stops_cleanly_and_resume_finishes(big_tree, reference, tmp_path):
    ref, ref_report = reference
    dst, report = tmp_path / "dst", tmp_path / "dst.jsonl"
    status = start_and_interrupt(big_tree, dst, report, lambda p: p.send_signal(signal.SIGINT))
    assert status == 130
    assert temporaries(tmp_path) == [] and not report.exists()
    assert 0 < manifest_lines(dst) < N_FILES
    resumed = subprocess.run(cli("clean", str(big_tree), str(dst), "-q", "--resume", "--report",
                                 str(report)), timeout=300)
    assert resumed.returncode == 0
    assert outputs(dst) == outputs(ref)
    assert report.read_bytes() == ref_report.read_bytes()


@pytest.fixture
def small(tmp_path) -> tuple[Path, Path]:
    src, dst = tmp_path / "src", tmp_path / "dst"
    make_tree(src, 12, folders=3)
    assert CliRunner().invoke(main, ["clean", str(src), str(dst), "-q"]).exit_code == 0
    return src, dst


def mtimes(dst: Path) -> dict[str, int]:
    return {p.relative_to(dst).as_posix(): p.stat().st_mtime_ns for p in dst.rglob("*.txt")}


def test_resume_with_nothing_changed_redoes_nothing(small):
    src, dst = small
    before = mtimes(dst)
    time.sleep(0.01)
    assert CliRunner().invoke(main, ["clean", str(src), str(dst), "-q", "--resume"]).exit_code == 0
    assert mtimes(dst) == before


def test_resume_redoes_a_changed_input_only(small):
    src, dst = small
    before = mtimes(dst)
    changed = src / "d01" / "doc00004.txt"
    changed.write_text("A wholly new story about the ferry timetable.\n")
    time.sleep(0.01)
    assert CliRunner().invoke(main, ["clean", str(src), str(dst), "-q", "--resume"]).exit_code == 0
    after = mtimes(dst)
    assert [k for k in after if after[k] != before[k]] == ["d01/doc00004.txt"]
    assert (dst / "d01" / "doc00004.txt").read_text() == changed.read_text()


def test_resume_redoes_everything_when_rules_change(small, tmp_path):
    src, dst = small
    before = mtimes(dst)
    rules = tmp_path / "extra.toml"
    rules.write_text(EXTRA_RULE)
    time.sleep(0.01)
    result = CliRunner().invoke(main, ["clean", str(src), str(dst), "-q", "--resume",
                                       "--rules", str(rules)])
    assert result.exit_code == 0
    after = mtimes(dst)
    assert all(after[k] != before[k] for k in before)


def test_resume_redoes_a_deleted_output(small):
    src, dst = small
    (dst / "d00" / "doc00000.txt").unlink()
    assert CliRunner().invoke(main, ["clean", str(src), str(dst), "-q", "--resume"]).exit_code == 0
    assert (dst / "d00" / "doc00000.txt").is_file()


def test_manifest_ignores_a_torn_last_line_and_keeps_appending(tmp_path):
    m = Manifest(tmp_path)
    m.open(fresh=True)
    m.append("a.txt", "h1", "r1", "a.txt", True, True, ['{"source": "a.txt", "status": "ok"}'])
    m.close()
    with m.path.open("ab") as fh:
        fh.write(b'{"rel": "b.txt", "in_')
    assert list(Manifest(tmp_path).load()) == ["a.txt"]
    m.open(fresh=False)
    m.append("c.txt", "h3", "r1", "c.txt", False, False,
             ['{"source": "c.txt", "status": "failed"}', '{"source": "c.txt#2", "status": "ok"}'])
    m.close()
    loaded = Manifest(tmp_path).load()
    assert list(loaded) == ["a.txt", "c.txt"]
    assert not loaded["c.txt"].complete
    assert Manifest(tmp_path).reports(loaded["c.txt"]) == [
        {"source": "c.txt", "status": "failed"}, {"source": "c.txt#2", "status": "ok"}]
