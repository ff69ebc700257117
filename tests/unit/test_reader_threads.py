"""The threads that read workers' output: used again once a read is over, one more whenever all are busy, and a
failing read does not cost the others."""
from __future__ import annotations

import threading

from grader.sandbox.collect import ReaderThreads


def until_idle(pool: ReaderThreads) -> None:
    """Until a thread has finished its function, said so, and waits for the next (a state, not a time)."""
    while pool._idle == 0:
        threading.Event().wait(0.001)


def run_and_wait(pool: ReaderThreads, function) -> None:
    done = threading.Event()

    def wrapped() -> None:
        try:
            function()
        finally:
            done.set()

    pool.run(wrapped)
    assert done.wait(30)


def test_a_thread_whose_read_is_over_serves_the_next():
    pool, seen = ReaderThreads(), []
    for _ in range(5):
        run_and_wait(pool, lambda: seen.append(threading.get_ident()))
        until_idle(pool)
    assert len(set(seen)) == 1


def test_reads_that_block_at_once_each_get_a_thread():
    pool, release, started = ReaderThreads(), threading.Event(), [threading.Event() for _ in range(3)]
    for event in started:
        pool.run(lambda event=event: (event.set(), release.wait(30)))
    assert all(event.wait(30) for event in started)  # all three run together: none waits for another
    release.set()


def test_a_read_that_fails_does_not_stop_its_thread(monkeypatch):
    reported = []
    monkeypatch.setattr(threading, "excepthook", lambda args: reported.append(args.exc_type))
    pool = ReaderThreads()
    run_and_wait(pool, lambda: 1 / 0)
    until_idle(pool)  # the failure reported, the thread back for more
    ran = []
    run_and_wait(pool, lambda: ran.append(threading.get_ident()))
    assert reported == [ZeroDivisionError] and len(ran) == 1
