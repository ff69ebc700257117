"""A lesson as data: its exercises, hints and known mistakes (YAML) joined with its checks (code)."""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping, Sequence

import yaml

from grader.checks import Case, Check, CheckRegistry
from grader.errors import UsageError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LESSONS_PACKAGE = "grader.lessons"
DEFAULT_LESSON = "softmax_cross_entropy"

# What a known-wrong implementation would return for a case: outputs by key ("value", "grad:0"),
# several alternatives, or None where the mistake does not apply to the case.
Prediction = Callable[[ModuleType, Case], "Mapping[str, Any] | Sequence[Mapping[str, Any]] | None"]


@dataclass(frozen=True)
class Mistake:
    id: str
    title: str
    hint: str
    raises_like: str | None = None  # an exception message fragment that shows this mistake


@dataclass(frozen=True)
class Exercise:
    name: str
    hints: tuple[str, ...]
    mistakes: Mapping[str, Mistake]
    checks: tuple[Check, ...]

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    student_file: str
    exercises: tuple[Exercise, ...]
    predictions: Mapping[str, Prediction]
    directory: Path | None = None  # the lesson's package folder (lesson.yaml, checks, released data)

    def exercise(self, name: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        raise KeyError(name)

    @property
    def reference_path(self) -> Path:
        return PROJECT_ROOT / "solutions" / self.student_file

    @property
    def released(self) -> bool:
        """A student copy (``grade release``): recorded expected values stand in for the reference."""
        from grader.expectations import INDEX_FILE

        return self.directory is not None and (self.directory / INDEX_FILE).is_file()

    @cached_property
    def reference(self) -> ModuleType:
        """The reference solution, imported into the trusted process only (its recorded answers in a student copy)."""
        if self.released:
            from grader.expectations import ReplayReference

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


def _parse_mistakes(raw: Any, where: Path, exercise: str) -> dict[str, Mistake]:
    _require(isinstance(raw, dict), where, f"exercise {exercise}: 'mistakes' must be a mapping")
    mistakes = {}
    for mistake_id, body in raw.items():
        _require(isinstance(body, dict), where, f"exercise {exercise}, mistake {mistake_id}: must be a mapping")
        _require(set(body) <= {"title", "hint", "raises_like"}, where,
                 f"exercise {exercise}, mistake {mistake_id}: unknown keys {sorted(set(body) - {'title', 'hint', 'raises_like'})}")
        for key in ("title", "hint"):
            _require(isinstance(body.get(key), str) and body[key].strip(), where,
                     f"exercise {exercise}, mistake {mistake_id}: '{key}' must be non-empty text")
        mistakes[mistake_id] = Mistake(mistake_id, body["title"].strip(), " ".join(body["hint"].split()), body.get("raises_like"))
    return mistakes


def parse_lesson(raw: Any, where: Path, registry: CheckRegistry, predictions: Mapping[str, Prediction]) -> Lesson:
    """Validate the lesson YAML and join it with the lesson's checks; author errors exit 2."""
    _require(isinstance(raw, dict), where, "the lesson file must be a mapping")
    for key in ("name", "title", "student_file", "exercises"):
        _require(key in raw, where, f"missing key '{key}'")
    _require(isinstance(raw["exercises"], list) and raw["exercises"], where, "'exercises' must be a non-empty list")
    exercises = []
    for entry in raw["exercises"]:
        _require(isinstance(entry, dict) and isinstance(entry.get("name"), str), where, "each exercise needs a 'name'")
        name = entry["name"]
        _require(_text_list(entry.get("hints")), where, f"exercise {name}: 'hints' must be a non-empty list of text")
        mistakes = _parse_mistakes(entry.get("mistakes", {}), where, name)
        checks = registry.for_exercise(name)
        _require(bool(checks), where, f"exercise {name}: no checks are registered for it")
        exercises.append(Exercise(name, tuple(" ".join(h.split()) for h in entry["hints"]), mistakes, checks))
    names = [e.name for e in exercises]
    _require(len(set(names)) == len(names), where, "exercise names must be unique")
    orphans = sorted({c.exercise for c in registry} - set(names))
    _require(not orphans, where, f"checks registered for unknown exercises: {orphans}")
    known = {m for e in exercises for m in e.mistakes}
    unknown = sorted(set(predictions) - known)
    _require(not unknown, where, f"predictions for mistakes the lesson does not describe: {unknown}")
    return Lesson(raw["name"], raw["title"], raw["student_file"], tuple(exercises), dict(predictions), where.parent)


def load_lesson(name: str = DEFAULT_LESSON) -> Lesson:
    package = importlib.import_module(f"{LESSONS_PACKAGE}.{name}")
    where = Path(package.__file__).with_name("lesson.yaml")
    try:
        raw = yaml.safe_load(where.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"{where}: cannot read the lesson file ({' '.join(str(exc).split())})") from None
    return parse_lesson(raw, where, package.CHECKS, package.PREDICTIONS)
