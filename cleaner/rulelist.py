"""``cleaner rules list``: one line per loaded rule, for rule authors."""

from __future__ import annotations

import os

from .rules import Rule


def _short(path: str) -> str:
    """A rule file relative to the current folder when it is under it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def scope_of(rule: Rule) -> str:
    parts = [f"sites={','.join(rule.sites)}"] if rule.sites else []
    if rule.langs:
        parts.append(f"langs={','.join(rule.langs)}")
    return " ".join(parts) or "all"


def rule_table(rules: list[Rule]) -> str:
    """Aligned columns: id, kind, category, scope, file."""
    rows = [("id", "kind", "category", "scope", "file")]
    rows += [(r.id, r.detector or r.kind, r.category, scope_of(r), _short(r.file)) for r in rules]
    widths = [max(len(row[c]) for row in rows) for c in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4]
             for row in rows]
    lines.append(f"{len(rules)} rules")
    return "\n".join(lines)
