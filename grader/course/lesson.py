"""A lesson as data: its exercises, hints and known mistakes (YAML) joined with its checks (code).

Which lessons exist, and where their files are, is the course's business (``grader.course.course``).
"""
from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping, Sequence

from grader.core.checks import Case, Check, CheckRegistry
from grader.core.errors import UsageError
from grader.sandbox.protocol import MAX_FORBIDDEN
from grader.course.quiz.schema import Quiz, load_quiz
from grader.course.stress import StressClass, StressRegistry

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the project that holds this grader (its own course)
FORMAT_VERSION = 1  # of lesson.yaml
STUB_SUFFIX = ".stub"  # a student copy keeps its released stubs beside the lesson, under this suffix (grade restore)
TOP_KEYS = {"format_version", "name", "title", "student_file", "quiz", "pass_above", "exercises"}

# What a known-wrong implementation would return for a case: outputs by key ("value", "grad:0"),
# several alternatives, or None where the mistake does not apply to the case.
Prediction = Callable[[ModuleType, Case], "Mapping[str, Any] | Sequence[Mapping[str, Any]] | None"]


@dataclass(frozen=True)
class Mistake:
    id: str
    title: str
    hint: str
    raises_like: str | None = None  # an exception message fragment that shows this mistake
    raises: str | None = None  # the exception type (a class name in its MRO) that shows this mistake

    def shown_by(self, exception_type: str, mro: Sequence[str], message: str) -> bool:
        """Does this exception show the mistake? By type when ``raises`` is given (and by text too when
        ``raises_like`` is), by text alone otherwise (the older form)."""
        if self.raises is None and self.raises_like is None:
            return False
        if self.raises is not None and self.raises not in (*mro, exception_type):
            return False
        return self.raises_like is None or self.raises_like in message


@dataclass(frozen=True)
class Exercise:
    name: str
    hints: tuple[str, ...]
    mistakes: Mapping[str, Mistake]
    checks: tuple[Check, ...]
    not_stressed: Mapping[str, str] = field(default_factory=dict)  # stress class -> why it does not apply
    forbidden: tuple[str, ...] = ()  # library functions the student's code must not call (dotted names)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)


