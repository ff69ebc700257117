"""Kernel isolation for a worker: a user namespace, a private minimal root, an unprivileged user.

Set up before any student code, and works in the three places instructors grade:

- as root (a CI machine, ``sudo``): a user namespace that maps root and one host uid of the job's own
  (200000 + n), so the student's code runs as a host user that owns nothing on the machine;
- as root without CAP_SYS_ADMIN (a default Docker container, Gradescope): the same, since creating a
  user namespace needs no capability and writing its map needs only CAP_SETUID;
- as an unprivileged user (a GitHub-hosted runner): a user namespace that maps the user to root inside,
  and a nested one in which the student runs as a non-root uid with no capabilities. The host uid is
  the grader's own, so the mount view is what keeps the machine's files out of reach.

Where no user namespace can be made, root with CAP_SYS_ADMIN enters the other namespaces directly.

Process layout (one process a job, holding the server's torch-sized image)::

    fork server (host namespaces)   clones the worker into new user, PID, mount, network, IPC and UTS
      │                             namespaces at once (``fork_confined``) and writes its id maps
      └─ worker = init (PID 1)      builds the root (tmpfs, read-only system and Python, /job, pivot_root),
                                    then becomes the job's uid, with no capabilities and no_new_privs, and
                                    runs the student's code itself

(The id maps must be written from outside the namespace: by the server, which waits the moment it takes.
One raw clone(2) makes the worker the PID 1 of its namespace, and no process is forked for the student:
each fork and exit of a process holding torch costs a job milliseconds of CPU in page tables alone.)

When init dies the kernel kills every process left in its PID namespace: double forks and setsid
included. As a PID 1, the student's process would ignore the signals it sends itself, and the CPU time
limit's SIGXCPU, for want of a handler: it has handlers (``become_init``) that end it, for each signal
that would end an ordinary process, with exit code 128 + N, which the server reports as that signal
(``exit_code_of_init``), as it would report an ordinary process killed by it. What no handler can catch
is the exception: SIGKILL and SIGSTOP it sends itself are ignored, and abort() ends it with SIGSEGV.
The grader ends a job with SIGKILL, which a PID 1 cannot ignore from outside its namespace.
"""
from __future__ import annotations

import ctypes
import errno as _errno
import os
import platform
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 1, 38, 24
CAP_LAST_CAP_GUESS = 63
_SYS_CLONE = {"x86_64": 56, "aarch64": 220, "riscv64": 220, "ppc64le": 120, "s390x": 120}
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
_SYS_KEYCTL = {"x86_64": 250, "aarch64": 219, "riscv64": 219, "ppc64le": 271, "s390x": 280}
KEYCTL_JOIN_SESSION_KEYRING = 1
_STATVFS_TO_MOUNT = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC,
                     os.ST_NOATIME: MS_NOATIME, os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}

SANDBOX_JOB_DIR = "/job"
# What programs and libraries need, not all of /usr: a course or a class folder kept under /usr/src or
# /usr/local (a Docker WORKDIR, say) stays out of reach.
SYSTEM_DIRS = ("/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec",
               "/usr/share", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "random", "urandom")
TMPFS_OPTIONS = "size=32m,nr_inodes=4096"  # /tmp and /job each: a submission cannot fill the disk

NAMESPACES = ((CLONE_NEWNS, "mount"), (CLONE_NEWPID, "PID"), (CLONE_NEWNET, "network"),
              (CLONE_NEWIPC, "IPC"), (CLONE_NEWUTS, "UTS"))

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
# clone(2) through a foreign function that keeps the GIL, as os.fork keeps it across fork(2)
_clone_syscall = ctypes.PyDLL(None, use_errno=True).syscall
_clone_syscall.restype = ctypes.c_long


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


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


# --- the user namespace ---------------------------------------------------------------------------

_HOST_EUID = os.geteuid()  # read in the fork server, before any namespace


def privileged_in_host() -> bool:
    """Whether we may map other host uids into a user namespace (CAP_SETUID: root, even without
    CAP_SYS_ADMIN), and so give each job a host uid of its own."""
    return _HOST_EUID == 0

