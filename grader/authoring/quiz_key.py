"""Instructor tooling for the hashed key: rewrite questions' keys in the quiz file."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import yaml

from grader.core.errors import UsageError
from grader.course.quiz import key
from grader.core.outputs import write_atomic
from grader.course.quiz.files import read_yaml
from grader.course.quiz.schema import EXPECTED, Question, parse_question


def set_keys(path: Path, answers: Mapping[str, str]) -> list[Question]:
    """Mark each question's choice correct (question id -> choice id) with a fresh salt, and rewrite the file
    once: every pair is checked first, so one unknown question or choice changes nothing.

    Only those questions must be valid, so a new quiz can be keyed a few questions at a time. The file
    is rewritten by yaml.safe_dump; the comment lines at its top are kept.
    """
    raw = read_yaml(path, EXPECTED)
    items = raw.get("questions") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise UsageError(f"{path}: expected {EXPECTED}")
    found = []
    for question_id, choice_id in answers.items():
        matches = [(n, q) for n, q in enumerate(items, 1) if isinstance(q, dict) and q.get("id") == question_id]
        if not matches:
            ids = [str(q.get("id")) for q in items if isinstance(q, dict)]
            raise UsageError(f"{path}: no question {question_id!r}; the quiz has {', '.join(ids)}")
        if len(matches) > 1:  # which one to key? (the first was keyed, and the quiz then failed on the other)
            raise UsageError(f"{path}: question {question_id} appears twice (questions {matches[0][0]} and "
                             f"{matches[1][0]}): question ids must be unique")
        position, item = matches[0]
        choice_ids = [c.get("id") for c in item.get("choices") or [] if isinstance(c, dict)]
        if choice_id not in choice_ids:
            raise UsageError(
                f"{path}: question {question_id}: no choice {choice_id!r}; allowed: {', '.join(map(str, choice_ids))}"
            )
        found.append((position, item, question_id, choice_id))
    questions = []
    for position, item, question_id, choice_id in found:
        item["salt"], item["key"] = key.seal(question_id, choice_id)
        questions.append(parse_question(item, position, path))
    text = path.read_text(encoding="utf-8")
    header = "".join(_leading_comments(text))
    write_atomic(path, header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=100))
    return questions


def _leading_comments(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    end = next((n for n, line in enumerate(lines) if line.strip() and not line.startswith("#")), len(lines))
    return lines[:end]