def _functions_in(path: Path) -> list[ast.FunctionDef]:
    """The top-level functions of a Python file, parsed (never run); none where it cannot be read or parsed."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    student_file: str
    exercises: tuple[Exercise, ...]
    predictions: Mapping[str, Prediction]
    directory: Path | None = None  # the lesson's package folder (lesson.yaml, checks, released data)
    root: Path = PROJECT_ROOT  # the course: exercises/, solutions/, quizzes/ and grader/lessons/
    quiz_file: str = ""  # its quiz, in the course's quizzes/
    pass_above: float | None = None  # lesson.yaml's, if it names one: then it must be the quiz file's (the source)
    answers_file: str = "quiz_answers.yaml"  # beside exercises/ in a student's project
    progress_file: str = ".grade-progress.json"
    stress: tuple[StressClass, ...] = ()  # the stress matrix's columns (the lesson package's STRESS)

    def exercise(self, name: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        raise KeyError(name)

    @property
    def reference_path(self) -> Path:
        return self.root / "solutions" / self.student_file

    @property
    def stub_path(self) -> Path:
        return self.root / "exercises" / self.student_file

    @property
    def quiz_path(self) -> Path:
        return self.root / "quizzes" / self.quiz_file

    def load_quiz(self) -> Quiz:
        """The lesson's quiz. Its file holds the pass threshold; a lesson.yaml that names one too must agree."""
        quiz = load_quiz(self.quiz_path)
        if self.pass_above is not None and quiz.pass_above != self.pass_above:
            raise UsageError(f"{self.quiz_path}: pass_above {quiz.pass_above:g} but lesson {self.name} says "
                             f"{self.pass_above:g} (grader/lessons/{self.name}/lesson.yaml); make them equal")
        return quiz

    @property
    def released(self) -> bool:
        """A student copy (``grade release``): recorded expected values stand in for the reference."""
        from grader.course.expectations import INDEX_FILE

        return self.directory is not None and (self.directory / INDEX_FILE).is_file()

    @property
    def released_stub_path(self) -> Path | None:
        """Where a student copy keeps its stubs as released (``grade restore``); None elsewhere."""
        if self.directory is None:
            return None
        path = self.directory / (self.student_file + STUB_SUFFIX)
        return path if path.is_file() else None

    @cached_property
    def parameters(self) -> Mapping[str, tuple[str, ...]]:
        """Each exercise function's parameter names, read (never run) from the stubs: for messages only
        ("gradient of w"). Empty where the stub file cannot be read or parsed."""
        return {node.name: tuple(a.arg for a in (*node.args.posonlyargs, *node.args.args))
                for node in _functions_in(self.stub_path)}

    @cached_property
    def promised_returns(self) -> Mapping[str, str]:
        """Each exercise function's return annotation as the stub writes it ("np.ndarray", "float"), read (never
        run) from the stubs: the type the student is promised to return. In a student copy, from the stubs as
        released, not from the file the student edits: its own annotation changes no promise. Empty where no
        stub can be read."""
        return {node.name: ast.unparse(node.returns) for node in _functions_in(self.released_stub_path or self.stub_path)
                if node.returns is not None}

    def argument_name(self, exercise: str, index: int) -> str:
        """How a message names the exercise function's argument ``index``: its parameter name, or its place."""
        names = self.parameters.get(exercise, ())
        return names[index] if index < len(names) else f"argument {index + 1}"

    @cached_property
    def reference(self) -> ModuleType:
        """The reference solution, imported into the trusted process only (its recorded answers in a student copy)."""
        if self.released:
            from grader.course.expectations import ReplayReference

            assert self.directory is not None
            return ReplayReference.load(self.directory)  # type: ignore[return-value]
        path = self.reference_path
        if not path.is_file():
            raise UsageError(f"reference solutions not found: {path} (grading needs the instructor's solutions/)")
        spec = importlib.util.spec_from_file_location(f"grade_reference_{self.name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def _require(condition: bool, where: Path, message: str) -> None:
    if not condition:
        raise UsageError(f"{where}: {message}")


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


MISTAKE_KEYS = ("title", "hint", "raises", "raises_like")


def _parse_mistakes(raw: Any, where: Path, exercise: str) -> dict[str, Mistake]:
    _require(isinstance(raw, dict), where, f"exercise {exercise}: 'mistakes' must be a mapping")
    mistakes = {}
    for mistake_id, body in raw.items():
        _require(isinstance(body, dict), where, f"exercise {exercise}, mistake {mistake_id}: must be a mapping")
        _require(set(body) <= set(MISTAKE_KEYS), where,
                 f"exercise {exercise}, mistake {mistake_id}: unknown keys {sorted(set(body) - set(MISTAKE_KEYS))}; "
                 f"a mistake has {', '.join(MISTAKE_KEYS)}")
        for key in ("title", "hint"):
            _require(isinstance(body.get(key), str) and body[key].strip(), where,
                     f"exercise {exercise}, mistake {mistake_id}: '{key}' must be non-empty text")
        raises, raises_like = body.get("raises"), body.get("raises_like")
        _require(raises is None or (isinstance(raises, str) and raises.isidentifier()), where,
                 f"exercise {exercise}, mistake {mistake_id}: 'raises' must be an exception's class name, like IndexError")
        _require(raises_like is None or (isinstance(raises_like, str) and raises_like.strip()), where,
                 f"exercise {exercise}, mistake {mistake_id}: 'raises_like' must be non-empty text")
        mistakes[mistake_id] = Mistake(mistake_id, body["title"].strip(), " ".join(body["hint"].split()), raises_like, raises)
    return mistakes


_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}(\.[A-Za-z_][A-Za-z0-9_]{0,99}){1,9}")  # as the worker may report them


def _parse_forbidden(raw: Any, where: Path, exercise: str) -> tuple[str, ...]:
    """An exercise's ``forbidden``: the dotted names of library functions its calls must not reach."""
    _require(isinstance(raw, list) and all(isinstance(n, str) and _DOTTED.fullmatch(n) for n in raw), where,
             f"exercise {exercise}: 'forbidden' must be a list of dotted function names, like torch.nn.functional.softmax")
    _require(len(raw) <= MAX_FORBIDDEN, where, f"exercise {exercise}: at most {MAX_FORBIDDEN} forbidden names")
    return tuple(dict.fromkeys(raw))


