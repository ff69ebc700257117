"""Red-team findings, each one fixed: every test here failed on the code it was written against (a
red-team session's branch), and its comments say what happened then and what should happen. They go
beyond tests/attacks/test_hostile.py and tests/attacks/test_submission_reading.py (was tests/test_redteam.py).
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
import tracemalloc

from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli.app import main
from grader.core.outputs import document_stem
from grader.sandbox import protocol
from grader.sandbox.collect import TASK_MARKER, OutputDrain
from variants import REFERENCE, STUB

STUDENT_FILE = "softmax_cross_entropy.py"


# --- 1. one student's document overwrites a classmate's ---------------------------------------------

def test_a_name_equal_to_a_classmates_rewritten_stem_does_not_overwrite_their_document(lesson, tmp_path):
    """``document_stem`` keeps a safe name as it is and rewrites any other name to ``readable-<hash>``.
    The hash is of the (known) classmate's name, so a student can name their folder exactly that stem:
    both documents then go to the same file and the last one written wins. The batch's own gradebook
    is built from memory, but the per-submission JSON (what report.html links to, what `grade merge`
    and `--resume` read) of the victim is replaced by the attacker's.

    Should: every submission gets its own document (e.g. rewritten stems live in a namespace a safe
    name cannot reach, or stems are checked for uniqueness across the class and disambiguated)."""
    victim = "José"
    attacker = document_stem(victim)  # the victim's document's stem, as a folder name of the attacker's
    assert attacker != victim and document_stem(attacker) != attacker  # a rewritten stem is never kept as is
    submissions = tmp_path / "class"
    (submissions / victim).mkdir(parents=True)
    shutil.copy(REFERENCE, submissions / victim / STUDENT_FILE)
    (submissions / attacker).mkdir()
    shutil.copy(STUB, submissions / attacker / STUDENT_FILE)
    out = tmp_path / "out"
    graded = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out), "--seed", "7", "--jobs", "1"])
    assert graded.exit_code == 0, graded.output
    names = sorted(json.loads(p.read_text())["batch"]["name"] for p in out.glob("*.json") if p.name != "summary.json")
    # Before the fix: only one document is on disk, the other one was overwritten.
    assert names == sorted([victim, attacker])
    merged = CliRunner().invoke(main, ["merge", str(out), "--out", str(tmp_path / "merged")])
    assert merged.exit_code == 0, merged.output
    rows = json.loads((tmp_path / "merged" / "summary.json").read_text())["counts"]["submissions"]
    assert rows == 2


# --- 2. the output pipe: an unterminated task marker ------------------------------------------------

def test_an_unterminated_task_marker_does_not_make_the_drain_hold_and_rescan_everything(tmp_path):
    """A worker writes ``\\x00grade-task:`` and then never the closing NUL: ``OutputDrain._feed`` keeps
    everything after the marker's start as "a tail that may hold the start of a marker" and rescans
    and copies it on every 64 KiB read. Memory grows with everything printed and CPU time (in the
    trusted grader, holding the GIL) grows with its square: 32 MiB costs ~15 s of grader CPU, 48 MiB
    printed by a submission keeps `grade check` busy for ~45 s and makes the exercise time out.

    Should: a marker is at most len(TASK_MARKER) + 6 digits + NUL bytes long; anything longer is plain
    output (kept within the 8 KiB budget, counted otherwise), so the tail stays a few bytes long."""
    read_end, write_end = os.pipe()
    drain = OutputDrain(read_end, 2)
    longest = [0]
    feed = drain._feed

    def spy(pending: bytes) -> bytes:
        tail = feed(pending)
        longest[0] = max(longest[0], len(tail))
        return tail

    drain._feed = spy  # type: ignore[method-assign]
    drain.start()
    os.write(write_end, TASK_MARKER)
    block = b"A" * (1 << 16)
    for _ in range(8 * 16):  # 8 MiB
        os.write(write_end, block)
    os.close(write_end)
    drain.join(60)
    # Before the fix: the tail held was the whole 8 MiB (and the time quadratic in it).
    # What it holds bounds the work per byte: linear in the output, whatever the machine's speed.
    assert longest[0] < 1024, f"the drain held {longest[0]} bytes as a possible marker"
    assert len(drain.kept[0]) <= 8 * 1024


# --- 3. the results pipe: a small message, a huge trusted-side allocation ---------------------------

def test_a_message_of_tiny_json_values_cannot_make_the_grader_allocate_fifty_times_its_size():
    """``protocol.loads`` json-decodes a whole frame (up to 64 MiB) and then copies it again in
    ``_from_wire`` before anything looks at which fields are wanted. A frame made of empty objects
    (``[{},{},...]`` in an ignored field) costs ~48 bytes of grader memory per byte sent: a 4 MiB
    message peaks at ~190 MiB, a 64 MiB one at ~3 GiB, 16 s+ of CPU each. A worker can send such frames
    again and again for 4 x the time limit, from every job of a `--jobs N` batch at once: the trusted
    process can be driven out of memory (no cgroup bounds it), losing the whole class's run.

    Should: bound what a frame may expand to before decoding it (e.g. count '{' '[' ',' tokens, or use
    a streaming/limited decoder, or reject unknown keys early) so that decoding costs a small multiple
    of the frame's size."""
    count = (1 << 20) // 3
    frame = b'{"id": "0.0", "status": "ok", "outputs": {}, "junk": [' + b",".join([b"{}"] * count) + b"]}"
    tracemalloc.start()
    try:
        try:
            protocol.loads(frame)
        except protocol.ProtocolError:
            pass  # refusing it is fine
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Before the fix: ~48 MiB for a 1 MiB message.
    assert peak < 16 * len(frame), f"{len(frame)} bytes of message cost {peak >> 20} MiB to decode"


