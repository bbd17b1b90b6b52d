"""A run over many files: read, clean, write atomically, report, summarise.

The CLI is a thin layer over ``run``. Each input file is handled by
``process_input``, a pure function of (file bytes, compiled rules, options) so
that any engine can map it; a bad document becomes a report line with its
reason, never an exception that stops the batch.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
import sys
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Mapping

from .decode import DecodeError, decode_keeping_utf8, looks_like_html
from .document import Document
from .inputs import Input
from .manifest import MANIFEST_NAME, TMP_INFIX, Entry, Manifest, bytes_hash, file_hash, fingerprint, sweep_temporaries
from .pipeline import Cleaner
from .progress import Progress
from .workers import MAX_TASKS_PER_CHILD, Event, Pool, WorkersCannotStart

OK, SKIPPED, FAILED = "ok", "skipped", "failed"
STDIN = "<stdin>"
DEFAULT_MAX_BYTES = 20_000_000
# Seconds one document may take. Real pages take well under a second; a minute is
# only reached by a pathological page or rule (catastrophic backtracking).
DEFAULT_TIMEOUT = 60.0
# Chunks: at most MAX_CHUNK files per message, and at least CHUNKS_PER_WORKER chunks
# per worker, so the load stays balanced at the end of a run.
MAX_CHUNK = 32
CHUNKS_PER_WORKER = 16


def _file_mode() -> int:
    """What ``open()`` would give a new file (mkstemp's temporaries are 0600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


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


def read_bytes(path: Path, gz: bool, max_bytes: int, data: bytes | None = None) -> bytes:
    """The file's bytes (unzipped), or SkipDocument past ``max_bytes``; ``data``
    stands in for the file (stdin)."""
    if data is not None:
        if gz:
            data = gzip.decompress(data)
        if len(data) > max_bytes:
            raise SkipDocument(f"larger than --max-bytes ({max_bytes})")
        return data
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
    utf8 = None
    if isinstance(content, bytes):
        if fmt == "text" and looks_like_html(content):
            fmt = "html"
        content, utf8 = decode_keeping_utf8(content, html=fmt == "html")
    if not content.strip():
        raise SkipDocument("empty document")
    doc = Document(source=source, url=url, id=doc_id, format=fmt)
    return cleaner.clean_document(doc, content, utf8)


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
                  url: str | None = None, *, data: bytes | None = None,
                  skip: Mapping[int, str] | None = None,
                  on_record: Callable[[int], None] | None = None) -> FileResult:
    """Clean every document of one input file; never raises for a bad document.

    ``data`` stands in for the file's bytes (stdin). For JSONL, ``on_record(lineno)`` is
    called as each record starts (the batch engine's per-record deadline) and the
    records in ``skip`` are reported failed with the reason given, not cleaned.
    """
    result = FileResult(item.rel, out_rel, None)
    try:
        content = read_bytes(item.path, item.gz, max_bytes, data)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
        status, reason = _failure(exc)
        result.reports.append(report_line(None, item.rel, status, reason))
        return result
    if item.kind == "jsonl":
        result.payload = _process_jsonl(item.rel, content, cleaner, max_bytes, result.reports,
                                        skip or {}, on_record)
        return result
    try:
        doc = clean_one(cleaner, content, item.kind, item.rel, url=url)
    except Exception as exc:  # noqa: BLE001 - per-document isolation
        status, reason = _failure(exc)
        result.reports.append(report_line(None, item.rel, status, reason, chars_in=len(content)))
        return result
    result.payload = doc.render().encode("utf-8")
    result.reports.append(report_line(doc, item.rel, OK))
    return result


