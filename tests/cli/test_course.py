"""A course, not a lesson: a fixture lesson no engine file names is listed, graded, validated,
batched and released through the command line; several lessons live side by side."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from grader.cli.app import main
from grader.course.course import Course
from grader.course.lesson import PROJECT_ROOT

FIXTURE = Path(__file__).resolve().parents[1] / "fixture_course"
NAME = "tiny_stats"
SOLUTION = FIXTURE / "solutions" / f"{NAME}.py"
STUB = FIXTURE / "exercises" / f"{NAME}.py"
MISTAKE = FIXTURE / "grader" / "lessons" / NAME / "known_wrong" / "subtract_min.py"


def grade(cwd: Path, *args: str, course: Path = FIXTURE, input: str | None = None) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        return CliRunner().invoke(main, ["--course", str(course), *args], input=input, catch_exceptions=False)


def with_mistake() -> str:
    """The solution with center replaced by the known-wrong one."""
    from grader.authoring.known_wrong import read_known_wrong, splice

    known = read_known_wrong(MISTAKE)
    return splice(SOLUTION.read_text(), known.function, known.source)


def project(root: Path, source: str, answers: dict[str, str] | None = None, name: str = NAME) -> Path:
    (root / "exercises").mkdir(parents=True, exist_ok=True)
    (root / "exercises" / f"{name}.py").write_text(source)
    if answers is not None:
        (root / "quiz_answers.yaml").write_text(yaml.safe_dump(answers))
    return root


def test_no_engine_file_knows_the_fixture_lesson():
    engine = [p for p in (PROJECT_ROOT / "grader").rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".md")]
    assert engine and not [p for p in engine if NAME in p.read_text(encoding="utf-8")]
    assert Course.at(FIXTURE).names() == (NAME,)


def test_grade_lessons_lists_the_course(tmp_path):
    result = grade(tmp_path, "lessons")
    assert result.exit_code == 0
    assert f"{NAME}: Tiny statistics" in result.stdout
    assert "2 exercises, 5 points (exercises/tiny_stats.py); quiz quizzes/tiny_stats.yaml, passed above 50%" in result.stdout


def test_the_fixture_lesson_is_graded_with_its_own_quiz_and_threshold(tmp_path):
    right = project(tmp_path / "right", SOLUTION.read_text(), {"q1": "a", "q2": "a"})
    result = grade(right)
    assert result.exit_code == 0, result.output
    assert "✓ scale" in result.stdout and "✓ center" in result.stdout and "Total: 5/5 points" in result.stdout
    assert "Quiz: 2/2 = 100%, passed" in result.stdout

    half = project(tmp_path / "half", SOLUTION.read_text(), {"q1": "a", "q2": "b"})
    result = grade(half)
    assert result.exit_code == 1
    assert "Quiz: 1/2 = 50%, not passed (needs more than 50%)" in result.stdout  # the quiz's threshold, not 75%
    assert "a quiz score above 50%" in result.stdout

    wrong = project(tmp_path / "wrong", with_mistake())
    result = grade(wrong, "check", str(wrong / "exercises" / f"{NAME}.py"), "--format", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 1 and document["score"] == 2 and document["max_score"] == 5
    center = next(e for e in document["exercises"] if e["name"] == "center")
    assert {c["mistake"] for c in center["checks"]} == {"subtract_min"}

    stub = project(tmp_path / "stub", STUB.read_text())
    result = grade(stub)
    assert result.exit_code == 1 and result.stdout.count("not implemented yet") == 2


def test_the_fixture_lesson_validates():
    result = grade(FIXTURE, "validate")
    assert result.exit_code == 0, result.stdout
    assert "✓ known_wrong/subtract_min.py: center 0/3, named on it; every other exercise full marks" in result.stdout
    assert "✓ quiz: tiny_stats.yaml: 2 questions, exactly one correct choice each" in result.stdout


def test_the_fixture_lesson_is_batched(tmp_path):
    submissions = tmp_path / "submissions"
    project(submissions / "ann", SOLUTION.read_text(), {"q1": "a", "q2": "a"})
    project(submissions / "bob", with_mistake())
    result = grade(tmp_path, "batch", str(submissions), "--out", str(tmp_path / "out"), "--jobs", "2")
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()
    assert rows[0] == "name,score,max_score,scale,center,quiz_percent,quiz_passed,status,message"
    assert rows[1].startswith("ann,5,5,2,3,100,true,graded") and rows[2].startswith("bob,2,5,2,0,,,graded")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert [m["mistake"] for m in summary["mistakes"]] == ["subtract_min"]


def test_the_fixture_lesson_is_released_alone(tmp_path):
    out = tmp_path / "student"
    result = grade(tmp_path, "release", str(out))
    assert result.exit_code == 0, result.stdout
    assert "✓ 1 known-wrong variant: each report equal to the project's" in result.stdout
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert {f"exercises/{NAME}.py", f"quizzes/{NAME}.yaml", f"grader/lessons/{NAME}/lesson.yaml"} <= files
    assert not [f for f in files if "softmax" in f or f.startswith("solutions/") or "known_wrong/" in f]
    assert (out / "README.md").read_text() == (FIXTURE / "grader" / "lessons" / NAME / "student_README.md").read_text()


@pytest.fixture(scope="module")
def two_lessons(tmp_path_factory) -> Path:
    """The fixture course plus a lesson written by `grade new-lesson`: both quizzes use the ids q1 and q2."""
    course = tmp_path_factory.mktemp("course") / "course"
    shutil.copytree(FIXTURE, course, ignore=shutil.ignore_patterns("__pycache__"))
    result = grade(course, "new-lesson", "doubling", course=course)
    assert result.exit_code == 0, result.output
    return course


def test_new_lesson_writes_only_the_lessons_own_files(two_lessons):
    assert Course.at(two_lessons).names() == ("doubling", NAME)
    written = {str(p.relative_to(two_lessons)) for p in two_lessons.rglob("*") if p.is_file()
               and "__pycache__" not in p.parts}
    original = {str(p.relative_to(FIXTURE)) for p in FIXTURE.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    added = written - original
    assert added and all(f in ("exercises/doubling.py", "solutions/doubling.py", "quizzes/doubling.yaml")
                         or f.startswith("grader/lessons/doubling/") for f in added)
    again = grade(two_lessons, "new-lesson", "doubling", course=two_lessons)
    assert again.exit_code == 2 and "already has files" in again.stderr


def test_a_course_of_two_lessons(two_lessons, tmp_path):
    listed = grade(tmp_path, "lessons", course=two_lessons)
    assert "2 lessons in the course" in listed.stdout and "doubling: Doubling" in listed.stdout
    assert "Choose one with: grade --course" in listed.stdout and "--lesson NAME <command>" in listed.stdout
    alone = grade(tmp_path, "lessons", course=FIXTURE)  # one lesson: every command works on it, no --lesson
    assert "1 lesson in the course" in alone.stdout and "Choose one" not in alone.stdout

    student = project(tmp_path / "student", SOLUTION.read_text())
    project(student, (two_lessons / "solutions" / "doubling.py").read_text(), name="doubling")
    (student / "quiz_answers.tiny_stats.yaml").write_text("q1: a\nq2: a\n")
    (student / "quiz_answers.doubling.yaml").write_text("q1: a\nq2: b\n")  # the same ids, another quiz

    result = grade(student, course=two_lessons)
    assert result.exit_code == 1, result.output
    assert result.stdout.count("Grading ") == 2 and "Quiz: 2/2 = 100%, passed" in result.stdout
    assert "Quiz: 1/2 = 50%, not passed" in result.stdout
    assert result.stdout.endswith("Course: 2 lessons graded (doubling, tiny_stats); 7/7 points; "
                                  "1 of 2 lessons complete.\n")
    assert {p.name for p in student.glob(".grade-progress*")} == {".grade-progress.doubling.json",
                                                                  ".grade-progress.tiny_stats.json"}

    one = grade(student, "--lesson", NAME, course=two_lessons)
    assert one.exit_code == 0 and one.stdout.count("Grading ") == 1 and "Course:" not in one.stdout

    inferred = grade(student, "check", str(student / "exercises" / "doubling.py"), "--format", "json",
                     course=two_lessons)
    assert [e["name"] for e in json.loads(inferred.stdout)["exercises"]] == ["double"]

    ambiguous = grade(student, "check", str(student), course=two_lessons)
    assert ambiguous.exit_code == 2 and "holds several lessons' files" in ambiguous.stderr
    assert grade(student, "--format", "json", course=two_lessons).exit_code == 2

    hint = grade(student, "hint", "center", course=two_lessons)
    assert hint.exit_code == 0 and hint.stdout.startswith("center: hint 1 of 3")
    unknown = grade(student, "--lesson", "nope", "lessons", course=two_lessons)
    assert unknown.exit_code == 2 and "no lesson 'nope'" in unknown.stderr and "doubling, tiny_stats" in unknown.stderr


def test_every_lesson_of_a_course_validates(two_lessons):
    result = grade(two_lessons, "validate", course=two_lessons)
    assert result.exit_code == 0, result.stdout
    assert "Validating lesson doubling (seed 2026)" in result.stdout
    assert f"Validating lesson {NAME} (seed 2026)" in result.stdout


def test_a_lesson_whose_names_disagree_is_refused(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course, ignore=shutil.ignore_patterns("__pycache__"))
    lesson_file = course / "grader" / "lessons" / NAME / "lesson.yaml"
    lesson_file.write_text(lesson_file.read_text().replace("student_file: tiny_stats.py", "student_file: stats.py"))
    result = grade(tmp_path, "lessons", course=course)
    assert result.exit_code == 2
    assert "student_file 'stats.py' must be tiny_stats.py" in result.stderr


def test_group_options_before_a_subcommand_are_refused_not_dropped(tmp_path):
    result = CliRunner().invoke(main, ["--format", "json", "--seed", "7", "check", str(tmp_path)])
    assert result.exit_code == 2
    assert "--format, --seed: given before `check`, where they do not apply" in result.stderr


def test_a_course_of_two_lessons_is_released_whole_and_grades_what_it_holds(two_lessons, tmp_path):
    out = tmp_path / "student"
    result = grade(tmp_path, "release", str(out), course=two_lessons)
    assert result.exit_code == 0, result.stdout
    assert "doubling: 1 known-wrong variant:" in result.stdout and f"{NAME}: 1 known-wrong variant:" in result.stdout
    assert Course.at(out).names() == ("doubling", NAME)
    readme = (out / "README.md").read_text()
    assert "This copy holds 2 lessons" in readme and "# Tiny statistics" in readme
    assert not (out / "solutions").exists()


def test_answers_written_by_a_one_lesson_copy_count_in_a_course_of_several(two_lessons, tmp_path):
    """A one-lesson copy saves quiz_answers.yaml; the instructor's course of two lessons looks for
    quiz_answers.NAME.yaml. The file names its lesson in its header, so it is this lesson's quiz and no
    other's (both quizzes here use the ids q1 and q2)."""
    student = project(tmp_path / "student", SOLUTION.read_text())
    taken = grade(student, "quiz", input="a\na\n")  # the one-lesson course (the fixture): quiz_answers.yaml
    assert taken.exit_code == 0, taken.output
    assert (student / "quiz_answers.yaml").read_text().splitlines()[1] == f"# lesson: {NAME}"

    checked = grade(student, "--lesson", NAME, "check", str(student), "--format", "json", course=two_lessons)
    assert json.loads(checked.stdout)["quiz"]["score"] == 2
    listed = grade(student, "--lesson", NAME, "list", course=two_lessons)
    assert "2/2" in listed.stdout, listed.stdout

    classroom = tmp_path / "class"
    shutil.copytree(student, classroom / "ada")
    out = tmp_path / "out"
    batched = grade(tmp_path, "--lesson", NAME, "batch", str(classroom), "--out", str(out), "--seed", "7",
                    course=two_lessons)
    assert batched.exit_code == 0, batched.output
    assert json.loads((out / "ada.json").read_text())["quiz"]["score"] == 2

    # Not for the other lesson, and never silently: the report says why it was left out.
    project(student, (two_lessons / "solutions" / "doubling.py").read_text(), name="doubling")
    other = grade(student, "--lesson", "doubling", "check", str(student), "--format", "json", course=two_lessons)
    assert json.loads(other.stdout)["quiz"] is None
    assert json.loads(other.stdout)["left_out"] == [
        "quiz_answers.yaml is not graded for lesson doubling: its header says it is lesson tiny_stats's"]
    gradescope = grade(student, "--lesson", "doubling", "check", str(student), "--format", "gradescope",
                       "--unconfined", "--seed", "1", course=two_lessons)
    assert ("Left out of grading: quiz_answers.yaml is not graded for lesson doubling"
            in json.loads(gradescope.stdout)["output"])