# --- 4. a user namespace of the submission's own: memory without bounds ------------------------------

OWN_TMPFS = '''
def stable_softmax(logits, axis=-1):
    import os, ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: /proc/self/uid_map becomes ours to write
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(0x10000000 | 0x00020000) != 0:  # CLONE_NEWUSER | CLONE_NEWNS
        raise RuntimeError(f"no user namespace: errno {ctypes.get_errno()}")
    def put(path, text):
        fd = os.open(path, os.O_WRONLY)
        os.write(fd, text.encode())
        os.close(fd)
    put("/proc/self/setgroups", "deny")
    put("/proc/self/uid_map", f"0 {uid} 1")
    put("/proc/self/gid_map", f"0 {gid} 1")
    if libc.mount(b"none", b"/tmp", b"tmpfs", 0, b"size=90%") != 0:
        raise RuntimeError(f"no tmpfs: errno {ctypes.get_errno()}")
    block, written = b"x" * (1 << 20), 0
    try:
        for i in range(48):
            with open(f"/tmp/f{i}", "wb") as handle:
                for _ in range(15):  # under the 16 MiB file-size limit
                    handle.write(block)
                    written += 1
    except OSError:
        pass
    raise RuntimeError(f"wrote {written} MiB")
'''


def test_a_submission_cannot_mount_its_own_unbounded_tmpfs(lesson, tmp_path):
    """The student's process, though it has no capability, may create a user namespace of its own
    (nothing forbids CLONE_NEWUSER: no seccomp filter, no max_user_namespaces limit), become root in
    it, and mount a fresh tmpfs of any size over /tmp. Page-cache memory is not address space, so the
    rlimits do not count it; only the per-job memory cgroup does, and that exists only as root. Here,
    with a 256 MiB job limit, 720 MiB are written. As an unprivileged user (GitHub-hosted runners) one
    submission can fill most of the machine's RAM (size=90%, or several mounts), which the OOM killer
    cannot reclaim while the job lives: honest neighbours of a `--jobs N` batch, or the grader, die.
    It also hands the submission CAP_SYS_ADMIN over fresh mount/net/PID namespaces (kernel attack
    surface the README's "no capabilities" suggests is closed).

    Should: the student cannot create user namespaces (e.g. set /proc/sys/user/max_user_namespaces in
    the job's namespace so the student's own one is the last, or a seccomp filter refusing
    CLONE_NEWUSER in unshare/clone/clone3), so mounts stay the 32 MiB /tmp and /job."""
    from grader.engine.grading import GradeOptions, grade_submission
    from grader.sandbox.runner import Limits
    from variants import build_submission

    options = GradeOptions(limits=Limits(timeout=20, memory_mb=256), exercises=("stable_softmax",))
    report = grade_submission(build_submission(tmp_path, {"stable_softmax": OWN_TMPFS}), lesson, options)
    message = report.exercises[0].checks[0].message
    written = int(message.split("wrote ")[1].split(" MiB")[0]) if "wrote " in message else 0
    # Before the fix: 720 MiB written (as root, as an unprivileged user and without CAP_SYS_ADMIN).
    assert written <= 2 * 32, message


# --- 5. a folder name that is not UTF-8 stops the class's outputs -----------------------------------

