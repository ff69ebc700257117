"""The trusted side of the boundary: run a submission's tasks in sandboxed workers.

Workers are forked by the warm server (``sandbox.server``, ``sandbox.zygote``). A task that hangs
or crashes costs itself only: the tasks after it run in a fresh worker.
"""
from __future__ import annotations

import dataclasses
import fcntl
import itertools
import os
import signal
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator

from grader.sandbox import protocol
from grader.sandbox.cgroups import stored_cgroups
from grader.sandbox.collect import (Collector, OutputDrain, ProcessTreeClock, ReplyBudget, SubmissionClock, TaskEnding,
                                    TaskOutcome)
from grader.sandbox.limits import WorkerLimits
from grader.sandbox.job_directories import job_directories
from grader.sandbox.server import WarmServer, warm_server

EXIT_STATUS_WAIT = 2.0
OUTPUT_END_WAIT = 1.0  # how long the output may trail the worker's "done" before the teardown is waited for
TEARDOWN_THREADS = 4
MAX_PENDING_TEARDOWNS = 8  # workers ended but not yet torn down hold memory: beyond this, jobs wait
SANDBOX_UID_BASE, SANDBOX_UID_COUNT = 200_000, 100_000
JOB_PIPE_BYTES = 1 << 18  # a job (its tasks' arrays, the file) up to this size is written at once, without a thread


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    memory_mb: int = 2048
    file_mb: int = 16
    processes: int = 64
    isolate: bool = True  # namespaces, private root, own user (where the machine allows)
    # A run for credit on a machine that allows full confinement: a job whose private root cannot be made
    # (a fault of the moment) runs no student code, rather than run it with the host's files in view.
    require_private_root: bool = False

    def for_worker(self, tasks: int) -> WorkerLimits:
        # CPU time is a backstop behind the per-task wall clock: the worker's whole budget.
        return {"cpu_seconds": max(1, int(self.timeout * tasks) + 1), "memory_mb": self.memory_mb,
                "file_mb": self.file_mb, "processes": self.processes}


@dataclass(frozen=True)
class Task:
    """One exercise: the student function to call and the calls to make."""

    function: str
    calls: list[protocol.WireCall]
    forbidden: tuple[str, ...] = ()  # library functions the calls must not reach (sandbox.shortcuts)

    @cached_property
    def wire(self) -> bytes:
        """The task as the worker reads it, encoded once however many submissions it is sent to."""
        task: protocol.WireTask = {"function": self.function, "calls": self.calls}
        if self.forbidden:
            task["forbidden"] = list(self.forbidden)
        return protocol.as_sent(task)


@dataclass(frozen=True)
class Job:
    """One submission file and its tasks, run one after the other in a sandboxed worker.

    The grader has read the file (``source``); the worker gets its bytes, never a path to follow.
    """

    shown_path: str  # the file as the user named it, for messages
    source: bytes
    tasks: tuple[Task, ...]
    limits: Limits = Limits()
    hide: tuple[str, ...] = ()  # directories the sandbox's root must not show (the course, the class, results)

    @property
    def module_name(self) -> str:
        name = Path(self.shown_path).name
        return name if name.endswith(".py") and name.isascii() and name[:-3].isidentifier() else "submission.py"


