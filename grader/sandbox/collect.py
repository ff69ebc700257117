"""Reading a worker: its messages become per-task outcomes, its output is split per task.

Everything here is untrusted input: messages are decoded by ``protocol``, output is capped.
"""
from __future__ import annotations

import dataclasses
import enum
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from grader.sandbox import protocol
from grader.sandbox.protocol import CallReply, ExceptionInfo, ReplyStatus

OUTPUT_KEEP_BYTES = 8 * 1024
# The arrays kept for one submission, all its exercises and workers together, whatever they send: they are
# kept until the submission is graded (per task, 9 exercises could hold 2.3 GiB of the grader, times --jobs).
MAX_JOB_REPLY_BYTES = 256 * 1024 * 1024
WALL_FACTOR = 4  # a task that waits rather than computes is stopped after this many times its time limit
BASELINE_DELAY = 0.05  # seconds into a task at which the job's CPU time is first read (see Collector._arm)


class ProcessTreeClock:
    """CPU seconds used by a process and all its descendants (any namespace, read from the host's
    /proc), including children already reaped: what a job has really had of the machine."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.ticks = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        total, pending, seen = 0, [self.pid], set()
        while pending:
            pid = pending.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                with open(f"/proc/{pid}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                total += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children", "rb") as children:
                        pending.extend(int(child) for child in children.read().split())
            except (OSError, ValueError, IndexError):
                continue  # it ended meanwhile
        return total / self.ticks
STARTUP_SECONDS = 60.0  # before the worker is ready, the fork server may still be importing torch


class TaskEnding(str, enum.Enum):
    """How the worker's run of one task (an exercise) ended."""

    DONE = "done"
    IMPORT_ERROR = "import_error"
    MISSING = "missing"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    EXITED = "exited"
    PROTOCOL_ERROR = "protocol_error"
    SANDBOX_ERROR = "sandbox_error"


@dataclass(frozen=True)
class TaskOutcome:
    """What came back for one task: untrusted replies keyed by call id, and how the task ended."""

    ending: TaskEnding
    replies: Mapping[str, CallReply] = field(default_factory=dict)
    exception: ExceptionInfo | None = None
    detail: str = ""
    output: str = ""
    protections: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass
class _Running:
    """The task the worker is running: its replies so far, and when it started."""

    started: float
    replies: dict[str, CallReply] = field(default_factory=dict)


@dataclass(frozen=True)
class _Stop:
    """How the worker stopped: the task it was running (or every task left) ends so."""

    ending: TaskEnding
    detail: str = ""
    exception: ExceptionInfo | None = None


TASK_MARKER = b"\x00grade-task:"
MARKER_MAX = len(TASK_MARKER) + 7  # a marker is at most this long: up to six digits and a NUL


