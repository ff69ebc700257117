"""`grade validate`: the course author's check of the lesson (and the known-wrong files it relies on)."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader.cli.base
from grader.cli.app import main
from grader.authoring.known_wrong import load_known_wrong, read_known_wrong, splice
from grader.course.lesson import Lesson
from grader.authoring.validate import validate_lesson
from variants import ALTERNATIVES, KNOWN_WRONG, MISTAKES, REFERENCE


@pytest.mark.slow  # over 10 s on 2 shared cores (--durations)
def test_grade_validate_passes_on_the_project():
    """The CI check: reference full marks, stubs zero, every known mistake caught and named."""
    result = CliRunner().invoke(main, ["validate"], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "Validating lesson softmax_cross_entropy (seed 2026)"
    assert "✓ reference: 35/35, every exercise passed" in lines
    assert "✓ stub: 0/35, every exercise not implemented" in lines
    assert "✓ hints: every exercise has 3 tiers (concept, formula, common bug)" in lines
    assert "✓ quiz: softmax_cross_entropy.yaml: 8 questions, exactly one correct choice each" in lines
    assert any(line.startswith("✓ stress matrix: 9 exercises x 15 classes: ") for line in lines)
    for mistake in MISTAKES:
        assert any(line.startswith(f"✓ known_wrong/{mistake}.py: ") and "named on it" in line for line in lines), mistake
    assert not any(line.startswith("✓ raises: ") for line in lines)  # every mistake shown by an exception names its type
    assert lines[-1].startswith(f"All {len(MISTAKES) + 6} checks passed")


def test_validate_advises_naming_the_type_of_a_mistake_matched_by_text_alone():
    from grader.authoring.validate import _mistake_findings
    from grader.course.lesson import Exercise, Lesson, Mistake

    by_text = Mistake("wrong_axis", "t", "h", raises_like="out of bounds")
    typed = Mistake("no_shift", "t", "h", raises_like="math range error", raises="OverflowError")
    lesson = Lesson("l", "L", "l.py", (Exercise("f", ("h",), {"wrong_axis": by_text, "no_shift": typed}, ()),), {})
    [finding] = _mistake_findings(lesson)
    assert finding.ok and "1 mistake matched by message text alone" in finding.detail
    assert "f/wrong_axis" in finding.detail and "no_shift" not in finding.detail
    typed_only = Lesson("l", "L", "l.py", (Exercise("f", ("h",), {"no_shift": typed}, ()),), {})
    assert _mistake_findings(typed_only) == []


def test_validate_advises_checking_the_values_of_a_gradient_that_only_has_to_arrive(tmp_path):
    """grad_flows alone can be forged (x.grad set by hand): validate names the checks that rely on it."""
    from grader.authoring.validate import _gradient_findings
    from grader.course.course import Course
    from output_kinds import build_kinds_lesson

    [finding] = _gradient_findings(build_kinds_lesson(tmp_path), 2026)
    assert finding.ok and finding.detail.startswith("1 check only sees that a gradient arrives, which a submission can forge")
    assert finding.detail.endswith(": square/square_flows")  # square_grad gives expect_grad
    fixture = Course.at(Path(__file__).resolve().parents[1] / "fixture_course_ml").lesson()
    assert _gradient_findings(fixture, 2026) == []  # its grad_flows cases have value_of


def test_every_known_mistake_of_the_lesson_has_a_known_wrong_file(lesson):
    described = {m for e in lesson.exercises for m in e.mistakes}
    known = load_known_wrong(KNOWN_WRONG)
    assert set(known) == described
    owner = {m: e.name for e in lesson.exercises for m in e.mistakes}
    assert all(k.function == owner[k.mistake] for k in known.values())


def test_known_wrong_files_hold_just_the_function(tmp_path):
    path = tmp_path / "no_max_shift.py"
    path.write_text("# a comment\n\ndef stable_softmax(logits, axis=-1):\n    return np.exp(logits)\n")
    known = read_known_wrong(path)
    assert (known.mistake, known.function) == ("no_max_shift", "stable_softmax")
    assert known.source == "def stable_softmax(logits, axis=-1):\n    return np.exp(logits)\n"
    spliced = splice(REFERENCE.read_text(), known.function, known.source)
    assert "return np.exp(logits)\n" in spliced and spliced.count("def stable_softmax") == 1
    (tmp_path / "two.py").write_text("def a():\n    pass\n\ndef b():\n    pass\n")
    with pytest.raises(ValueError, match="exactly one top-level function"):
        read_known_wrong(tmp_path / "two.py")
    # Anything beside the function used to be dropped silently when it was swapped into the reference: the
    # helper it names is then undefined, and validate said only that the feedback names no mistake.
    (tmp_path / "wrapped.py").write_text('"""Why."""\n_original = train\n\ndef train(w):\n    return _original(w)\n')
    with pytest.raises(ValueError, match="line 2 is an assignment outside the function; a known-wrong file holds just "
                                         r"the wrong function.*\(put it inside the function\)"):
        read_known_wrong(tmp_path / "wrapped.py")
    (tmp_path / "imports.py").write_text("import math\n\ndef f(x):\n    return math.exp(x)\n")
    with pytest.raises(ValueError, match="line 1 is an import outside the function"):
        read_known_wrong(tmp_path / "imports.py")


def _broken_lesson(lesson: Lesson, folder: Path) -> Lesson:
    """The lesson with one hint tier missing and a known_wrong/ folder with the problems authors make."""
    known = folder / "known_wrong"
    known.mkdir(parents=True)
    function, source = ALTERNATIVES["softmax_loops"]  # a correct softmax filed as a mistake: nothing catches it
    (known / "global_max.py").write_text(source)
    (known / "no_max_shift.py").write_text(MISTAKES["no_max_shift"][1])  # a real one, still caught
    (known / "made_up_mistake.py").write_text(MISTAKES["sum_not_mean"][1])  # no such mistake in lesson.yaml
    (known / "wrong_axis.py").write_text(MISTAKES["sum_not_mean"][1])  # the function of another exercise
    (known / "sum_not_mean.py").write_text("import math\n" + MISTAKES["sum_not_mean"][1])  # an import beside it
    (known / "shift_numerator_only.py").write_text(  # caught, but not as the mistake it is filed as
        "def stable_softmax(logits, axis=-1):\n    return np.zeros_like(np.asarray(logits, dtype=float))\n")
    first = lesson.exercises[0]
    exercises = (dataclasses.replace(first, hints=first.hints[:2]), *lesson.exercises[1:])
    return dataclasses.replace(lesson, exercises=exercises, directory=folder)


def test_validate_lists_every_failure_and_exits_1(lesson, tmp_path, monkeypatch):
    broken = _broken_lesson(lesson, tmp_path / "lesson")
    quiz = tmp_path / "quiz.yaml"
    quiz.write_text("title: t\npass_above: 0.5\nquestions:\n- id: q1\n  prompt: p\n  reread: r\n  exercise: e\n"
                    "  choices:\n  - {id: a, text: x, explanation: y}\n  - {id: b, text: x, explanation: y}\n")
    validation = validate_lesson(broken, quiz_path=quiz)
    failures = {f.subject: f.detail for f in validation.failures}
    assert not validation.passed
    assert failures["hints"].endswith("stable_softmax has 2")
    assert "question q1: no correct choice" in failures["quiz"]
    assert failures["known_wrong/global_max.py"] == "stable_softmax kept full marks (5/5): no check catches it"
    assert failures["known_wrong/made_up_mistake.py"] == "lesson.yaml describes no mistake made_up_mistake"
    assert failures["known_wrong/wrong_axis.py"] == "defines sequence_mean_loss, but wrong_axis is a mistake of stable_softmax"
    assert failures["known_wrong/sum_not_mean.py"].endswith("sum_not_mean.py: line 1 is an import outside the function; a "
                                                           "known-wrong file holds just the wrong function, which alone "
                                                           "replaces the reference's, so anything else would be dropped "
                                                           "(put it inside the function)")
    said = failures["known_wrong/shift_numerator_only.py"]
    assert said.startswith("stable_softmax lost points (0/5) but the feedback names ")
    assert ", not shift_numerator_only (it says: the lesson's logits [3, 1, 0]: expected [0.8438, 0.1142, 0.042 ], " \
           "got [0., 0., 0.]: max abs error 0.844 at index 0 " in said
    missing = failures["known_wrong/"].removeprefix("no known_wrong/<mistake>.py for: ").split(", ")
    assert missing[0] == "mutates_input" and "temperature_multiplied" in missing and "no_max_shift" not in missing
    assert "sum_not_mean" not in missing and "shift_numerator_only" not in missing  # there, said above
    assert "known_wrong/no_max_shift.py" not in failures
    assert {f.subject for f in validation.findings if f.ok} >= {"reference", "stub", "known_wrong/no_max_shift.py"}

    monkeypatch.setattr(grader.cli.base.Selection, "lessons", lambda self: (broken,))
    result = CliRunner().invoke(main, ["validate"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "✗ known_wrong/global_max.py: stable_softmax kept full marks" in result.stdout
    assert f"{len(failures) - 1} of {len(validation.findings)} checks failed:" in result.stdout  # the real quiz is fine
    assert "  - hints: " in result.stdout


def test_validate_needs_the_instructors_project(lesson, tmp_path, monkeypatch):
    copy = tmp_path / "lesson"
    copy.mkdir()
    (copy / "released_expectations.json").write_text("{}")
    monkeypatch.setattr(grader.cli.base.Selection, "lessons", lambda self: (dataclasses.replace(lesson, directory=copy),))
    result = CliRunner().invoke(main, ["validate"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: grade validate works in the instructor's project: this is a student copy (no solutions/)"


@pytest.mark.parametrize("seed", [42, 100, 104])
def test_the_log_of_softmax_loses_points_at_seeds_where_no_target_underflowed_by_chance(grade, tmp_path, seed):
    """large_logits_positions forces one target ~1500 below the rest of its row: at these seeds the random
    rows alone left every target's probability above 0, and -log(softmax) kept full marks."""
    from variants import build_submission
    function, source = MISTAKES["positions_log_of_softmax"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,), seed=seed)
    exercise = report.exercises[0]
    assert exercise.score < exercise.max_score and "positions_log_of_softmax" in exercise.mistakes


