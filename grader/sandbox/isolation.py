"""Kernel isolation for a worker: namespaces, a minimal read-only root, an unprivileged user.

Runs in the forked worker before any student code. Each layer is best effort: what the kernel or
the user refuses is left out and reported, never silently assumed (``grade doctor`` shows it).

Process layout when namespaces are available::

    worker (host PID namespace, root)     waits; on SIGTERM kills the namespace's init
      └─ init (PID 1 of a new namespace)  builds the root, mounts /proc, waits
           └─ student process (PID 2)     unprivileged user, chroot, runs the student's code

When init dies, the kernel kills every process left in its namespace: double forks and setsid
included. Exit statuses travel back up the chain (a signal N as exit code 128 + N).
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38

SANDBOX_JOB_DIR = "/job"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "random", "urandom")

_libc = ctypes.CDLL(None, use_errno=True)


class IsolationError(OSError):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise IsolationError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
           f"mount {target}")


def _prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl")


def unshare_namespaces() -> list[str]:
    """Enter new mount, PID, network, IPC and UTS namespaces; return the ones entered."""
    entered = []
    for flag, name in ((CLONE_NEWNS, "mount"), (CLONE_NEWPID, "PID"), (CLONE_NEWNET, "network"),
                       (CLONE_NEWIPC, "IPC"), (CLONE_NEWUTS, "UTS")):
        if _libc.unshare(flag) == 0:
            entered.append(name)
    return entered


def python_dirs() -> list[str]:
    """Where this interpreter and its packages live: bound read-only into the sandbox."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates.update(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    return sorted(candidates)


def _outermost(directories: list[str]) -> list[str]:
    """Drop directories that lie inside another one of the list."""
    kept: list[str] = []
    for directory in sorted(set(directories)):
        if not any(directory == k or directory.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(directory)
    return kept


def _bind_read_only(source: str, root: str) -> None:
    target = root + source
    if os.path.islink(source):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.readlink(source), target)
        return
    if not os.path.isdir(source):
        return
    os.makedirs(target, exist_ok=True)
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_root(root: str, job_dir: str, readonly_dirs: list[str]) -> None:
    """A tmpfs holding only the system, Python, /dev basics, a fresh /proc and the job's directory."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=755")
    # Our own directories first: Python itself may live below one of them (a venv under /tmp).
    for directory in ("/dev", "/proc", SANDBOX_JOB_DIR):
        os.makedirs(root + directory)
    os.makedirs(root + "/tmp")
    os.chmod(root + "/tmp", 0o1777)
    for directory in _outermost([*SYSTEM_DIRS, *readonly_dirs]):
        _bind_read_only(directory, root)
    for device in DEVICES:
        target = f"{root}/dev/{device}"
        Path(target).touch()
        _mount(f"/dev/{device}", target, None, MS_BIND)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(job_dir, root + SANDBOX_JOB_DIR, None, MS_BIND)
    _mount(None, root + SANDBOX_JOB_DIR, None, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV)
    os.chroot(root)
    os.chdir(SANDBOX_JOB_DIR)


def drop_privileges(uid: int) -> None:
    """Become an unprivileged user with no groups and no way to regain privileges."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def die_with_parent() -> None:
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def wait_and_mirror(pid: int, on_term: int | None = None, as_init: bool = False) -> None:
    """Wait for ``pid`` and end this process the same way (PID 1 cannot signal itself: 128 + N)."""
    if on_term is not None:
        def kill_child(signum: int, frame: object) -> None:
            try:
                os.kill(on_term, signal.SIGKILL)
            except ProcessLookupError:
                pass

        signal.signal(signal.SIGTERM, kill_child)
    while True:
        try:
            waited, status = os.waitpid(pid, 0)
        except ChildProcessError:
            os._exit(70)
        if waited == pid:
            break
    code = os.waitstatus_to_exitcode(status)
    if code < 0 and not as_init:
        _die_by_signal(-code)
    if code < 0:
        os._exit(128 + -code)
    if code > 128 and not as_init:
        _die_by_signal(code - 128)
    os._exit(code)


def _die_by_signal(number: int) -> None:
    if number not in (signal.SIGKILL, signal.SIGSTOP):
        signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)
    os._exit(128 + number)
