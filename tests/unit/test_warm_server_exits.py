"""The grader's handle on the fork server: an exit reported after its job stopped waiting is not a later
worker's with the same pid."""
from __future__ import annotations

import json
import socket
import threading
from concurrent.futures import Future

from grader.sandbox.server import WarmServer


def _handle() -> tuple[WarmServer, socket.socket]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server = object.__new__(WarmServer)  # the reader alone, on a channel this test speaks for the server
    server._control = ours
    server._state_lock = threading.Lock()
    server._started, server._exits = {}, {}
    server._reader = threading.Thread(target=server._read_replies, daemon=True)
    server._reader.start()
    return server, theirs


def _started(server: WarmServer, theirs: socket.socket, request_id: int, pid: int) -> int:
    future: Future[int] = Future()
    with server._state_lock:
        server._started[request_id] = future
    theirs.send(json.dumps({"id": request_id, "pid": pid}).encode())
    return future.result(timeout=5)


def test_a_late_exit_of_an_earlier_worker_is_not_the_next_ones_with_its_pid():
    server, theirs = _handle()
    assert _started(server, theirs, 1, 4242) == 4242
    assert server.exit_code(4242, timeout=0.01) is None  # its job stopped waiting
    theirs.send(json.dumps({"pid": 4242, "exit": -9}).encode())  # ... and then it was reaped
    deadline = threading.Event()
    while 4242 not in server._exits and not deadline.wait(0.01):
        pass
    assert _started(server, theirs, 2, 4242) == 4242  # the pid, used again by a new worker
    assert server.exit_code(4242, timeout=0.05) is None  # not the earlier one's -9
    theirs.send(json.dumps({"pid": 4242, "exit": 0}).encode())
    assert server.exit_code(4242, timeout=5) == 0
    theirs.close()
