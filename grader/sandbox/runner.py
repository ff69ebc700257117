"""The trusted side of the boundary: run one job in a fresh sandboxed child and collect its replies.

Children are forked by the warm server (``sandbox.zygote``), a separate interpreter that has numpy
and torch imported and never held reference code or expected values.
"""
from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox import protocol

OUTPUT_KEEP_BYTES = 8 * 1024
STARTUP_SECONDS = 60.0
EXIT_STATUS_WAIT = 2.0
SANDBOX_UID_BASE, SANDBOX_UID_COUNT = 200_000, 100_000
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    memory_mb: int = 2048
    file_mb: int = 16
    processes: int = 64
    isolate: bool = True  # namespaces, private root, own user (where the machine allows)

    def for_worker(self, tasks: int) -> dict[str, Any]:
        # CPU time is a backstop behind the per-task wall clock: the worker's whole budget.
        return {"cpu_seconds": max(1, int(self.timeout * tasks) + 1), "memory_mb": self.memory_mb,
                "file_mb": self.file_mb, "processes": self.processes}


@dataclass(frozen=True)
class Task:
    """One exercise: the student function to call and the calls to make."""

    function: str
    calls: list[dict[str, Any]]


@dataclass(frozen=True)
class Job:
    """One submission file and its tasks, run one after the other in a sandboxed worker."""

    module_path: Path
    tasks: tuple[Task, ...]
    limits: Limits = Limits()


@dataclass(frozen=True)
class TaskOutcome:
    """What came back for one task: untrusted replies keyed by call id, and how the task ended."""

    ending: str  # done | import_error | missing | timeout | crashed | exited | protocol_error
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)
    exception: dict[str, Any] | None = None
    detail: str = ""
    output: str = ""
    protections: tuple[str, ...] = ()
    seconds: float = 0.0