def _parse_not_stressed(raw: Any, where: Path, exercise: str, stress: StressRegistry | None) -> dict[str, str]:
    """An exercise's ``not_stressed``: stress class -> the reason it does not apply to the exercise."""
    _require(isinstance(raw, dict), where, f"exercise {exercise}: 'not_stressed' must map stress classes to reasons")
    for stress_id, reason in raw.items():
        _require(isinstance(reason, str) and reason.strip(), where,
                 f"exercise {exercise}, not_stressed {stress_id}: the reason must be non-empty text")
        if stress is not None:
            _require(stress_id in stress.ids(), where,
                     f"exercise {exercise}, not_stressed: unknown stress class {stress_id!r}; the lesson's classes are "
                     f"{', '.join(stress.ids()) or 'none (STRESS in the lesson package)'}")
    return {str(k): " ".join(v.split()) for k, v in raw.items()}


def parse_lesson(raw: Any, where: Path, registry: CheckRegistry, predictions: Mapping[str, Prediction],
                 stress: StressRegistry | None = None) -> Lesson:
    """Validate the lesson YAML and join it with the lesson's checks; author errors exit 2."""
    _require(isinstance(raw, dict), where, "the lesson file must be a mapping")
    for key in ("name", "title", "student_file", "exercises"):
        _require(key in raw, where, f"missing key '{key}'")
    unknown_keys = sorted(set(raw) - TOP_KEYS)
    _require(not unknown_keys, where, f"unknown keys {unknown_keys}; a lesson file has {sorted(TOP_KEYS)}")
    version = raw.get("format_version", FORMAT_VERSION)
    _require(version == FORMAT_VERSION, where,
             f"format_version {version!r}: this grader reads lesson files of format_version {FORMAT_VERSION}")
    lesson_name = raw["name"]
    _require(isinstance(lesson_name, str) and lesson_name == where.parent.name, where,
             f"name {lesson_name!r} must be the lesson folder's name, {where.parent.name!r}")
    _require(raw["student_file"] == f"{lesson_name}.py", where,
             f"student_file {raw['student_file']!r} must be {lesson_name}.py (exercises/{lesson_name}.py, solutions/{lesson_name}.py)")
    quiz_file = raw.get("quiz", f"{lesson_name}.yaml")
    _require(quiz_file == f"{lesson_name}.yaml", where, f"quiz {quiz_file!r} must be {lesson_name}.yaml (quizzes/{lesson_name}.yaml)")
    pass_above = raw.get("pass_above")  # optional: the quiz file holds the threshold
    _require(pass_above is None or (isinstance(pass_above, (int, float)) and not isinstance(pass_above, bool)
                                    and 0 <= pass_above < 1),
             where, "pass_above must be a number from 0 up to (not including) 1, like 0.75 (or leave it to the quiz file)")
    _require(isinstance(raw["exercises"], list) and raw["exercises"], where, "'exercises' must be a non-empty list")
    exercises = []
    for entry in raw["exercises"]:
        _require(isinstance(entry, dict) and isinstance(entry.get("name"), str), where, "each exercise needs a 'name'")
        name = entry["name"]
        _require(_text_list(entry.get("hints")), where, f"exercise {name}: 'hints' must be a non-empty list of text")
        mistakes = _parse_mistakes(entry.get("mistakes", {}), where, name)
        checks = registry.for_exercise(name)
        _require(bool(checks), where, f"exercise {name}: no checks are registered for it")
        unknown_entry_keys = sorted(set(entry) - {"name", "hints", "mistakes", "not_stressed", "forbidden"})
        _require(not unknown_entry_keys, where, f"exercise {name}: unknown keys {unknown_entry_keys}; an exercise has "
                                                "name, hints, mistakes, not_stressed and forbidden")
        not_stressed = _parse_not_stressed(entry.get("not_stressed", {}), where, name, stress)
        forbidden = _parse_forbidden(entry.get("forbidden", []), where, name)
        exercises.append(Exercise(name, tuple(" ".join(h.split()) for h in entry["hints"]), mistakes, checks,
                                  not_stressed, forbidden))
    names = [e.name for e in exercises]
    _require(len(set(names)) == len(names), where, "exercise names must be unique")
    orphans = sorted({c.exercise for c in registry} - set(names))
    _require(not orphans, where, f"checks registered for unknown exercises: {orphans}")
    known = {m for e in exercises for m in e.mistakes}
    unknown = sorted(set(predictions) - known)
    _require(not unknown, where, f"predictions for mistakes the lesson does not describe: {unknown}")
    return Lesson(lesson_name, raw["title"], raw["student_file"], tuple(exercises), dict(predictions), where.parent,
                  quiz_file=quiz_file, pass_above=None if pass_above is None else float(pass_above), stress=tuple(stress or ()))
