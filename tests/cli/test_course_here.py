"""The course is where you are (issue 21): inside a course folder every command works on that course
without --course, and every command `grade` prints for the reader to run next works as printed from
where it was printed: each one is parsed from the output and run, from the same folder, in a real process."""
from __future__ import annotations

import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.cli.app import main
from grader.course.course import COURSE_VARIABLE, Course, enclosing_course, find_course_root, grade_command
from grader.course.lesson import PROJECT_ROOT
from projects import make_project

FIXTURE = Path(__file__).resolve().parents[1] / "fixture_course"
NAME = "tiny_stats"

# A command the reader is told to run: `grade ...` after a colon, in backticks or in parentheses, up to the
# end of the line, a closing backtick or parenthesis, or a comma/semicolon ("save it to grade again" is prose).
ADVISED = re.compile(r"(?:(?<=: )|(?<=[`(]))(grade(?: [^\s`);,]+)*)")
PLACEHOLDER = re.compile(r"\b(?:NAME|PATH|FILE|QID|CHOICE)\b|<")


def advised(output: str) -> list[str]:
    """Every runnable command in ``output`` (placeholders such as NAME or PATH are not runnable), once each."""
    found = [m.rstrip(".") for m in ADVISED.findall(output)]
    return list(dict.fromkeys(c for c in found if not PLACEHOLDER.search(c)))


def grade_in(cwd: Path, *args: str) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        patch.delenv(COURSE_VARIABLE, raising=False)
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != COURSE_VARIABLE}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env