def _pidfd(pid: int) -> int:
    """A handle on the worker that stays its own after the fork server reaps it (-1 where the kernel has none)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return -1


def _end(server: WarmServer, pid: int, pidfd: int, ended_by_itself: bool, in_pid_namespace: bool) -> int | None:
    """End a worker and all it started; return its exit code.

    SIGKILL to the worker, its PID namespace's init, ends it (a PID 1 cannot ignore it from outside its
    namespace) and every process in the namespace with it. It goes through the worker's pidfd: once the fork
    server has reaped the worker, its pid may be another process's. Without a PID namespace, SIGKILL to its
    process group ends the group too. A worker that stopped talking by itself is first given the time to exit,
    so that its own exit code (a crash, an exit call) is the one reported.
    """
    exitcode = server.exit_code(pid, EXIT_STATUS_WAIT) if ended_by_itself else None
    try:
        if pidfd >= 0:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if not in_pid_namespace:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if exitcode is None:
        exitcode = server.exit_code(pid, EXIT_STATUS_WAIT)
    return exitcode


_uids = itertools.count()
_job_numbers = itertools.count()  # a cgroup name of its own for each job, whatever directory it has


def _sandbox_user() -> int:
    """A user id of its own for each job, so that jobs cannot touch each other's files or processes."""
    return SANDBOX_UID_BASE + next(_uids) % SANDBOX_UID_COUNT


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _describe_exit(exitcode: int | None, limits: Limits, out_of_memory: bool) -> tuple[TaskEnding, str]:
    """Why a child that stopped talking ended: CPU or memory limit, a crash, or an early exit."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGXCPU:
            return TaskEnding.TIMEOUT, f"used more than its {limits.timeout:g} s of CPU time"
        if number == signal.SIGKILL and out_of_memory:
            return TaskEnding.CRASHED, f"killed: together its processes used more than the {limits.memory_mb} MiB memory limit"
        return TaskEnding.CRASHED, f"the process crashed with signal {number} ({_signal_name(number)})"
    return TaskEnding.EXITED, f"the process ended (exit code {exitcode}) before grading finished; do not call exit() or os._exit()"


def _send_at_once(fd: int, payload: bytes) -> bool:
    """Write the whole job into its pipe now, where the pipe can be made to hold it (the worker reads it when it
    starts), and close it; False when it cannot, and a thread must write it while the worker reads."""
    try:
        size = fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, JOB_PIPE_BYTES)
    except (OSError, AttributeError):  # over the user's pipe quota; no F_SETPIPE_SZ outside Linux
        return False
    if len(payload) > size:
        return False
    _send_job(fd, payload)  # an empty pipe that holds it all: the write does not wait
    return True


def _send_job(fd: int, payload: bytes) -> None:
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    except BrokenPipeError:
        pass  # the child died before reading its job; its exit code tells why
    finally:
        os.close(fd)


class _Teardowns:
    """Where a finished worker's teardown goes: done before its results are returned (the default), or,
    inside ``deferred_teardowns()``, by background threads while the next job runs.

    A worker whose tasks are all settled and whose output has ended has nothing more to tell: its
    outcomes are final. Ending its processes (two of them, each holding torch's memory), removing its
    cgroups and its directory is then tens of milliseconds of waiting that a class need not wait for.
    Everything deferred is finished before the scope ends, so nothing outlives the run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scopes = 0
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[Future[Any]] = set()

    @property
    def open(self) -> bool:
        return self._pool is not None

    def defer(self, teardown: Callable[[], Any]) -> bool:
        """Run ``teardown`` in the background if a scope is open and not too many are waiting; False (run
        it yourself, which also slows the jobs down to the pace of their teardowns) otherwise."""
        with self._lock:
            if self._pool is None or len(self._pending) >= MAX_PENDING_TEARDOWNS:
                return False
            future = self._pool.submit(teardown)
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return True

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    @contextmanager
    def scope(self) -> Iterator[None]:
        with self._lock:
            self._scopes += 1
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=TEARDOWN_THREADS, thread_name_prefix="grade-teardown")
        interrupted = False
        try:
            yield
        except KeyboardInterrupt:
            interrupted = True  # the fork server kills every worker once the grader's channel closes
            raise
        finally:
            with self._lock:
                self._scopes -= 1
                pool = self._pool if self._scopes == 0 else None
                if pool is not None:
                    self._pool = None
                pending = list(self._pending)
            if not interrupted:
                wait(pending)
            if pool is not None:
                pool.shutdown(wait=not interrupted, cancel_futures=interrupted)
                job_directories.remove_stored()  # kept for the scope's later jobs only
                stored_cgroups.remove_stored()


_teardowns = _Teardowns()


def deferred_teardowns() -> AbstractContextManager[None]:
    """Within this scope (a batch, a watch), a worker's teardown runs in the background once its results are
    in; the scope ends when every teardown started in it has."""
    return _teardowns.scope()


def run_job(job: Job, on_settled: Callable[[int], None] | None = None) -> list[TaskOutcome]:
    """Run every task of a job. A task that hangs or crashes costs itself only: the tasks after it
    run in a fresh worker, while the submission has time left (``SubmissionClock``)."""
    outcomes: list[TaskOutcome] = []
    budget = ReplyBudget()  # the arrays kept for the whole job, whichever worker sent them
    clock = SubmissionClock(job.limits.timeout, len(job.tasks))  # its time for all tasks, whichever worker ran them
    while len(outcomes) < len(job.tasks):
        offset = len(outcomes)
        if clock.exhausted:  # no fresh worker: the tasks left are not run
            for index in range(offset, len(job.tasks)):
                outcomes.append(TaskOutcome(TaskEnding.TIMEOUT, detail=clock.detail))
                if on_settled is not None:
                    on_settled(index)
            break
        reached = _run_worker(job, job.tasks[offset:], None if on_settled is None else lambda i: on_settled(offset + i),
                              budget, clock)
        # Every worker settles at least one task, whatever it sent: a grader that loops forever on
        # a submission would cost every other one.
        outcomes.extend(reached or [TaskOutcome(TaskEnding.PROTOCOL_ERROR, detail="the worker settled no exercise")])
    return outcomes[: len(job.tasks)]


