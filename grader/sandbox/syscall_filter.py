"""A seccomp filter for the student's process: the kernel's riskiest interfaces answer EPERM.

The namespaces, the private root and the job's user already keep a submission from the grader, the
reference and its classmates. This layer narrows what is left: the kernel itself. A submission has no
use for debugging other processes, kernel keys, BPF programs, performance counters, io_uring,
userfaultfd, module loading or mounting; these are where kernel exploits usually start. Each is refused
with EPERM (a Python OSError the student's code can see, never a crash of the grader). ``clone3``
answers ENOSYS, so that glibc falls back to ``clone`` for threads and processes (whose namespace flags
the user-namespace limit already refuses).

Installing a filter needs no privilege once ``no_new_privs`` is set (it is, in ``become_job_user``), so
the layer is the same as root, as an unprivileged user and without CAP_SYS_ADMIN. It is built for the
architectures listed below; elsewhere the layer is reported missing rather than guessed at.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import struct

PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
BPF_LD_W_ABS, BPF_JMP_JEQ_K, BPF_JMP_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06
OFFSET_NR, OFFSET_ARCH = 0, 4
X32_SYSCALL_BIT = 0x40000000

# The kernel's names for what is refused; the numbers per architecture follow.
REFUSED = ("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
           "add_key", "request_key", "keyctl",
           "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
           "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
           "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount",
           "fspick", "mount_setattr", "unshare", "setns",
           "swapon", "swapoff", "reboot", "acct", "quotactl", "syslog", "lookup_dcookie",
           "open_by_handle_at", "name_to_handle_at", "personality")
NOT_THERE = ("clone3",)  # ENOSYS: the C library then uses clone

_X86_64 = {
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "pidfd_getfd": 438, "kcmp": 312,
    "add_key": 248, "request_key": 249, "keyctl": 250, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "init_module": 175,
    "finit_module": 313, "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320, "mount": 165,
    "umount2": 166, "pivot_root": 155, "chroot": 161, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "unshare": 272, "setns": 308,
    "swapon": 167, "swapoff": 168, "reboot": 169, "acct": 163, "quotactl": 179, "syslog": 103,
    "lookup_dcookie": 212, "open_by_handle_at": 304, "name_to_handle_at": 303, "personality": 135,
    "clone3": 435,
}
# The generic table (include/uapi/asm-generic/unistd.h), which arm64 uses.
_GENERIC = {
    "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "pidfd_getfd": 438, "kcmp": 272,
    "add_key": 217, "request_key": 218, "keyctl": 219, "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "init_module": 105,
    "finit_module": 273, "delete_module": 106, "kexec_load": 104, "kexec_file_load": 294, "mount": 40,
    "umount2": 39, "pivot_root": 41, "chroot": 51, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "unshare": 97, "setns": 268,
    "swapon": 224, "swapoff": 225, "reboot": 142, "acct": 89, "quotactl": 60, "syslog": 116,
    "lookup_dcookie": 18, "open_by_handle_at": 265, "name_to_handle_at": 264, "personality": 92,
    "clone3": 435,
}
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
TABLES = {"x86_64": _X86_64, "aarch64": _GENERIC}
LAYER = "syscall filter"


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine: str) -> bytes:
    """The filter's BPF instructions for this architecture (ValueError where there is no table)."""
    if machine not in TABLES:
        raise ValueError(f"no system call table for {machine}")
    table = TABLES[machine]
    refused = [table[name] for name in REFUSED]
    missing = [table[name] for name in NOT_THERE]
    kill_other_arch = SECCOMP_RET_ERRNO | errno.EPERM  # a call through another ABI's table is refused outright
    code = [_instruction(BPF_LD_W_ABS, 0, 0, OFFSET_ARCH),
            _instruction(BPF_JMP_JEQ_K, 1, 0, AUDIT_ARCH[machine]),
            _instruction(BPF_RET_K, 0, 0, kill_other_arch),
            _instruction(BPF_LD_W_ABS, 0, 0, OFFSET_NR)]
    if machine == "x86_64":  # the x32 ABI reaches the same kernel code with other numbers
        code.append(_instruction(BPF_JMP_JGE_K, 0, 1, X32_SYSCALL_BIT))
        code.append(_instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM))
    # Each number: equal -> jump to its verdict at the end; the verdicts are: EPERM, ENOSYS, allow.
    numbers = [(n, "EPERM") for n in refused] + [(n, "ENOSYS") for n in missing]
    for index, (number, verdict) in enumerate(numbers):
        remaining = len(numbers) - index - 1
        target = remaining + 1 if verdict == "EPERM" else remaining + 2  # past the rest and the allow
        code.append(_instruction(BPF_JMP_JEQ_K, target, 0, number))
    code.append(_instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    code.append(_instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM))
    code.append(_instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS))
    return b"".join(code)


def install() -> str | None:
    """Install the filter on this process (and all it will start); the layer's name, or None where this
    architecture has no table or the kernel refuses it. Needs no_new_privs (or CAP_SYS_ADMIN)."""
    machine = platform.machine()
    try:
        code = program(machine)
    except ValueError:
        return None
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return None
    return LAYER