@pytest.mark.parametrize("command", [["validate"], ["check", "STUB"], ["release", "OUT"],
                                     ["batch", "CLASS", "--out", "OUT"]])
def test_a_check_that_cannot_build_its_case_is_one_line_with_its_place_not_a_traceback(tmp_path, command):
    """A lesson author's Case that cannot be (here a dtype that is no dtype name) raised its ValueError through
    every command as a traceback; it is the lesson's bug, reported in one line with the check and its line."""
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixture_course", course,
                    ignore=shutil.ignore_patterns("__pycache__"))
    checks = course / "grader" / "lessons" / "tiny_stats" / "checks.py"
    checks.write_text(checks.read_text().replace(
        'return Case((x, -0.5), "four random numbers times -0.5", ref.scale(x, -0.5))',
        'return Case((x, -0.5), "four random numbers times -0.5", ref.scale(x, -0.5), dtype="float")'))
    (tmp_path / "class" / "ann").mkdir(parents=True)
    shutil.copy(course / "exercises" / "tiny_stats.py", tmp_path / "class" / "ann")
    where = {"OUT": str(tmp_path / "out"), "STUB": str(course / "exercises" / "tiny_stats.py"),
             "CLASS": str(tmp_path / "class")}
    args = ["--course", str(course), *[where.get(a, a) for a in command]]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    line = [line for line in result.stderr.splitlines() if line]
    assert line == ["Error: check scale/random_scale could not build its cases: ValueError: Case dtype 'float' is "
                    "not a dtype name; use one of bfloat16, bool, float16, float32, float64, int16, int32, int64, "
                    "int8, uint16, uint32, uint64, uint8 (checks.py, line 22)"]
    assert not (tmp_path / "out").exists() or command[0] == "release"  # a batch grades nobody: no row of errors


