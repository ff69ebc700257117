"""The stress matrix: which adversarial classes of input each exercise's checks put to a submission.

A lesson names its stress classes (underflow, overflow, every allowed shape, degenerate values...)
with a predicate over a check's case: does this call exercise the class? The matrix is computed from
the cases the hidden checks really build, at several seeds, so a claim cannot drift away from the inputs.
An exercise either has a case in every class, or its lesson.yaml says why a class does not apply
(``not_stressed: {class: reason}``); ``grade validate`` prints the matrix and fails on an empty cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

from grader.checks import Case

if TYPE_CHECKING:
    from grader.lesson import Lesson

# A cell must be covered at every one of these seeds (added to the one validate runs at): hidden
# inputs are drawn at random, and a class that only some seeds reach protects only some classes.
EXTRA_SEEDS = (1, 7, 42, 100, 113, 2024, 31337)

StressPredicate = Callable[[str, Case], bool]  # (exercise name, case) -> does the case stress this class?


@dataclass(frozen=True)
class StressClass:
    id: str
    title: str
    shown_by: StressPredicate


class StressRegistry:
    """A lesson's stress classes, in the order they were written (the matrix's columns)."""

    def __init__(self) -> None:
        self._classes: list[StressClass] = []

    def add(self, title: str) -> Callable[[StressPredicate], StressPredicate]:
        def register(predicate: StressPredicate) -> StressPredicate:
            if any(c.id == predicate.__name__ for c in self._classes):
                raise ValueError(f"duplicate stress class {predicate.__name__}")
            self._classes.append(StressClass(predicate.__name__, title, predicate))
            return predicate

        return register

    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self._classes)

    def __iter__(self) -> Iterator[StressClass]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)


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


def _covering_checks(lesson: "Lesson", exercise: str, stress: StressClass, seed: int) -> set[str]:
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


def stress_matrix(lesson: "Lesson", seed: int) -> tuple[StressCell, ...]:
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
