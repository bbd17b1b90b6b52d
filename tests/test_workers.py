"""The pool under the batch engine: stuck and dying workers are replaced, queued tasks
are not lost, workers are recycled, the deadline is per marked document."""

from __future__ import annotations

import os
import time

from cleaner.workers import Pool


def work(task, mark):
    """A task is (kind, value): "pid" answers the worker's pid, "sleep" sleeps,
    "exit" kills the worker, "raise" raises, "steps" marks 4 documents of ``value`` s,
    "hang" marks two documents and hangs in the second."""
    kind, value = task
    if kind == "sleep":
        time.sleep(value)
    elif kind == "exit":
        os._exit(value)
    elif kind == "raise":
        raise RuntimeError(value)
    elif kind == "steps":
        for n in range(1, 5):
            mark(7, n)
            time.sleep(value)
    elif kind == "hang":
        mark(3, 1)
        mark(4, 2)
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


def test_the_deadline_is_per_marked_document():
    # 4 documents of 0.3 s: 1.2 s in all, but none takes 1 s
    events = run([("steps", 0.3)], jobs=1, timeout=1.0)
    assert events[0].kind == "done"


def test_a_timeout_names_the_document_that_hung():
    events = run([("hang", 60), ("pid", 0)], jobs=1, timeout=0.5)
    assert events[0].kind == "timeout" and events[0].where == (4, 2)
    assert events[1].kind == "done"
