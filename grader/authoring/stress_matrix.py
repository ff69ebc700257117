"""The stress matrix ``grade validate`` prints and checks: which of a lesson's stress classes (grader.course.stress)
each exercise's hidden checks put a case in, at several seeds; an empty cell needs lesson.yaml's reason."""
from __future__ import annotations

from dataclasses import dataclass

from grader.core.checks import Case
from grader.course.lesson import Lesson
from grader.course.stress import StressClass

# A cell must be covered at every one of these seeds (added to the one validate runs at): hidden
# inputs are drawn at random, and a class that only some seeds reach protects only some classes.
EXTRA_SEEDS = (1, 7, 42, 100, 113, 2024, 31337)


@dataclass(frozen=True)
class StressCell:
    exercise: str
    stress: str
    title: str
    checks: tuple[str, ...]  # the hidden checks with a case in this class at every seed
    reason: str | None  # why the class does not apply to the exercise (lesson.yaml's not_stressed)

    @property
    def empty(self) -> bool:
        return not self.checks and self.reason is None


def _covering_checks(lesson: Lesson, exercise: str, stress: StressClass, seed: int) -> set[str]:
    found = set()
    for check in lesson.exercise(exercise).checks:
        if check.hidden and any(_shows(stress, exercise, case) for case in check.cases(lesson.reference, seed)):
            found.add(check.name)
    return found


def _shows(stress: StressClass, exercise: str, case: Case) -> bool:
    try:
        return bool(stress.shown_by(exercise, case))
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        return False  # a case whose arguments the predicate does not read cannot show the class


def stress_matrix(lesson: Lesson, seed: int) -> tuple[StressCell, ...]:
    """One cell per exercise and stress class, in the lesson's order."""
    cells = []
    for exercise in lesson.exercises:
        for stress in lesson.stress:
            covered: set[str] | None = None
            for each in (seed, *EXTRA_SEEDS):
                at_seed = _covering_checks(lesson, exercise.name, stress, each)
                covered = at_seed if covered is None else covered & at_seed
                if not covered:
                    break
            ordered = tuple(c.name for c in exercise.checks if c.name in (covered or set()))
            cells.append(StressCell(exercise.name, stress.id, stress.title, ordered, exercise.not_stressed.get(stress.id)))
    return tuple(cells)
