"""Load a quiz YAML file into frozen dataclasses, refusing a malformed quiz with one clear line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.core.errors import UsageError
from grader.course.quiz import key
from grader.course.quiz.files import read_yaml

EXPECTED = "a mapping with title, pass_above and questions"
ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    explanation: str  # why this choice is right or wrong, shown once it has been answered


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    choices: tuple[Choice, ...]
    reread: str  # the lesson section to reread after a wrong answer
    exercise: str  # the exercise function that practises this idea
    salt: str
    key: str  # see key.py

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.choices)

    def choice(self, choice_id: str) -> Choice:
        return next(c for c in self.choices if c.id == choice_id)

    def is_correct(self, choice_id: str | None) -> bool:
        return choice_id is not None and key.digest(self.salt, self.id, choice_id) == self.key

    @property
    def answer(self) -> Choice:
        return next(c for c in self.choices if self.is_correct(c.id))


@dataclass(frozen=True)
class Quiz:
    title: str
    pass_above: float  # the score fraction a pass must exceed (strictly)
    questions: tuple[Question, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    @property
    def needed(self) -> int:
        """The fewest correct answers that pass."""
        total = len(self.questions)
        return next(n for n in range(total + 1) if n / total > self.pass_above)

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


def load_quiz(path: Path) -> Quiz:
    return parse_quiz(read_yaml(path, EXPECTED), path)


def parse_quiz(raw: Any, path: Path) -> Quiz:
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: expected {EXPECTED}")
    title = _text(raw, "title", f"{path}:")
    pass_above = raw.get("pass_above")
    if isinstance(pass_above, bool) or not isinstance(pass_above, (int, float)) or not 0 <= pass_above < 1:
        raise UsageError(f"{path}: pass_above must be a number from 0 up to (not including) 1, like 0.75")
    items = raw.get("questions")
    if not isinstance(items, list) or not items:
        raise UsageError(f"{path}: questions must be a non-empty list")
    duplicate_ids(items, path)  # first: a copied question's key is sealed to its old id and would read as unkeyed
    return Quiz(title, float(pass_above), tuple(parse_question(item, n, path) for n, item in enumerate(items, 1)))


def duplicate_ids(items: list[Any], path: Path) -> None:
    """UsageError when two questions have the same id, naming their positions."""
    positions: dict[str, list[int]] = {}
    for number, item in enumerate(items, 1):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            positions.setdefault(item["id"], []).append(number)
    for qid, numbers in positions.items():
        if len(numbers) > 1:
            raise UsageError(f"{path}: question {qid} appears twice (questions {' and '.join(map(str, numbers[:2]))}): "
                             "question ids must be unique")


def parse_question(raw: Any, number: int, path: Path) -> Question:
    """Validate one question; number is its 1-based position, to name a question that has no id."""
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: question {number}: expected a mapping with id, prompt and choices")
    qid = _id(raw, f"{path}: question {number}:")
    where = f"{path}: question {qid}:"
    prompt, reread, exercise = (_text(raw, field, where) for field in ("prompt", "reread", "exercise"))
    items = raw.get("choices")
    if not isinstance(items, list) or len(items) < 2:
        raise UsageError(f"{where} choices must be a list of at least two")
    choices: list[Choice] = []
    for position, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise UsageError(f"{where} choice {position}: expected a mapping with id, text and explanation")
        cid = _id(item, f"{where} choice {position}:")
        if cid in {c.id for c in choices}:
            raise UsageError(f"{where} choice {cid} appears twice: choice ids must be unique")
        choice_where = f"{where} choice {cid}:"
        choices.append(Choice(cid, _text(item, "text", choice_where), _text(item, "explanation", choice_where)))
    salt = "" if raw.get("salt") is None else str(raw["salt"])
    correct = _correct_choice(qid, tuple(choices), salt, raw.get("key"), where)
    return Question(qid, prompt, tuple(choices), reread, exercise, salt, key.digest(salt, qid, correct))


def _correct_choice(qid: str, choices: tuple[Choice, ...], salt: str, stored: Any, where: str) -> str:
    # `grade quiz-key set` writes one hash; a list is read only to name every choice it marks correct.
    hashes = stored if isinstance(stored, list) else [stored]
    correct = [c.id for c in choices if key.digest(salt, qid, c.id) in hashes]
    if not correct:
        raise UsageError(
            f"{where} no correct choice: its key matches none of {', '.join(c.id for c in choices)}"
            f" (set one with: grade quiz-key set {qid} CHOICE)"
        )
    if len(correct) > 1:
        raise UsageError(f"{where} {len(correct)} correct choices ({', '.join(correct)}): exactly one must be correct")
    return correct[0]


def _text(raw: dict, field: str, where: str) -> str:
    value = raw.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise UsageError(f"{where} missing {field}")
    if not isinstance(value, str):
        raise UsageError(f"{where} {field} must be text")
    return value.strip()


def _id(raw: dict, where: str) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not ID.match(value):
        raise UsageError(f"{where} id must be lower-case letters, digits, - or _, like q1 or a (got {value!r})")
    return value
