"""The warm fork server: a fresh interpreter with numpy and torch imported, forking one worker per job.

Without torch when the grader says so (its second argument "0": ``grade check --exercise`` of a file that
imports no torch at its top level, see ``grader.cli.launch``): every child then starts with numpy only,
and a child that needs torch after all (a Tensor argument, the student's own ``import torch``) imports it
itself, as a fresh interpreter would.

It is started by the grader (``server.WarmServer``: ``python -I``, a fixed environment) and never imports reference
code or expected values, so a forked child inherits nothing secret. ``torch.set_num_threads(1)``
runs before any torch operation: a child forked after an OpenMP-parallel op hangs in libgomp.

Every worker would otherwise pay again for what the server can pay once: the server runs a made-up call
through the worker's own code (torch's lazy set-up of operators and autograd, numpy's .npy reader and
writer; plain made-up numbers, nothing of any lesson), then freezes its objects out of the garbage
collector (a child's collections never touch, and so never copy, the pages of torch's objects), and asks
the kernel to hold its dense private memory in huge pages (``_collapse_to_huge_pages``: each fork then
copies, and each exit frees, one entry per 2 MiB instead of 512). It learns of each child's exit at once
through a pidfd.

Control channel (a SOCK_SEQPACKET socket whose fd number is the one argument), one JSON message each:
  grader -> server: {"id": n} with three fds attached (job reader, results writer, output writer), and
                    "uid": the job's user for a confined job (its worker is cloned into namespaces of its own)
  server -> grader: {"id": n, "pid": pid} once forked; {"pid": pid, "exit": code} once reaped
"""
from __future__ import annotations

import ctypes
import gc
import json
import os
import re
import selectors
import signal
import socket
import sys

os.environ.pop("GLIBC_TUNABLES", None)  # this process's heap only (server.SERVER_ONLY_ENVIRONMENT): not the workers'

import numpy  # noqa: F401  (imported here so that every child starts with it)

from grader.sandbox import isolation, protocol, worker

torch = None  # the module, once imported (_import_torch)

REAP_INTERVAL = 0.02  # where pidfds are not available: how often to look for exited children
HUGE_PAGE = 2 << 20
MADV_HUGEPAGE, MADV_COLLAPSE = 14, 25  # Linux; MADV_COLLAPSE since 6.1 (older kernels refuse it: nothing changes)
DENSE = 0.8  # a mapping is collapsed when this share of it is in memory already (so it costs no more memory)
_MAPPING = re.compile(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+ *(.*)")


def _import_torch() -> None:
    """Import torch so that every child starts with it; numpy-only lessons still work where it is absent."""
    global torch
    try:
        import torch as imported
    except ImportError:
        return
    imported.set_num_threads(1)
    torch = imported


def _warm_up() -> None:
    """One made-up call of each kind through the worker's code: numpy, torch with a gradient, .npy both ways."""
    logits = numpy.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])

    def exercise_numpy(z: numpy.ndarray) -> numpy.ndarray:  # the same numpy paths, no exercise's answer
        return numpy.exp(z * 0.5) + z.max(axis=-1, keepdims=True) - z.sum(axis=-1, keepdims=True)

    calls = [(exercise_numpy, {"id": "warm.0", "args": [logits], "return_args": [0]})]
    if torch is not None:
        def losses(z: torch.Tensor) -> torch.Tensor:
            targets = torch.tensor([0, 1])
            loss = torch.nn.CrossEntropyLoss()(z, targets)
            sequence = z.unsqueeze(0).expand(3, 2, 3)  # (B, T, V) -> (B, V, T), as sequence losses do
            loss = loss + torch.nn.functional.cross_entropy(sequence.transpose(1, 2), targets.expand(3, 2))
            return loss + torch.log_softmax(z, dim=-1).mean() + torch.softmax(z, dim=-1).sum() * 0

        tensor = {protocol.TENSOR_KEY: logits, "dtype": "float32", "requires_grad": True}
        calls.append((losses, {"id": "warm.1", "mode": "torch", "args": [tensor]}))
    for function, call in calls:
        call = protocol.loads(protocol.dumps(call))
        protocol.loads(protocol.dumps(worker.run_call(function, call, "<warm-up>")))


