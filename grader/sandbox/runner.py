"""The trusted side of the boundary: run one job in a fresh sandboxed child and collect its replies.

Children are forked from a warm fork server (numpy and torch already imported) that was started
from a fresh interpreter, so it never holds reference code or expected values.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from grader.sandbox import protocol, worker

OUTPUT_KEEP_BYTES = 8 * 1024
STARTUP_SECONDS = 60.0
_READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    memory_mb: int = 2048
    file_mb: int = 16

    def for_worker(self) -> dict[str, Any]:
        return {"cpu_seconds": max(1, int(self.timeout) + 1), "memory_mb": self.memory_mb, "file_mb": self.file_mb}


@dataclass(frozen=True)
class Job:
    module_path: Path
    function: str
    calls: list[dict[str, Any]]
    limits: Limits = Limits()


@dataclass(frozen=True)
class JobOutcome:
    """What came back: untrusted replies keyed by call id, and how the child ended."""

    ending: str  # done | import_error | missing | timeout | crashed | exited | protocol_error
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)
    exception: dict[str, Any] | None = None
    detail: str = ""
    output: str = ""
    protections: tuple[str, ...] = ()
    seconds: float = 0.0


_context_lock = threading.Lock()
_context: Any = None


def _fork_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["grader.sandbox.warm"])
            _context = context
        return _context


def warm_up() -> None:
    """Start the fork server now (it imports torch once) instead of at the first job."""
    from multiprocessing import forkserver

    _fork_context()
    forkserver.ensure_running()


class _OutputDrain(threading.Thread):
    """Reads a child's stdout/stderr to the end, keeping the first bytes and counting the rest."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(daemon=True)
        self._connection = connection
        self.kept = bytearray()
        self.dropped = 0

    def run(self) -> None:
        fd = self._connection.fileno()
        while True:
            try:
                chunk = os.read(fd, _READ_CHUNK)
            except OSError:
                break
            if not chunk:
                break
            room = OUTPUT_KEEP_BYTES - len(self.kept)
            self.kept += chunk[:room]
            self.dropped += max(0, len(chunk) - room)
        self._connection.close()

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes of output dropped]"
        return text


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _private_copy(module_path: Path, workdir: Path) -> Path:
    target = workdir / "submission" / module_path.name
    target.parent.mkdir()
    shutil.copyfile(module_path, target)
    return target


def run_job(job: Job) -> JobOutcome:
    started = time.monotonic()
    context = _fork_context()
    workdir = Path(tempfile.mkdtemp(prefix="grade-job-"))
    try:
        student_file = _private_copy(job.module_path, workdir)
        payload = protocol.dumps(
            {
                "module_path": str(student_file),
                "function": job.function,
                "calls": job.calls,
                "limits": job.limits.for_worker(),
                "workdir": str(student_file.parent),
            }
        )
        results_reader, results_writer = context.Pipe(duplex=False)
        output_reader, output_writer = context.Pipe(duplex=False)
        process = context.Process(target=worker.main, args=(payload, results_writer, output_writer), daemon=False)
        process.start()
        results_writer.close()
        output_writer.close()
        drain = _OutputDrain(output_reader)
        drain.start()
        try:
            outcome = _collect(results_reader, job.limits.timeout)
        finally:
            _kill_group(process.pid)
            process.join(5)
            results_reader.close()
        drain.join(2)
        if outcome["ending"] == "exited":
            outcome["ending"], outcome["detail"] = _describe_exit(process.exitcode, job.limits.timeout)
        return JobOutcome(output=drain.text(), seconds=time.monotonic() - started, **outcome)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _describe_exit(exitcode: int | None, timeout: float) -> tuple[str, str]:
    """Why a child that stopped talking ended: CPU limit, a crash, or an early exit."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGXCPU:
            return "timeout", f"used more than its {timeout:g} s of CPU time"
        return "crashed", f"the process crashed with signal {number} ({_signal_name(number)})"
    return "exited", f"the process ended (exit code {exitcode}) before grading finished; do not call exit() or os._exit()"


def _collect(results: Connection, timeout: float) -> dict[str, Any]:
    # The time limit starts when the child is ready to import the student's code; before that,
    # the fork server may still be importing torch for the first time.
    deadline = time.monotonic() + STARTUP_SECONDS
    replies: dict[str, dict[str, Any]] = {}
    protections: tuple[str, ...] = ()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not results.poll(remaining):
            detail = f"still running after the {timeout:g} s time limit"
            return {"ending": "timeout", "replies": replies, "detail": detail, "protections": protections}
        try:
            message = protocol.loads(results.recv_bytes(protocol.MAX_MESSAGE_BYTES))
        except EOFError:
            return {"ending": "exited", "replies": replies, "protections": protections}
        except (OSError, protocol.ProtocolError) as exc:
            detail = f"the worker sent something unreadable ({exc})"
            return {"ending": "protocol_error", "replies": replies, "detail": detail, "protections": protections}
        event = message.get("event")
        if event == "sandbox":
            protections = tuple(str(p) for p in message.get("protections", []))
            deadline = time.monotonic() + timeout
        elif event in ("import_error", "missing"):
            exception = message.get("exception")
            return {"ending": event, "replies": replies, "exception": exception if isinstance(exception, dict) else None,
                    "detail": str(message.get("detail", "")), "protections": protections}
        elif event == "done":
            return {"ending": "done", "replies": replies, "protections": protections}
        elif isinstance(message.get("id"), str):
            replies[message["id"]] = message