def _process_jsonl(rel: str, data: bytes, cleaner: Cleaner, max_bytes: int,
                   reports: list[dict[str, Any]], skip: Mapping[int, str],
                   on_record: Callable[[int], None] | None) -> bytes:
    """Records keep their order and every other field; ``text`` is set to the clean body.
    A record that cannot be cleaned is left out of the output and named in the report."""
    out: list[str] = []
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        source = f"{rel}#{lineno}"
        if lineno in skip:
            reports.append(report_line(None, source, FAILED, skip[lineno], chars_in=len(raw)))
            continue
        if on_record is not None:
            on_record(lineno)
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
    killed run) never sees half a file. The temporary's name marks it as ours
    (manifest.TMP_RE), so a later run can sweep one a kill -9 left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TMP_INFIX}", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
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
    """Counts over every report line of a run; ``table()`` is what the CLI prints."""

    counts: Counter[str] = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    # For benchmarks (Linux): a worker's largest peak memory, all workers' CPU time.
    worker_peak_kb: int = 0
    worker_cpu_s: float = 0.0

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

    def merge(self, other: Summary) -> None:
        self.counts.update(other.counts)
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        self.categories.update(other.categories)
        self.rules.update(other.rules)
        self.failures.extend(other.failures)

    @property
    def failed(self) -> int:
        return self.counts[FAILED]

    def table(self, top: int = 8) -> str:
        c = self.counts
        removed = f"  ({1 - self.chars_out / self.chars_in:.1%} removed)" if self.chars_in else ""
        rows = [("documents", f"{c[OK]:,} ok, {c[SKIPPED]:,} skipped, {c[FAILED]:,} failed"),
                ("characters", f"{self.chars_in:,} in, {self.chars_out:,} out{removed}")]
        lines = [f"{k:<12}{v}" for k, v in rows]
        for title, counter, limit in (("removals by category", self.categories, None),
                                      (f"top rules", self.rules, top)):
            if not counter:
                continue
            ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
            width = max(len(k) for k, _ in ranked)
            lines.append(title)
            lines.extend(f"  {k:<{width}}  {v:>7,}" for k, v in ranked)
        return "\n".join(lines)


@dataclass(slots=True)
class BatchOptions:
    """``src`` None: read stdin; ``dst`` None: write the outputs to stdout."""

    src: Path | None
    dst: Path | None
    rules: tuple[Path, ...] = ()
    default_rules: bool = True
    report: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    overwrite: bool = False
    url_map: dict[str, str] = field(default_factory=dict)
    jobs: int = 1
    timeout: float | None = DEFAULT_TIMEOUT
    resume: bool = False
    max_tasks_per_child: int = MAX_TASKS_PER_CHILD
    progress: bool = False  # draw the bar (the CLI: stderr is a terminal, no --quiet)
    corpus: Any = None  # corpus.CorpusOptions: learn repeated blocks per site first (pass 8)


class UsageError(ValueError):
    """The run cannot start as asked (paths, options); nothing has been written."""


class Interrupted(Exception):
    """Ctrl-C: the workers are stopped, finished files are in the manifest."""

    def __init__(self, done: int, total: int):
        super().__init__(f"interrupted after {done:,} of {total:,} files; "
                         "run again with --resume to finish")


def check_paths(opts: BatchOptions) -> None:
    src, dst = opts.src, opts.dst
    if src is not None and not src.exists():
        raise UsageError(f"{src}: no such file or folder")
    if dst is None:
        if opts.resume:
            raise UsageError("--resume needs an output folder, not '-'")
        return
    if dst.exists() and not dst.is_dir():
        raise UsageError(f"{dst}: exists and is not a folder")
    d = dst.resolve()
    if src is not None:
        s = src.resolve()
        if d == s or (src.is_dir() and s in d.parents):
            raise UsageError(f"{dst}: the output folder must not be {src} or inside it")
    if d.is_dir() and any(d.iterdir()) and not (opts.overwrite or opts.resume):
        raise UsageError(f"{dst}: exists and is not empty (use --resume or --overwrite)")


@dataclass(frozen=True, slots=True)
class Task:
    """One input file as sent to a worker; ``skip``: JSONL records not to clean, with why."""

    item: Input
    out_rel: str
    url: str | None
    skip: tuple[tuple[int, str], ...] = ()
    data: bytes | None = None


@dataclass(slots=True)
class Outcome:
    """One finished file, encoded where it was cleaned so the parent only copies bytes:
    its report lines as JSON, their summary, whether the output was written, the
    input's hash; the payload itself only when the outputs go to stdout."""

    lines: list[str]
    summary: Summary
    wrote: bool
    in_hash: str
    payload: bytes | None = None

    @classmethod
    def of(cls, reports: list[dict[str, Any]], wrote: bool = False, in_hash: str = "",
           payload: bytes | None = None) -> Outcome:
        summary = Summary()
        summary.add(reports)
        return cls([json.dumps(r, ensure_ascii=False) for r in reports], summary, wrote, in_hash,
                   payload)


