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
    unreached_at: tuple[int, ...] = ()  # an empty cell's seeds at which no hidden check reaches the class at all
    seeds: tuple[int, ...] = ()  # the seeds it was computed at

    def why_empty(self) -> str:
        """What an empty cell lacks: no hidden case at all, or one at some seeds only (an input drawn by chance)."""
        if len(self.unreached_at) == len(self.seeds):
            return "no hidden case"
        reached = len(self.seeds) - len(self.unreached_at)
        if not self.unreached_at:
            return f"a hidden case at each of the {len(self.seeds)} seeds, but no one check reaches it at every seed"
        return (f"a hidden case at {reached} of the {len(self.seeds)} seeds only (not at "
                f"{', '.join(map(str, self.unreached_at))}): the input is drawn by chance; build it on purpose")

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
            reason = exercise.not_stressed.get(stress.id)
            seeds, unreached = (seed, *EXTRA_SEEDS), []
            for each in seeds:
                at_seed = _covering_checks(lesson, exercise.name, stress, each)
                covered = at_seed if covered is None else covered & at_seed
                unreached += [] if at_seed else [each]
                if not covered and reason is not None:
                    break  # it says why it does not apply: what a failure would report is not needed
            ordered = tuple(c.name for c in exercise.checks if c.name in (covered or set()))
            cells.append(StressCell(exercise.name, stress.id, stress.title, ordered, reason,
                                    tuple(unreached) if not ordered else (), seeds))
    return tuple(cells)
