"""A process pool that can kill a stuck task.

``multiprocessing.Pool`` and ``concurrent.futures`` cannot stop one task: a worker
stuck in a catastrophically backtracking regex sits in C code where no signal
handler runs. Here the parent owns one pipe per worker and a short queue of the
tasks it sent there; the worker runs them in order, so the head of the queue is
the running task and has a deadline. On a missed deadline the parent kills that
process (SIGKILL), starts a new one and sends the queued tasks again; the other
workers go on. Tasks must be small (paths, not contents) so a send never blocks.

The deadline is per document, not per task: a task (a chunk of files) calls
``mark(file, record)`` as each document starts, which writes the pair and the time
into a few bytes of memory shared with the parent, without a message. The
parent's deadline is that start time plus the timeout, and on a kill it knows the
document that hung.

Workers are recycled after ``max_tasks`` tasks so that caches the libraries keep
(trafilatura, htmldate, courlan) cannot grow for the whole run.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection as mpc
import os
import pickle
import selectors
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Generator, Iterable, Iterator, Sequence

Mark = Callable[[int, int], None]
Handler = Callable[[Any, Mark], Any]

# Tasks a worker process runs before it is replaced (flat memory over long runs).
MAX_TASKS_PER_CHILD = 1000
# Tasks in flight per worker (the one it runs and those queued in its pipe), so it
# never waits on the parent between two small files: a round trip through a busy
# machine's scheduler costs more than cleaning a short text.
PREFETCH = 4
# Fresh workers dying one after another before answering anything: stop the run.
MAX_START_FAILURES = 5
# Library caches are also reset this often inside a worker.
RESET_CACHES_EVERY = 100
# marks[0] while a new worker gets ready (compiles the rules): no deadline runs, and
# the parent looks again every WARM_UP_POLL seconds.
WARMING = -2
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WARM_UP_POLL = 0.2


def _context(preload: Sequence[str]) -> Any:
    """forkserver where there is one: workers are forked from a small clean process, not
    from the parent, whose memory grows with the list of inputs (a worker forked from it
    would count those pages as its own) and which may have threads. The handler, with
    its compiled rules, is pickled to each worker (a few kB)."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # Imported once in the fork server, so a new or recycled worker starts warm;
    # a module that is not installed is skipped.
    ctx.set_forkserver_preload(list(preload))
    return ctx


@dataclass(slots=True)
class Event:
    """What became of one task: ``done`` (value: its result), ``timeout`` or
    ``died`` (value: a reason); ``where``: the last ``mark(file, record)`` of that task,
    None if it made none."""

    task_id: int
    kind: str
    value: Any
    where: tuple[int, int] | None = None


def reset_library_caches() -> None:
    """trafilatura and its helpers (htmldate, courlan, justext) cache per page and never
    forget; reset them if this worker has loaded trafilatura (text-only runs never do)."""
    if "trafilatura" not in sys.modules:
        return
    from trafilatura.meta import reset_caches

    reset_caches()


