"""A one-line progress bar on stderr: count, share, rate and ETA.

Drawn only on a terminal (a log file gets no carriage-return noise) and at most
every ``REDRAW_SECONDS``, so a run of 100,000 small files does not spend its time
drawing. Messages (a failed document) clear the line, print, and let the bar redraw.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

REDRAW_SECONDS = 0.1
BAR_WIDTH = 24


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def render(done: int, total: int, elapsed: float, width: int = BAR_WIDTH, before: int = 0,
           final: bool = False) -> str:
    """``[#########.......] 1,234/2,000  62% 410 files/s ETA 0:02``; ``before``: files
    an earlier run did, counted but not in the rate; ``final``: the time taken instead."""
    share = done / total if total else 1.0
    filled = int(share * width)
    rate = (done - before) / elapsed if elapsed > 0 else 0.0
    # No ETA from the first file or two: worker start-up makes that rate meaningless.
    settled = done - before >= max(2, total // 100)
    eta = _clock((total - done) / rate) if rate > 0 and settled else "--:--"
    tail = f"in {_clock(elapsed)}" if final else f"ETA {eta}"
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {share:4.0%} "
            f"{rate:,.0f} files/s {tail}")


class Progress:
    """Counts finished files; draws when ``enabled``."""

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.start = time.monotonic()
        self._last_draw = self.start  # the first frame after REDRAW_SECONDS: a real rate
        self._shown = False
        self._skipped = 0

    def skip(self, n: int) -> None:
        """Files done before this run started (--resume): counted, not in the rate."""
        self._skipped += n

    @classmethod
    def for_terminal(cls, total: int, quiet: bool) -> Progress:
        return cls(total, enabled=not quiet and sys.stderr.isatty())

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self._last_draw >= REDRAW_SECONDS:
            self._draw(now)

    def _draw(self, now: float, final: bool = False) -> None:
        self._last_draw = now
        line = render(self.done, self.total, now - self.start, before=self._skipped, final=final)
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def message(self, text: str) -> None:
        """A line of its own above the bar."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self._shown = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self._draw(time.monotonic(), final=True)
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