Chunk = tuple[tuple[int, Task], ...]  # (input index, task): files sent to a worker at once


def handle_file(task: Task, on_record: Callable[[int], None], cleaner: Cleaner,
                dst: Path | None, max_bytes: int) -> Outcome:
    """The work of one file, in a worker: hash, clean, write the output atomically."""
    try:
        in_hash = bytes_hash(task.data) if task.data is not None else file_hash(task.item.path)
    except OSError:
        in_hash = ""
    result = process_input(task.item, task.out_rel, cleaner, max_bytes, task.url,
                           data=task.data, skip=dict(task.skip), on_record=on_record)
    if dst is None:
        return Outcome.of(result.reports, False, in_hash, result.payload)
    target = dst / task.out_rel
    if result.payload is None:
        target.unlink(missing_ok=True)  # a stale output of an earlier run
        return Outcome.of(result.reports, False, in_hash)
    try:
        write_atomic(target, result.payload)
    except OSError as exc:  # a full disk, a read-only folder: this file fails, not the chunk
        reports = [report_line(None, task.item.rel, FAILED, f"cannot write output: {exc}")]
        return Outcome.of(reports, False, in_hash)
    return Outcome.of(result.reports, True, in_hash)


def handle_chunk(chunk: Chunk, mark: Callable[[int, int], None], cleaner: Cleaner,
                 dst: Path | None, max_bytes: int) -> list[tuple[int, Outcome]]:
    """A chunk of files, marking each document's start for the per-document deadline."""
    out = []
    for index, task in chunk:
        mark(index, 0)
        out.append((index, handle_file(task, partial(mark, index), cleaner, dst, max_bytes)))
    return out


