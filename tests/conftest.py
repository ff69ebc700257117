"""Shared fixtures: the lesson, and grading a file the way `grade check` does."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from grader.engine.grading import GradeOptions, grade_submission
from grader.course.lesson import Lesson
from grader.course.course import load_lesson
from grader.core.model import Report
from grader.sandbox.runner import Limits


@pytest.fixture(scope="session")
def lesson() -> Lesson:
    return load_lesson()


@pytest.fixture
def grade(lesson: Lesson) -> Callable[..., Report]:
    def run(path: Path, *, exercises: tuple[str, ...] = (), seed: int = 2026, timeout: float = 10.0) -> Report:
        options = GradeOptions(seed=seed, limits=Limits(timeout=timeout), exercises=exercises)
        return grade_submission(path, lesson, options)

    return run