def run_as_printed(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` as the reader would type it in ``cwd`` (no input: a quiz stops before the first answer)."""
    words = shlex.split(command)
    assert words[0] == "grade", command
    return subprocess.run([sys.executable, "-m", "grader", *words[1:]], cwd=cwd, env=environment(), text=True,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=600)


def assert_each_works(output: str, cwd: Path, expected: set[str]) -> list[str]:
    """Every command advised in ``output`` runs from ``cwd`` (exit 0 or 1: it did its job; 2 is a usage error)."""
    commands = advised(output)
    assert expected <= set(commands), (commands, output)
    for command in commands:
        done = run_as_printed(command, cwd)
        assert done.returncode in (0, 1), (command, cwd, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, (command, done.stderr)
    return commands


def test_the_advised_commands_are_found_in_the_text():
    text = ("Quiz: not taken yet (take it with: grade --lesson a quiz)\n  More help: grade hint scale\n"
            "Still stuck? `grade hint x` again gives\nChoose one with: grade --lesson NAME <command>\n"
            "Seed: 1 (grade check PATH --seed 1 reproduces these inputs)\nthen run: grade --course ../c validate\n"
            "retake it with: grade quiz --retake); and (grade quiz).\nSave it to grade again.\n")
    assert advised(text) == ["grade --lesson a quiz", "grade hint scale", "grade hint x",
                             "grade --course ../c validate", "grade quiz --retake", "grade quiz"]


def test_the_course_is_the_nearest_folder_holding_lessons(tmp_path, monkeypatch):
    monkeypatch.delenv(COURSE_VARIABLE, raising=False)
    course = shutil.copytree(FIXTURE, tmp_path / "course")
    deep = course / "students" / "alice" / "exercises"
    deep.mkdir(parents=True)
    assert enclosing_course(deep) == course.resolve()
    assert find_course_root(start=deep) == course.resolve()
    assert find_course_root(Path(FIXTURE), start=deep) == FIXTURE.resolve()  # --course wins
    assert find_course_root(start=tmp_path) == PROJECT_ROOT  # outside any course: the installed project
    monkeypatch.setenv(COURSE_VARIABLE, str(FIXTURE))
    assert find_course_root(start=deep) == FIXTURE.resolve()  # $GRADE_COURSE is --course's variable
    monkeypatch.delenv(COURSE_VARIABLE)
    monkeypatch.chdir(deep)
    assert grade_command(course) == "grade"
    assert grade_command(course, "x") == "grade --lesson x"
    assert grade_command(FIXTURE) == f"grade --course {FIXTURE}"  # the shorter of its relative and absolute paths
    monkeypatch.chdir(tmp_path)
    assert grade_command(course, "x") == "grade --course course --lesson x"


def test_the_commands_act_on_the_course_you_are_in(tmp_path):
    course = shutil.copytree(FIXTURE, tmp_path / "course")
    inside = course / "exercises"
    listed = grade_in(inside, "lessons")
    assert listed.exit_code == 0 and f"in the course at {course.resolve()}" in listed.stdout
    made = grade_in(inside, "new-lesson", "second")
    assert made.exit_code == 0, made.output
    assert (course / "grader" / "lessons" / "second" / "lesson.yaml").is_file()
    assert not (PROJECT_ROOT / "grader" / "lessons" / "second").exists()  # never into the engine's project
    assert "then run: grade --lesson second validate" in made.stdout
    assert Course.at(course).names() == ("second", NAME)
    checked = grade_in(course, "check", f"exercises/{NAME}.py")
    assert checked.exit_code == 1 and f"take it with: grade --lesson {NAME} quiz" in checked.stdout


@pytest.mark.e2e  # real `grade` processes
def test_advice_works_as_printed_in_the_shipped_project(tmp_path):
    root = make_project(tmp_path / "project")
    graded = grade_in(root)
    listed = grade_in(root, "list")
    hint = grade_in(root, "hint", "stable_softmax")
    assert graded.exit_code == listed.exit_code == 1 and hint.exit_code == 0
    assert_each_works(graded.stdout + listed.stdout + hint.stdout, root,
                      {"grade quiz", "grade hint stable_softmax"})
    lessons = grade_in(PROJECT_ROOT, "lessons")
    assert lessons.exit_code == 0 and f"in the course at {PROJECT_ROOT}" in lessons.stdout


@pytest.mark.e2e
def test_advice_works_as_printed_inside_the_fixture_course():
    """tests/fixture_course entered as the current directory (nothing written there: check, lessons, quiz
    with no answer)."""
    checked = grade_in(FIXTURE, "check", f"exercises/{NAME}.py")
    assert checked.exit_code == 1, checked.output
    assert "Total: 0/5 points" in checked.stdout  # the fixture's lesson, not the shipped one
    lessons = grade_in(FIXTURE / "exercises", "lessons")
    assert f"in the course at {FIXTURE}" in lessons.stdout
    before = sorted(p.name for p in FIXTURE.iterdir())
    assert_each_works(checked.stdout + lessons.stdout, FIXTURE, {"grade quiz"})
    assert sorted(p.name for p in FIXTURE.iterdir()) == before


def _watch_screen(cwd: Path, *args: str) -> str:
    """The first screen of `grade ARGS watch` in ``cwd`` (stopped with Ctrl-C once drawn)."""
    process = subprocess.Popen([sys.executable, "-m", "grader", *args, "watch", "--interval", "0.1"], cwd=cwd,
                               env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in iter(process.stdout.readline, "")] + [lines.put("")],
                     daemon=True).start()
    seen = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            seen.append(line)
            if not line or line.startswith("Watching "):
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert seen and seen[-1].startswith("Watching "), ("".join(seen), stderr)
    return "".join(seen)


@pytest.mark.e2e
def test_advice_works_as_printed_in_a_course_of_two_lessons_and_from_outside_it(tmp_path):
    course = shutil.copytree(FIXTURE, tmp_path / "course")
    made = grade_in(course, "new-lesson", "second")
    assert made.exit_code == 0, made.output
    assert_each_works(made.stdout, course, {"grade --lesson second validate"})
    # A student's project inside the course: the course is the folder around it, the project is its own.
    alice = course / "students" / "alice"
    (alice / "exercises").mkdir(parents=True)
    shutil.copy(FIXTURE / "exercises" / f"{NAME}.py", alice / "exercises")
    listed = grade_in(alice, "list")
    assert listed.exit_code == 1, listed.output
    watched = _watch_screen(alice)
    assert f"Next: scale" in watched and f"More help: grade --lesson {NAME} hint scale" in watched
    assert_each_works(listed.stdout + watched, alice,
                      {f"grade --lesson {NAME} quiz", f"grade --lesson {NAME} hint scale"})
    assert (alice / f".grade-progress.{NAME}.json").is_file() and not (course / f".grade-progress.{NAME}.json").exists()
    # Outside the course, chosen with --course: the advice carries it.
    outside = make_project(tmp_path / "elsewhere", FIXTURE / "exercises" / f"{NAME}.py")
    (outside / "exercises" / "softmax_cross_entropy.py").rename(outside / "exercises" / f"{NAME}.py")
    graded = grade_in(outside, "--course", str(course), "--lesson", NAME)
    assert graded.exit_code == 1, graded.output
    assert_each_works(graded.stdout, outside, {f"grade --course ../course --lesson {NAME} quiz"})


def test_grade_watch_records_progress_once_per_grading(tmp_path, monkeypatch):
    import grader.cli.learning as learning
    import grader.engine.assess as assess_module

    course = shutil.copytree(FIXTURE, tmp_path / "course")
    saved: list[Path] = []
    real_save = assess_module.save_progress
    monkeypatch.setattr(assess_module, "save_progress", lambda path, progress: (saved.append(path),
                                                                                real_save(path, progress)))

    def two_gradings(path: Path, grade_once, poll: float) -> int:
        grade_once(path)
        grade_once(path)
        return 2

    monkeypatch.setattr(learning, "watch_for_saves", two_gradings)
    result = grade_in(course, "watch")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Watching exercises/tiny_stats.py") == 2
    assert saved == [course / ".grade-progress.json"] * 2


def test_batch_and_release_work_on_the_course_you_are_in(tmp_path):
    course = shutil.copytree(FIXTURE, tmp_path / "course")
    ann = course / "submissions" / "ann" / "exercises"
    ann.mkdir(parents=True)
    shutil.copy(FIXTURE / "solutions" / f"{NAME}.py", ann)
    batched = grade_in(course, "batch", "submissions", "--out", str(tmp_path / "out"), "--jobs", "1")
    assert batched.exit_code == 0, batched.output
    rows = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("name,score,max_score,scale,center,") and rows[1].startswith("ann,5,5,")
    released = grade_in(course / "exercises", "release", str(tmp_path / "student"), "--no-verify")
    assert released.exit_code == 0, released.output
    assert (tmp_path / "student" / "exercises" / f"{NAME}.py").is_file()
    assert not (tmp_path / "student" / "exercises" / "softmax_cross_entropy.py").exists()


def test_new_lesson_outside_any_course_writes_nothing_into_the_grader(tmp_path):
    """In a folder with no grader/lessons/ at or above it, the course would be the project holding this grader:
    new-lesson refuses there (exit 2, one line saying how to start a course) rather than write into it."""
    empty = tmp_path / "empty"
    empty.mkdir()
    before = sorted(p.name for p in (PROJECT_ROOT / "grader" / "lessons").iterdir())
    refused = grade_in(empty, "new-lesson", "linear_regression")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == (f"Error: no course here: no grader/lessons/ in {empty.resolve()} or above. Start a course "
                              "here with `mkdir -p grader/lessons`, or name one with `grade --course DIR new-lesson "
                              "NAME`\n")
    assert sorted(p.name for p in (PROJECT_ROOT / "grader" / "lessons").iterdir()) == before
    assert not (PROJECT_ROOT / "exercises" / "linear_regression.py").exists() and list(empty.iterdir()) == []
    (empty / "grader" / "lessons").mkdir(parents=True)  # as the message says: then it is a course of its own
    made = grade_in(empty, "new-lesson", "linear_regression")
    assert made.exit_code == 0, made.output
    assert (empty / "exercises" / "linear_regression.py").is_file()
    assert made.stdout.endswith("then run: grade validate\n")


