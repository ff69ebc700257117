"""A student's answers file: a YAML mapping of question id to choice id, like `q1: b`."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from grader.core.errors import UsageError
from grader.core.outputs import write_atomic
from grader.course.quiz.files import parse_yaml
from grader.core.submission import MAX_ANSWERS_BYTES, Refused, SubmissionFile
from grader.course.quiz.schema import Quiz

ANSWERS_FILE = "quiz_answers.yaml"
EXPECTED = "a mapping of question id to choice id, like `q1: b`"


class StrictAnswersLoader(yaml.SafeLoader):
    """Safe YAML without aliases (no expansion bombs) and without duplicate keys (no "last one wins")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(None, None, "a key must be a plain value", key_node.start_mark)
            key = self.construct_object(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"{key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _read(file: Path | SubmissionFile) -> tuple[str, str]:
    file = file if isinstance(file, SubmissionFile) else SubmissionFile.of(file)
    try:
        data = file.read(MAX_ANSWERS_BYTES)
    except Refused as refusal:  # it names the file as found in its folder: name it as the user gave it
        message = refusal.message
        if message.startswith(file.relative):
            message = str(file.path) + message[len(file.relative):]
        raise UsageError(message) from None
    try:
        return data.decode("utf-8"), str(file.path)
    except UnicodeDecodeError:
        raise UsageError(f"{file.path}: not UTF-8 text; expected {EXPECTED}") from None


def load_answers(path: Path | SubmissionFile, quiz: Quiz) -> dict[str, str | None]:
    """Every question id of the quiz, mapped to the choice given (lower-cased) or None if unanswered.

    The file is a student's: read without following links, at most 64 KiB, aliases and duplicate
    keys refused, every answer a plain value (checked before anything turns it into text).
    """
    text, shown = _read(path)
    path = Path(shown)
    raw = parse_yaml(text, path, EXPECTED, StrictAnswersLoader)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        kind = "a list" if isinstance(raw, list) else "a single value"
        raise UsageError(f"{path}: expected {EXPECTED}; got {kind}")
    answers: dict[str, str | None] = dict.fromkeys(quiz.ids)
    for qid, given in raw.items():
        if not isinstance(qid, (str, int)) or not isinstance(given, (str, int, float, bool, type(None))) \
                or any(isinstance(v, int) and abs(v) >= 10**100 for v in (qid, given)):  # str() refuses 4300 digits
            raise UsageError(f"{path}: every entry must be a question id and one choice id, like `q1: b`")
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


LESSON_MARK = "# lesson: "  # the header line that says which lesson's quiz a file answers


def save_answers(path: Path, quiz: Quiz, answers: Mapping[str, str | None], lesson: str | None = None) -> None:
    """Write the answers given so far; ``lesson`` is named in a comment, so that a course of several lessons
    can tell whose quiz a ``quiz_answers.yaml`` written by a one-lesson copy answers."""
    given = {qid: answers[qid] for qid in quiz.ids if answers.get(qid) is not None}
    header = "# Mastery quiz answers, question id: choice id. `grade quiz` resumes from this file.\n"
    if lesson is not None:
        header += f"{LESSON_MARK}{lesson}\n"
    write_atomic(path, header + yaml.safe_dump(given, sort_keys=False))


def marked_lesson(data: bytes) -> str | None:
    """The lesson an answers file names in its header comment (``# lesson: NAME``); None when it names none."""
    for line in data.decode("utf-8", errors="replace").splitlines()[:5]:
        if line.startswith(LESSON_MARK):
            return line[len(LESSON_MARK):].strip()
        if not line.startswith("#"):
            break
    return None