def test_a_plain_answers_file_is_the_chosen_lessons_in_a_course_of_several(two_lessons, tmp_path):
    """Issue 22, item 2: with the lesson explicit (--lesson, or the only lesson whose files a submission
    holds), a quiz_answers.yaml without a '# lesson:' header is that lesson's; one that is not used is
    always reported (text, JSON, the gradebook row)."""
    classroom = tmp_path / "class"
    ada = project(classroom / "ada", SOLUTION.read_text(), {"q1": "a", "q2": "a"})  # no header
    out = tmp_path / "out"
    batched = grade(tmp_path, "--lesson", NAME, "batch", str(classroom), "--out", str(out), "--seed", "7",
                    "--unconfined", course=two_lessons)
    assert batched.exit_code == 0, batched.output
    document = json.loads((out / "ada.json").read_text())
    assert document["quiz"]["score"] == 2 and document["batch"]["message"] == ""

    checked = grade(ada, "--lesson", NAME, "check", str(ada), "--format", "json", course=two_lessons)
    assert json.loads(checked.stdout)["quiz"]["score"] == 2
    alone = grade(ada, "--format", "json", course=two_lessons)  # the project holds only this lesson's files
    assert json.loads(alone.stdout)["quiz"]["score"] == 2

    # The answers file of another lesson: not graded for this one, and the row says so.
    (ada / "quiz_answers.yaml").write_text("# lesson: doubling\nq1: a\nq2: a\n")
    grade(tmp_path, "--lesson", NAME, "batch", str(classroom), "--out", str(out), "--seed", "7", "--unconfined",
          course=two_lessons)
    document = json.loads((out / "ada.json").read_text())
    assert document["quiz"] is None
    assert "quiz_answers.yaml is not graded for lesson tiny_stats: its header says it is lesson doubling's" \
        in document["batch"]["message"]
    assert document["left_out"] == [document["batch"]["message"]]
    gradebook = (out / "gradebook.csv").read_text()
    assert "its header says it is lesson doubling's" in gradebook

    # Beside the lesson's own answers file, a plain one is not graded either, and the row says so.
    (ada / "quiz_answers.yaml").write_text("q1: b\nq2: b\n")
    (ada / f"quiz_answers.{NAME}.yaml").write_text("q1: a\nq2: a\n")
    grade(tmp_path, "--lesson", NAME, "batch", str(classroom), "--out", str(out), "--seed", "7", "--unconfined",
          course=two_lessons)
    document = json.loads((out / "ada.json").read_text())
    assert document["quiz"]["score"] == 2
    assert f"quiz_answers.yaml is not graded: quiz_answers.{NAME}.yaml" in document["batch"]["message"]

    # A project holding both lessons' files, no --lesson: an unmarked file could be either's; said, not used.
    (ada / f"quiz_answers.{NAME}.yaml").unlink()
    project(ada, (two_lessons / "solutions" / "doubling.py").read_text(), name="doubling")
    both = grade(ada, course=two_lessons)
    assert both.stdout.count("Quiz:") == 0
    assert both.stdout.count("quiz_answers.yaml is not graded: it names no lesson and several lessons' files") == 2
    assert "make its first line '# lesson: tiny_stats'" in both.stdout
    listed = grade(ada, "list", course=two_lessons)
    assert listed.stdout.count("quiz_answers.yaml is not graded: it names no lesson") == 2