def chunk_size(files: int, jobs: int) -> int:
    """Files per message to a worker: enough to spread the parent's per-message cost
    (it is a sizeable share of a short text's cleaning), few enough that every worker
    gets many chunks and a chunk's results come back often."""
    return max(1, min(MAX_CHUNK, files // (jobs * CHUNKS_PER_WORKER)))


class _InOrder:
    """Report lines (and stdout payloads) released in input order, whatever order the
    workers finish in; each file's lines also go to the summary, stderr and progress."""

    def __init__(self, report: Path | None, summary: Summary, progress: Progress,
                 manifest: Manifest | None, stdout: BinaryIO | None):
        self.summary, self.progress, self.manifest, self.stdout = summary, progress, manifest, stdout
        self.report_path = report
        self.report: Any = None
        self.tmp: str | None = None
        if report is not None:
            report.parent.mkdir(parents=True, exist_ok=True)
            sweep_temporaries(report.parent, report.name)  # a killed run's partial report
            fd, self.tmp = tempfile.mkstemp(dir=report.parent, prefix=f".{report.name}{TMP_INFIX}",
                                            suffix=".tmp")
            self.report = os.fdopen(fd, "w", encoding="utf-8")
        self.waiting: dict[int, Entry | Outcome] = {}
        self.next = 0

    def put(self, index: int, value: Entry | Outcome) -> None:
        self.waiting[index] = value
        self.release()

    def release(self) -> None:
        while self.next in self.waiting:
            self._emit(self.waiting.pop(self.next))
            self.next += 1

    def _emit(self, value: Entry | Outcome) -> None:
        if isinstance(value, Entry):  # done by an earlier run
            assert self.manifest is not None
            value = Outcome.of(self.manifest.reports(value))
        self.summary.merge(value.summary)
        if self.report:
            self.report.writelines(line + "\n" for line in value.lines)
        for source, status, reason in value.summary.failures:
            self.progress.message(f"{status}: {source}: {reason}")
        if value.payload and self.stdout is not None:
            self.stdout.write(value.payload)
        self.progress.advance()

    def close(self, keep: bool) -> None:
        if self.report is None or self.tmp is None:
            return
        self.report.close()
        if keep:
            os.replace(self.tmp, self.report_path)  # type: ignore[arg-type]
        else:
            os.unlink(self.tmp)


def _stdin_item(data: bytes) -> Input:
    """stdin as one input: JSONL if it starts like a JSON object, else text (or HTML,
    sniffed when decoded); named ``<stdin>`` in reports, ``stdin.txt`` in a DST folder."""
    gz = data[:2] == b"\x1f\x8b"
    try:
        head = gzip.GzipFile(fileobj=io.BytesIO(data)).read(64) if gz else data[:64]
    except (OSError, EOFError):
        head = b""  # a broken gzip: reading it again will name the error
    kind = "jsonl" if head.lstrip()[:1] == b"{" else "text"
    return Input(Path("-"), STDIN, kind, gz)


def _already_done(item: Input, out_rel: str, entry: Entry | None, rules_hash: str,
                  dst: Path) -> bool:
    """Done in an earlier run with the same input bytes and rules, and its output is there."""
    if entry is None or not entry.complete or entry.rules_hash != rules_hash:
        return False
    if entry.out_rel != out_rel or (entry.wrote and not (dst / out_rel).is_file()):
        return False
    try:
        return file_hash(item.path) == entry.in_hash
    except OSError:
        return False


def _preload(items: list[Input]) -> list[str]:
    """Modules the workers need: the HTML extractor (trafilatura) only if HTML may come."""
    html = any(item.kind != "text" for item in items)
    return ["cleaner.batch", *(["cleaner.extract", "trafilatura"] if html else [])]


def corpus_cleaner(opts: BatchOptions, cleaner: Cleaner, items: list[Input]) -> Cleaner:
    """The cleaner with the corpus model of this batch (pass 8): learned in a first pass
    over the inputs and saved in DST, or, on --resume, the model the run started with."""
    from .corpus import CORPUS_MODEL_NAME, CorpusModel, learn_files, with_corpus

    path = opts.dst / CORPUS_MODEL_NAME if opts.dst is not None else None
    if opts.resume and path is not None and path.exists():
        model = CorpusModel.load(path)
    else:
        model = learn_files(items, cleaner, opts.corpus, opts.max_bytes, opts.url_map).model()
        if path is not None:
            write_atomic(path, model.to_bytes())
    return with_corpus(cleaner, model)


def warm_up(cleaner: Cleaner) -> None:
    """Compile the scope most documents use (a plain function, so a worker can be sent it)."""
    cleaner.ruleset.scope(None, None)


def run(opts: BatchOptions, cleaner: Cleaner) -> Summary:
    """Clean every input under ``opts.src`` into ``opts.dst``; returns the summary.

    Workers start from a fork server (see workers.py): a script calling this needs the
    usual ``if __name__ == "__main__":`` guard, or its workers cannot start.

    1. check paths, list inputs, pick output names; 2. on --resume, keep the files the
    manifest shows done with the same input and rules; 3. the pool cleans the rest,
    each worker writing its outputs atomically; 4. the manifest records each finished
    file; 5. reports leave in input order.
    """
    from .inputs import dedupe_outputs, walk

    # 1. inputs and outputs
    check_paths(opts)
    if opts.src is None:
        stdin = sys.stdin.buffer.read()
        items, data = [_stdin_item(stdin)], stdin
    else:
        items, data = list(walk(opts.src, opts.include, opts.exclude)), None
    targets = dedupe_outputs(items, reserved=[MANIFEST_NAME])
    if opts.src is None:
        targets = {STDIN: "stdin" + (".jsonl" if items[0].kind == "jsonl" else ".txt")}
    if opts.corpus is not None and opts.src is not None:
        cleaner = corpus_cleaner(opts, cleaner, items)
    rules_hash = fingerprint(cleaner.rules, cleaner.extract_options, opts.max_bytes, cleaner.corpus)
    progress = Progress(len(items), enabled=opts.progress)
    summary = Summary()
    manifest = Manifest(opts.dst) if opts.dst is not None else None

    # 2. what an earlier run already did
    done: dict[int, Entry] = {}
    if manifest is not None and opts.dst is not None:
        if opts.dst.is_dir():
            sweep_temporaries(opts.dst)
        if opts.resume:
            entries = manifest.load()
            for index, item in enumerate(items):
                entry = entries.get(item.rel)
                if entry and _already_done(item, targets[item.rel], entry, rules_hash, opts.dst):
                    done[index] = entry
        manifest.open(fresh=not opts.resume)
    todo = [(i, Task(item, targets[item.rel], opts.url_map.get(item.rel), data=data))
            for i, item in enumerate(items) if i not in done]
    jobs = min(opts.jobs, max(1, len(todo)))
    size = chunk_size(len(todo), jobs)
    chunks: dict[int, Chunk] = {n: tuple(todo[k:k + size])
                                for n, k in enumerate(range(0, len(todo), size))}
    progress.skip(len(done))

    # 3-5. clean the rest
    order = _InOrder(opts.report, summary, progress, manifest,
                     sys.stdout.buffer if opts.dst is None else None)
    order.waiting.update(done)
    warm_up(cleaner)  # compiled once here, shipped to every worker
    pool = Pool(partial(handle_chunk, cleaner=cleaner, dst=opts.dst, max_bytes=opts.max_bytes),
                jobs=jobs, timeout=opts.timeout, max_tasks=max(1, opts.max_tasks_per_child // size),
                preload=_preload(items), warm=partial(warm_up, cleaner))
    events = pool.run(list(chunks.items()))
    ids = itertools.count(len(chunks))  # for chunks sent again after a loss
    finished = False
    try:
        order.release()  # the leading files an earlier run did
        for ev in events:
            chunk = chunks.pop(ev.task_id)
            if ev.kind == "done":
                by_index = dict(chunk)
                for index, out in ev.value:
                    task = by_index[index]
                    if manifest is not None:
                        manifest.append(task.item.rel, out.in_hash, rules_hash, task.out_rel,
                                        out.wrote, not out.summary.failed, out.lines)
                    order.put(index, out)
                continue
            for retry in _lost(ev, chunk, opts, order, manifest, rules_hash):
                chunk_id = next(ids)
                chunks[chunk_id] = retry
                pool.submit(chunk_id, retry)
        finished = True
        summary.worker_peak_kb, summary.worker_cpu_s = pool.peak_kb, pool.cpu_s
    except KeyboardInterrupt:
        raise Interrupted(progress.done, len(items)) from None
    except WorkersCannotStart as exc:
        raise UsageError(f"cannot run workers: {exc}") from None
    finally:
        events.close()  # stops the workers
        if manifest is not None:
            manifest.close()
        order.close(keep=finished)
        if opts.dst is not None and not finished and opts.dst.is_dir():
            sweep_temporaries(opts.dst)
    progress.finish()
    return summary


def _lost(ev: Event, chunk: Chunk, opts: BatchOptions, order: _InOrder,
          manifest: Manifest | None, rules_hash: str) -> list[Chunk]:
    """A worker killed (timeout) or dead on a chunk. The document it was on is to blame:
    a JSONL record is skipped (its file goes again without it), any other file fails
    with the reason. The chunk's other files go again. Returns the chunks to send."""
    reason = str(ev.value)
    indexes = [i for i, _ in chunk]
    file, record = ev.where if ev.where and ev.where[0] in indexes else (indexes[0], 0)
    pos = indexes.index(file)
    index, task = chunk[pos]
    retry = [*chunk[:pos], *chunk[pos + 1:]]
    if opts.dst is not None:
        target = opts.dst / task.out_rel
        sweep_temporaries(target.parent, target.name)
        target.unlink(missing_ok=True)
    again = [tuple(retry)] if retry else []
    if task.item.kind == "jsonl" and record > 0:
        return [*again, ((index, replace(task, skip=(*task.skip, (record, reason)))),)]
    try:
        size = task.item.path.stat().st_size if task.data is None else len(task.data)
    except OSError:
        size = 0
    out = Outcome.of([report_line(None, task.item.rel, FAILED, reason, chars_in=size)])
    if manifest is not None:
        manifest.append(task.item.rel, "", rules_hash, task.out_rel, False, False, out.lines)
    order.put(index, out)
    return again
