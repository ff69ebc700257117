"""Ctrl-C, as a terminal sends it (SIGINT to the whole process group), at any moment: exit code 130 and one
line on stderr, never a traceback nor exit code 1 ("graded, fell short")."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from projects import make_project

pytestmark = pytest.mark.e2e  # a real `grade` process and a real SIGINT

GRADE = Path(sys.executable).with_name("grade")
HANGING = "def stable_softmax(logits, axis=-1):\n    while True:\n        pass\n"


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        children = _children(frontier.pop())
        found += children
        frontier += children
    return found


def _stat(pid: int) -> tuple[str, str] | None:
    """A process's state and start time (which tells it from a later process given the same pid)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0], fields[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str) -> bool:
    """Still running, not a zombie waiting for its parent (who may be gone and replaced by init, which reaps it)."""
    stat = _stat(pid)
    return stat is not None and stat[1] == started and stat[0] != "Z"


def _runs_python(pid: int) -> bool:
    """The child has become the fork server's interpreter (not the moment between fork and exec, when it is
    still a copy of the grader and has not yet left its session)."""
    try:
        return b"grader.sandbox" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _maps_numpy(pid: int) -> bool:
    try:
        return "_multiarray_umath" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


# The moments a newcomer presses Ctrl-C, each waited for (not guessed: a loaded machine can take seconds to
# start Python itself, whose own start-up the grader cannot speak for): the grader's modules loading (numpy
# mapped), the fork server starting (torch loading there), and student code running.
MOMENTS = {
    "modules loading": lambda pid: _maps_numpy(pid),
    "fork server starting": lambda pid: bool(_children(pid)),
    "student code running": lambda pid: any(_children(child) for child in _children(pid)),
}