def die_with_parent() -> None:
    """Linux: have the kernel kill this worker when its parent (the fork server, which
    ends with the run) dies, even while it is stuck inside a regex in C code; a run
    killed with kill -9 must not leave workers spinning."""
    if not sys.platform.startswith("linux"):
        return
    # Python hands every forked worker the fork server's "alive" pipe; while a worker
    # holds it, the server outlives the run and its children's death signal never comes.
    try:
        from multiprocessing import forkserver

        os.close(forkserver._forkserver._forkserver_alive_fd)  # type: ignore[attr-defined]
    except (AttributeError, TypeError, OSError):
        pass
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _worker_main(conn: mpc.Connection, payload: bytes, marks: Any) -> None:
    """``payload``: the pickled (handler, warm), pickled once by the parent for every
    worker it starts. ``marks`` (shared with the parent): task id, file, record, start
    time of the document running now; they say WARMING until the handler is unpickled
    and ``warm`` (compiling the rules) has run, so no deadline runs out meanwhile."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C stops
    die_with_parent()
    handler, warm = pickle.loads(payload)
    if warm is not None:
        warm()
    marks[0], marks[3] = -1, time.monotonic()
    done = 0
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone (kill -9): nothing to report to
        if msg is None:
            return
        task_id, task = msg

        def mark(file: int, record: int, task_id: int = task_id) -> None:
            marks[1], marks[2], marks[3] = file, record, time.monotonic()
            marks[0] = task_id  # last: the parent trusts file/record only for its task

        marks[0], marks[3] = -1, time.monotonic()
        try:
            result = ("done", task_id, handler(task, mark))
        except Exception as exc:  # noqa: BLE001 - the handler should not raise; name it if it does
            result = ("died", task_id, f"crashed: {type(exc).__name__}: {exc}")
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return
        done += 1
        if done % RESET_CACHES_EVERY == 0:
            reset_library_caches()


class WorkersCannotStart(RuntimeError):
    """Fresh workers keep dying before finishing one task: the environment, not a document
    (with spawn or forkserver, a script that starts a run needs ``if __name__ == "__main__"``)."""


@dataclass(slots=True)
class _Slot:
    proc: Any
    conn: mpc.Connection
    finished: int = 0  # tasks this worker answered
    marks: Any = None  # shared: task id, file, record, start time (see _worker_main)
    inflight: deque[tuple[int, Any]] = field(default_factory=deque)  # head: running
    head_since: float = 0.0  # when the head task became the head, in the parent's view
    tasks_run: int = 0


class Pool:
    """``jobs`` worker processes running ``handler(task, mark)``; see the module doc."""

    def __init__(self, handler: Handler, jobs: int, timeout: float | None = None,
                 max_tasks: int = MAX_TASKS_PER_CHILD, preload: Sequence[str] = (),
                 warm: Callable[[], Any] | None = None):
        self._ctx = _context(preload)
        # Pickled once here, not by each Process.start(): the handler carries the compiled
        # rules, and pickling them took the parent 0.2 s per worker started or recycled.
        self._payload = pickle.dumps((handler, warm), protocol=pickle.HIGHEST_PROTOCOL)
        self.jobs = max(1, jobs)
        self.timeout = timeout if timeout and timeout > 0 else None
        self.max_tasks = max(1, max_tasks)
        self._slots: list[_Slot] = []
        self._selector: selectors.BaseSelector  # made by run()
        self._again: deque[tuple[int, Any]] = deque()
        self._start_failures = 0
        # For benchmarks (Linux): the largest peak resident memory of a worker, and
        # the CPU time all workers used.
        self.peak_kb = 0
        self.cpu_s = 0.0

    def submit(self, task_id: int, task: Any) -> None:
        """Queue a task ahead of the rest (a file retried without the record that hung)."""
        self._again.append((task_id, task))

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe(duplex=True)
        marks = self._ctx.RawArray("d", 4)
        marks[0] = WARMING
        proc = self._ctx.Process(target=_worker_main, args=(child, self._payload, marks),
                                 daemon=True)
        proc.start()
        child.close()
        slot = _Slot(proc, parent, marks=marks)
        self._selector.register(parent.fileno(), selectors.EVENT_READ, slot)
        self._selector.register(proc.sentinel, selectors.EVENT_READ, slot)
        return slot

    def _retire(self, slot: _Slot, kill: bool) -> None:
        self.peak_kb = max(self.peak_kb, peak_rss_kb(slot.proc.pid))
        self.cpu_s += cpu_seconds(slot.proc.pid)
        self._selector.unregister(slot.conn.fileno())
        self._selector.unregister(slot.proc.sentinel)
        if kill:
            slot.proc.kill()
        else:
            try:
                slot.conn.send(None)
            except OSError:
                slot.proc.kill()
        slot.proc.join(timeout=None if kill else 5)
        if slot.proc.is_alive():
            slot.proc.kill()
            slot.proc.join()
        slot.conn.close()
        slot.proc.close()

    def _replace(self, slot: _Slot, kill: bool) -> _Slot:
        self._retire(slot, kill)
        fresh = self._slots[self._slots.index(slot)] = self._spawn()
        return fresh

    def run(self, tasks: Iterable[tuple[int, Any]]) -> Generator[Event, None, None]:
        """Every task's Event, in the order they finish."""
        pending = iter(tasks)
        self._selector = selectors.DefaultSelector()
        self._slots = [self._spawn() for _ in range(self.jobs)]
        try:
            while True:
                for slot in list(self._slots):
                    if slot.tasks_run >= self.max_tasks:
                        if slot.inflight:
                            continue  # recycled once its queue drains
                        slot = self._replace(slot, kill=False)
                    while len(slot.inflight) < PREFETCH and slot.tasks_run < self.max_tasks:
                        nxt = self._again.popleft() if self._again else next(pending, None)
                        if nxt is None:
                            break
                        self._send(slot, *nxt)
                busy = [s for s in self._slots if s.inflight]
                if not busy:
                    return
                yield from self._wait(busy)
        finally:
            self.close()
            self._selector.close()

    def _send(self, slot: _Slot, task_id: int, task: Any) -> None:
        if not slot.inflight:
            slot.head_since = time.monotonic()
        slot.inflight.append((task_id, task))
        slot.tasks_run += 1
        try:
            slot.conn.send((task_id, task))
        except OSError:
            pass  # the worker died idle: its sentinel is ready, and the task will go again

    def _deadline(self, slot: _Slot) -> float:
        """When the document the worker runs must be done: its start (as the worker
        marked it, or when its task became the head here, whichever is later) + timeout."""
        if not self.timeout:
            return float("inf")
        if slot.marks[0] == WARMING:
            return time.monotonic() + WARM_UP_POLL
        return max(slot.marks[3], slot.head_since) + self.timeout

    def _where(self, slot: _Slot) -> tuple[int, int] | None:
        marks = slot.marks
        if not slot.inflight or int(marks[0]) != slot.inflight[0][0]:
            return None  # no mark yet for the running task
        return int(marks[1]), int(marks[2])

    def _wait(self, busy: list[_Slot]) -> Iterator[Event]:
        wait_for = min(self._deadline(s) for s in busy) - time.monotonic()
        fired: dict[int, bool] = {}  # id(slot) → its pipe is readable (else: it exited)
        for key, _ in self._selector.select(None if wait_for == float("inf")
                                            else max(0.0, wait_for)):
            slot = key.data
            fired[id(slot)] = fired.get(id(slot), False) or key.fd == slot.conn.fileno()
        now = time.monotonic()
        for slot in busy:
            readable = fired.get(id(slot))
            if readable is None:
                if now >= self._deadline(slot):
                    yield self._lose(slot, "timeout", f"timed out after {self.timeout:g}s")
            elif readable or slot.conn.poll():  # a message, or one left by a worker that exited
                event = self._receive(slot, now)
                if event is not None:
                    yield event
            else:
                yield self._lose(slot, "died", self._death_reason(slot))

    def _receive(self, slot: _Slot, now: float) -> Event | None:
        """One answer from a worker, or its death."""
        try:
            kind, _, value = slot.conn.recv()
        except (EOFError, OSError):
            return self._lose(slot, "died", self._death_reason(slot))
        # done, or a crash the worker caught and named (it goes on)
        where = self._where(slot) if kind == "died" else None
        slot.finished += 1
        self._start_failures = 0
        task_id, _ = slot.inflight.popleft()
        slot.head_since = now
        return Event(task_id, kind, value, where)

    def _lose(self, slot: _Slot, kind: str, reason: str) -> Event:
        """Kill and replace a worker; its running task is lost, the ones queued behind it
        go back to the front of the line."""
        (task_id, _), *queued = slot.inflight
        event = Event(task_id, kind, reason, self._where(slot))
        if kind == "died" and not slot.finished:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise WorkersCannotStart(f"{self._start_failures} new worker processes died "
                                         f"before finishing a task ({reason})")
        self._again.extendleft(reversed(queued))
        self._replace(slot, kill=True)
        return event

    @staticmethod
    def _death_reason(slot: _Slot) -> str:
        slot.proc.join(timeout=1)
        code = slot.proc.exitcode
        if code is not None and code < 0:
            try:
                return f"crashed: worker killed by {signal.Signals(-code).name}"
            except ValueError:
                pass
        return f"crashed: worker exited (status {code})"

    def close(self) -> None:
        """Stop every worker: idle ones are asked, busy ones killed."""
        for slot in self._slots:
            self._retire(slot, kill=bool(slot.inflight))
        self._slots = []


def peak_rss_kb(pid: int) -> int:
    """A live process's peak resident memory in kB (``VmHWM``); 0 where /proc is absent."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for row in fh:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """A live process's user + system CPU time; 0 where /proc is absent."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