def enter_user_namespace() -> bool:
    """Enter a new user namespace (whose maps the parent writes); False where the kernel refuses."""
    return _libc.unshare(CLONE_NEWUSER) == 0


def write_id_maps(pid: int, job_uid: int) -> None:
    """From outside: map the namespace's ids. As root: root stays root (to build the mounts) and the
    job's uid is itself. Unprivileged: this user becomes root inside, nothing else is mapped."""
    if privileged_in_host():
        _write(f"/proc/{pid}/uid_map", f"0 0 1\n{job_uid} {job_uid} 1\n")
        _write(f"/proc/{pid}/gid_map", f"0 0 1\n{job_uid} {job_uid} 1\n")
    else:
        _write(f"/proc/{pid}/setgroups", "deny")
        _write(f"/proc/{pid}/uid_map", f"0 {os.geteuid()} 1\n")
        _write(f"/proc/{pid}/gid_map", f"0 {os.getegid()} 1\n")


def forbid_more_user_namespaces() -> bool:
    """In our user namespace, let no process create another (beyond the one an unprivileged student
    needs to become the job's uid): a submission cannot become root of a namespace of its own and
    mount, say, a tmpfs of unbounded size. The limit is per user namespace; the host's is untouched."""
    try:
        _write("/proc/sys/user/max_user_namespaces", "0" if privileged_in_host() else "1")
    except OSError:
        return False
    return True


def unshare_namespaces() -> list[str]:
    """Enter new mount, network, IPC and UTS namespaces, where the worker could not be created in them
    (``fork_confined``); return the ones entered. Never a PID namespace: a process that unshares one stays
    outside it, and only a process more would be inside."""
    return [name for flag, name in NAMESPACES if flag != CLONE_NEWPID and unshare_one(flag)]


def unshare_one(flag: int) -> bool:
    """Enter one new namespace (a CLONE_NEW* flag); whether the kernel allowed it."""
    return _libc.unshare(flag) == 0


# --- the private root -----------------------------------------------------------------------------

def python_dirs() -> list[str]:
    """Where this interpreter's libraries and packages live (each prefix's lib folders, the
    site-packages on sys.path): bound read-only into the sandbox. Not the prefixes themselves, which
    may hold anything (/usr/local holds /usr/local/src)."""
    candidates = {os.path.join(prefix, lib) for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                           sys.base_exec_prefix} for lib in ("lib", "lib64")}
    candidates.update(p for p in sys.path if p and "site-packages" in p)
    return sorted(c for c in candidates if os.path.isdir(c))


def grader_dir() -> str:
    """The grader package: hidden inside the sandbox even where it is installed beside Python's packages."""
    return str(Path(__file__).resolve().parents[1])


def _outermost(directories: list[str]) -> list[str]:
    """Drop directories that lie inside another one of the list."""
    kept: list[str] = []
    for directory in sorted(set(directories)):
        if not any(directory == k or directory.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(directory)
    return kept


def _locked_flags(path: str) -> int:
    """The flags a read-only remount must keep: in a user namespace, the kernel refuses to clear them."""
    flags = os.statvfs(path).f_flag
    return sum(mount_flag for statvfs_flag, mount_flag in _STATVFS_TO_MOUNT.items() if flags & statvfs_flag)


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
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | _locked_flags(target))


