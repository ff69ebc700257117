"""The one application function: assess a submission for a lesson — exercises, then quiz, then progress.

``grade``, ``grade check``, ``grade watch``, ``grade list`` and ``grade batch`` all call ``assess``;
they differ only in where the files are and what they render.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from grader.core.errors import GradeError
from grader.engine.grading import GradeOptions, grade_submission
from grader.course.lesson import Lesson
from grader.core.model import QuizResult, Report
from grader.course.project import StudentProject
from grader.course.progress import Progress, load_progress, save_progress
from grader.course.quiz import load_answers, score_quiz
from grader.core.submission import SubmissionFile, entry_kind


@dataclass(frozen=True)
class Assessment:
    lesson: Lesson
    report: Report  # its quiz is set when quiz answers were graded
    quiz_problem: GradeError | None = None  # the answers file could not be read; the exercises were graded
    progress: Progress | None = None  # what was recorded in the project's progress file, if anything
    answers: Path | None = None  # the quiz answers file graded (or to be written) for the lesson, if any

    @property
    def passed(self) -> bool:
        return self.report.all_passed


def grade_quiz(lesson: Lesson, answers: SubmissionFile | Path) -> QuizResult:
    """The lesson's quiz scored from a student's answers file; GradeError when either file is malformed."""
    quiz = lesson.load_quiz()
    return score_quiz(quiz, load_answers(answers, quiz))


def assess(lesson: Lesson, submission: SubmissionFile | Path, options: GradeOptions, *,
           answers: SubmissionFile | None = None, left_out: tuple[str, ...] = (),
           project: StudentProject | None = None, on_progress: Callable[[str], None] | None = None) -> Assessment:
    """Grade ``submission``'s exercises, then the quiz answers in ``answers`` (when that file exists),
    then record the result, once, in the progress file of the student's ``project`` (when given).
    ``left_out``: files of the submission not graded, and why (the report's notes say them).

    A malformed answers file does not stop the exercises' report: it comes back as ``quiz_problem``.
    """
    report = grade_submission(submission, lesson, options, on_progress)
    if left_out:
        report = replace(report, notes=(*report.notes, *left_out))
    quiz_problem = None
    if answers is not None and entry_kind(answers.base, answers.relative) is not None:
        try:
            report = replace(report, quiz=grade_quiz(lesson, answers))
        except GradeError as problem:
            quiz_problem = problem
    progress = None
    if project is not None:
        progress = load_progress(project.progress_path, lesson.name).with_report(report)
        save_progress(project.progress_path, progress)
    return Assessment(lesson, report, quiz_problem, progress, answers.path if answers is not None else None)
