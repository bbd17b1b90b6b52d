"""Golden tests over corpus/: raw/<name>.txt|html → expected/<name>.txt, compared exactly.

A case the cleaner is known to get wrong is listed in corpus/known_misses.toml with the
reason; it runs as a strict xfail, so fixing it is noticed and the entry must go.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cleaner.batch import clean_one
from cleaner.inputs import classify

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
RAW = sorted(p for p in (CORPUS / "raw").rglob("*") if p.is_file() and classify(p.name))
MISSES_FILE = CORPUS / "known_misses.toml"
MISSES = tomllib.loads(MISSES_FILE.read_text())["miss"] if MISSES_FILE.exists() else {}


def _expected(raw: Path) -> Path:
    rel = raw.relative_to(CORPUS / "raw")
    return CORPUS / "expected" / rel.parent / (rel.name.split(".")[0] + ".txt")


def _params():
    for raw in RAW:
        name = raw.relative_to(CORPUS / "raw").as_posix()
        marks = [pytest.mark.xfail(reason=MISSES[name], strict=True)] if name in MISSES else []
        yield pytest.param(raw, id=name, marks=marks)


def test_corpus_is_big_enough():
    assert len(RAW) >= 30


@pytest.mark.parametrize("raw", list(_params()))
def test_corpus_case(raw, cleaner):
    kind, _ = classify(raw.name)
    doc = clean_one(cleaner, raw.read_bytes(), kind, raw.name)
    assert doc.render() == _expected(raw).read_text(encoding="utf-8")


def test_every_raw_has_expected_and_back():
    raws = {_expected(p) for p in RAW}
    expected = {p for p in (CORPUS / "expected").rglob("*.txt")}
    assert raws == expected
    assert set(MISSES) <= {p.relative_to(CORPUS / "raw").as_posix() for p in RAW}