def test_the_quiz_advice_of_check_on_another_folder_acts_on_that_folder(tmp_path):
    from grader.course.quiz import load_quiz

    course = shutil.copytree(FIXTURE, tmp_path / "course")
    carol = tmp_path / "submissions" / "carol"
    (carol / "exercises").mkdir(parents=True)
    shutil.copy(FIXTURE / "exercises" / f"{NAME}.py", carol / "exercises")
    quiz = load_quiz(course / "quizzes" / f"{NAME}.yaml")
    wrong = {q.id: next(c.id for c in q.choices if c.id != q.answer.id) for q in quiz.questions}
    (carol / "quiz_answers.yaml").write_text("".join(f"{qid}: {choice}\n" for qid, choice in wrong.items()))
    checked = grade_in(course, "check", str(carol))
    [printed] = [c for c in advised(checked.stdout) if "--retake" in c]
    assert checked.exit_code == 1 and printed == "grade quiz --save ../submissions/carol/quiz_answers.yaml --retake"
    retake = run_as_printed(printed, course)
    assert "submissions/carol/quiz_answers.yaml" in retake.stdout, retake.stdout
    mine = grade_in(course, "check", str(course))  # the course's own folder: its own quiz, no --save
    assert "grade quiz --retake" in advised(mine.stdout) or "take it with: grade quiz)" in mine.stdout, mine.output