def remove_job_directories() -> None:
    """Remove the directories of jobs still running, as the grader stops at once (Ctrl-C): where there is no
    private root, one holds a copy of a student's file. Their cgroups too, and the stored ones."""
    job_directories.remove_all()
    stored_cgroups.remove_all()


# What a worker says it entered (before any student code runs) that keeps its processes off the host's
# directory of the job, and ends them all with it: the directory may then serve a later job.
SEALED_OFF = frozenset({"minimal read-only file system", "PID namespace"})


def _run_worker(job: Job, tasks: tuple[Task, ...], on_settled: Callable[[int], None] | None,
                budget: ReplyBudget | None = None, clock: SubmissionClock | None = None) -> list[TaskOutcome]:
    """One worker over ``tasks``: the outcomes of the tasks it got to (at least one)."""
    server = warm_server()
    workdir = job_directories.take()  # root: the private root's mount point; submission: the file, where there is none
    try:
        uid = _sandbox_user()
        isolated = job.limits.isolate and os.geteuid() == 0
        cgroups = stored_cgroups.take(f"{workdir.name}-{next(_job_numbers)}", job.limits.memory_mb,
                                      job.limits.processes) if isolated else None
        job_r, job_w = os.pipe()
        results_r, results_w = os.pipe()
        output_r, output_w = os.pipe()
        try:
            pid = server.start((job_r, results_w, output_w), uid if job.limits.isolate else None)
        finally:
            for fd in (job_r, results_w, output_w):
                os.close(fd)
        pidfd = _pidfd(pid)
        if cgroups is not None:
            cgroups.join(pid)  # before the worker has its job: no student code has run yet
        settings = {
            "module_name": job.module_name,
            "source": job.source,
            "limits": job.limits.for_worker(len(tasks)),
            "sandbox": {"isolate": job.limits.isolate, "uid": uid, "root": str(workdir / "root"),
                        "hostdir": str(workdir / "submission"), "hide": list(job.hide),
                        "require_private_root": job.limits.require_private_root,
                        "cgroups": cgroups.layers if cgroups is not None else []},
        }
        payload = protocol.encode_job(settings, [task.wire for task in tasks])
        drain = OutputDrain(output_r, len(tasks))
        drain.start()
        if not _send_at_once(job_w, payload):
            threading.Thread(target=_send_job, args=(job_w, payload), daemon=True).start()
        expected = [frozenset(str(call["id"]) for call in task.calls) for task in tasks]
        collector = Collector(len(tasks), job.limits.timeout, on_settled, expected, ProcessTreeClock(pid), budget, clock)

        def tear_down() -> tuple[int | None, bool]:
            """End the worker's processes and remove what the job had; its exit code and whether it ran
            out of memory."""
            # Its processes all died with its PID namespace, and never saw the host's files: what the job had
            # may serve the scope's next job.
            reusable = _teardowns.open and SEALED_OFF <= set(collector.protections)
            try:
                exitcode = _end(server, pid, pidfd, collector.ended_by_itself, "PID namespace" in collector.protections)
                os.close(results_r)
                if pidfd >= 0:
                    os.close(pidfd)
                out_of_memory = False
                if cgroups is not None:
                    out_of_memory = cgroups.ran_out_of_memory()
                    stored_cgroups.give_back(cgroups, reusable)
                drain.join(2)
                return exitcode, out_of_memory
            finally:
                job_directories.give_back(workdir, reusable)

        deferred, exitcode, out_of_memory = False, None, False
        try:
            collector.collect(protocol.FrameReader(results_r))
            # All settled, output complete: nothing the teardown could tell changes these outcomes.
            deferred = (collector.completed and _teardowns.open and drain.reached_end(OUTPUT_END_WAIT)
                        and _teardowns.defer(tear_down))
        finally:
            if not deferred:
                exitcode, out_of_memory = tear_down()
        if collector.ended_by_itself:
            collector.describe_exit(*_describe_exit(exitcode, job.limits, out_of_memory))

        def output(index: int) -> str:
            text = drain.text(index).replace(str(workdir / "submission" / job.module_name), job.shown_path)
            return text.replace(f"/job/{job.module_name}", job.shown_path)

        return [dataclasses.replace(outcome, output=output(i)) for i, outcome in enumerate(collector.outcomes())]
    except BaseException:
        job_directories.give_back(workdir, reusable=False)
        raise


