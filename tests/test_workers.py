"""The pool under the batch engine: stuck and dying workers are replaced, queued tasks
are not lost, workers are recycled, heartbeats move the deadline."""

from __future__ import annotations

import os
import time

from cleaner.workers import Pool


def work(task, beat):
    """A task is (kind, value): "pid" answers the worker's pid, "sleep" sleeps,
    "exit" kills the worker, "raise" raises, "beats" sleeps between heartbeats."""
    kind, value = task
    if kind == "sleep":
        time.sleep(value)
    elif kind == "exit":
        os._exit(value)
    elif kind == "raise":
        raise RuntimeError(value)
    elif kind == "beats":
        for n in range(1, 5):
            beat(n)
            time.sleep(value)
    return os.getpid()


def run(tasks, **kw):
    pool = Pool(work, **kw)
    return {e.task_id: e for e in pool.run(enumerate(tasks))}


def test_every_task_answered_once_and_workers_recycled():
    events = run([("pid", 0)] * 9, jobs=2, max_tasks=2)
    assert sorted(events) == list(range(9))
    assert all(e.kind == "done" for e in events.values())
    assert len({e.value for e in events.values()}) >= 5  # at most 2 tasks per process


def test_stuck_task_is_killed_and_tasks_queued_behind_it_still_run():
    events = run([("sleep", 60)] + [("pid", 0)] * 6, jobs=1, timeout=0.5)
    assert events[0].kind == "timeout" and events[0].value == "timed out after 0.5s"
    assert [events[i].kind for i in range(1, 7)] == ["done"] * 6


def test_dying_worker_and_raising_handler_are_named():
    events = run([("exit", 3), ("raise", "boom"), ("pid", 0)], jobs=1)
    assert events[0].kind == "died" and "status 3" in events[0].value
    assert events[1].kind == "died" and events[1].value == "crashed: RuntimeError: boom"
    assert events[2].kind == "done"


def test_heartbeats_move_the_deadline():
    # 4 steps of 0.3 s: 1.2 s in all, but never 1 s without a heartbeat
    events = run([("beats", 0.3)], jobs=1, timeout=1.0)
    assert events[0].kind == "done" and events[0].beats == 4
