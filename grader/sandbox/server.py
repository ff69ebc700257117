"""The grader's handle on the warm fork server (``sandbox.zygote``): start workers, learn exit codes.

The server is a separate, fresh interpreter with numpy and torch imported (numpy only where the command
says no worker needs torch). It never holds
reference code or expected values, so nothing secret is inherited by the workers it forks.
"""
from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

START_SECONDS = 60.0  # the first start imports torch
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
# Started with -I (no PYTHON* variables, no user site) and this environment, the same on every machine:
# nothing of the grader's environment (tokens, PYTHONUNBUFFERED...) reaches a submission or its score.
SERVER_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                      "HOME": "/tmp", "TMPDIR": "/tmp", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                      "OPENBLAS_NUM_THREADS": "1"}
# For the server only (it removes it from its environment before forking): glibc's heap on transparent huge
# pages, where the kernel offers them on request. torch's ~80 MiB of heap then takes a few hundred page-table
# entries instead of ~20,000, and copying and freeing those is most of what a fork and an exit cost.
SERVER_ONLY_ENVIRONMENT = {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}
# Kept from the machine because they make numerical libraries correct on it, never a score higher:
# older OpenBLAS builds compute wrong results or crash on some processors without them.
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# The server runs in a session of its own (see WarmServer), so a terminal's Ctrl-C reaches only the grader, which
# closes the channel; the server then ends and kills its workers. Ignoring SIGINT here as well covers a signal
# sent to the server alone; it cannot cover the interpreter's own start-up, which the session does.
_BOOTSTRAP = ("import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); import sys; sys.path.insert(0, sys.argv[1]); "
              "from grader.sandbox import zygote; zygote.main(int(sys.argv[2]), sys.argv[3] == '1')")


def server_environment() -> dict[str, str]:
    passed = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return {**SERVER_ENVIRONMENT, **passed, **SERVER_ONLY_ENVIRONMENT}


class WarmServer:
    """The grader's handle on the fork server: start children, learn their exit codes."""

    def __init__(self, torch: bool = True) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.torch = torch  # whether its workers start with torch imported (else they import it if they need it)
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, _PACKAGE_PARENT, str(theirs.fileno()), "1" if torch else "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            env=server_environment(),
            cwd="/",
            start_new_session=True,  # Ctrl-C during its start-up would otherwise print its traceback
        )
        theirs.close()
        self._control = ours
        self._send_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._next_id = 0  # requests made: a server never asked for a worker is killed at close, not awaited
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
                    # A new worker: an exit of an earlier process with this pid, reported after its job stopped
                    # waiting for it, is not this one's.
                    self._exits.pop(int(message["pid"]), None)
                future.set_result(int(message["pid"]))
            else:
                self._exit_future(int(message["pid"])).set_result(int(message["exit"]))
        with self._state_lock:
            waiting = list(self._started.values()) + [f for f in self._exits.values() if not f.done()]
        for future in waiting:
            if not future.done():
                future.set_exception(RuntimeError("the warm fork server stopped"))

    def start(self, fds: tuple[int, int, int], uid: int | None = None) -> int:
        """Fork a worker that owns these three fds (job reader, results writer, output writer); for a confined
        job (``uid``: its user), into a user namespace of its own whose id maps the server writes."""
        future: Future[int] = Future()
        with self._state_lock:
            self._next_id += 1
            request_id = self._next_id
            self._started[request_id] = future
        with self._send_lock:
            request = {"id": request_id} if uid is None else {"id": request_id, "uid": uid}
            socket.send_fds(self._control, [json.dumps(request).encode()], list(fds))
        return future.result(timeout=START_SECONDS)

    def exit_code(self, pid: int, timeout: float) -> int | None:
        try:
            return self._exit_future(pid).result(timeout=timeout)
        except Exception:
            return None
        finally:
            with self._state_lock:
                self._exits.pop(pid, None)

    def close(self) -> None:
        if self._next_id == 0:  # started early for a command that ended before grading (a usage error)
            self.process.kill()
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


def warm_server(torch: bool = True) -> WarmServer:
    """The process-wide fork server, started on first use (it imports torch once). ``torch=False`` says that
    no worker of this command is expected to need torch (``grader.cli.launch``): a server started so forks
    workers with numpy only, which import torch themselves if they need it after all. Only the first call,
    which starts the server, decides."""
    global _server
    with _server_lock:
        if _server is None or _server.process.poll() is not None:
            _server = WarmServer(torch)
            atexit.register(_server.close)
        return _server