class ReaderThreads:
    """Daemon threads that run blocking reads, each used again once its read is over: a batch starts a worker's
    output drain for every job, and starting a thread cost the grader ~0.7 ms a job (its stack, and a wait for
    the new thread to take the GIL). Daemons, as the threads they replace: a read a lingering process keeps
    open never holds the grader's exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle = 0  # threads waiting for work, or about to
        self._work: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def run(self, function: Callable[[], None]) -> None:
        with self._lock:
            new_thread = self._idle == 0
            if not new_thread:
                self._idle -= 1
        self._work.put(function)
        if new_thread:
            threading.Thread(target=self._serve, daemon=True, name="grade-reader").start()

    def _serve(self) -> None:
        while True:
            function = self._work.get()
            try:
                function()
            except Exception:  # a bug of the grader's: reported as a thread's would be, and this thread goes on
                threading.excepthook(threading.ExceptHookArgs((*sys.exc_info(), threading.current_thread())))
            with self._lock:
                self._idle += 1


READER_THREADS = ReaderThreads()


class OutputDrain:
    """Reads a worker's stdout/stderr to the end, split per task at the worker's markers.

    Keeps the first bytes of each task's output and counts the rest, so a flood costs nothing.
    Output before the first marker (at import) belongs to the first task. The marker one past the last
    task (an honest worker writes it after its last task, before it says "done") ends the output: it
    is complete from there, without waiting for every process of the job to close the pipe (what comes
    after it is read and dropped, so that a write never fails).
    """

    def __init__(self, fd: int, tasks: int) -> None:
        self._fd = fd
        self.tasks = tasks
        self._task = 0
        self.kept: dict[int, bytearray] = {}
        self.dropped: dict[int, int] = {}
        self.ended = threading.Event()  # the end marker was read (not merely the end of the pipe)
        self._started = False
        self._finished = threading.Event()  # the pipe was read to its end and closed

    def start(self) -> None:
        """Read the pipe to its end in one of the READER_THREADS."""
        self._started = True
        READER_THREADS.run(self._run_to_the_end)

    def _run_to_the_end(self) -> None:
        try:
            self.run()
        finally:
            self._finished.set()

    def join(self, timeout: float | None = None) -> None:
        self._finished.wait(timeout)

    def is_alive(self) -> bool:
        return self._started and not self._finished.is_set()

    def _keep(self, data: bytes) -> None:
        kept = self.kept.setdefault(self._task, bytearray())
        room = max(0, OUTPUT_KEEP_BYTES - len(kept))
        kept += data[:room]
        self.dropped[self._task] = self.dropped.get(self._task, 0) + max(0, len(data) - room)

    def _feed(self, pending: bytes) -> bytes:
        """Consume what can be attributed; return a tail that may hold the start of a marker."""
        while True:
            at = pending.find(TASK_MARKER)
            if at < 0:
                safe = max(0, len(pending) - len(TASK_MARKER) - 8)
                self._keep(pending[:safe])
                return pending[safe:]
            end = pending.find(b"\x00", at + len(TASK_MARKER), at + MARKER_MAX)
            if end < 0:
                if len(pending) - at < MARKER_MAX:  # the rest of a marker may still come
                    self._keep(pending[:at])
                    return pending[at:]
                # Not a marker (no NUL within a marker's length): plain output, so the tail held stays short.
                self._keep(pending[:at + len(TASK_MARKER)])
                pending = pending[at + len(TASK_MARKER):]
                continue
            self._keep(pending[:at])
            number = pending[at + len(TASK_MARKER):end]
            index = int(number) if number.isdigit() and len(number) < 6 else -1
            if index == self.tasks:  # the end: what follows is not kept (a submission that forges it hides only its own output)
                self.ended.set()
                return b""
            # Only a marker for a later task of this worker moves the output on: a forged one cannot
            # hide what was printed, nor make the drain keep output for tasks that do not exist.
            self._task = index if self._task < index < self.tasks else self._task
            pending = pending[end + 1:]

    def run(self) -> None:
        pending = b""
        try:
            while chunk := os.read(self._fd, 1 << 16):
                if not self.ended.is_set():
                    pending = self._feed(pending + chunk)
            if not self.ended.is_set():
                self._keep(pending)
        finally:
            os.close(self._fd)

    def reached_end(self, timeout: float) -> bool:
        """Whether the output reached the end marker (so it is complete) within ``timeout`` seconds."""
        return self.ended.wait(timeout)

    def text(self, task: int) -> str:
        text = protocol.clean_text(bytes(self.kept.get(task, b"")).decode("utf-8", errors="replace"))
        if self.dropped.get(task):
            kept = len(self.kept.get(task, b""))
            text += f"\n{protocol.OUTPUT_CUT_MARK} the first {kept} of {kept + self.dropped[task]} bytes printed are kept]"
        return text


class ReplyBudget:
    """The bytes of arrays one job may have kept, shared by the collectors of its workers."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = MAX_JOB_REPLY_BYTES if limit is None else limit
        self.used = 0


