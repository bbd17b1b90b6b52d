"""What a run has already done, kept in DST so a killed run can resume.

One JSON line per finished input file, appended with a single ``write`` on an
``O_APPEND`` descriptor after its output is in place: a kill -9 loses at most
the line being written, and a torn last line is ignored on load. Each line holds
the input's content hash, the rules fingerprint and the file's report lines, so
``--resume`` redoes exactly the files whose input or rules changed and rebuilds
the same report as an uninterrupted run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__

MANIFEST_NAME = ".cleaner-manifest.jsonl"
# Temporary files this tool writes: ``.<name>.cleaner-<random>.tmp`` (see batch.write_atomic).
TMP_INFIX = ".cleaner-"
TMP_RE = re.compile(r"\..+\.cleaner-[A-Za-z0-9_]+\.tmp")
HASH_CHUNK = 1 << 20


def file_hash(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def bytes_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _canonical(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    return repr(obj)


def fingerprint(rules: list[Any], *settings: Any) -> str:
    """A hash of everything besides the input that decides the output: the rules
    (content, not file location), the settings given, and the cleaner version."""
    rows = []
    for rule in rules:
        row = dataclasses.asdict(rule)
        row.pop("file", None)
        rows.append(row)
    blob = json.dumps([__version__, rows, [repr(s) for s in settings]], sort_keys=True,
                      default=_canonical)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """Where a finished file's line sits in the manifest, and what it was made from."""

    in_hash: str
    rules_hash: str
    out_rel: str
    wrote: bool
    complete: bool  # no document of the file failed
    offset: int


class Manifest:
    """Append-only log of finished files in ``dst``."""

    def __init__(self, dst: Path):
        self.path = dst / MANIFEST_NAME
        self._fd: int | None = None

    def load(self) -> dict[str, Entry]:
        """Every complete line; a later line for the same file wins."""
        entries: dict[str, Entry] = {}
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return entries
        offset = 0
        for raw in data.split(b"\n")[:-1]:  # the part after the last newline is torn
            try:
                rec = json.loads(raw)
                entries[rec["rel"]] = Entry(rec["in_hash"], rec["rules_hash"], rec["out_rel"],
                                            rec["wrote"], rec["complete"], offset)
            except (ValueError, KeyError, TypeError):
                pass
            offset += len(raw) + 1
        return entries

    def reports(self, entry: Entry) -> list[dict[str, Any]]:
        with self.path.open("rb") as fh:
            fh.seek(entry.offset)
            return json.loads(fh.readline())["reports"]

    def open(self, fresh: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if fresh else 0)
        self._fd = os.open(self.path, flags, 0o644)
        if not fresh and self.path.stat().st_size:
            self._terminate_torn_line()

    def _terminate_torn_line(self) -> None:
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            last = fh.read(1)
        if last != b"\n":
            self._write(b"\n")  # the torn line becomes a bad line, skipped on load

    def append(self, rel: str, in_hash: str, rules_hash: str, out_rel: str, wrote: bool,
               complete: bool, report_lines: list[str]) -> None:
        """One finished file; ``report_lines`` are its report lines, already JSON."""
        head = json.dumps({"rel": rel, "in_hash": in_hash, "rules_hash": rules_hash,
                           "out_rel": out_rel, "wrote": wrote, "complete": complete},
                          ensure_ascii=False)
        line = f"{head[:-1]}, \"reports\": [{', '.join(report_lines)}]}}\n"
        self._write(line.encode("utf-8"))

    def _write(self, data: bytes) -> None:
        assert self._fd is not None, "manifest not open"
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None


def sweep_temporaries(folder: Path, name: str | None = None) -> int:
    """Remove temporaries this tool left behind (a killed worker, a kill -9): in
    ``folder`` only those of output ``name``, or with ``name=None`` all under ``folder``."""
    removed = 0
    if name is not None:
        prefix = f".{name}{TMP_INFIX}"
        try:
            entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
        except OSError:
            return 0
        paths = [Path(e.path) for e in entries if TMP_RE.fullmatch(e.name)]
    else:
        paths = [Path(root, f) for root, _, files in os.walk(folder) for f in files
                 if TMP_RE.fullmatch(f)]
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed
