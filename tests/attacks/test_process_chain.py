"""A confined job is one process holding the fork server's image: the worker, which the server clones straight
into its namespaces as their PID 1 (``isolation.fork_confined``), builds the root and then runs the student's
code itself. What the student's process sees, and how its end is reported, are as they were with an init of
its own above it, but for what no handler can catch (a SIGKILL or SIGSTOP it sends itself, abort())."""
from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.core.model import ExerciseStatus
from grader.sandbox import isolation
from grader.sandbox.server import warm_server
from processes import processes_named
from variants import build_submission

SOFTMAX = "stable_softmax"
MARKER = f"chain-{os.getpid() % 10**8}"  # this run's own name: another suite on the machine has its own


def _status_field(pid: int, field: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    raise LookupError(field)


WAIT = f'''
def stable_softmax(logits, axis=-1):
    import ctypes, time
    ctypes.CDLL(None).prctl(15, b"{MARKER}", 0, 0, 0)  # PR_SET_NAME: the test finds this process by it
    while True:
        time.sleep(0.05)  # until the test, having looked at the chain from outside, kills this process
'''


def test_a_job_is_one_process_the_servers_child_and_pid_1_of_its_namespace(grade, tmp_path):
    """From the host: the student's process is a child of the fork server, with no process between them, the
    PID 1 of the job's namespace with no child; a kill from outside is reported with its signal, as before."""
    submission = build_submission(tmp_path, {SOFTMAX: WAIT})
    server = warm_server()
    with ThreadPoolExecutor(1) as pool:
        graded = pool.submit(grade, submission, exercises=(SOFTMAX,), timeout=60.0)
        deadline = time.monotonic() + 45
        while not processes_named(MARKER) and time.monotonic() < deadline and not graded.done():
            time.sleep(0.05)
        [student] = processes_named(MARKER)
        parent = int(_status_field(student, "PPid"))
        children = Path(f"/proc/{student}/task/{student}/children").read_text().split()
        pid_inside = _status_field(student, "NSpid").split()[-1]
        os.kill(student, signal.SIGKILL)
        report = graded.result()
    assert parent == server.process.pid, "a process between the fork server and the student's"
    assert children == []
    assert pid_inside == "1"
    assert "crashed with signal 9 (SIGKILL)" in report.exercises[0].checks[0].message


LOOK_AROUND = '''
def stable_softmax(logits, axis=-1):
    import os
    pids = sorted(int(n) for n in os.listdir("/proc") if n.isdigit()) if os.path.isdir("/proc/self") else None
    raise RuntimeError(repr({"pid": os.getpid(), "ppid": os.getppid(), "pids": pids}))
'''


def test_inside_the_student_is_pid_1_and_alone(grade, tmp_path):
    report = grade(build_submission(tmp_path, {SOFTMAX: LOOK_AROUND}), exercises=(SOFTMAX,))
    message = report.exercises[0].checks[0].message
    seen = ast.literal_eval(re.search(r"\{'pid'.*?\}", message).group())  # the dict the student raised
    assert seen["pid"] == 1 and seen["ppid"] == 0
    assert seen["pids"] in (None, [1])  # None: a container that refuses a fresh /proc


CPU_LIMIT = '''
def stable_softmax(logits, axis=-1):
    import resource
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (int(used.ru_utime + used.ru_stime) + 1, hard))
    while True:  # SIGXCPU in a second of CPU time: a PID 1 would ignore it, but for its handler
        pass
'''


def test_the_cpu_time_limit_still_ends_the_student_and_says_so(grade, tmp_path):
    report = grade(build_submission(tmp_path, {SOFTMAX: CPU_LIMIT}), exercises=(SOFTMAX,), timeout=20.0)
    exercise = report.exercises[0]
    assert exercise.status is ExerciseStatus.TIMEOUT
    assert "used more than its 20 s of CPU time" in exercise.checks[0].message


@pytest.mark.parametrize("call, number, name", [("os.kill(os.getpid(), signal.SIGUSR2)", 12, "SIGUSR2"),
                                                ("os.kill(os.getpid(), signal.SIGTERM)", 15, "SIGTERM"),
                                                ("signal.raise_signal(signal.SIGALRM)", 14, "SIGALRM"),
                                                ("os.abort()", 11, "SIGSEGV"),  # abort()'s last resort: a PID 1 ignores SIGABRT
                                                ("ctypes.string_at(1)", 11, "SIGSEGV")])
def test_a_death_by_signal_is_reported_with_its_signal(grade, tmp_path, call, number, name):
    source = f"def stable_softmax(logits, axis=-1):\n    import ctypes, os, signal\n    {call}\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    exercise = report.exercises[0]
    assert exercise.status is ExerciseStatus.ERROR
    assert f"crashed with signal {number} ({name})" in exercise.checks[0].message


def test_a_sigkill_the_student_sends_itself_is_ignored_as_by_any_pid_1(grade, tmp_path):
    """Its namespace's init cannot be killed from inside the namespace: the call returns and the code goes on."""
    source = ("def stable_softmax(logits, axis=-1):\n    import os, signal\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n    os.kill(os.getpid(), signal.SIGSTOP)\n"
              "    raise RuntimeError('still here')\n")
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    assert "RuntimeError: still here" in report.exercises[0].checks[0].message


def test_an_exit_code_above_128_is_reported_as_the_signal_it_mirrors():
    """Init ends on a signal N that would have killed an ordinary process with 128 + N; the server reads it back
    as the signal (a student's own exit(128 + N) reads the same way, as it always has)."""
    assert isolation.exit_code_of_init(128 + signal.SIGXCPU) == -signal.SIGXCPU
    assert isolation.exit_code_of_init(128 + signal.SIGKILL) == -signal.SIGKILL
    assert [isolation.exit_code_of_init(code) for code in (0, 1, 70, 128, 128 + signal.NSIG, 255, -9)] == \
        [0, 1, 70, 128, 128 + signal.NSIG, 255, -9]


# Each way down the fallbacks, in a fresh interpreter (a raw clone wants a process with no other thread): the
# kernel's refusals are simulated, the worker enters what is left and reports its layers and pid.
FALLBACK = r'''
import json, os, sys
from grader.sandbox import isolation, limits, protocol, worker
from grader.sandbox.runner import Limits
refuse, root_dir = sys.argv[1], sys.argv[2]
real_clone = isolation._clone
if refuse == "threads":  # a process with a thread more than the fork server: no raw clone, however allowed
    import threading
    threading.Thread(target=threading.Event().wait, daemon=True).start()
elif refuse == "network":  # a kernel that makes no network namespace, and every other
    isolation._clone = lambda flags: -1 if flags & isolation.CLONE_NEWNET else real_clone(flags)
    real_unshare = isolation.unshare_one
    isolation.unshare_one = lambda flag: flag != isolation.CLONE_NEWNET and real_unshare(flag)
elif refuse.startswith("private root"):  # every namespace, but the root fails, as a full disk would make it
    def refused(*args, **kwargs):
        raise OSError(28, "No space left on device")
    isolation.build_root = refused
else:
    isolation._clone = lambda flags: -1 if refuse != "user namespaces" or flags & isolation.CLONE_NEWUSER else real_clone(flags)
if refuse in ("user namespaces", "all"):
    isolation.enter_user_namespace = lambda: False
os.makedirs(root_dir + "/root"); os.makedirs(root_dir + "/submission")
job = {"module_name": "submission.py", "source": b"x = 1\n", "limits": Limits().for_worker(1),
       "sandbox": {"isolate": True, "uid": 200123, "root": root_dir + "/root", "hostdir": root_dir + "/submission",
                   "cgroups": [], "require_private_root": refuse == "private root, for credit"}}
report_r, report_w = os.pipe()
pid, start = isolation.fork_confined(200123)
if pid == 0:
    os.close(report_r)
    try:
        limits.enter(job["limits"])
        try:
            layers, job_dir = worker._isolate(job, start=start)
            os.write(report_w, json.dumps({"layers": layers, "pid": os.getpid(), "job_dir": job_dir}).encode())
        except isolation.IsolationError as exc:
            os.write(report_w, json.dumps({"refused": str(exc)}).encode())
    finally:
        os._exit(0)
os.close(report_w)
reply = json.loads(protocol.read_all(report_r))
_, status = os.waitpid(pid, 0)
reply["exit"] = os.waitstatus_to_exitcode(status)
reply["init"] = start.init
print(json.dumps(reply))
'''


def _can_admin() -> bool:
    """Root with CAP_SYS_ADMIN (bit 21 of the effective capabilities): may enter namespaces without a user one."""
    return os.geteuid() == 0 and int(_status_field(os.getpid(), "CapEff"), 16) & (1 << 21) != 0


ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}  # as the server


@pytest.mark.parametrize("refuse", ["clone", "threads", "user namespaces", "all", "network"])
def test_where_the_kernel_refuses_the_clone_the_worker_falls_back(tmp_path, refuse):
    """clone: refused (the worker is forked into a user namespace and enters the other namespaces itself, no PID
    one); threads: the same, from a process with another thread (a raw clone could copy its lock, held); user
    namespaces: none at all (root with CAP_SYS_ADMIN still clones into the others; without it, limits
    only); all: neither clone nor a user namespace; network: a kernel that makes no network namespace (the
    worker is still created in the PID and mount ones and enters IPC and UTS itself)."""
    done = subprocess.run([sys.executable, "-c", FALLBACK, refuse, str(tmp_path / "job")], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **ONE_THREAD})
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    layers = reply["layers"]
    assert reply["exit"] == 0
    if refuse == "network":  # the worker is still PID 1 with a private root, in every other namespace
        assert reply["init"] and reply["pid"] == 1 and reply["job_dir"] == "/job"
        assert {"PID namespace", "mount namespace", "IPC namespace", "UTS namespace",
                "minimal read-only file system", "unprivileged user 200123"} <= set(layers)
        assert "network namespace" not in layers
    elif refuse == "user namespaces" and _can_admin():
        assert reply["init"] and reply["pid"] == 1 and reply["job_dir"] == "/job"
        assert {"PID namespace", "mount namespace", "network namespace", "minimal read-only file system"} <= set(layers)
        assert "user namespace" not in layers
    elif refuse in ("clone", "threads"):
        assert not reply["init"] and reply["pid"] != 1
        assert layers[:2] == ["user namespace", "no namespaces of its own"]
        assert {"mount namespace", "network namespace", "IPC namespace", "UTS namespace"} <= set(layers)
        assert "PID namespace" not in layers and "minimal read-only file system" not in layers
        assert "unprivileged user 200123" in layers
    elif _can_admin():  # no user namespace and no clone: root enters the other namespaces itself, no PID one
        assert not reply["init"] and reply["pid"] != 1
        assert {"mount namespace", "network namespace", "IPC namespace", "UTS namespace"} <= set(layers)
        assert "PID namespace" not in layers and "user namespace" not in layers
    elif os.geteuid() == 0:  # root without CAP_SYS_ADMIN: no namespace at all
        assert not reply["init"] and not any("namespace" in layer for layer in layers)
        assert "unprivileged user 200123" in layers  # root still becomes the job's user
    else:
        assert not reply["init"] and layers == []  # limits only, as grade doctor then says


@pytest.mark.parametrize("required", [True, False])
def test_a_credit_job_whose_private_root_fails_runs_no_student_code(tmp_path, required):
    """Where the machine allows full confinement (a run for credit found it), a job whose private root cannot
    be made at that moment is refused before the student's file is written anywhere; a practice run goes on
    and says which layer it lacks."""
    refuse = "private root, for credit" if required else "private root, practice"
    done = subprocess.run([sys.executable, "-c", FALLBACK, refuse, str(tmp_path / "job")], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **ONE_THREAD})
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    if not reply["init"]:
        pytest.skip("no PID and mount namespaces here: no private root is ever tried")
    if required:
        assert reply["refused"] == ("[Errno 0] the job's private root could not be made "
                                    "(no private file system ([Errno 28] No space left on device))")
        assert os.listdir(tmp_path / "job" / "submission") == []  # the student's file was never written
    else:
        assert "no private file system ([Errno 28] No space left on device)" in reply["layers"]
        assert reply["job_dir"] == str(tmp_path / "job" / "submission")