class KnownReplies:
    """Replies already read, by the exact bytes of their frame: a class's workers send the same replies again
    and again (every correct submission, each common mistake), and a frame of the same bytes is the same
    message, which passed the same checks (``protocol.loads``, ``protocol.clean_reply``) when it was first read.
    Only small frames are kept, a bounded number of them (the oldest go first): at most 8 MiB of frames, and
    their replies, whose arrays hold fewer bytes than the frames that carried them. The arrays are made
    read-only, as a reply is shared by every collector that reads its bytes. Thread-safe."""

    MAX_FRAME_BYTES = 4096
    SIZE = 2048

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replies: dict[bytes, tuple[str, CallReply]] = {}

    def get(self, frame: bytes) -> tuple[str, CallReply] | None:
        return self._replies.get(frame) if len(frame) <= self.MAX_FRAME_BYTES else None

    def add(self, frame: bytes, call_id: str, reply: CallReply) -> None:
        """Keep a reply read from a message without an "event" (so that nothing but a reply's branch reads it)."""
        if len(frame) > self.MAX_FRAME_BYTES:
            return
        for array in reply.outputs.values():
            array.flags.writeable = False
        with self._lock:
            self._replies[frame] = (call_id, reply)
            while len(self._replies) > self.SIZE:
                del self._replies[next(iter(self._replies))]


KNOWN_REPLIES = KnownReplies()


class SubmissionClock:
    """The wall-clock time one submission's code may take, all its workers together.

    Each exercise has its time limit, and one that waits rather than computes may take WALL_FACTOR times
    it, the import too; after a timeout a fresh worker imports the file again. Without a bound for the
    whole, a file that sleeps in every function holds its batch slot for about (2 x WALL_FACTOR x
    exercises) time limits. The submission's time is counted from each worker's start of student code
    (its "sandbox" message) to the worker's end: imports, re-imports and exercises alike. Once it is
    spent, the exercise running is stopped and the rest are not run; each is recorded as timed out.
    """

    def __init__(self, timeout: float, tasks: int) -> None:
        self.budget = submission_seconds(timeout, tasks)
        self.detail = (f"the submission's time ran out: {self.budget:g} s for all its exercises together "
                       f"(the {timeout:g} s time limit x ({tasks} exercise{'' if tasks == 1 else 's'} + {WALL_FACTOR}))")
        self.spent = 0.0

    @property
    def remaining(self) -> float:
        return self.budget - self.spent

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.budget


def submission_seconds(timeout: float, tasks: int) -> float:
    """A submission's time for all its exercises together: each exercise's limit once (a busy exercise
    is stopped at its limit of CPU time, so an honest slow one fits), plus WALL_FACTOR limits to spare
    (a slow import, a neighbour's load)."""
    return timeout * (tasks + WALL_FACTOR)


_A_REPLY: Mapping[str, object] = MappingProxyType({})  # the message of a known reply's frame: it has no "event"


def _read_reply(frame: bytes, message: Mapping[str, Any]) -> tuple[str, CallReply] | None:
    """The call id and the reply a message holds (None: it is not a reply), kept among the known replies
    when the message has no "event"."""
    reply = protocol.clean_reply(message)
    if reply is None:
        return None
    if message.get("event") is None:
        KNOWN_REPLIES.add(frame, message["id"], reply)
    return message["id"], reply


