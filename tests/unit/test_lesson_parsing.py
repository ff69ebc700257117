"""grader.course.lesson.parse_lesson: a lesson.yaml is checked before it is used, and each author error is one
UsageError naming the file and what to change (exit 2 at the command line)."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from grader.core.checks import CheckRegistry
from grader.core.errors import UsageError
from grader.course.lesson import parse_lesson
from grader.course.stress import StressClass, StressRegistry

WHERE = Path("/course/grader/lessons/demo/lesson.yaml")

VALID = {
    "format_version": 1,
    "name": "demo",
    "title": "A demo lesson",
    "student_file": "demo.py",
    "quiz": "demo.yaml",
    "pass_above": 0.8,
    "exercises": [
        {"name": "first", "hints": ["Think", "Harder  than\n that"],
         "mistakes": {"off_by_one": {"title": " Off by one ", "hint": "Count   again."}}},
        {"name": "second", "hints": ["Read the docstring"]},
    ],
}


def registry(*exercises: str) -> CheckRegistry:
    checks = CheckRegistry()
    for exercise in exercises:
        def shape(reference, rng):  # noqa: ARG001
            raise AssertionError("never built while parsing")
        checks.add(exercise, 1.0)(shape)
    return checks


def parse(raw, checks: CheckRegistry | None = None, predictions=None, stress=None):
    return parse_lesson(raw, WHERE, checks or registry("first", "second"), predictions or {}, stress)


def test_a_valid_lesson_is_joined_with_its_checks():
    lesson = parse(VALID, predictions={"off_by_one": lambda module, case: None})
    assert (lesson.name, lesson.title, lesson.student_file, lesson.quiz_file) == ("demo", "A demo lesson", "demo.py", "demo.yaml")
    assert lesson.pass_above == 0.8 and lesson.directory == WHERE.parent
    first = lesson.exercise("first")
    assert first.hints == ("Think", "Harder than that")  # whitespace folded
    assert first.mistakes["off_by_one"].title == "Off by one" and first.mistakes["off_by_one"].hint == "Count again."
    assert first.max_score == 1.0 and [c.name for c in first.checks] == ["shape"]
    assert set(lesson.predictions) == {"off_by_one"}


def test_defaults_for_the_optional_keys():
    raw = {k: v for k, v in VALID.items() if k not in ("format_version", "quiz", "pass_above")}
    lesson = parse(raw)
    assert lesson.quiz_file == "demo.yaml" and lesson.pass_above is None  # the quiz file holds the threshold


def changed(path: str, value, *, delete: bool = False) -> dict:
    """VALID with one value changed; ``path`` is keys and list indexes joined by dots."""
    raw = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = raw
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    key = int(last) if isinstance(target, list) else last
    if delete:
        del target[key]
    else:
        target[key] = value
    return raw


BAD = [
    ("not a mapping", ["a", "list"], "the lesson file must be a mapping"),
    ("no title", changed("title", None, delete=True), "missing key 'title'"),
    ("unknown key", changed("author", "me"), "unknown keys ['author']; a lesson file has"),
    ("format version", changed("format_version", 2), "format_version 2: this grader reads lesson files of format_version 1"),
    ("name", changed("name", "other"), "name 'other' must be the lesson folder's name, 'demo'"),
    ("student file", changed("student_file", "work.py"), "student_file 'work.py' must be demo.py"),
    ("quiz", changed("quiz", "quiz.yaml"), "quiz 'quiz.yaml' must be demo.yaml"),
    ("pass_above 1", changed("pass_above", 1), "pass_above must be a number from 0 up to (not including) 1"),
    ("pass_above bool", changed("pass_above", True), "pass_above must be a number"),
    ("pass_above text", changed("pass_above", "0.5"), "pass_above must be a number"),
    ("no exercises", changed("exercises", []), "'exercises' must be a non-empty list"),
    ("nameless exercise", changed("exercises.1", {"hints": ["h"]}), "each exercise needs a 'name'"),
    ("no hints", changed("exercises.1.hints", []), "exercise second: 'hints' must be a non-empty list of text"),
    ("blank hint", changed("exercises.1.hints", ["  "]), "exercise second: 'hints' must be a non-empty list of text"),
    ("mistakes list", changed("exercises.0.mistakes", ["off_by_one"]), "exercise first: 'mistakes' must be a mapping"),
    ("mistake text", changed("exercises.0.mistakes.off_by_one", "wrong"), "exercise first, mistake off_by_one: must be a mapping"),
    ("mistake key", changed("exercises.0.mistakes.off_by_one.why", "x"), "exercise first, mistake off_by_one: unknown keys ['why']"),
    ("mistake hint", changed("exercises.0.mistakes.off_by_one.hint", ""), "exercise first, mistake off_by_one: 'hint' must be non-empty text"),
    ("exercise key", changed("exercises.1.points", 3), "exercise second: unknown keys ['points']"),
    ("not_stressed", changed("exercises.1.not_stressed", ["big"]), "exercise second: 'not_stressed' must map stress classes to reasons"),
    ("not_stressed reason", changed("exercises.1.not_stressed", {"big": " "}), "exercise second, not_stressed big: the reason must be non-empty text"),
    ("duplicate", changed("exercises.1.name", "first"), "exercise names must be unique"),
]


@pytest.mark.parametrize("raw, message", [pytest.param(raw, message, id=name) for name, raw, message in BAD])
def test_each_author_error_is_one_line_naming_the_file(raw, message):
    with pytest.raises(UsageError) as error:
        parse(raw)
    text = str(error.value)
    assert text.startswith(f"{WHERE}: ") and message in text and "\n" not in text


def test_an_exercise_without_checks_and_checks_without_an_exercise():
    with pytest.raises(UsageError, match="exercise second: no checks are registered for it"):
        parse(VALID, registry("first"))
    with pytest.raises(UsageError, match=r"checks registered for unknown exercises: \['third'\]"):
        parse(VALID, registry("first", "second", "third"))


def test_predictions_must_be_for_mistakes_the_lesson_describes():
    with pytest.raises(UsageError, match=r"predictions for mistakes the lesson does not describe: \['typo'\]"):
        parse(VALID, predictions={"typo": lambda module, case: None})


def test_not_stressed_names_a_stress_class_of_the_lesson():
    stress = StressRegistry()

    def big_values(case):  # noqa: ARG001
        return True

    stress.add("values over 100")(big_values)
    lesson = parse(changed("exercises.1.not_stressed", {"big_values": "no  inputs"}), stress=stress)
    assert lesson.exercise("second").not_stressed == {"big_values": "no inputs"}
    assert [c.id for c in lesson.stress] == ["big_values"]
    with pytest.raises(UsageError, match="unknown stress class 'tiny'; the lesson's classes are big_values"):
        parse(changed("exercises.1.not_stressed", {"tiny": "why"}), stress=stress)
    assert isinstance(lesson.stress[0], StressClass)


def test_a_check_that_fails_to_build_its_cases_is_a_usage_error_naming_it():
    from grader.core.checks import Case, CheckRegistry
    from grader.core.errors import UsageError
    from grader.course.expectations import UnrecordableCall

    registry = CheckRegistry()

    @registry.add("f", points=1)
    def not_a_case(ref, rng):
        return [Case((1.0,), "one", 1.0), (1.0,)]

    @registry.add("f", points=1)
    def reference_raises(ref, rng):
        return Case((1.0,), "one", ref.f(1.0))

    @registry.add("f", points=1)
    def replay_refuses(ref, rng):
        raise UsageError("this student copy grades with seed 2026 only")

    @registry.add("f", points=1)
    def unkeyable(ref, rng):
        raise UnrecordableCall("cannot key an argument of type function")

    class Reference:
        @staticmethod
        def f(x):
            return {}["missing"]

    built, raising, refusing, unrecordable = registry.for_exercise("f")
    with pytest.raises(UsageError, match="^check f/not_a_case returned a tuple among its cases; a check returns a Case"):
        built.cases(Reference, 1)
    with pytest.raises(UsageError, match=r"^check f/reference_raises could not build its cases: KeyError: 'missing' "
                                         r"\(test_lesson_parsing.py, line \d+\)$"):
        raising.cases(Reference, 1)
    with pytest.raises(UsageError, match="^this student copy grades with seed 2026 only$"):  # as it was raised
        refusing.cases(Reference, 1)
    with pytest.raises(UnrecordableCall):  # release names the check itself
        unrecordable.cases(Reference, 1)


def test_lesson_files_read_by_libyaml_as_by_safe_load():
    """course.read_yaml: libyaml's parser where PyYAML has it, the same data; a malformed file the same error."""
    import yaml

    from grader.course.course import read_yaml

    root = Path(__file__).resolve().parents[2]
    files = sorted(root.glob("grader/lessons/*/lesson.yaml")) + sorted(root.glob("tests/fixture_course*/grader/lessons/*/lesson.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert read_yaml(text) == yaml.safe_load(text), path
    for malformed in ("exercises: [1, 2", "title: a: b", "\t- x", "a: !!python/object:os.system ls"):
        with pytest.raises(yaml.YAMLError) as fast:
            read_yaml(malformed)
        with pytest.raises(yaml.YAMLError) as plain:
            yaml.safe_load(malformed)
        assert str(fast.value) == str(plain.value)