def _course_with_lesson_threshold(tmp_path: Path, pass_above: float | None) -> Path:
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course, ignore=shutil.ignore_patterns("__pycache__"))
    where = course / "grader" / "lessons" / NAME / "lesson.yaml"
    raw = yaml.safe_load(where.read_text())
    assert "pass_above" not in raw  # the fixture leaves the threshold to its quiz file
    if pass_above is not None:
        raw["pass_above"] = pass_above
    where.write_text(yaml.safe_dump(raw, sort_keys=False))
    return course


def test_the_quiz_file_is_the_one_source_of_the_pass_threshold(tmp_path):
    """lesson.yaml need not repeat pass_above: the quiz file's 0.5 is the lesson's, in every report."""
    course = _course_with_lesson_threshold(tmp_path, None)
    assert "passed above 50%" in grade(tmp_path, "lessons", course=course).stdout
    half = project(tmp_path / "half", SOLUTION.read_text(), {"q1": "a", "q2": "b"})
    result = grade(half, course=course)
    assert "Quiz: 1/2 = 50%, not passed (needs more than 50%)" in result.stdout
    validated = grade(tmp_path, "validate", course=course)
    assert validated.exit_code == 0, validated.stdout


def test_a_lesson_yaml_threshold_that_contradicts_the_quiz_is_one_line_exit_2(tmp_path):
    course = _course_with_lesson_threshold(tmp_path, 0.75)
    result = grade(tmp_path, "lessons", course=course)
    assert result.exit_code == 2
    assert "tiny_stats.yaml: pass_above 0.5 but lesson tiny_stats says 0.75" in result.output
    assert "make them equal" in result.output and "Traceback" not in result.output