@pytest.mark.parametrize("body, said", [
    ('    return {"value": x - x.min() / 0.0 if x.size > 99 else 1 / 0}\n',
     "raised ZeroDivisionError: division by zero (predictions.py, line 14); a prediction returns the mistake's "
     "outputs, or None where the case cannot show it"),
    ('    return {"values": x - x.min()}\n', "names outputs ['values'] the case cannot have (its outputs: value;"),
    ('    return x - x.min()\n', "returned a ndarray; a prediction returns a dict of outputs"),
])
def test_a_prediction_feedback_could_never_use_is_named_with_its_error_not_only_as_a_mistake_named_nowhere(
        tmp_path, body, said):
    """A prediction that raised (for a mistake lesson.yaml does not say raises) or named an output the case
    cannot have was taken as "this case cannot show the mistake": validate said only that the known-wrong file
    "names no mistake", and the author had to read the engine to learn why."""
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixture_course", course,
                    ignore=shutil.ignore_patterns("__pycache__"))
    predictions = course / "grader" / "lessons" / "tiny_stats" / "predictions.py"
    text = predictions.read_text()
    assert '    return {"value": x - x.min()}\n' in text
    predictions.write_text(text.replace('    return {"value": x - x.min()}\n', body))
    result = CliRunner().invoke(main, ["--course", str(course), "validate"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("✗ predictions.py: subtract_min: on "))
    assert said in line, line


def test_a_prediction_that_returns_no_dict_is_not_a_traceback_in_check_or_release(tmp_path):
    """A prediction returning a bare array (not {"value": ...}) crashed every grading of a wrong answer with
    "The truth value of an array ... is ambiguous", and grade release likewise: a student's check now grades
    (the prediction names nothing), and release refuses in one line, exit 2."""
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixture_course", course,
                    ignore=shutil.ignore_patterns("__pycache__"))
    predictions = course / "grader" / "lessons" / "tiny_stats" / "predictions.py"
    predictions.write_text(predictions.read_text().replace('    return {"value": x - x.min()}\n', "    return x - x.min()\n"))
    known = read_known_wrong(course / "grader" / "lessons" / "tiny_stats" / "known_wrong" / "subtract_min.py")
    student = tmp_path / "student" / "tiny_stats.py"
    student.parent.mkdir()
    student.write_text(splice((course / "solutions" / "tiny_stats.py").read_text(), known.function, known.source))
    checked = CliRunner().invoke(main, ["--course", str(course), "check", str(student)], catch_exceptions=False)
    assert checked.exit_code == 1 and "center" in checked.stdout, checked.output
    released = CliRunner().invoke(main, ["--course", str(course), "release", str(tmp_path / "out")],
                                  catch_exceptions=False)
    assert released.exit_code == 2, released.output
    assert [line for line in released.stderr.splitlines() if line] == [
        "Error: the prediction of subtract_min cannot be released: it returned a ndarray; a prediction returns a "
        'dict of outputs ({"value": ...}), a list of such dicts, or None']


