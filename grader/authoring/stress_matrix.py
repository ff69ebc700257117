"""The stress matrix ``grade validate`` prints and checks: which of a lesson's stress classes (grader.course.stress)
each exercise's hidden checks put a case in, at several seeds; an empty cell needs lesson.yaml's reason."""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

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
    raised: str | None = None  # an empty cell: the first error the predicate raised on one of its hidden cases

    def why_empty(self) -> str:
        """What an empty cell lacks: no hidden case at all, or one at some seeds only (an input drawn by chance);
        and, when the predicate raised on one of the exercise's hidden cases (which counts as not reached), that."""
        raised = (f"; the predicate raised {self.raised} on a hidden case, which counts as not reached"
                  if self.raised else "")
        if len(self.unreached_at) == len(self.seeds):
            return "no hidden case" + raised
        reached = len(self.seeds) - len(self.unreached_at)
        if not self.unreached_at:
            return (f"a hidden case at each of the {len(self.seeds)} seeds, but no one check reaches it at every seed"
                    + raised)
        return (f"a hidden case at {reached} of the {len(self.seeds)} seeds only (not at "
                f"{', '.join(map(str, self.unreached_at))}): the input is drawn by chance; build it on purpose" + raised)

    @property
    def empty(self) -> bool:
        return not self.checks and self.reason is None


def _covering_checks(lesson: Lesson, exercise: str, stress: StressClass, seed: int, raised: list[str]) -> set[str]:
    found = set()
    for check in lesson.exercise(exercise).checks:
        if check.hidden and any(_shows(stress, exercise, case, raised) for case in check.cases(lesson.reference, seed)):
            found.add(check.name)
    return found


def _shows(stress: StressClass, exercise: str, case: Case, raised: list[str]) -> bool:
    """Does the case show the class? A predicate that raises says no (a case whose arguments it does not read,
    a number where it expects an array, cannot show the class); the first error is kept in ``raised`` so that
    an empty cell can say so, rather than stop validate with a traceback or leave the author guessing."""
    try:
        return bool(stress.shown_by(exercise, case))
    except Exception as error:  # noqa: BLE001 - the lesson's predicate: reported with the empty cell
        if not raised:
            home = getattr(getattr(stress.shown_by, "__code__", None), "co_filename", None)
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == home]
            where = f" ({Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
            raised.append(f"{type(error).__name__}: {error}{where}")
        return False


def stress_matrix(lesson: Lesson, seed: int) -> tuple[StressCell, ...]:
    """One cell per exercise and stress class, in the lesson's order."""
    cells = []
    for exercise in lesson.exercises:
        for stress in lesson.stress:
            covered: set[str] | None = None
            reason = exercise.not_stressed.get(stress.id)
            seeds, unreached, raised = (seed, *EXTRA_SEEDS), [], []
            for each in seeds:
                at_seed = _covering_checks(lesson, exercise.name, stress, each, raised)
                covered = at_seed if covered is None else covered & at_seed
                unreached += [] if at_seed else [each]
                if not covered and reason is not None:
                    break  # it says why it does not apply: what a failure would report is not needed
            ordered = tuple(c.name for c in exercise.checks if c.name in (covered or set()))
            cells.append(StressCell(exercise.name, stress.id, stress.title, ordered, reason,
                                    tuple(unreached) if not ordered else (), seeds,
                                    raised[0] if raised and not ordered else None))
    return tuple(cells)
