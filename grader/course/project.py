"""A student's project: the folder holding exercises/NAME.py for one lesson, and the files beside it.

The one place that says where a student's files are: the exercise file (or its notebook), the quiz
answers file that is graded and that ``grade quiz`` resumes, and the progress file. Every command that
works in the project (``grade``, ``list``, ``watch``, ``hint``, ``reset``, ``restore``, ``quiz``) asks it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.course.course import FoundAnswers, answers_in
from grader.course.lesson import Lesson
from grader.core.submission import (EXERCISES_DIR, Prefer, SubmissionFile, entry_kind, notebook_name,
                                    project_exercise_file)


@dataclass(frozen=True)
class StudentProject:
    root: Path  # the folder holding exercises/
    lesson: Lesson

    @classmethod
    def find(cls, start: Path, lesson: Lesson) -> StudentProject | None:
        """The nearest folder at or above ``start`` holding exercises/<the lesson's file>, or None."""
        for directory in (start, *start.parents):
            if entry_kind(directory, f"{EXERCISES_DIR}/{lesson.student_file}") is not None:
                return cls(directory, lesson)
        return None

    @property
    def exercise_path(self) -> Path:
        return self.root / EXERCISES_DIR / self.lesson.student_file

    def owns(self, path: Path) -> bool:
        """Whether ``path`` is this project's exercise file or its notebook (grading it records progress)."""
        return path.resolve() in {(self.root / EXERCISES_DIR / name).resolve()
                                  for name in (self.lesson.student_file, notebook_name(self.lesson.student_file))}

    def exercise_file(self, prefer: Prefer = Prefer.STARTED) -> SubmissionFile:
        """The file the student works in: exercises/NAME.py, or its notebook as ``prefer`` says."""
        return project_exercise_file(self.root, self.lesson.student_file, prefer)

    def answers(self, alone: bool = True) -> FoundAnswers:
        """The quiz answers graded for the lesson (and a quiz_answers.yaml left out, with why); ``alone``:
        the lesson is the only one chosen or found here (see ``answers_in``)."""
        return answers_in(self.root, self.lesson, alone=alone)

    def answers_path(self, alone: bool = True) -> Path:
        """Where ``grade quiz`` keeps the answers: the file graded for the lesson, so the two never differ."""
        return self.answers(alone).file.path

    @property
    def progress_path(self) -> Path:
        return self.root / self.lesson.progress_file