def _dense_anonymous_mappings() -> list[tuple[int, int]]:
    """This process's private writable memory that is not a file (the heap, malloc's and Python's arenas),
    as whole 2 MiB-aligned ranges, where most of it is in memory already."""
    ranges, current = [], None
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            mapping = _MAPPING.fullmatch(line.rstrip("\n"))
            if mapping is not None:
                start, end = int(mapping.group(1), 16), int(mapping.group(2), 16)
                anonymous = mapping.group(3) == "rw-p" and mapping.group(4) in ("", "[heap]")
                current = (start, end) if anonymous else None
            elif current is not None and line.startswith("Rss:"):
                start, end = current
                low, high = -(-start // HUGE_PAGE) * HUGE_PAGE, end // HUGE_PAGE * HUGE_PAGE
                if high > low and int(line.split()[1]) * 1024 >= DENSE * (end - start):
                    ranges.append((low, high - low))
                current = None
    return ranges


def _collapse_to_huge_pages() -> None:
    """Ask the kernel to hold the server's dense private memory (torch's and numpy's heap, Python's objects)
    in transparent huge pages, now (MADV_COLLAPSE) rather than whenever khugepaged comes by. A fork copies
    the page tables of this memory and every job's exit frees them: one entry
    per 2 MiB instead of 512 makes a worker's chain about a third cheaper in CPU. A child that writes to such
    a page copies 4 KiB of it, as before. Where the kernel cannot, nothing changes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        for start, length in _dense_anonymous_mappings():
            if madvise(start, length, MADV_HUGEPAGE) == 0:
                madvise(start, length, MADV_COLLAPSE)
    except (OSError, AttributeError, ValueError):
        pass


def _send(control: socket.socket, message: dict[str, int]) -> None:
    control.send(json.dumps(message).encode())


def _pidfd(pid: int) -> int:
    """A descriptor that becomes readable when ``pid`` exits; -1 where the kernel has none (then we poll)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return -1


def _fork_worker(control: socket.socket, selector: selectors.BaseSelector, fds: list[int],
                 children: dict[int, int], uid: int | None) -> tuple[int, bool]:
    """Fork a worker; for a confined job (``uid``, its user), into namespaces of its own. Its pid, and whether
    it is the PID 1 of its namespace (whose exit code mirrors a signal as 128 + N)."""
    if uid is None:
        pid, start = os.fork(), isolation.Start()
    else:
        pid, start = isolation.fork_confined(uid)
    if pid == 0:
        selector.close()
        control.close()
        for pidfd in children.values():  # a worker holds no handle on another job's worker
            if pidfd >= 0:
                os.close(pidfd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            worker.main(*fds, start=start)
        finally:
            os._exit(70)
    for fd in fds:
        os.close(fd)
    return pid, start.init


def _reap(control: socket.socket, children: dict[int, int], inits: set[int], selector: selectors.BaseSelector) -> None:
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        pidfd = children.pop(pid, -1)
        if pidfd >= 0:
            selector.unregister(pidfd)
            os.close(pidfd)
        code = os.waitstatus_to_exitcode(status)
        if pid in inits:
            inits.discard(pid)
            code = isolation.exit_code_of_init(code)
        _send(control, {"pid": pid, "exit": code})


def serve(control: socket.socket) -> None:
    children: dict[int, int] = {}  # pid -> its pidfd (-1: none, poll for its exit)
    inits: set[int] = set()  # the children that are the PID 1 of a namespace
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    try:
        while True:
            polling = any(pidfd < 0 for pidfd in children.values())
            for key, _ in selector.select(timeout=REAP_INTERVAL if polling else None):
                if key.fileobj is not control:
                    continue  # a child exited: reaped below
                message, fds, _, _ = socket.recv_fds(control, 4096, 3)
                if not message:
                    return  # the grader is gone
                request = json.loads(message)
                if len(fds) != 3:
                    for fd in fds:
                        os.close(fd)
                    continue
                uid = request.get("uid")
                pid, init = _fork_worker(control, selector, fds, children, uid if type(uid) is int else None)
                if init:
                    inits.add(pid)
                children[pid] = _pidfd(pid)
                if children[pid] >= 0:
                    selector.register(children[pid], selectors.EVENT_READ)
                _send(control, {"id": request["id"], "pid": pid})
            _reap(control, children, inits, selector)
    finally:
        for pid in children:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def main(control_fd: int, with_torch: bool = True) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the grader, which closes the channel
    control = socket.socket(fileno=control_fd)
    if with_torch:
        _import_torch()
    _warm_up()
    # Gone before any fork: its code (torch losses, as the lesson's torch exercises use them) must not be
    # reachable from a worker's memory, where student code could call it.
    globals().pop("_warm_up")
    # The warm-up's own garbage is young: the young generations hold it. A full collection here (what torch's
    # import left, ~0.1 s of CPU on every cold command) found some 40 objects to free.
    gc.collect(1)
    gc.freeze()  # what is imported now stays out of every child's collections (and its pages stay shared)
    _collapse_to_huge_pages()  # after the warm-up and the collection: the memory every worker starts from
    try:
        serve(control)
    except (BrokenPipeError, ConnectionResetError):
        pass
    os._exit(0)  # nothing to flush or finalize: tearing torch down would only delay the grader's exit


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:3] != ["0"])