class WarmServer:
    """The grader's handle on the fork server: start children, learn their exit codes."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_PACKAGE_PARENT, os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.sandbox.zygote", str(theirs.fileno())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            env=env,
        )
        theirs.close()
        self._control = ours
        self._send_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._next_id = 0
        self._started: dict[int, Future[int]] = {}
        self._exits: dict[int, Future[int]] = {}
        self._reader = threading.Thread(target=self._read_replies, name="grade-warm-server", daemon=True)
        self._reader.start()

    def _exit_future(self, pid: int) -> Future[int]:
        with self._state_lock:
            return self._exits.setdefault(pid, Future())

    def _read_replies(self) -> None:
        while True:
            try:
                data = self._control.recv(4096)
            except OSError:
                data = b""
            if not data:
                break
            message = json.loads(data)
            if "id" in message:
                with self._state_lock:
                    future = self._started.pop(message["id"])
                future.set_result(int(message["pid"]))
            else:
                self._exit_future(int(message["pid"])).set_result(int(message["exit"]))
        with self._state_lock:
            waiting = list(self._started.values()) + [f for f in self._exits.values() if not f.done()]
        for future in waiting:
            if not future.done():
                future.set_exception(RuntimeError("the warm fork server stopped"))

    def start(self, fds: tuple[int, int, int]) -> int:
        """Fork a worker that owns these three fds (job reader, results writer, output writer)."""
        future: Future[int] = Future()
        with self._state_lock:
            self._next_id += 1
            request_id = self._next_id
            self._started[request_id] = future
        with self._send_lock:
            socket.send_fds(self._control, [json.dumps({"id": request_id}).encode()], list(fds))
        return future.result(timeout=STARTUP_SECONDS)

    def exit_code(self, pid: int, timeout: float) -> int | None:
        try:
            return self._exit_future(pid).result(timeout=timeout)
        except Exception:
            return None
        finally:
            with self._state_lock:
                self._exits.pop(pid, None)

    def close(self) -> None:
        try:
            self._control.shutdown(socket.SHUT_RDWR)  # wakes our reader thread; the server sees the end
        except OSError:
            pass
        self._control.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


_server_lock = threading.Lock()
_server: WarmServer | None = None


def warm_server() -> WarmServer:
    """The process-wide fork server, started on first use (it imports torch once)."""
    global _server
    with _server_lock:
        if _server is None or _server.process.poll() is not None:
            _server = WarmServer()
            atexit.register(_server.close)
        return _server


TASK_MARKER = b"\x00grade-task:"


class _OutputDrain(threading.Thread):
    """Reads a worker's stdout/stderr to the end, split per task at the worker's markers.

    Keeps the first bytes of each task's output and counts the rest, so a flood costs nothing.
    Output before the first marker (at import) belongs to the first task.
    """

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self._fd = fd
        self._task = 0
        self.kept: dict[int, bytearray] = {}
        self.dropped: dict[int, int] = {}

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
            end = pending.find(b"\x00", at + len(TASK_MARKER))
            if end < 0:
                self._keep(pending[:at])
                return pending[at:]
            self._keep(pending[:at])
            number = pending[at + len(TASK_MARKER):end]
            self._task = int(number) if number.isdigit() and len(number) < 6 else self._task
            pending = pending[end + 1:]

    def run(self) -> None:
        pending = b""
        try:
            while chunk := os.read(self._fd, 1 << 16):
                pending = self._feed(pending + chunk)
            self._keep(pending)
        finally:
            os.close(self._fd)

    def text(self, task: int) -> str:
        text = bytes(self.kept.get(task, b"")).decode("utf-8", errors="replace")
        if self.dropped.get(task):
            text += f"\n[... {self.dropped[task]} more bytes of output dropped]"
        return text


def _end(server: WarmServer, pid: int, ended_by_itself: bool) -> int | None:
    """End a worker and all it started; return its exit code.

    SIGTERM asks the worker to kill its PID namespace's init (which takes every process in the
    namespace with it); SIGKILL to its process group is the fallback where there is no namespace.
    A worker that stopped talking by itself is first given the time to exit, so that its own exit
    code (a crash, an exit call) is the one reported.
    """
    exitcode = server.exit_code(pid, EXIT_STATUS_WAIT) if ended_by_itself else None
    if exitcode is None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        exitcode = server.exit_code(pid, EXIT_STATUS_WAIT)
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return exitcode


_uids = itertools.count()


def _sandbox_user() -> int:
    """A user id of its own for each job, so that jobs cannot touch each other's files or processes."""
    return SANDBOX_UID_BASE + next(_uids) % SANDBOX_UID_COUNT


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _describe_exit(exitcode: int | None, timeout: float) -> tuple[str, str]:
    """Why a child that stopped talking ended: CPU limit, a crash, or an early exit."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGXCPU:
            return "timeout", f"used more than its {timeout:g} s of CPU time"
        return "crashed", f"the process crashed with signal {number} ({_signal_name(number)})"
    return "exited", f"the process ended (exit code {exitcode}) before grading finished; do not call exit() or os._exit()"


def _send_job(fd: int, payload: bytes) -> None:
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    except BrokenPipeError:
        pass  # the child died before reading its job; its exit code tells why
    finally:
        os.close(fd)


def run_job(job: Job) -> list[TaskOutcome]:
    """Run every task of a job. A task that hangs or crashes costs itself only: the tasks after it
    run in a fresh worker."""
    outcomes: list[TaskOutcome] = []
    while len(outcomes) < len(job.tasks):
        outcomes.extend(_run_worker(job, job.tasks[len(outcomes):]))
    return outcomes


def _run_worker(job: Job, tasks: tuple[Task, ...]) -> list[TaskOutcome]:
    """One worker over ``tasks``: the outcomes of the tasks it got to (at least one)."""
    server = warm_server()
    workdir = Path(tempfile.mkdtemp(prefix="grade-job-"))
    try:
        uid = _sandbox_user()
        student_file = workdir / "submission" / job.module_path.name
        student_file.parent.mkdir()
        shutil.copyfile(job.module_path, student_file)
        (workdir / "root").mkdir()
        if os.geteuid() == 0:
            os.chown(student_file.parent, uid, uid)
        payload = protocol.dumps(
            {
                "module_name": student_file.name,
                "tasks": [{"function": t.function, "calls": t.calls} for t in tasks],
                "limits": job.limits.for_worker(len(tasks)),
                "workdir": str(student_file.parent),
                "sandbox": {"isolate": job.limits.isolate, "uid": uid, "root": str(workdir / "root")},
            }
        )
        job_r, job_w = os.pipe()
        results_r, results_w = os.pipe()
        output_r, output_w = os.pipe()
        try:
            pid = server.start((job_r, results_w, output_w))
        finally:
            for fd in (job_r, results_w, output_w):
                os.close(fd)
        drain = _OutputDrain(output_r)
        drain.start()
        threading.Thread(target=_send_job, args=(job_w, payload), daemon=True).start()
        collector = _Collector(len(tasks), job.limits.timeout)
        try:
            collector.collect(protocol.FrameReader(results_r))
        finally:
            exitcode = _end(server, pid, ended_by_itself=collector.ended_by_itself)
            os.close(results_r)
        drain.join(2)
        if collector.ended_by_itself:
            collector.describe_exit(*_describe_exit(exitcode, job.limits.timeout))

        def output(index: int) -> str:
            text = drain.text(index).replace(str(student_file), str(job.module_path))
            return text.replace(f"/job/{student_file.name}", str(job.module_path))

        return [TaskOutcome(output=output(i), **fields) for i, fields in enumerate(collector.outcomes())]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class _Collector:
    """Turns a worker's messages into per-task outcomes, enforcing each task's time limit."""

    def __init__(self, tasks: int, timeout: float) -> None:
        self.tasks = tasks
        self.timeout = timeout
        self.finished: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.protections: tuple[str, ...] = ()
        self.ended_by_itself = False
        self._unfinished: dict[str, Any] | None = None  # how the rest ends, when all of it does at once

    def _start(self) -> None:
        self.current = {"ending": "done", "replies": {}, "started": time.monotonic()}

    def _finish(self, **fields: Any) -> None:
        assert self.current is not None
        self.current.update(fields, seconds=time.monotonic() - self.current["started"])
        self.finished.append(self.current)
        self.current = None

    def _stop(self, ending: str, detail: str = "", exception: dict[str, Any] | None = None) -> None:
        """The worker stops here: the running task ends so; before any task, every task does."""
        fields = {"ending": ending, "detail": detail, "exception": exception}
        if self.current is not None:
            self._finish(**fields)
        else:
            self._unfinished = fields

    def collect(self, results: protocol.FrameReader) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS  # the fork server may still be importing torch
        while True:
            try:
                frame = results.read(deadline)
                if frame is None:
                    self.ended_by_itself = True
                    return self._stop("exited")
                message = protocol.loads(frame)
            except TimeoutError:
                doing = "running this exercise" if self.current is not None else "importing your file"
                return self._stop("timeout", f"still {doing} after the {self.timeout:g} s time limit")
            except (OSError, protocol.ProtocolError) as exc:
                return self._stop("protocol_error", f"the worker sent something unreadable ({exc})")
            event = message.get("event")
            if event == "sandbox":
                self.protections = tuple(str(p) for p in message.get("protections", []))
                deadline = time.monotonic() + self.timeout
            elif event == "import_error":
                exception = message.get("exception")
                return self._stop("import_error", exception=exception if isinstance(exception, dict) else None)
            elif event == "task" and self.current is None and len(self.finished) < self.tasks:
                self._start()
                deadline = time.monotonic() + self.timeout
            elif event == "missing" and self.current is not None:
                self._finish(ending="missing", detail=str(message.get("detail", "")))
            elif event == "task_done" and self.current is not None:
                self._finish()
                deadline = time.monotonic() + self.timeout
            elif event == "done":
                return None
            elif self.current is not None and isinstance(message.get("id"), str):
                self.current["replies"][message["id"]] = message

    def describe_exit(self, ending: str, detail: str) -> None:
        """Say how the task that stopped the worker ended, once its exit code is known."""
        ended = self._unfinished if self._unfinished is not None else self.finished[-1] if self.finished else None
        if ended is not None and ended["ending"] == "exited":
            ended.update(ending=ending, detail=detail)

    def outcomes(self) -> list[dict[str, Any]]:
        outcomes = [
            {"ending": task["ending"], "replies": task["replies"], "exception": task.get("exception"),
             "detail": task.get("detail", ""), "protections": self.protections, "seconds": task["seconds"]}
            for task in self.finished
        ]
        if self._unfinished is not None:
            remaining = self.tasks - len(self.finished)
            outcomes += [{**self._unfinished, "replies": {}, "protections": self.protections, "seconds": 0.0}] * remaining
        return outcomes