def interrupted(args: list[str], cwd: Path, moment: str, settle: float = 0.0,
                cgroups: tuple[Path, ...] = ()) -> subprocess.CompletedProcess:
    """Run grade, press Ctrl-C at ``moment``; ``cgroups``: groups the grade process starts in (its jobs' groups
    are made below them)."""
    temporary = cwd / "tmp"  # the run's own temporary directory: its jobs' directories, and nothing else
    temporary.mkdir()

    def enter_cgroups() -> None:
        for group in cgroups:
            (group / "cgroup.procs").write_text("0")

    process = subprocess.Popen([str(GRADE), *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, "TMPDIR": str(temporary)}, preexec_fn=enter_cgroups)
    deadline = time.monotonic() + 120
    while not MOMENTS[moment](process.pid):
        assert process.poll() is None and time.monotonic() < deadline, f"never reached: {moment}"
        time.sleep(0.005)
    time.sleep(settle)
    descendants = [(pid, stat[1]) for pid in _descendants(process.pid) if (stat := _stat(pid)) is not None]
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    # Nothing is left behind: the fork server (in a session of its own, out of the terminal's reach) sees the
    # grader go and ends, with every worker it started.
    deadline = time.monotonic() + 60
    while (alive := [pid for pid, started in descendants if _alive(pid, started)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive, f"left running after Ctrl-C: {alive}"
    assert [p.name for p in temporary.iterdir()] == []  # no job's directory (one may hold a student's file)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.skipif(not GRADE.exists(), reason="the grade console script is not installed beside this python")
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_ctrl_c_at_any_moment_exits_130_with_one_line(tmp_path, moment):
    root = make_project(tmp_path)
    exercise = root / "exercises" / "softmax_cross_entropy.py"
    exercise.write_text(exercise.read_text() + "\n" + HANGING)  # grading lasts until the time limit
    result = interrupted(["check", str(root), "--timeout", "30"], root, moment)
    assert result.returncode == 130, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Note: graded without")]
    assert lines == ["Error: interrupted (Ctrl-C)"], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.skipif(not GRADE.exists(), reason="the grade console script is not installed beside this python")
@pytest.mark.parametrize("settle", [0.0, 0.01, 0.02, 0.04, 0.08, 0.16])
def test_ctrl_c_while_the_fork_server_interpreter_starts(tmp_path, settle):
    """The fork server's own interpreter start-up (site, encodings, its first imports) is a window no handler of
    ours covers: the terminal's Ctrl-C must not reach it at all, only the grader."""
    root = make_project(tmp_path)
    result = interrupted(["check", str(root), "--timeout", "30"], root, "fork server starting", settle=settle)
    assert result.returncode == 130, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Note: graded without")]
    assert lines == ["Error: interrupted (Ctrl-C)"], result.stderr


@pytest.mark.skipif(not GRADE.exists(), reason="the grade console script is not installed beside this python")
def test_the_fork_server_is_out_of_reach_of_the_terminal(tmp_path):
    root = make_project(tmp_path)
    process = subprocess.Popen([str(GRADE), "check", str(root), "--timeout", "30"], cwd=root, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (servers := [c for c in _children(process.pid) if _runs_python(c)]):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        server = servers[0]  # started: from here on, the interpreter's own start-up could print a traceback
        assert os.getsid(server) != os.getsid(process.pid)
        assert os.getpgid(server) != os.getpgid(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_ctrl_c_that_python_wrapped_still_counts_as_ctrl_c():
    """Python 3.11 wraps an exception raised in ``__set_name__`` (as a KeyboardInterrupt can be, while ``platform``
    loads) in a RuntimeError; it is still Ctrl-C, and the command says so with exit code 130."""
    import click

    from grader.cli.base import CommandFailed, converted
    from grader.core.errors import caused_by_ctrl_c

    class Interrupting:
        def __set_name__(self, owner, name):
            raise KeyboardInterrupt

    with pytest.raises(BaseException) as raised:
        type("Owner", (), {"field": Interrupting()})
    assert caused_by_ctrl_c(raised.value)
    assert not caused_by_ctrl_c(RuntimeError("a real bug"))
    with pytest.raises(CommandFailed) as failed:
        with converted():
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt as interrupt:
                raise RuntimeError("wrapped") from interrupt
    assert failed.value.exit_code == 130 and isinstance(failed.value, click.ClickException)
    with pytest.raises(ValueError):
        with converted():
            raise ValueError("not an interrupt")


@pytest.mark.skipif(not GRADE.exists(), reason="the grade console script is not installed beside this python")
def test_ctrl_c_in_a_batch_exits_130_promptly(tmp_path):
    submissions = tmp_path / "submissions"
    for name in ("a", "b", "c"):
        make_project(submissions / name)
        path = submissions / name / "exercises" / "softmax_cross_entropy.py"
        path.write_text(path.read_text() + "\n" + HANGING)
    started = time.monotonic()
    result = interrupted(["batch", str(submissions), "--out", str(tmp_path / "out"), "--seed", "7", "--timeout", "30"],
                         tmp_path, "student code running", settle=0.5)
    assert result.returncode == 130 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "Error: interrupted (Ctrl-C)"
    assert time.monotonic() - started < 20  # not after the hanging submissions' 30 s time limits


@pytest.fixture
def own_cgroups(tmp_path):
    """A fresh memory, pids and cpu group (cgroup v1) for one grade process: the groups of its jobs are made below
    them, apart from any other run's. Root only."""
    from grader.sandbox import cgroups as job_cgroups
    made = []
    for controller in ("memory", "pids", "cpu"):
        parent = job_cgroups._own_group(controller)
        if os.geteuid() != 0 or parent is None or not parent.is_dir():
            pytest.skip("needs root and the cgroup v1 controllers")
        group = parent / f"grade-test-{tmp_path.name}"
        try:
            group.mkdir()
        except OSError as error:
            pytest.skip(f"cannot make a cgroup here: {error}")
        made.append(group)
    yield tuple(made)
    for group in made:
        for child in sorted(group.iterdir()):
            if child.is_dir():
                child.rmdir()
        group.rmdir()


@pytest.mark.skipif(not GRADE.exists(), reason="the grade console script is not installed beside this python")
def test_ctrl_c_in_a_batch_leaves_no_cgroup_of_its_jobs(tmp_path, own_cgroups):
    submissions = tmp_path / "submissions"
    for name in ("a", "b", "c", "d"):
        make_project(submissions / name)
        path = submissions / name / "exercises" / "softmax_cross_entropy.py"
        path.write_text(path.read_text() + "\n" + HANGING)
    result = interrupted(["batch", str(submissions), "--out", str(tmp_path / "out"), "--seed", "7", "--timeout", "30"],
                         tmp_path, "student code running", settle=0.5, cgroups=own_cgroups)
    assert result.returncode == 130, result.stderr
    for group in own_cgroups:
        assert [child.name for child in group.iterdir() if child.is_dir()] == [], group


def test_ctrl_c_inside_a_finalizer_still_stops_with_one_line():
    """A KeyboardInterrupt raised in a ``__del__`` (the garbage collector runs them at any moment, while
    modules load too) cannot propagate: Python prints "Exception ignored" and carries on. It must stop."""
    program = ("from grader.cli.entry import install_interrupt_hooks\n"
               "install_interrupt_hooks()\n"
               "class Finalized:\n"
               "    def __del__(self):\n"
               "        raise KeyboardInterrupt\n"
               "Finalized()\n"
               "print('carried on')\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130 and "carried on" not in done.stdout
    assert done.stderr.strip() == "Error: interrupted (Ctrl-C)"
