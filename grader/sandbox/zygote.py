"""The warm fork server: a fresh interpreter with numpy and torch imported, forking one worker per job.

It is started by the grader (``server.WarmServer``: ``python -I``, a fixed environment) and never imports reference
code or expected values, so a forked child inherits nothing secret. ``torch.set_num_threads(1)``
runs before any torch operation: a child forked after an OpenMP-parallel op hangs in libgomp.

Control channel (a SOCK_SEQPACKET socket whose fd number is the one argument), one JSON message each:
  grader -> server: {"id": n} with three fds attached (job reader, results writer, output writer)
  server -> grader: {"id": n, "pid": pid} once forked; {"pid": pid, "exit": code} once reaped
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys

import numpy  # noqa: F401  (imported here so that every child starts with it)

try:
    import torch
except ImportError:  # numpy-only lessons still work, without the warm torch
    torch = None
else:
    torch.set_num_threads(1)

from grader.sandbox import worker

REAP_INTERVAL = 0.02


def _send(control: socket.socket, message: dict[str, int]) -> None:
    control.send(json.dumps(message).encode())


def _fork_worker(control: socket.socket, selector: selectors.BaseSelector, fds: list[int]) -> int:
    pid = os.fork()
    if pid == 0:
        selector.close()
        control.close()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            worker.main(*fds)
        finally:
            os._exit(70)
    for fd in fds:
        os.close(fd)
    return pid


def _reap(control: socket.socket, children: set[int]) -> None:
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        children.discard(pid)
        _send(control, {"pid": pid, "exit": os.waitstatus_to_exitcode(status)})


def serve(control: socket.socket) -> None:
    children: set[int] = set()
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    try:
        while True:
            if selector.select(timeout=REAP_INTERVAL):
                message, fds, _, _ = socket.recv_fds(control, 4096, 3)
                if not message:
                    return  # the grader is gone
                request = json.loads(message)
                if len(fds) != 3:
                    for fd in fds:
                        os.close(fd)
                    continue
                pid = _fork_worker(control, selector, fds)
                children.add(pid)
                _send(control, {"id": request["id"], "pid": pid})
            _reap(control, children)
    finally:
        for pid in children:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def main(control_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the grader, which closes the channel
    control = socket.socket(fileno=control_fd)
    try:
        serve(control)
    except (BrokenPipeError, ConnectionResetError):
        pass
    sys.exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
