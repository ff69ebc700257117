"""What `grade watch` and `grade` say to work on next (grader.cli.learning_render), from hand-made reports."""
from __future__ import annotations

from grader.cli.learning_render import next_exercise, render_next
from grader.core.model import IMPORT_ERROR_PREFIX, CheckResult, ExerciseResult, ExerciseStatus, Report
from grader.course.progress import Progress


def result(name: str, status: ExerciseStatus, detail: str = "") -> ExerciseResult:
    passed = status is ExerciseStatus.PASSED
    return ExerciseResult(name, status, (CheckResult("shape", 1.0, passed, False),), detail=detail)


def report(*results: ExerciseResult) -> Report:
    return Report("work.py", 2026, results)


def test_the_first_exercise_short_of_full_marks_is_next(lesson):
    names = [e.name for e in lesson.exercises]
    done = report(*(result(n, ExerciseStatus.PASSED) for n in names))
    assert next_exercise(done) is None
    mixed = report(result(names[0], ExerciseStatus.PASSED), result(names[1], ExerciseStatus.NOT_IMPLEMENTED),
                   result(names[2], ExerciseStatus.FAILED))
    assert next_exercise(mixed).name == names[1]


def test_the_next_screen_shows_the_hints_seen_so_far(lesson):
    exercise = lesson.exercises[1]
    failing = report(result(lesson.exercises[0].name, ExerciseStatus.PASSED), result(exercise.name, ExerciseStatus.FAILED))
    first = render_next(failing, lesson, None)
    assert first.startswith(f"Next: {exercise.name} (")
    assert f"Hint 1 of {len(exercise.hints)}" in first and "Hint 2 of" not in first
    seen = Progress(lesson.name).with_hints_seen(exercise.name, 2)
    assert f"Hint 2 of {len(exercise.hints)}" in render_next(failing, lesson, seen)


def test_every_exercise_passed_points_at_the_quiz(lesson):
    done = report(*(result(e.name, ExerciseStatus.PASSED) for e in lesson.exercises))
    assert render_next(done, lesson, None).startswith("Every graded exercise has full marks. Next: the quiz")


def test_a_file_that_does_not_import_comes_first(lesson):
    detail = IMPORT_ERROR_PREFIX + "line 3: invalid syntax"
    broken = report(*(result(e.name, ExerciseStatus.ERROR, detail) for e in lesson.exercises))
    text = render_next(broken, lesson, None)
    assert text.startswith("Next: make your file import again") and "line 3: invalid syntax" in text