def _hide(directory: str, root: str) -> None:
    """Cover a directory of the root with an empty read-only tmpfs."""
    if os.path.isdir(root + directory):
        _mount("tmpfs", root + directory, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=555")


def _pivot_root(root: str) -> None:
    """Make ``root`` the file system's root and detach the old one: no path leads back to the host."""
    number = _SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise IsolationError(0, f"pivot_root: unknown system call number on {platform.machine()}")
    os.chdir(root)
    _check(_libc.syscall(number, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "umount the old root")
    os.chdir("/")


def build_root(root: str, source: bytes, module_name: str, job_uid: int | None, hidden: list[str] = ()) -> None:
    """A fresh root: tmpfs holding read-only system and Python directories, /dev basics, a fresh /proc,
    a size-limited /tmp and /job, the student's file in /job. The grader's package stays out, and so
    does every ``hidden`` directory (the course, the class's folder, the results) that lies inside a
    directory bound there."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    # Our own directories first: Python itself may live below one of them (a venv under /tmp).
    for directory in ("/dev", "/proc", "/tmp", SANDBOX_JOB_DIR):
        os.makedirs(root + directory)
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"{TMPFS_OPTIONS},mode=1777")
    _mount("tmpfs", root + SANDBOX_JOB_DIR, "tmpfs", MS_NOSUID | MS_NODEV, f"{TMPFS_OPTIONS},mode=700")
    bound = _outermost([*SYSTEM_DIRS, *python_dirs()])
    for directory in bound:
        _bind_read_only(directory, root)
    for directory in {grader_dir(), *hidden}:
        inside = any(directory.startswith(b.rstrip("/") + "/") for b in bound)
        covers = any(b == directory or b.startswith(directory.rstrip("/") + "/") for b in bound)
        if inside and not covers:  # never cover what Python itself needs
            _hide(directory, root)
    for device in DEVICES:
        target = f"{root}/dev/{device}"
        Path(target).touch()
        _mount(f"/dev/{device}", target, None, MS_BIND)
    try:
        _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except IsolationError:
        pass  # a container may mask parts of /proc, so the kernel refuses a new one: go without
    with open(f"{root}{SANDBOX_JOB_DIR}/{module_name}", "wb") as handle:
        handle.write(source)
    if job_uid is not None:
        for path in (f"{root}{SANDBOX_JOB_DIR}/{module_name}", root + SANDBOX_JOB_DIR):
            os.chown(path, job_uid, job_uid)
    _pivot_root(root)
    _mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(SANDBOX_JOB_DIR)


# --- the student's credentials --------------------------------------------------------------------

class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """No capability at all, in any namespace, and none to be had again (bounding set emptied)."""
    for capability in range(CAP_LAST_CAP_GUESS + 1):
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(capability), 0, 0, 0) != 0:
            break  # past the last capability this kernel knows, or not permitted (already none)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    _check(_libc.capset(ctypes.byref(header), (_CapData * 2)()), "capset")


def become_job_user(job_uid: int, in_user_namespace: bool) -> None:
    """Become the job's user, with no groups, no capabilities and no way to regain privileges."""
    if in_user_namespace and not privileged_in_host():
        # Only root is mapped in our namespace: a nested one in which we are the job's uid.
        _check(_libc.unshare(CLONE_NEWUSER), "unshare user namespace")
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{job_uid} 0 1\n")
        _write("/proc/self/gid_map", f"{job_uid} 0 1\n")
    else:
        os.setgroups([])
        os.setresgid(job_uid, job_uid, job_uid)
        os.setresuid(job_uid, job_uid, job_uid)
    drop_capabilities()
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    leave_session_keyring()


def leave_session_keyring() -> None:
    """Join a new, empty session keyring of our own. Kernel keyrings are not namespaced: a fork keeps the
    grader's session keyring (runc gives every Docker container one, pam_keyinit every login or sudo),
    and a process possesses, so may read, change and add to, every key in it; keys added there outlive the
    job and reach every later one. Where keyctl is refused (Docker's seccomp profile), no key is in reach."""
    number = _SYS_KEYCTL.get(platform.machine())
    if number is None:
        raise IsolationError(0, f"keyctl: unknown system call number on {platform.machine()}")
    if _libc.syscall(number, ctypes.c_long(KEYCTL_JOIN_SESSION_KEYRING), None) != -1:
        return
    errno = ctypes.get_errno()
    # EDQUOT: the new keyring counts against the key quota of the job's host user, which an unprivileged
    # grader shares with every job: a neighbour holding 200 keys must not stop this job (it keeps the
    # grader's keyring then, as before; root gives each worker a host user, and a quota, of its own).
    if errno not in (_errno.ENOSYS, _errno.EPERM, _errno.EACCES, _errno.EDQUOT):
        raise IsolationError(errno, f"keyctl (a session keyring of its own): {os.strerror(errno)}")


def die_with_parent() -> None:
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


# The signals whose default action ends a process, which a PID 1 ignores unless it has a handler; not the
# faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS: the kernel forces those on init, and a Python handler
# would return into the faulting instruction).
_ENDING_SIGNALS = tuple(getattr(signal, name) for name in (
    "SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGVTALRM", "SIGPROF", "SIGXCPU",
    "SIGXFSZ", "SIGPIPE", "SIGABRT", "SIGIO", "SIGPWR", "SIGSTKFLT") if hasattr(signal, name))


def become_init() -> None:
    """As the PID 1 of a PID namespace, which ignores every signal it has no handler for: end, as an ordinary
    process would, on each signal whose default action ends one and that is left at it (the CPU time
    limit's SIGXCPU, a kill(2) of its own; not SIGXFSZ or SIGPIPE, which Python ignores, nor SIGINT, which it
    raises as KeyboardInterrupt). Init's exit takes every process of the namespace with it."""
    for number in _ENDING_SIGNALS:
        if signal.getsignal(number) == signal.SIG_DFL:
            signal.signal(number, _end_as_killed)


def _end_as_killed(signum: int, frame: object) -> None:
    os._exit(128 + signum)  # the server reads it back as this signal (exit_code_of_init)


def exit_code_of_init(code: int) -> int:
    """A job init's exit code as the grader reads a process's: 128 + N, how init ends on a signal N that would
    have killed an ordinary process (``become_init``), as -N (the signal itself). A student's own exit(128 + N)
    reads the same, as it always has."""
    return 128 - code if 128 < code < 128 + signal.NSIG else code


MAPPED = b"mapped"  # what the fork server tells its child once the id maps are written


def fork_into_user_namespace(job_uid: int) -> tuple[int, bool | str]:
    """Fork a child that enters a new user namespace, whose id maps this (outside) process then writes.
    Returns (the child's pid, True) here; in the child, (0, whether it is in a user namespace of its own), or
    (0, why its maps could not be written). Never raises in the parent once the child exists."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(go_w)
        entered = enter_user_namespace()
        os.write(ready_w, b"1" if entered else b"0")
        os.close(ready_w)
        answer = os.read(go_r, 512)
        os.close(go_r)
        if answer == MAPPED or not entered:
            return 0, entered
        why = answer.decode("utf-8", "replace") if answer else "the fork server stopped"
        return 0, f"the user namespace's id maps could not be written: {why}"
    os.close(ready_w)
    os.close(go_r)
    try:
        _map_and_tell(pid, job_uid, go_w, os.read(ready_r, 1) == b"1")
    except OSError:
        pass  # the child is gone already: its exit tells the grader
    finally:
        os.close(ready_r)
        os.close(go_w)
    return pid, True


def _map_and_tell(pid: int, job_uid: int, go_w: int, in_user_namespace: bool) -> None:
    """Write the child's id maps (when it is in a user namespace of its own) and tell it MAPPED, or why they
    could not be written. Raises OSError when the child is gone."""
    answer = MAPPED
    if in_user_namespace:
        try:
            write_id_maps(pid, job_uid)
        except OSError as exc:
            answer = (str(exc) or type(exc).__name__).encode("utf-8", "replace")[:500]
    os.write(go_w, answer)


@dataclass(frozen=True)
class Start:
    """How the fork server started a confined worker (``fork_confined``)."""

    user_namespace: bool = False  # in a user namespace of its own, whose id maps the server wrote
    namespaces: tuple[str, ...] = ()  # the other namespaces it was created in
    error: str | None = None  # why its user namespace's id maps could not be written

    @property
    def init(self) -> bool:
        """Whether the worker is the PID 1 of a PID namespace of its own."""
        return "PID" in self.namespaces


_ALL_FLAGS = sum(flag for flag, _ in NAMESPACES)
# What a worker needs to be created in to be the PID 1 that builds a private root: where the kernel refuses the
# whole set (a network namespace, say), it is created in these and enters the others itself, each it can.
_INIT_FLAGS = CLONE_NEWPID | CLONE_NEWNS


def _names(flags: int) -> tuple[str, ...]:
    return tuple(name for flag, name in NAMESPACES if flags & flag)


def _clone(flags: int) -> int:
    """fork(2) into new namespaces: the pid of the child here, 0 in the child, -1 where the kernel refuses.

    A raw clone(2) with ``flags`` and SIGCHLD, no stack of its own and no thread-id pointers: all zeros, so
    the argument order, which differs between architectures, does not matter (s390x alone puts the stack
    before the flags). Python's own fork bookkeeping around it, as os.fork does (its locks, threading's
    state, os.register_at_fork hooks). Only from a process with no other thread (the fork server, whose
    numerical libraries run one thread each): no lock of another thread is copied, held, into a child that
    has no thread to release it. Elsewhere it refuses, and the caller falls back.

    glibc's fork(), which this is not, also runs pthread_atfork handlers and gives the child its own cached
    thread id; here the child's main thread keeps the server's (the fork server registers no atfork handler).
    glibc reads that cached id only as the owner of an error-checking or recursive mutex (a value no other
    thread has: the job's threads get ids of the new PID namespace) and to signal the main thread from
    another (pthread_kill: refused, as for a thread that ended); getpid(), gettid(), raise() and signals
    to itself ask the kernel, and threads and processes the student starts get their ids afresh."""
    number = _SYS_CLONE.get(platform.machine())
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        threads = 0
    if number is None or threads != 1:
        return -1
    flags |= signal.SIGCHLD
    first, second = (0, flags) if platform.machine() == "s390x" else (flags, 0)
    ctypes.pythonapi.PyOS_BeforeFork()
    pid = _clone_syscall(ctypes.c_long(number), ctypes.c_ulong(first), ctypes.c_ulong(second), None, None, None)
    if pid == 0:
        ctypes.pythonapi.PyOS_AfterFork_Child()
    else:
        ctypes.pythonapi.PyOS_AfterFork_Parent()
    return pid


def fork_confined(job_uid: int) -> tuple[int, Start]:
    """Fork a confined worker: (the child's pid, how it started) here, (0, how it started) in the child.

    Where the kernel allows, it is created in a new user namespace and new PID, mount, network, IPC and UTS
    namespaces at once, as the PID 1 of its PID namespace, and this (outside) process writes its id maps;
    where the kernel refuses that whole set (a network namespace, say), it is created in the PID and mount
    ones, which its private root needs, and enters each of the others it can itself; where no user namespace
    can be made, root with CAP_SYS_ADMIN creates it in the other namespaces only.
    Otherwise it is forked into a user namespace of its own if it can be (``fork_into_user_namespace``) and
    enters what other namespaces it can itself (``unshare_namespaces``). Never raises in the parent once the
    child exists."""
    go_r, go_w = os.pipe()
    pid, user_namespace, flags = -1, False, 0
    for flags in (_ALL_FLAGS, _INIT_FLAGS):
        pid = _clone(CLONE_NEWUSER | flags)
        user_namespace = pid >= 0
        if pid < 0 and privileged_in_host():
            pid = _clone(flags)
        if pid >= 0:
            break
    if pid < 0:
        os.close(go_r)
        os.close(go_w)
        pid, entered = fork_into_user_namespace(job_uid)
        return pid, Start(error=entered) if isinstance(entered, str) else Start(user_namespace=entered)
    if pid == 0:
        become_init()
        os.close(go_w)
        answer = os.read(go_r, 512) if user_namespace else MAPPED
        os.close(go_r)
        if answer != MAPPED:
            why = answer.decode("utf-8", "replace") if answer else "the fork server stopped"
            return 0, Start(user_namespace, _names(flags), f"the user namespace's id maps could not be written: {why}")
        entered = flags | sum(flag for flag, _ in NAMESPACES if not flags & flag and unshare_one(flag))
        return 0, Start(user_namespace, _names(entered))
    os.close(go_r)
    try:
        if user_namespace:  # else the child does not wait for an answer
            _map_and_tell(pid, job_uid, go_w, True)
    except OSError:
        pass  # the child is gone already: its exit tells the grader
    finally:
        os.close(go_w)
    return pid, Start(user_namespace, _names(flags))
