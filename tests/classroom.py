"""A small class of submissions for the batch tests, and hand-made result documents for the reporters."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from grader.core.records import BatchDocument
from grader.course.course import load_lesson
from grader.core.model import CheckResult, ExerciseResult, ExerciseStatus, Report
from grader.render.json_report import report_dict
from variants import MISTAKES, STUB, build_submission

HANGING_SOFTMAX = """
def stable_softmax(logits, axis=-1):
    while True:
        pass
"""
HOSTILE_MESSAGE = 'raise ValueError("<script>alert(1)</script> \\x1b[31m\\x00 & \\"q\\" | ```")'

# name -> (gradebook status, score) once graded
EXPECTED = {
    "alice": ("graded", 35.0),
    "bob": ("graded", 30.0),
    "carol": ("graded", 0.0),
    "dave": ("error", 0.0),
    "erin": ("timeout", 30.0),
    "frank": ("graded", 31.0),
    "gina": ("missing", 0.0),
    "notes.txt": ("error", 0.0),
}


def quiz_answers(correct: int) -> dict[str, str]:
    """Answers to the lesson's quiz with the first ``correct`` questions right and the rest wrong."""
    from grader.course.quiz import load_quiz

    quiz = load_quiz(load_lesson().quiz_path)
    answers = {}
    for number, question in enumerate(quiz.questions):
        wrong = next(c.id for c in question.choices if c.id != question.answer.id)
        answers[question.id] = question.answer.id if number < correct else wrong
    return answers


def mistake(*ids: str) -> dict[str, str]:
    return dict(MISTAKES[i] for i in ids)


def build_class(root: Path) -> Path:
    """Correct, buggy, stub, broken, hanging, single-file, empty and stray entries (plus a hidden one)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "alice").mkdir()
    build_submission(root / "alice", {})
    (root / "alice" / "quiz_answers.yaml").write_text(yaml.safe_dump(quiz_answers(8)))
    (root / "bob" / "exercises").mkdir(parents=True)
    build_submission(root / "bob" / "exercises", mistake("no_max_shift", "sum_not_mean"))
    (root / "bob" / "quiz_answers.yaml").write_text("q1: z\n")  # not a choice: the quiz cannot be graded
    (root / "carol").mkdir()
    shutil.copy(STUB, root / "carol" / "softmax_cross_entropy.py")
    (root / "dave").mkdir()
    (root / "dave" / "softmax_cross_entropy.py").write_text("def broken(:\n")
    (root / "erin").mkdir()
    build_submission(root / "erin", {"stable_softmax": HANGING_SOFTMAX})
    build_submission(root, {"cross_entropy_gradient": f"def cross_entropy_gradient(logits, target_index):\n"
                                                      f"    {HOSTILE_MESSAGE}\n"}, name="frank.py")
    (root / "gina").mkdir()
    (root / "notes.txt").write_text("not a submission\n")
    (root / ".git").mkdir()
    return root


def _report(name: str, exercises: list[tuple[str, ExerciseStatus, list[tuple[str, float, bool, bool, str, str | None]]]],
            quiz: Any = None) -> Report:
    return Report(
        f"submissions/{name}/softmax_cross_entropy.py",
        2026,
        tuple(ExerciseResult(ex, status, tuple(CheckResult(*check) for check in checks))
              for ex, status, checks in exercises),
        quiz,
        1.25,
    )


def sample_report(name: str = "sam", kind: str = "failed", message: str = "expected 1.0, got 2.0") -> Report:
    """Two exercises: the first passed; the second ``kind``: passed, failed (a hidden check) or timeout."""
    status = {"passed": ExerciseStatus.PASSED, "failed": ExerciseStatus.FAILED, "timeout": ExerciseStatus.TIMEOUT}[kind]
    public_passed = kind != "timeout"
    hidden_passed = kind == "passed"
    return _report(name, [
        ("stable_softmax", ExerciseStatus.PASSED, [
            ("lesson_logits", 1.0, True, False, "", None),
            ("large_logits", 2.0, True, True, "", None),
        ]),
        ("sequence_mean_loss", status, [
            ("lesson_mean", 1.5, public_passed, False, "" if public_passed else "not run: still running", None),
            ("random_mean", 1.5, hidden_passed, True, "" if hidden_passed else message,
             "sum_not_mean" if kind == "failed" else None),
        ]),
    ])


def sample_document(name: str, kind: str = "failed", message: str = "expected 1.0, got 2.0",
                    quiz: dict[str, Any] | None = None) -> dict[str, Any]:
    """A batch document as grade batch writes it, made without grading anything."""
    document = report_dict(sample_report(name, kind, message))
    # A quiz given in part is completed with what every quiz result holds (the report is read back typed).
    document["quiz"] = None if quiz is None else {"schema_version": 1, "score": 0, "total": 8, "pass_above": 0.75,
                                                  "questions": [], **quiz}
    status = "timeout" if kind == "timeout" else "graded"
    document["batch"] = {"name": name, "status": status, "message": "timeout in sequence_mean_loss" if kind == "timeout" else "",
                         "fingerprint": "0" * 64, "settings": {"seed": 2026, "timeout": 10.0},
                         "grader_error": False, "seconds": 0.5}
    return document


def sample_batch_document(name: str, kind: str = "failed", message: str = "expected 1.0, got 2.0",
                          quiz: dict[str, Any] | None = None, batch_message: str | None = None) -> BatchDocument:
    """sample_document as the grader holds it, read through the JSON boundary."""
    document = sample_document(name, kind, message, quiz)
    if batch_message is not None:
        document["batch"]["message"] = batch_message
    return BatchDocument.from_dict(document, name)
