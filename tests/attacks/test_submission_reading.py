"""Attacks on how submissions are read, on the batch and on the trusted side's inputs.

Each test is an attack a student could mount with nothing but the files they hand in; the suite
runs as root, as an unprivileged user and as root without CAP_SYS_ADMIN in CI (.ci/run), and every
test must hold in each.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader.engine.credit
from grader.batch.runs import BatchOptions, BatchRunner, discover
from grader.core.outputs import document_stem
from grader.cli.app import main
from grader.engine.doctor import Diagnosis
from grader.core.model import ExerciseStatus
from grader.sandbox import protocol
from test_hostile import FORGER
from variants import REFERENCE, STUB, build_submission

STUDENT_FILE = "softmax_cross_entropy.py"
SOFTMAX = "stable_softmax"


def check_json(path: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def messages(document: dict) -> str:
    return "\n".join(c["message"] for e in document["exercises"] for c in e["checks"])


# --- 1. the submission is read without following links ------------------------------------------------

@pytest.mark.parametrize("where", ["root", "exercises"])
def test_a_link_to_the_reference_earns_nothing(tmp_path, where):
    link = tmp_path / STUDENT_FILE if where == "root" else tmp_path / "exercises" / STUDENT_FILE
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(REFERENCE)
    code, document = check_json(tmp_path)
    assert code == 1 and document["score"] == 0
    assert {e["status"] for e in document["exercises"]} == {"error"}
    assert "is a symbolic link; submit the file itself" in messages(document)


def test_a_linked_exercises_folder_earns_nothing(tmp_path):
    (tmp_path / "exercises").symlink_to(REFERENCE.parent)
    code, document = check_json(tmp_path)
    assert document["score"] == 0 and "exercises is a symbolic link" in messages(document)


def test_links_to_secret_and_endless_files_leak_nothing_and_end(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE\n")
    secret.chmod(0o600)
    for target in (secret, Path("/proc/self/environ"), Path("/dev/zero"), Path("/etc/shadow")):
        submission = tmp_path / f"s-{target.name}"
        submission.mkdir()
        (submission / STUDENT_FILE).symlink_to(target)
        started = time.monotonic()
        _, document = check_json(submission)
        assert time.monotonic() - started < 30
        assert document["score"] == 0 and "TOP-SECRET" not in json.dumps(document)
        assert "symbolic link" in messages(document)


def test_fifos_devices_and_huge_files_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / STUDENT_FILE)
    _, document = check_json(fifo)  # opening a FIFO for reading would wait for a writer forever
    assert document["score"] == 0 and "not a regular file" in messages(document)
    huge = tmp_path / "huge"
    huge.mkdir()
    (huge / STUDENT_FILE).write_bytes(b"#" * (1024 * 1024 + 1))
    _, document = check_json(huge)
    assert document["score"] == 0 and "over the 1048576 allowed" in messages(document)


def test_a_hard_link_is_graded_for_what_it_holds(tmp_path):
    own = tmp_path / "own.py"
    shutil.copy(REFERENCE, own)
    (tmp_path / "sub").mkdir()
    os.link(own, tmp_path / "sub" / STUDENT_FILE)
    _, document = check_json(tmp_path / "sub")
    assert document["score"] == document["max_score"]


def test_batch_refuses_linked_entries_and_linked_answers_per_row(lesson, tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    honest = submissions / "honest"
    honest.mkdir()
    shutil.copy(REFERENCE, honest / STUDENT_FILE)
    (submissions / "copycat").symlink_to(honest)
    (submissions / "solver.py").symlink_to(REFERENCE)
    sneaky = submissions / "sneaky"
    sneaky.mkdir()
    shutil.copy(STUB, sneaky / STUDENT_FILE)
    (sneaky / "quiz_answers.yaml").symlink_to("/etc/shadow")
    runner = BatchRunner(lesson, tmp_path / "out", BatchOptions(seed=7, timeout=10, jobs=2))
    docs = {d.name: d.to_dict() for d in runner.run(discover(submissions))}
    assert docs["honest"]["score"] == 35
    for name in ("copycat", "solver"):
        assert docs[name]["score"] == 0 and docs[name]["batch"]["status"] == "error"
        assert "symbolic link" in docs[name]["batch"]["message"]
    sneaky_row = docs["sneaky"]["batch"]
    assert sneaky_row["status"] == "graded" and docs["sneaky"]["quiz"] is None
    assert "quiz not graded" in sneaky_row["message"] and "symbolic link" in sneaky_row["message"]


def test_a_malicious_answers_file_costs_only_the_quiz(lesson, tmp_path):
    submissions = tmp_path / "class"
    bombs = {
        "alias": "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nq1: *c\n",
        "deep": "q1: " + "[" * 20000 + "]" * 20000 + "\n",
        "twice": "q1: a\nq1: b\n",
        "big": "# " + "x" * (70 * 1024) + "\nq1: a\n",
        "nested": "q1: {a: b}\n",
    }
    for name, text in bombs.items():
        (submissions / name).mkdir(parents=True)
        shutil.copy(REFERENCE, submissions / name / STUDENT_FILE)
        (submissions / name / "quiz_answers.yaml").write_text(text)
    runner = BatchRunner(lesson, tmp_path / "out", BatchOptions(seed=7, timeout=10, jobs=2))
    started = time.monotonic()
    docs = {d.name: d.to_dict() for d in runner.run(discover(submissions))}
    assert time.monotonic() - started < 120
    for name in bombs:
        assert docs[name]["score"] == 35 and docs[name]["quiz"] is None, name
        assert "quiz not graded" in docs[name]["batch"]["message"], name


# --- 2. confinement: refusals and what a submission can reach -----------------------------------------

def test_credit_commands_refuse_an_incomplete_sandbox_unless_told(tmp_path, monkeypatch):
    incomplete = Diagnosis(("memory limit",), ("PID namespace", "minimal read-only file system"))
    monkeypatch.setattr(grader.engine.credit, "diagnose", lambda limits: incomplete)
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(REFERENCE, submissions / "amy.py")
    for args in (["batch", str(submissions), "--out", str(tmp_path / "out")],
                 ["check", str(submissions / "amy.py"), "--format", "gradescope"],
                 ["check", str(submissions / "amy.py"), "--junit", str(tmp_path / "j.xml")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        line = result.stderr.strip()
        assert "\n" not in line and "needs full confinement" in line and "PID namespace" in line
        assert "--unconfined" in line and "sudo" in line
    assert not (tmp_path / "out").exists() and not (tmp_path / "j.xml").exists()
    result = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(tmp_path / "out"), "--unconfined"])
    assert result.exit_code == 0 and "WITHOUT full confinement" in result.stderr


def test_the_graders_environment_does_not_reach_submissions(tmp_path):
    probe = ("def stable_softmax(logits, axis=-1):\n    import os, sys\n"
             "    raise RuntimeError(f'{sorted(os.environ)} write_through={sys.stdout.write_through}')\n")
    path = build_submission(tmp_path, {SOFTMAX: probe}, base=STUB)
    import subprocess
    import sys

    env = dict(os.environ, LMS_TOKEN="s3cr3t-token", PYTHONUNBUFFERED="1")
    completed = subprocess.run([sys.executable, "-c", "from grader.cli.app import main; main()", "check", str(path), "--format", "json",
                                "--exercise", SOFTMAX], capture_output=True, text=True, env=env, timeout=120)
    document = json.loads(completed.stdout)
    message = messages(document)
    assert "RuntimeError" in message and "LMS_TOKEN" not in message and "s3cr3t" not in completed.stdout
    assert "PYTHONUNBUFFERED" not in message and "write_through=False" in message


def test_a_submission_cannot_fill_the_disk(grade, tmp_path):
    filler = '''
def stable_softmax(logits, axis=-1):
    import os
    written = 0
    for directory in (".", "/tmp"):
        for index in range(8):
            try:
                with open(os.path.join(directory, f"fill{index}"), "wb") as handle:
                    for _ in range(15):
                        handle.write(b"0" * (1 << 20))
                        written += 1 << 20
            except OSError as exc:
                break
    raise RuntimeError(f"wrote {written >> 20} MiB")
'''
    report = grade(build_submission(tmp_path, {SOFTMAX: filler}), exercises=(SOFTMAX,))
    message = report.exercises[0].checks[0].message
    written = int(message.split("wrote ")[1].split(" MiB")[0])
    assert written <= 2 * 32, message  # /job and /tmp are each a 32 MiB tmpfs


def test_nothing_left_running_and_documents_unchanged_after_a_batch(lesson, tmp_path):
    out = tmp_path / "out"
    lingerer = f'''
def stable_softmax(logits, axis=-1):
    import os, time, ctypes
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, {LINGERER.encode()!r}, 0, 0, 0)
            for _ in range(600):
                for path in ({str(out)!r} + "/amy.json", {str(out)!r} + "/bob.json"):
                    try:
                        open(path, "w").write("forged")
                    except OSError:
                        pass
                time.sleep(0.05)
        os._exit(0)
    z = logits - logits.max(axis=axis, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)
'''
    submissions = tmp_path / "class"
    submissions.mkdir()
    build_submission(submissions, {SOFTMAX: lingerer}, name="amy.py")
    shutil.copy(REFERENCE, submissions / "bob.py")
    runner = BatchRunner(lesson, out, BatchOptions(seed=7, timeout=10, jobs=2))
    runner.run(discover(submissions))
    before = {p.name: p.read_bytes() for p in out.glob("*.json")}
    time.sleep(1.0)
    assert {p.name: p.read_bytes() for p in out.glob("*.json")} == before
    assert json.loads(before["amy.json"])["score"] == 35
    left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _comm(p) == LINGERER]
    assert left == []


LINGERER = f"ling-{os.getpid() % 10**8}"  # this run's own process name: another suite on the machine has its own


def _comm(process: Path) -> str:
    try:
        return (process / "comm").read_text().strip()
    except OSError:
        return ""


# --- 4. one submission cannot stop the class ---------------------------------------------------------

def test_names_that_are_not_file_names_everywhere_get_safe_unique_documents(lesson, tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    names = ["a:b", 'we"ird|name*?', "x" * 250, "summary", "new\nline", "ünïcode"]
    for name in names:
        (submissions / name).mkdir()
        shutil.copy(STUB, submissions / name / STUDENT_FILE)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out), "--seed", "7"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.glob("*.json") if p.name != "summary.json")
    assert len(written) == len(names) == len(set(written))
    for file_name in written:
        assert all(c.isascii() and (c.isalnum() or c in "._-") for c in file_name) and len(file_name) < 128
    rows = {json.loads((out / name).read_text())["batch"]["name"] for name in written}
    assert rows == set(names)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["submissions"] and summary["counts"]["submissions"] == len(names)
    assert document_stem("summary") != "summary" and document_stem("amy") == "amy"
    merged = CliRunner().invoke(main, ["merge", str(out), "--out", str(tmp_path / "merged")])
    assert merged.exit_code == 0, merged.output


def test_merge_refuses_a_directory_given_twice(tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(STUB, submissions / "amy.py")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out)]).exit_code == 0
    result = CliRunner().invoke(main, ["merge", str(out), str(out), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "given twice" in result.stderr


def test_invalid_unicode_from_a_submission_renders_everywhere(tmp_path):
    source = ("def stable_softmax(logits, axis=-1):\n    import sys\n    print('bad \\ud800 out', file=sys.stderr)\n"
              "    raise ValueError('lone \\udcff surrogate')\n")
    path = build_submission(tmp_path, {SOFTMAX: source})
    for fmt in ("text", "json", "markdown"):
        result = CliRunner().invoke(main, ["check", str(path), "--format", fmt, "--exercise", SOFTMAX])
        assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
        assert "surrogate" in result.stdout
    assert protocol.text_field("a\ud800b") == "a\ufffdb"


def test_forged_replies_for_other_calls_or_repeated_count_nothing(grade, tmp_path):
    forger = FORGER + '''
def stable_softmax(logits, axis=-1):
    z = logits - logits.max(axis=axis, keepdims=True)
    good = np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)
    # claim answers for calls of a later exercise, and a huge number the JSON parser chokes on
    _forge({"id": "0.0", "status": "raised", "exception": {"type": "X"}},
           {"id": "1.0", "status": "ok", "outputs": {}}, {"id": "9.9", "status": "ok"})
    os_ = __import__("os")
    return good
'''
    report = grade(build_submission(tmp_path, {SOFTMAX: forger}), timeout=5.0)
    assert len(report.exercises) == 9
    others = [e for e in report.exercises if e.name != SOFTMAX]
    assert all(e.status is ExerciseStatus.PASSED for e in others)


def test_huge_numbers_and_bare_arrays_in_a_message_are_a_protocol_error_not_a_crash():
    with pytest.raises(protocol.ProtocolError):
        protocol.loads(b'{"event": "task", "index": ' + b"9" * 5000 + b"}")
    with pytest.raises(protocol.ProtocolError):  # a frame that decodes to an array, not a message
        import numpy as np

        protocol.loads(protocol.dumps(np.zeros(3)))  # type: ignore[arg-type]


# --- 6. reports are inert ----------------------------------------------------------------------------

def test_control_characters_and_workflow_commands_from_a_submission_are_inert(tmp_path):
    source = ("def stable_softmax(logits, axis=-1):\n"
              "    print('\\x1b[2J\\x1b[31mred\\x07 and \\u202eevil')\n"
              "    print('::set-output name=score::35')\n"
              "    raise ValueError('\\x1b]0;owned\\x07\\n::error::fake failure\\x00')\n")
    path = build_submission(tmp_path, {SOFTMAX: source})
    for fmt in ("text", "json", "markdown"):
        result = CliRunner().invoke(main, ["check", str(path), "--format", fmt, "--exercise", SOFTMAX])
        shown = result.stdout if fmt != "json" else "\n".join(
            [messages(json.loads(result.stdout))] + [e.get("output", "") for e in json.loads(result.stdout)["exercises"]])
        assert "\x1b" not in shown and "\x07" not in shown and "\x00" not in shown and "\u202e" not in shown, fmt
        assert not any(line.lstrip().startswith("::") for line in shown.splitlines()), fmt
    assert "\\x1b" in CliRunner().invoke(main, ["check", str(path), "--exercise", SOFTMAX]).stdout


def test_a_neighbour_that_forks_busy_children_does_not_cost_an_honest_submission_its_points(lesson, tmp_path):
    """Under --jobs 2, a submission that keeps the cores busy with detached children must not make a
    slow but honest neighbour time out: each job gets its share (cpu cgroup) and the limit counts CPU time."""
    hog = '''
def stable_softmax(logits, axis=-1):
    import os, time
    for _ in range(40):
        if os.fork() == 0:
            os.setsid()
            while True:
                pass
    time.sleep(30)
'''
    # Slow once (0.3-0.8 s of CPU on this machine, whatever the hour), however many cases the exercise has: its
    # own CPU stays well inside the 4 s limit, so only a neighbour's load could make it time out.
    slow_but_right = '''
def stable_softmax(logits, axis=-1):
    x = np.asarray(logits, dtype=float)
    if not getattr(stable_softmax, "warmed", False):
        total = 0
        for _ in range(6_000_000):
            total += 1
        stable_softmax.warmed = True
    z = x - x.max(axis=axis, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)
'''
    submissions = tmp_path / "class"
    submissions.mkdir()
    build_submission(submissions, {SOFTMAX: hog}, name="hog.py")
    build_submission(submissions, {SOFTMAX: slow_but_right}, name="honest.py")
    runner = BatchRunner(lesson, tmp_path / "out", BatchOptions(seed=7, timeout=4, jobs=2))
    docs = {d.name: d.to_dict() for d in runner.run(discover(submissions))}
    honest = next(e for e in docs["honest"]["exercises"] if e["name"] == SOFTMAX)
    assert honest["status"] == "passed", honest
    assert docs["honest"]["score"] == 35


# --- 3. the student release is no lookup table for credit -------------------------------------------

def test_credit_runs_never_grade_at_the_practice_seed(tmp_path, monkeypatch):
    """The student copy replays the reference's answers at the practice seed: answers looked up from it
    must be worthless where grades count."""
    monkeypatch.delenv("GRADE_SEED", raising=False)
    path = build_submission(tmp_path, {})
    seeds = set()
    for _ in range(2):
        result = CliRunner().invoke(main, ["check", str(path), "--format", "gradescope", "--exercise", SOFTMAX])
        assert result.exit_code == 0, result.output
        seeds.add(json.loads(result.stdout)["extra_data"]["seed"] if "extra_data" in json.loads(result.stdout)
                  else int(result.stderr.split("Seed: ")[1].split()[0]))
    assert 2026 not in seeds and len(seeds) == 2  # a fresh seed each run, said on stderr
    monkeypatch.setenv("GRADE_SEED", "4242")
    result = CliRunner().invoke(main, ["check", str(path), "--format", "gradescope", "--exercise", SOFTMAX])
    assert "Seed: 4242 ($GRADE_SEED" in result.stderr
    monkeypatch.setenv("GRADE_SEED", "2026")
    refused = CliRunner().invoke(main, ["check", str(path), "--format", "gradescope"])
    assert refused.exit_code == 2 and "practice seed" in refused.stderr
    practice = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--exercise", SOFTMAX])
    assert json.loads(practice.stdout)["seed"] == 2026  # practice keeps the seed students reproduce


def test_outputs_graded_unconfined_say_so(tmp_path, monkeypatch):
    incomplete = Diagnosis(("memory limit",), ("PID namespace",))
    monkeypatch.setattr(grader.engine.credit, "diagnose", lambda limits: incomplete)
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(REFERENCE, submissions / "amy.py")
    out = tmp_path / "out"
    from grader.sandbox import runner

    real = runner.Limits
    monkeypatch.setattr("grader.batch.runs.Limits", lambda **kw: real(**kw, isolate=False))
    result = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out), "--unconfined"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["confinement"]["complete"] is False and "PID namespace" in summary["confinement"]["missing"]
    assert "Graded without full confinement" in (out / "report.html").read_text()
    assert "Graded without full confinement" in (out / "summary.md").read_text()
    assert json.loads((out / "amy.json").read_text())["confinement"]["complete"] is False
    confined = tmp_path / "confined"
    monkeypatch.undo()
    assert CliRunner().invoke(main, ["batch", str(submissions), "--out", str(confined)]).exit_code == 0
    assert json.loads((confined / "summary.json").read_text())["confinement"] == {
        "complete": True, "missing": [], "unconfined_submissions": 0}
    assert "without full confinement" not in (confined / "report.html").read_text()


def test_the_workers_helpers_do_not_solve_an_exercise(grade, tmp_path):
    """The loss handed to finite_difference_gradient cannot stand in for cross_entropy_from_logits:
    the probe builders are gone before student code runs, and a probe works only near its point."""
    cheat = '''
def cross_entropy_from_logits(logits, target):
    import gc, sys
    found = []
    probes = sys.modules.get("grader.sandbox.probes")
    if probes is not None and hasattr(probes, "build_probe"):
        found.append("builder")
    zygote = sys.modules.get("grader.sandbox.zygote")
    if zygote is not None and hasattr(zygote, "_warm_up"):
        found.append("the fork server's warm-up code")
    for obj in gc.get_objects():
        code = getattr(obj, "__code__", None)
        if code is not None and code.co_name in ("losses", "_warm_up"):
            found.append(f"warm-up function {code.co_name}")
    for obj in gc.get_objects():  # every loss closure the worker holds, however it is reached
        if callable(obj) and getattr(obj, "__qualname__", "").split(".")[-1] in ("loss", "value", "probe"):
            try:
                value = obj(np.asarray(logits, dtype=float) + 100.0)
                found.append(f"{obj.__qualname__} answered far away: {value}")
            except Exception:
                pass
    raise RuntimeError(repr(found))
'''
    report = grade(build_submission(tmp_path, {"cross_entropy_from_logits": cheat}),
                   exercises=("cross_entropy_from_logits", "finite_difference_gradient"))
    ce = next(e for e in report.exercises if e.name == "cross_entropy_from_logits")
    assert "RuntimeError: []" in ce.checks[0].message, ce.checks[0].message
    fd = next(e for e in report.exercises if e.name == "finite_difference_gradient")
    assert fd.status is ExerciseStatus.PASSED  # the honest use of the probes still works


def test_practice_commands_work_unconfined_and_say_so_once(tmp_path, monkeypatch):
    import functools

    import grader.cli.app
    from grader.sandbox.runner import Limits

    monkeypatch.setattr(grader.cli.app, "Limits", functools.partial(Limits, isolate=False))  # a laptop without namespaces
    path = build_submission(tmp_path, {})
    result = CliRunner().invoke(main, ["check", str(path), "--exercise", SOFTMAX])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "without full confinement" in line]
    assert len(notes) == 1 and "PID namespace" in notes[0] and "practice" in notes[0]
    monkeypatch.undo()  # confined again: no note
    assert "without full confinement" not in CliRunner().invoke(main, ["check", str(path), "--exercise", SOFTMAX]).stderr


@pytest.mark.skipif(not os.access("/usr/share", os.W_OK), reason="places a folder under /usr/share (root)")
def test_directories_the_grader_names_are_hidden_even_inside_system_directories(tmp_path):
    """A class folder (or a course, or --out) kept under a directory the sandbox binds: the job's root
    covers it with an empty folder."""
    import uuid

    from grader.sandbox.runner import Job, Task, run_job

    secret = Path("/usr/share") / f"grade-class-{uuid.uuid4().hex[:8]}"
    secret.mkdir()
    try:
        (secret / "classmate.py").write_text("ANSWER = 42\n")
        probe = f"import os\ndef look():\n    return float(len(os.listdir({str(secret)!r})))\n".encode()
        call = {"id": "0.0", "args": []}
        shown = run_job(Job("look.py", probe, (Task("look", [call]),)))[0]
        hidden = run_job(Job("look.py", probe, (Task("look", [call]),), hide=(str(secret),)))[0]
        assert shown.replies["0.0"].outputs["value"] == 1.0  # bound with /usr/share: visible...
        assert hidden.replies["0.0"].outputs["value"] == 0.0  # ...unless the grader names it
    finally:
        shutil.rmtree(secret, ignore_errors=True)