@pytest.mark.parametrize("file, old, new, said", [
    ("checks.py", '@CHECKS.add("scale", points=1)\n', '@CHECKS.add("scale", points=-1)\n',
     "ValueError: CHECKS.add('scale', points=-1): points must be a positive number (checks.py, line 14)"),
    ("checks.py", "def random_scale(", "def lesson_scale(", "ValueError: duplicate check scale/lesson_scale (checks.py, line 19)"),
    ("checks.py", "LESSON_NUMBERS = np.array([1.0, 2.0, 6.0])\n", "LESSON_NUMBERS = np.arange(3.0).reshape(2, 2)\n",
     "ValueError: cannot reshape array of size 3 into shape (2,2) (checks.py, line 11)"),
    ("predictions.py", '{"value": x - x.min()}', '{"value": x - x.min()',
     "SyntaxError: '{' was never closed (predictions.py, line 14)"),
])
@pytest.mark.parametrize("command", [["validate"], ["check", "STUB"]])
def test_an_error_in_the_lesson_s_code_is_one_line_with_its_place_not_a_traceback(tmp_path, file, old, new, said, command):
    """A bug in checks.py or predictions.py at import (a duplicate check name, points that are not a positive
    number, any exception) was a traceback and exit code 1, which reads as "graded, something short"."""
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixture_course", course,
                    ignore=shutil.ignore_patterns("__pycache__"))
    path = course / "grader" / "lessons" / "tiny_stats" / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    args = [str(course / "exercises" / "tiny_stats.py") if a == "STUB" else a for a in command]
    result = CliRunner().invoke(main, ["--course", str(course), *args], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert [line for line in result.stderr.splitlines() if line] == [
        f"Error: {course / 'grader' / 'lessons' / 'tiny_stats'}: the lesson's code could not be imported: {said}"]


@pytest.mark.parametrize("command", [["validate"], ["check", "STUB"]])
def test_a_check_that_builds_no_cases_is_one_line_not_a_traceback_or_free_points(tmp_path, command):
    """A check returning [] (a loop over an empty range) had no case to fail: validate stopped with an IndexError
    traceback, and a grade would have given its points for nothing."""
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixture_course", course,
                    ignore=shutil.ignore_patterns("__pycache__"))
    checks = course / "grader" / "lessons" / "tiny_stats" / "checks.py"
    old = 'return Case((x, -0.5), "four random numbers times -0.5", ref.scale(x, -0.5))'
    assert old in checks.read_text()
    checks.write_text(checks.read_text().replace(old, "return []"))
    args = [str(course / "exercises" / "tiny_stats.py") if a == "STUB" else a for a in command]
    result = CliRunner().invoke(main, ["--course", str(course), *args], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert [line for line in result.stderr.splitlines() if line] == [
        "Error: check scale/random_scale built no cases: it would give its points for nothing; a check returns a "
        "Case or a non-empty list of Cases"]


def test_a_reference_short_of_full_marks_says_why(tmp_path):
    """validate said only "reference: 4/6; short of full marks: center 0/3 (failed)": the author had to grade the
    reference by hand to learn what failed (here it calls a function the exercise forbids)."""
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixture_course", course,
                    ignore=shutil.ignore_patterns("__pycache__"))
    solution = course / "solutions" / "tiny_stats.py"
    solution.write_text(solution.read_text().replace("    return x - x.mean()\n", "    return x - np.mean(x)\n"))
    lesson = course / "grader" / "lessons" / "tiny_stats" / "lesson.yaml"
    lesson.write_text(lesson.read_text().replace("  - name: center\n", "  - name: center\n    forbidden: [numpy.mean]\n"))
    result = CliRunner().invoke(main, ["--course", str(course), "validate"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert ("✗ reference: 2/5; short of full marks: center 0/3 (failed) (it says: lesson_center: the lesson's numbers "
            "[1, 2, 6]: calls numpy.mean, which this exercise asks you to write yourself)") in result.stdout.splitlines()


def test_a_reference_that_raises_while_a_check_builds_names_the_reference_s_line_too(tmp_path):
    """The place was the check's line only (ref.center(...)); the error was in the reference."""
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixture_course", course,
                    ignore=shutil.ignore_patterns("__pycache__"))
    solution = course / "solutions" / "tiny_stats.py"
    text = solution.read_text()
    assert "    return x - x.mean()\n" in text
    solution.write_text(text.replace("    return x - x.mean()\n", "    return x - x.average()\n"))
    line = next(n for n, l in enumerate(solution.read_text().splitlines(), 1) if "x.average()" in l)
    result = CliRunner().invoke(main, ["--course", str(course), "validate"], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        "Error: check center/lesson_center could not build its cases: AttributeError: 'numpy.ndarray' object has no "
        f"attribute 'average' (checks.py, line 27; solutions/tiny_stats.py, line {line})")


@pytest.mark.parametrize("annotated", [True, False])
def test_a_reference_that_breaks_its_stub_s_return_annotation_is_shown(tmp_path, annotated):
    """The stub's ``-> np.ndarray`` is the type every submission is held to (verify._type_problem): a reference that
    returns a list breaks it, and validate says so. Without the annotation a list of the right numbers passes."""
    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixture_course", course,
                    ignore=shutil.ignore_patterns("__pycache__"))
    solution = course / "solutions" / "tiny_stats.py"
    solution.write_text(solution.read_text().replace("    return x - x.mean()\n", "    return (x - x.mean()).tolist()\n"))
    if annotated:
        stub = course / "exercises" / "tiny_stats.py"
        stub.write_text(stub.read_text().replace("def center(x):", "def center(x) -> np.ndarray:"))
    result = CliRunner().invoke(main, ["--course", str(course), "validate"], catch_exceptions=False)
    reference = next(line for line in result.stdout.splitlines() if "reference:" in line)
    if annotated:
        assert result.exit_code == 1, result.output
        assert "short of full marks: center 0/3 (failed)" in reference
        assert "returned a list, not a NumPy array" in reference
    else:
        assert reference.startswith("✓ reference: 5/5"), reference
