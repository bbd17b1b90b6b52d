"""A run over many files: read, clean, write atomically, report, summarise.

The CLI is a thin layer over ``run``. Each input file is handled by
``process_input``, a pure function of (file bytes, compiled rules, options) so
that any engine can map it; a bad document becomes a report line with its
reason, never an exception that stops the batch.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .decode import DecodeError, decode, looks_like_html
from .document import Document
from .inputs import Input
from .pipeline import Cleaner

OK, SKIPPED, FAILED = "ok", "skipped", "failed"
DEFAULT_MAX_BYTES = 20_000_000


class SkipDocument(Exception):
    """A document that is deliberately not cleaned (empty, too large)."""


@dataclass(slots=True)
class FileResult:
    """What one input file produced: its output bytes (None: write nothing) and a
    report line per document in it."""

    rel: str
    out_rel: str
    payload: bytes | None
    reports: list[dict[str, Any]] = field(default_factory=list)


def read_bytes(path: Path, gz: bool, max_bytes: int) -> bytes:
    if not gz:
        if path.stat().st_size > max_bytes:
            raise SkipDocument(f"larger than --max-bytes ({max_bytes})")
        return path.read_bytes()
    with gzip.open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SkipDocument(f"larger than --max-bytes ({max_bytes}) once unzipped")
    return data


def clean_one(cleaner: Cleaner, content: bytes | str, fmt: str, source: str,
              url: str | None = None, doc_id: str | None = None) -> Document:
    """Decode (if bytes) and clean one document. Raises SkipDocument or DecodeError."""
    if isinstance(content, bytes):
        if fmt == "text" and looks_like_html(content):
            fmt = "html"
        content = decode(content, html=fmt == "html")
    if not content.strip():
        raise SkipDocument("empty document")
    doc = Document(source=source, url=url, id=doc_id, format=fmt)
    return cleaner.clean_document(doc, content)


def report_line(doc: Document | None, source: str, status: str, reason: str | None = None,
                chars_in: int = 0, **extra: Any) -> dict[str, Any]:
    line: dict[str, Any] = {"source": source, "status": status}
    if reason:
        line["reason"] = reason
    if doc is not None:
        text = doc.render()
        line.update(id=doc.id, url=doc.url, chars_in=doc.chars_in, chars_out=len(text),
                    removals=[r.as_dict() for r in doc.removals], notes=doc.notes)
    else:
        line.update(chars_in=chars_in, chars_out=0)
    line.update(extra)
    return line


def _failure(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, SkipDocument):
        return SKIPPED, str(exc)
    if isinstance(exc, DecodeError):
        return FAILED, str(exc)
    if isinstance(exc, (OSError, EOFError, zlib.error, gzip.BadGzipFile)):
        return FAILED, f"unreadable: {exc}"
    return FAILED, f"crashed: {type(exc).__name__}: {exc}"


def process_input(item: Input, out_rel: str, cleaner: Cleaner, max_bytes: int = DEFAULT_MAX_BYTES,
                  url: str | None = None) -> FileResult:
    """Clean every document of one input file; never raises for a bad document."""
    result = FileResult(item.rel, out_rel, None)
    try:
        data = read_bytes(item.path, item.gz, max_bytes)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
        status, reason = _failure(exc)
        result.reports.append(report_line(None, item.rel, status, reason))
        return result
    if item.kind == "jsonl":
        result.payload = _process_jsonl(item.rel, data, cleaner, max_bytes, result.reports)
        return result
    try:
        doc = clean_one(cleaner, data, item.kind, item.rel, url=url)
    except Exception as exc:  # noqa: BLE001 - per-document isolation
        status, reason = _failure(exc)
        result.reports.append(report_line(None, item.rel, status, reason, chars_in=len(data)))
        return result
    result.payload = doc.render().encode("utf-8")
    result.reports.append(report_line(doc, item.rel, OK))
    return result


def _process_jsonl(rel: str, data: bytes, cleaner: Cleaner, max_bytes: int,
                   reports: list[dict[str, Any]]) -> bytes:
    """Records keep their order and every other field; ``text`` is set to the clean body.
    A record that cannot be cleaned is left out of the output and named in the report."""
    out: list[str] = []
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        source = f"{rel}#{lineno}"
        try:
            record = json.loads(raw)
            if not isinstance(record, dict):
                raise DecodeError("record is not a JSON object")
            if "html" in record and isinstance(record["html"], str):
                content, fmt = record["html"], "html"
            elif isinstance(record.get("text"), str):
                content, fmt = record["text"], "text"
            else:
                raise DecodeError("record has no 'html' or 'text' string")
            if len(content) > max_bytes:
                raise SkipDocument(f"larger than --max-bytes ({max_bytes})")
            url = record.get("url") if isinstance(record.get("url"), str) else None
            doc_id = str(record["id"]) if record.get("id") is not None else None
            doc = clean_one(cleaner, content, fmt, source, url=url, doc_id=doc_id)
        except Exception as exc:  # noqa: BLE001 - per-record isolation
            if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
                exc = DecodeError(f"bad JSON: {exc}")
            status, reason = _failure(exc)
            reports.append(report_line(None, source, status, reason, chars_in=len(raw)))
            continue
        record["text"] = doc.render()
        out.append(json.dumps(record, ensure_ascii=False))
        reports.append(report_line(doc, source, OK))
    return ("\n".join(out) + "\n").encode("utf-8") if out else b""


def write_atomic(path: Path, payload: bytes) -> None:
    """Write to a temporary file beside the target, then rename: a reader (or a
    killed run) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@dataclass(slots=True)
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, reports: Iterable[dict[str, Any]]) -> None:
        for line in reports:
            self.counts[line["status"]] += 1
            self.chars_in += line.get("chars_in", 0)
            self.chars_out += line.get("chars_out", 0)
            for r in line.get("removals", ()):
                self.categories[r["category"]] += 1
                self.rules[r["rule"]] += 1
            if line["status"] != OK:
                self.failures.append((line["source"], line["status"], line.get("reason", "")))

    @property
    def failed(self) -> int:
        return self.counts[FAILED]

    def table(self, top: int = 8) -> str:
        c = self.counts
        lines = [f"documents: {c[OK]} ok, {c[SKIPPED]} skipped, {c[FAILED]} failed",
                 f"characters: {self.chars_in:,} in, {self.chars_out:,} out"
                 + (f" ({1 - self.chars_out / self.chars_in:.1%} removed)" if self.chars_in else "")]
        if self.categories:
            lines.append("removals by category: " + ", ".join(
                f"{k} {v}" for k, v in sorted(self.categories.items(), key=lambda kv: (-kv[1], kv[0]))))
        if self.rules:
            lines.append("top rules: " + ", ".join(
                f"{k} {v}" for k, v in sorted(self.rules.items(), key=lambda kv: (-kv[1], kv[0]))[:top]))
        return "\n".join(lines)


