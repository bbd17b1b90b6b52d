"""Passes 4–7 in rounds until none finds anything, each behind the safety valve.

Compiled (setup.py): the loop runs for every document, and interpreted it cost about
as much as a pass.
"""

from __future__ import annotations

from typing import Callable, Final

from . import blocks, repeats, sections, tidy
from .document import Document
from .ruleset import Scope

# Passes 4–7 run again while they still find something; real pages settle in two
# or three rounds, the bound only guards against a pathological ping-pong.
MAX_ROUNDS: Final = 6

# Safety valve. A pass that would take away more than VALVE_MAX_FRACTION of the
# characters it was given backs off for that document and says so in the report.
# Documents shorter than VALVE_MIN_CHARS are not guarded: a lone caption or
# comment prompt is allowed to go entirely. Calibrated on the seeds and corpus/,
# where the largest honest removal is about a third of a document.
VALVE_MAX_FRACTION: Final = 0.6
VALVE_MIN_CHARS: Final = 400

PassFn = Callable[[Document, Scope], None]


def _tidy(doc: Document, scope: Scope) -> None:
    tidy.run(doc)


TEXT_PASSES: tuple[tuple[str, PassFn], ...] = (
    (blocks.NAME, blocks.run),
    (sections.NAME, sections.run),
    (repeats.NAME, repeats.run),
    (tidy.NAME, _tidy),
)


def run_guarded(name: str, fn: PassFn, doc: Document, scope: Scope) -> None:
    """Run one pass; undo it if it would remove most of the document."""
    before = doc.alive_chars
    n_removals = len(doc.removals)
    fn(doc, scope)
    after = doc.alive_chars
    if before >= VALVE_MIN_CHARS and after < before * (1 - VALVE_MAX_FRACTION):
        rules = sorted({r.rule_id for r in doc.removals[n_removals:]})
        doc.undo(n_removals)
        doc.notes.append(f"backoff: {name} would have removed {before - after} of {before} "
                         f"characters ({', '.join(rules)})")


def run_passes(doc: Document, scope: Scope,
               passes: tuple[tuple[str, PassFn], ...] = TEXT_PASSES) -> None:
    """Passes in order, again and again until none finds anything. A pass runs again
    only if the document changed since it last ran: each pass finds everything it
    can find in one go, so on an unchanged document it would find nothing."""
    seen: dict[str, int] = {}
    for _ in range(MAX_ROUNDS):
        start = doc.state
        for name, fn in passes:
            if seen.get(name) == doc.state:
                continue
            run_guarded(name, fn, doc, scope)
            seen[name] = doc.state
        if doc.state == start:
            break