def test_a_submission_folder_named_with_invalid_utf8_costs_only_its_row(tmp_path):
    """The batch grades every submission and writes their documents, then dies writing the class's
    outputs: ``html_report._submission_row`` url-quotes the raw name (a str with surrogate escapes) and
    raises UnicodeEncodeError. Exit 1, no gradebook.csv, no summary.json, no report.html: one student
    who names a folder (or a zip entry) with a byte like 0xff takes the whole class's gradebook down.

    Should: the name is made valid text at the boundary (U+FFFD, as the README promises for invalid
    Unicode) before any renderer sees it; the batch exits 0 with a row for every submission."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    odd = os.path.join(os.fsencode(submissions), b"bad\xff\xfename")
    os.mkdir(odd)
    shutil.copy(STUB, os.path.join(odd, STUDENT_FILE.encode()))
    (submissions / "amy").mkdir()
    shutil.copy(STUB, submissions / "amy" / STUDENT_FILE)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out), "--seed", "7", "--jobs", "1"])
    # Before the fix: UnicodeEncodeError out of report.html rendering, exit 1, no class outputs.
    assert result.exit_code == 0, repr(result.exception)
    assert (out / "gradebook.csv").exists() and (out / "report.html").exists()
    assert json.loads((out / "summary.json").read_text())["counts"]["submissions"] == 2


# --- 6. answers recorded at the practice seed still earn credit at any seed --------------------------

def test_no_hidden_check_can_be_passed_at_a_credit_seed_by_replaying_practice_answers(lesson):
    """The student release holds every reference answer at the practice seed (released_expectations).
    The credit seed must make such answers worthless: every hidden value check draws its inputs from
    the seed. The public checks are the lesson's worked examples on purpose (10 of 35 points): their
    expected values are printed in every student's feedback and in the lesson, so a lookup passes them
    whatever the release holds, and a student who passes them at home passes them for credit."""
    from grader.course.expectations import _digest_part

    def inputs(cases):
        return [(_digest_part(list(c.args)), _digest_part(dict(c.kwargs))) for c in cases]

    replayable, public_points = [], 0.0
    for exercise in lesson.exercises:
        for check in exercise.checks:
            credit = check.cases(lesson.reference, 7)
            if not any(case.checks_values and not case.raises for case in credit):
                continue
            if inputs(check.cases(lesson.reference, 2026)) == inputs(credit):
                if check.hidden:
                    replayable.append(f"{exercise.name}/{check.name}")
                else:
                    public_points += check.points
    assert replayable == []
    assert public_points <= 10  # the README says how much of the grade the worked examples carry


def test_report_html_links_every_row_to_its_own_document(tmp_path):
    """The class table links each row to ``quote(name).json`` (html_report._submission_row), while the
    document is written as ``document_stem(name).json``: for every name that is rewritten (accents,
    spaces, 'summary'...) the link points to a file that does not exist (or, with finding 1, to a
    classmate's). The feedback section's link (line ~196) does use document_stem.

    Should: the table's link is ``document_stem(name)`` too (a one-line fix that also stops the
    surrogate crash of the html report, though gradebook.csv then fails the same way)."""
    import re

    submissions = tmp_path / "class"
    (submissions / "José").mkdir(parents=True)
    shutil.copy(STUB, submissions / "José" / STUDENT_FILE)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out), "--seed", "7", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    from urllib.parse import unquote

    links = {unquote(href) for href in re.findall(r'href="([^"#]+\.json)"', (out / "report.html").read_text())}
    # Before the fix: 'José.json' is linked, 'Jos-24c2ab65b7.json' is what exists.
    assert links and all((out / link).exists() for link in links), links


# --- 7. smaller things ------------------------------------------------------------------------------

def test_a_negative_credit_seed_is_refused_instead_of_failing_every_submission(tmp_path, monkeypatch):
    """GRADE_SEED=-5 (or --seed -5) is accepted by ``credit_seed`` and printed; then every check's
    ``np.random.default_rng([seed, crc])`` raises, each submission becomes an "error" row with 0/35
    ("the grader failed on this submission: ValueError: expected non-negative integer") and the batch
    exits 0. A mistyped CI secret silently zeroes the class.

    Should: exit 2 with one line, like the practice seed."""
    import grader.engine.credit
    from grader.core.errors import UsageError

    monkeypatch.setenv("GRADE_SEED", "-5")
    # Before the fix: (-5, '$GRADE_SEED') is returned.
    with pytest.raises(UsageError):
        grader.engine.credit.credit_seed(None)


def test_a_reply_keeps_only_the_outputs_the_grader_reads():
    """``clean_reply`` keeps every ndarray under any key of "outputs"; the grader reads only "value",
    "grad:N" and "arg:N". Junk keys count against the 256 MiB per-task budget, so they cannot exceed
    it, but every exercise's budget can be filled with junk that is kept until the whole submission is
    graded: 9 x 256 MiB of trusted-process memory per submission, times --jobs.

    Should: keep only the keys the grader reads (and, ideally, a budget per submission, not per task)."""
    import numpy as np

    reply = protocol.clean_reply({"id": "0.0", "status": "ok",
                                  "outputs": {"value": np.zeros(3), "junk": np.zeros(3), "grad:0": np.zeros(3)}})
    assert reply is not None
    # Before the fix: 'junk' is kept.
    assert set(reply.outputs) == {"value", "grad:0"}


def test_a_flood_of_tiny_frames_costs_the_grader_little(tmp_path):
    """Frames of two bytes (``{}``) cost the worker nothing to send (one write of megabytes) and the
    collector ~7 us each to decode and discard: 8 MiB of them keep the trusted collector (and the GIL
    of the whole batch) busy for ~10 s. Since the collector only looks at its deadline when no whole
    frame is buffered, and the worker's CPU stays low, each exercise burns the grader's CPU for the
    full 4 x time limit, and again for each of the 9 exercises (a fresh worker each time): ~6 minutes
    of a trusted core per submission, while the submission's own clock shows almost nothing.

    Should: a message that is neither an event nor a reply for an expected call is a protocol error
    (an honest worker never sends one), or the collector stops a task after a bounded number of
    messages/bytes beyond what its calls can need."""
    from grader.sandbox.collect import Collector

    ready = protocol.dumps({"event": "sandbox", "protections": []})
    data = len(ready).to_bytes(4, "big") + ready + ((2).to_bytes(4, "big") + b"{}") * ((8 << 20) // 6)
    read_end, write_end = os.pipe()

    def send() -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(write_end, view):]
        except OSError:
            pass
        os.close(write_end)

    threading.Thread(target=send, daemon=True).start()
    collector = Collector(1, 1000.0)
    frames = [0]

    class CountingReader(protocol.FrameReader):
        def read(self, deadline: float) -> bytes | None:
            frames[0] += 1
            return super().read(deadline)

    try:
        collector.collect(CountingReader(read_end))
    finally:
        os.close(read_end)
    # Counted, not timed: the collector stops at the first message outside the protocol, not after decoding
    # (and ignoring) 1.4 million of them, ~10 s of a trusted core on this 2-core machine.
    assert frames[0] <= 3, f"the collector decoded {frames[0]} frames of the flood"


# --- 8. the course under a system directory: the reference is in the sandbox -------------------------

STEAL = '''
def stable_softmax(logits, axis=-1):
    import os, glob
    found = sorted(glob.glob("/usr/local/src/*/solutions/softmax_cross_entropy.py"))
    if not found:
        raise RuntimeError("no reference in reach")
    namespace = {}
    exec(open(found[0]).read(), namespace)
    return namespace["stable_softmax"](logits, axis=axis)
'''


@pytest.mark.skipif(not os.access("/usr/local/src", os.W_OK), reason="needs to place a course under /usr (root)")
def test_a_course_installed_under_usr_keeps_its_reference_out_of_the_sandbox(tmp_path):
    """The private root binds all of /usr, /etc, /bin... read-only and hides only the grader package.
    A course checked out under one of them (Docker's customary ``WORKDIR /usr/src/app``, a system-wide
    /usr/local/src/course) is then inside the sandbox in full: solutions/ (the reference), quizzes/,
    and a class folder or --out directory kept in the project. A submission that finds the reference
    and calls it earns every point without writing a line (shown here for stable_softmax).

    Should: the lesson's root (and the submissions and --out directories) are hidden like the grader
    package, or the sandbox refuses to build a root that contains them (grade doctor could say so)."""
    import subprocess
    import sys
    import uuid

    from grader.course.lesson import PROJECT_ROOT
    from variants import build_submission

    course = Path("/usr/local/src") / f"grade-redteam-{uuid.uuid4().hex[:8]}"
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", ".pytest_cache")
    shutil.copytree(PROJECT_ROOT, course, ignore=ignore)
    try:
        submission = build_submission(tmp_path, {"stable_softmax": STEAL}, base=STUB)
        os.chmod(tmp_path, 0o755)
        program = (f"import sys; sys.path.insert(0, {str(course)!r}); from grader.cli.app import main; "
                   f"sys.argv = ['grade', 'check', {str(submission)!r}, '--format', 'json', "
                   "'--exercise', 'stable_softmax']; main()")
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=course, timeout=240)
        document = json.loads(done.stdout)
        softmax = next(e for e in document["exercises"] if e["name"] == "stable_softmax")
        # Before the fix: 5/5, computed by the instructor's reference read from /usr/local/src/.../solutions.
        assert softmax["score"] == 0, softmax
    finally:
        shutil.rmtree(course, ignore_errors=True)
