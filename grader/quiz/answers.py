"""A student's answers file: a YAML mapping of question id to choice id, like `q1: b`."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import yaml

from grader.errors import UsageError
from grader.outputs import write_atomic
from grader.quiz.files import read_yaml
from grader.quiz.schema import Quiz

ANSWERS_FILE = "quiz_answers.yaml"
EXPECTED = "a mapping of question id to choice id, like `q1: b`"


def load_answers(path: Path, quiz: Quiz) -> dict[str, str | None]:
    """Every question id of the quiz, mapped to the choice given (lower-cased) or None if unanswered."""
    raw = read_yaml(path, EXPECTED)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        kind = "a list" if isinstance(raw, list) else "a single value"
        raise UsageError(f"{path}: expected {EXPECTED}; got {kind}")
    answers: dict[str, str | None] = dict.fromkeys(quiz.ids)
    for qid, given in raw.items():
        if str(qid) not in answers:
            raise UsageError(f"{path}: unknown question {qid!r}; the quiz has {', '.join(quiz.ids)}")
        if given is None or str(given).strip() == "":
            continue
        choice = str(given).strip().lower()
        allowed = quiz.question(str(qid)).choice_ids
        if choice not in allowed:
            raise UsageError(f"{path}: question {qid}: {given!r} is not a choice; allowed: {', '.join(allowed)}")
        answers[str(qid)] = choice
    return answers


def save_answers(path: Path, quiz: Quiz, answers: Mapping[str, str | None]) -> None:
    given = {qid: answers[qid] for qid in quiz.ids if answers.get(qid) is not None}
    header = "# Mastery quiz answers, question id: choice id. `grade quiz` resumes from this file.\n"
    write_atomic(path, header + yaml.safe_dump(given, sort_keys=False))

