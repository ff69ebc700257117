"""The stress matrix: which adversarial classes of input each exercise's checks put to a submission.

A lesson names its stress classes (underflow, overflow, every allowed shape, degenerate values...)
with a predicate over a check's case: does this call exercise the class? The matrix is computed from
the cases the hidden checks really build, at several seeds, so a claim cannot drift away from the inputs.
An exercise either has a case in every class, or its lesson.yaml says why a class does not apply
(``not_stressed: {class: reason}``); ``grade validate`` prints the matrix and fails on an empty cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from grader.core.checks import Case

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