@dataclass(slots=True)
class BatchOptions:
    src: Path
    dst: Path
    rules: tuple[Path, ...] = ()
    default_rules: bool = True
    report: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    overwrite: bool = False
    url_map: dict[str, str] = field(default_factory=dict)


class UsageError(ValueError):
    """The run cannot start as asked (paths, options); nothing has been written."""


def check_paths(src: Path, dst: Path, overwrite: bool) -> None:
    if not src.exists():
        raise UsageError(f"{src}: no such file or folder")
    s, d = src.resolve(), dst.resolve()
    if src.is_dir() and (d == s or s in d.parents):
        raise UsageError(f"{dst}: the output folder must not be inside the input folder {src}")
    if d.is_dir() and any(d.iterdir()) and not overwrite:
        raise UsageError(f"{dst}: exists and is not empty (use --overwrite)")


def run(opts: BatchOptions, cleaner: Cleaner, on_result: Any = None) -> Summary:
    """Clean every input under ``opts.src`` into ``opts.dst``; returns the summary."""
    from .inputs import dedupe_outputs, walk

    check_paths(opts.src, opts.dst, opts.overwrite)
    items = list(walk(opts.src, opts.include, opts.exclude))
    targets = dedupe_outputs(items)
    summary = Summary()
    report = opts.report.open("w", encoding="utf-8") if opts.report else None
    try:
        for item in items:
            result = process_input(item, targets[item.rel], cleaner, opts.max_bytes,
                                   url=opts.url_map.get(item.rel))
            if result.payload is not None:
                write_atomic(opts.dst / result.out_rel, result.payload)
            summary.add(result.reports)
            if report:
                for line in result.reports:
                    report.write(json.dumps(line, ensure_ascii=False) + "\n")
            if on_result:
                on_result(result)
    finally:
        if report:
            report.close()
    return summary
