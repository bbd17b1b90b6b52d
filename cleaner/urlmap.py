"""``--url-map FILE``: the URL of each input file, for site rules.

Saved pages rarely carry their URL in the file name, so a run can be given a
map from each file's path relative to SRC (forward slashes, as ``Input.rel``) to
its URL. Two forms:

- CSV: two columns ``path,url``, an optional header line with exactly those names;
- JSON: one object ``{"a/b.html": "https://example.com/b", ...}``.

A map that cannot be used stops the run before any document is touched, with
the file and line (or key) in the message.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path, PurePosixPath

HEADER = ("path", "url")


class UrlMapError(ValueError):
    """A URL map file that cannot be used; the message says where and why."""


def normalize_rel(path: str) -> str:
    """``.\\a\\b.html`` or ``./a/b.html`` → ``a/b.html``, the form of ``Input.rel``."""
    rel = PurePosixPath(path.strip().replace("\\", "/")).as_posix()
    while rel.startswith("./"):
        rel = rel[2:]
    return rel


def load_url_map(path: Path) -> dict[str, str]:
    """Relative path → URL, from a CSV or JSON file (by suffix; sniffed if neither)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UrlMapError(f"{path}: cannot read URL map: {exc}") from None
    suffix = path.suffix.lower()
    is_json = suffix == ".json" or (suffix != ".csv" and text.lstrip().startswith("{"))
    pairs = _from_json(text, path) if is_json else _from_csv(text, path)
    out: dict[str, str] = {}
    for where, rel, url in pairs:
        rel, url = normalize_rel(rel), url.strip()
        if not rel or rel == ".":
            raise UrlMapError(f"{path}: {where}: empty path")
        if not url:
            raise UrlMapError(f"{path}: {where}: empty URL for {rel!r}")
        if out.get(rel, url) != url:
            raise UrlMapError(f"{path}: {where}: {rel!r} mapped twice "
                              f"({out[rel]!r} and {url!r})")
        out[rel] = url
    return out


def _from_json(text: str, path: Path) -> list[tuple[str, str, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UrlMapError(f"{path}: bad JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UrlMapError(f"{path}: expected a JSON object {{relative path: url}}")
    pairs = []
    for rel, url in data.items():
        if not isinstance(url, str):
            raise UrlMapError(f"{path}: key {rel!r}: the URL must be a string")
        pairs.append((f"key {rel!r}", rel, url))
    return pairs


def _from_csv(text: str, path: Path) -> list[tuple[str, str, str]]:
    pairs = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if lineno == 1 and tuple(c.strip().lower() for c in row) == HEADER:
            continue
        if len(row) != 2:
            raise UrlMapError(f"{path}: line {lineno}: expected 2 columns (path,url), "
                              f"got {len(row)}")
        pairs.append((f"line {lineno}", row[0], row[1]))
    return pairs
