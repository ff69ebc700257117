"""The student's process runs under a seccomp filter: the kernel's riskiest interfaces answer EPERM,
while what honest code uses (threads, processes, files in /tmp, numpy, torch) keeps working. No skip for
the environment: CI runs this file as root, as an unprivileged user and as root without CAP_SYS_ADMIN."""
from __future__ import annotations

import errno
import json
import platform

import pytest

from grader.core.model import ExerciseStatus
from grader.sandbox import syscall_filter
from variants import build_submission

SOFTMAX = "stable_softmax"
pytestmark = pytest.mark.skipif(platform.machine() not in syscall_filter.TABLES,
                                reason="the filter is built for x86_64 and aarch64 only")


def _reporting(body: str) -> str:
    """A stable_softmax that runs ``body`` (which sets ``found``) and reports it through an exception."""
    indented = "\n".join("    " + line for line in body.strip("\n").splitlines())
    return f"def stable_softmax(logits, axis=-1):\n    import json\n{indented}\n    raise RuntimeError('FOUND' + json.dumps(found) + 'END')\n"


def _found(report) -> object:
    exercise = next(e for e in report.exercises if e.name == SOFTMAX)
    message = exercise.checks[0].message
    assert "FOUND" in message, message
    return json.loads(message.split("FOUND", 1)[1].split("END", 1)[0].replace("'", '"'))


def test_every_refused_system_call_answers_eperm_in_the_students_process(grade, tmp_path):
    table = syscall_filter.TABLES[platform.machine()]
    numbers = {name: table[name] for name in syscall_filter.REFUSED}
    body = f'''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
found = []  # the calls that did not answer EPERM, with what they did
for name, number in {numbers!r}.items():
    ctypes.set_errno(0)
    result = libc.syscall(number, 0, 0, 0, 0, 0, 0)
    if result != -1 or ctypes.get_errno() != {errno.EPERM}:
        found.append([name, result, ctypes.get_errno()])
'''
    report = grade(build_submission(tmp_path, {SOFTMAX: _reporting(body)}), exercises=(SOFTMAX,))
    assert _found(report) == []
    assert syscall_filter.LAYER not in report.unconfined


def test_clone3_is_not_there_so_threads_and_processes_use_clone(grade, tmp_path):
    number = syscall_filter.TABLES[platform.machine()]["clone3"]
    body = f'''
import ctypes, os, subprocess, sys, threading, multiprocessing
libc = ctypes.CDLL(None, use_errno=True)
ctypes.set_errno(0)
clone3 = libc.syscall({number}, 0, 0) == -1 and ctypes.get_errno()
box = []
thread = threading.Thread(target=lambda: box.append(1)); thread.start(); thread.join()
child = os.fork()
if child == 0:
    os._exit(7)
_, status = os.waitpid(child, 0)
echoed = subprocess.run(["/bin/sh", "-c", "echo $((6 * 7))"], capture_output=True, text=True).stdout.strip()
with open("/tmp/scratch.txt", "w") as handle:
    handle.write("ok")
found = {{"clone3": clone3, "thread": box, "fork": os.waitstatus_to_exitcode(status), "subprocess": echoed,
          "tmp": open("/tmp/scratch.txt").read()}}
'''
    report = grade(build_submission(tmp_path, {SOFTMAX: _reporting(body)}), exercises=(SOFTMAX,))
    assert _found(report) == {"clone3": errno.ENOSYS, "thread": [1], "fork": 7, "subprocess": "42", "tmp": "ok"}


def test_the_reference_keeps_full_marks_under_the_filter(grade):
    from variants import REFERENCE

    report = grade(REFERENCE)
    assert report.score == report.max_score
    assert all(e.status is ExerciseStatus.PASSED for e in report.exercises)
    assert report.unconfined == ()  # the filter among the layers, every other one too


def test_the_program_checks_the_architecture_and_the_x32_numbers():
    code = syscall_filter.program("x86_64")
    instructions = [code[i:i + 8] for i in range(0, len(code), 8)]
    import struct

    decoded = [struct.unpack("=HBBI", i) for i in instructions]
    assert decoded[0] == (syscall_filter.BPF_LD_W_ABS, 0, 0, syscall_filter.OFFSET_ARCH)
    assert decoded[1][3] == syscall_filter.AUDIT_ARCH["x86_64"]
    assert (syscall_filter.BPF_JMP_JGE_K, 0, 1, syscall_filter.X32_SYSCALL_BIT) in decoded
    assert decoded[-3:] == [(syscall_filter.BPF_RET_K, 0, 0, syscall_filter.SECCOMP_RET_ALLOW),
                            (syscall_filter.BPF_RET_K, 0, 0, syscall_filter.SECCOMP_RET_ERRNO | errno.EPERM),
                            (syscall_filter.BPF_RET_K, 0, 0, syscall_filter.SECCOMP_RET_ERRNO | errno.ENOSYS)]
    with pytest.raises(ValueError):
        syscall_filter.program("mips")