class Collector:
    """Turns a worker's messages into per-task outcomes, enforcing each task's time limit and the
    submission's time for all its tasks (``clock``, shared by its workers)."""

    def __init__(self, tasks: int, timeout: float, on_settled: Callable[[int], None] | None = None,
                 expected_ids: list[frozenset[str]] | None = None,
                 cpu_clock: Callable[[], float] | None = None, budget: ReplyBudget | None = None,
                 clock: SubmissionClock | None = None) -> None:
        self.budget = budget if budget is not None else ReplyBudget()
        self.clock = clock
        self._student_since: float | None = None  # when this worker started the student's code
        self._clock_deadline = float("inf")  # when the submission's time runs out, once student code runs
        self.tasks = tasks
        self.cpu_clock = cpu_clock  # the job's CPU seconds: the time limit counts them, not the wall clock
        self._armed: tuple[float, float | None] | None = None  # wall start, CPU baseline (once read)
        self._baseline_due: float | None = None
        self.expected_ids = expected_ids or [frozenset()] * tasks  # the call ids each task was given
        self.on_settled = on_settled  # told each task's index as soon as it is settled, for progress displays
        self.timeout = timeout
        self.finished: list[TaskOutcome] = []  # without the protections, which come with the outcomes
        self.current: _Running | None = None
        self.protections: tuple[str, ...] = ()
        self.ended_by_itself = False
        self.completed = False  # every task settled and the worker said "done": nothing more is expected of it
        self.ready = False  # the worker said it is ready; only once, so the clock cannot be reset
        self._unfinished: _Stop | None = None  # how the rest ends, when all of it does at once

    def _start(self) -> None:
        self.current = _Running(time.monotonic())

    def _finish(self, stop: _Stop = _Stop(TaskEnding.DONE)) -> None:
        assert self.current is not None
        self.finished.append(TaskOutcome(stop.ending, self.current.replies, stop.exception, stop.detail,
                                         seconds=time.monotonic() - self.current.started))
        self.current = None
        if self.on_settled is not None:
            self.on_settled(len(self.finished) - 1)

    def _stop(self, ending: TaskEnding, detail: str = "", exception: ExceptionInfo | None = None) -> None:
        """The worker stops here: the running task ends so; before any task, every task does."""
        stop = _Stop(ending, detail, exception)
        if self.current is not None:
            self._finish(stop)
        else:
            self._unfinished = stop

    def _arm(self) -> float:
        """Start the time limit now; return the wall-clock deadline at which it is first looked at.

        The job's CPU time is read from /proc only once the task has run for BASELINE_DELAY (most
        tasks are over by then, and a reading walks the job's process tree); until then the task is
        counted as using one CPU the whole time."""
        now = time.monotonic()
        self._armed = (now, None)
        self._baseline_due = now + min(BASELINE_DELAY, self.timeout / 10) if self.cpu_clock is not None else None
        return now + self.timeout

    def _take_baseline(self) -> None:
        if self._armed is not None and self._armed[1] is None and self.cpu_clock is not None:
            wall_start = self._armed[0]
            self._armed = (wall_start, self.cpu_clock() - (time.monotonic() - wall_start))
        self._baseline_due = None

    def _wake_at(self, deadline: float) -> float:
        return deadline if self._baseline_due is None else min(deadline, self._baseline_due)

    def _extension(self) -> float | None:
        """A later deadline while the job has used less than its time limit in CPU time (a neighbour's
        load slowed it down) and has not waited WALL_FACTOR times the limit; None once it is spent."""
        if self.cpu_clock is None or self._armed is None:
            return None
        self._take_baseline()
        wall_start, cpu_start = self._armed
        assert cpu_start is not None
        now, wall_limit = time.monotonic(), wall_start + self.timeout * WALL_FACTOR
        used = self.cpu_clock() - cpu_start
        if used >= self.timeout or now >= wall_limit:
            return None
        return now + max(0.05, min(self.timeout - used, wall_limit - now))

    def collect(self, results: protocol.FrameReader) -> None:
        try:
            self._collect(results)
        finally:
            if self.clock is not None and self._student_since is not None:
                self.clock.spent += time.monotonic() - self._student_since

    def _start_student_time(self) -> None:
        self._student_since = time.monotonic()
        if self.clock is not None:
            self._clock_deadline = self._student_since + self.clock.remaining

    def _collect(self, results: protocol.FrameReader) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS  # the fork server may still be importing torch
        while True:
            try:
                frame = results.read(min(self._wake_at(deadline), self._clock_deadline))
                if frame is None:
                    self.ended_by_itself = True
                    return self._stop(TaskEnding.EXITED)
                known = KNOWN_REPLIES.get(frame)
                message = protocol.loads(frame) if known is None else _A_REPLY
            except TimeoutError:
                if self.clock is not None and time.monotonic() >= self._clock_deadline:
                    return self._stop(TaskEnding.TIMEOUT, self.clock.detail)
                if self._baseline_due is not None:
                    self._take_baseline()
                    if time.monotonic() < deadline:
                        continue
                extended = self._extension()
                if extended is not None:
                    deadline = extended
                    continue
                doing = "running this exercise" if self.current is not None else "importing your file"
                return self._stop(TaskEnding.TIMEOUT, f"still {doing} after the {self.timeout:g} s time limit")
            except (OSError, protocol.ProtocolError) as exc:
                return self._stop(TaskEnding.PROTOCOL_ERROR, f"the worker sent something unreadable ({exc})")
            event = message.get("event")
            if event == "sandbox" and not self.ready:
                self.ready = True
                self._start_student_time()
                protections = message.get("protections")
                self.protections = tuple(p for p in protections if isinstance(p, str)) if isinstance(protections, list) else ()
                deadline = self._arm()
            elif event == "sandbox_error" and not self.ready:
                # Only before "sandbox", which the worker sends before it imports the student's file: after it, a
                # claim that the grader's sandbox failed is the student's code blaming the grader.
                detail = protocol.text_field(message.get("detail"))
                return self._stop(TaskEnding.SANDBOX_ERROR, f"the grader's sandbox could not start: {detail}")
            elif event == "import_error":
                return self._stop(TaskEnding.IMPORT_ERROR, exception=protocol.clean_exception(message.get("exception")))
            elif event == "task" and self.current is None and len(self.finished) < self.tasks:
                self._start()
                deadline = self._arm()
            elif event == "missing" and self.current is not None:
                self._finish(_Stop(TaskEnding.MISSING))
            elif event == "task_done" and self.current is not None:
                self._finish()
                deadline = self._arm()
            elif event == "done":
                if self.current is not None or len(self.finished) < self.tasks:
                    return self._stop(TaskEnding.PROTOCOL_ERROR, "the worker stopped before this exercise was done")
                self.completed = True
                return None
            elif self.current is not None and (known := known or _read_reply(frame, message)) is not None \
                    and self._accept(*known):
                pass
            else:
                # An honest worker sends nothing else: no second 'sandbox', no reply to a call it was not
                # given or already answered, no empty frames. Ending here means a flood costs nothing.
                return self._stop(TaskEnding.PROTOCOL_ERROR, "the worker sent a message that is not part of the protocol")

    def _accept(self, call_id: str, reply: CallReply) -> bool:
        """Keep a reply for a call the running task was given, the first time, within the job's byte
        budget; False for a forged or repeated id."""
        assert self.current is not None
        replies = self.current.replies
        if call_id not in self.expected_ids[len(self.finished)] or call_id in replies:
            return False
        size = sum(array.nbytes for array in reply.outputs.values())
        if self.budget.used + size > self.budget.limit:
            reply = dataclasses.replace(
                reply, status=ReplyStatus.BAD_OUTPUT, outputs={},
                detail=f"returned more than the {self.budget.limit // (1 << 20)} MiB of results allowed "
                       "for a whole submission")
            size = 0
        self.budget.used += size
        replies[call_id] = reply
        return True

    def describe_exit(self, ending: TaskEnding, detail: str) -> None:
        """Say how the task that stopped the worker ended, once its exit code is known."""
        if self._unfinished is not None:
            if self._unfinished.ending is TaskEnding.EXITED:
                self._unfinished = dataclasses.replace(self._unfinished, ending=ending, detail=detail)
        elif self.finished and self.finished[-1].ending is TaskEnding.EXITED:
            self.finished[-1] = dataclasses.replace(self.finished[-1], ending=ending, detail=detail)

    def outcomes(self) -> list[TaskOutcome]:
        """Every task's outcome (without its printed output, which the runner adds)."""
        outcomes = [dataclasses.replace(task, protections=self.protections) for task in self.finished]
        if self._unfinished is not None:
            stop = self._unfinished
            remaining = self.tasks - len(self.finished)
            outcomes += [TaskOutcome(stop.ending, {}, stop.exception, stop.detail, protections=self.protections)] * remaining
        return outcomes
