"""The course: every lesson found in one folder, none named in code.

A course folder holds, for each lesson NAME::

    exercises/NAME.py          the stubs students edit
    solutions/NAME.py          the reference (instructor side; absent in a student copy)
    quizzes/NAME.yaml          the mastery quiz
    grader/lessons/NAME/       lesson.yaml, __init__.py (CHECKS, PREDICTIONS, STRESS), known_wrong/, student_README.md

A lesson is the folder grader/lessons/NAME/ with a lesson.yaml; its other files are cross-checked
when it loads (one name everywhere). Which course a command works on is decided in one place,
``find_course_root``: the folder ``grade --course DIR`` (or the environment variable GRADE_COURSE) names,
else the nearest folder at or above the current directory holding grader/lessons/, else the project
holding this grader. A grader installed
from a wheel (``pip install .``, pipx) has no exercises/, solutions/ nor quizzes/ beside its package:
the build packaged them in grader/_course/ (setup.py), and its course reads them there.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.util
import os
import shlex
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from grader.core.errors import GradeError, UsageError
from grader.course.expectations import INDEX_FILE, load_predictions
from grader.course.lesson import PROJECT_ROOT, Lesson, parse_lesson
from grader.course.quiz.answers import marked_lesson
from grader.core.submission import MAX_ANSWERS_BYTES, EntryKind, Refused, SubmissionFile, entry_kind

COURSE_VARIABLE = "GRADE_COURSE"
LESSONS = Path("grader") / "lessons"
LESSON_FILE = "lesson.yaml"
SOLE_ANSWERS_FILE = "quiz_answers.yaml"
SOLE_PROGRESS_FILE = ".grade-progress.json"
PACKAGED_COURSE = Path(__file__).resolve().parents[1] / "_course"  # setup.py's copies in an installed grader


def data_root(root: Path) -> Path:
    """Where a course's exercises/, solutions/ and quizzes/ are: in its folder, except for this grader's own
    course installed from a wheel (no quizzes/ beside grader/), whose copies the build packaged."""
    if root == PROJECT_ROOT and not (root / "quizzes").is_dir() and PACKAGED_COURSE.is_dir():
        return PACKAGED_COURSE
    return root


def enclosing_course(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding grader/lessons/: the course one is working in."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / LESSONS).is_dir():
            return directory
    return None


def find_course_root(explicit: Path | None = None, start: Path | None = None) -> Path:
    """The course a command works on: ``explicit`` (``--course``), else $GRADE_COURSE, else the course
    enclosing ``start`` (default: the current directory), else the project holding this grader."""
    if explicit is not None:
        return explicit.resolve()
    chosen = os.environ.get(COURSE_VARIABLE)
    if chosen:
        return Path(chosen).resolve()
    return enclosing_course(Path.cwd() if start is None else start) or PROJECT_ROOT


def refuse_course_within(course: Path, folder: Path, what: str) -> None:
    """Exit 2 when the course lies in ``folder`` (at it or below it): students wrote what is there, and a course's
    lesson package (checks, predictions) runs in the trusted grading process. Checked before any of it is imported."""
    root, folder = course.resolve(), folder.resolve()
    if root == folder or folder in root.parents:
        raise UsageError(f"the course at {root} lies inside {what} {folder}, which students wrote: grade from outside "
                         f"it, or name your own course with grade --course DIR")


def typed_path(path: Path, here: Path) -> str:
    """``path`` as a command typed in ``here`` names it: relative to here when that is shorter, else as it is."""
    relative = os.path.relpath(path, here)
    return relative if len(relative) < len(str(path)) else str(path)


def grade_command(course: Path, lesson: str | None = None, start: Path | None = None) -> str:
    """``grade`` as a student or author types it from ``start`` (default: here) to work on ``course`` and
    ``lesson``: with --course only when the course found from there is another, with --lesson when given."""
    words = ["grade"]
    if course.resolve() != find_course_root(start=start):
        words += ["--course", typed_path(course, Path.cwd() if start is None else start)]
    if lesson is not None:
        words += ["--lesson", lesson]
    return shlex.join(words)


def answers_file(name: str, sole: bool) -> str:
    """A lesson's quiz answers file: quiz_answers.yaml in a one-lesson course, quiz_answers.NAME.yaml otherwise."""
    return SOLE_ANSWERS_FILE if sole else f"quiz_answers.{name}.yaml"


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml's parser under the same safe constructor, when built with it


def read_yaml(text: str) -> Any:
    """``yaml.safe_load``, parsed by libyaml where PyYAML has it (a lesson file: 48 ms -> 4 ms, at every
    command's start). A file libyaml refuses is read again by the pure-Python parser, so that what is
    wrong with it is said in the same words, or it is read as before."""
    if _FAST_LOADER is not None:
        try:
            return yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 (a safe loader)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


@dataclass(frozen=True)
class FoundAnswers:
    """A lesson's quiz answers in a student's folder, and a quiz_answers.yaml there that is not graded for it."""

    file: SubmissionFile  # graded when it exists
    unused: str | None = None  # why the quiz_answers.yaml beside it is not this lesson's: never silently ignored


def answers_in(base: Path, lesson: Lesson, folder: str = "", alone: bool = True) -> FoundAnswers:
    """The lesson's quiz answers in a student's folder (``base``, or its entry ``folder``, never followed).

    In a course of several lessons, the file of the lesson's own name (quiz_answers.NAME.yaml); where there
    is none, a plain ``quiz_answers.yaml`` that names this lesson in its header (``# lesson: NAME``, as a
    one-lesson copy writes it), or that names no lesson when this lesson is ``alone``: chosen with --lesson,
    or the only lesson whose files the submission holds. A plain file that is not used says why."""
    def inside(name: str) -> str:
        return f"{folder}/{name}" if folder else name

    own = SubmissionFile(base, inside(lesson.answers_file))
    if lesson.answers_file == SOLE_ANSWERS_FILE:
        return FoundAnswers(own)
    sole = SubmissionFile(base, inside(SOLE_ANSWERS_FILE))
    kind = entry_kind(base, sole.relative)
    if kind is None:
        return FoundAnswers(own)
    has_own = entry_kind(base, own.relative) is not None
    try:
        named = marked_lesson(sole.read(MAX_ANSWERS_BYTES)[:1024]) if kind is EntryKind.FILE else None
    except Refused:
        named = None  # grading it says why it cannot be read
    if named == lesson.name or (named is None and alone):
        if not has_own:
            return FoundAnswers(sole)
        return FoundAnswers(own, f"{SOLE_ANSWERS_FILE} is not graded: {lesson.answers_file}, the lesson's own "
                                 f"answers file, is there too")
    if named is not None:
        return FoundAnswers(own, f"{SOLE_ANSWERS_FILE} is not graded for lesson {lesson.name}: its header says it "
                                 f"is lesson {named}'s")
    return FoundAnswers(own, f"{SOLE_ANSWERS_FILE} is not graded: it names no lesson and several lessons' files are "
                             f"here; make its first line '# lesson: {lesson.name}', rename it {lesson.answers_file}, "
                             f"or choose the lesson with grade --lesson {lesson.name}")


def progress_file(name: str, sole: bool) -> str:
    return SOLE_PROGRESS_FILE if sole else f".grade-progress.{name}.json"


def _import_package(directory: Path, root: Path) -> ModuleType:
    """The lesson's Python package; an error in its code (checks.py, predictions.py, stress.py...) is the lesson's
    bug: one line with the error and the place in the lesson's files, not a traceback (exit code 2)."""
    try:
        return _import_lesson_code(directory, root)
    except GradeError:
        raise
    except Exception as error:  # noqa: BLE001 - the author's code: reported in one line
        raise UsageError(f"{directory}: the lesson's code could not be imported: {type(error).__name__}: "
                         f"{_message(error)}{_place_in(directory, error)}") from None


def _message(error: Exception) -> str:
    return error.msg if isinstance(error, SyntaxError) and error.msg else " ".join(str(error).split())


def _place_in(directory: Path, error: Exception) -> str:
    """Where in the lesson's own files the error arose: a syntax error's line, else the last frame there."""
    home = directory.resolve()
    if isinstance(error, SyntaxError) and error.filename and Path(error.filename).resolve().is_relative_to(home):
        return f" ({Path(error.filename).resolve().relative_to(home)}, line {error.lineno})"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve().is_relative_to(home)]
    return f" ({Path(frames[-1].filename).resolve().relative_to(home)}, line {frames[-1].lineno})" if frames else ""


def _import_lesson_code(directory: Path, root: Path) -> ModuleType:
    """The lesson's Python package: grader.lessons.NAME for this grader's own course, else loaded from its folder."""
    if directory.resolve().parent == (PROJECT_ROOT / LESSONS).resolve():
        return importlib.import_module(f"grader.lessons.{directory.name}")
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    module_name = f"grade_course_{digest}_{directory.name}"  # relative imports inside the lesson work
    if module_name in sys.modules:
        return sys.modules[module_name]
    init = directory / "__init__.py"
    if not init.is_file():
        raise UsageError(f"{init}: not found; a lesson's folder is a package exporting CHECKS and PREDICTIONS")
    spec = importlib.util.spec_from_file_location(module_name, init, submodule_search_locations=[str(directory)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


@dataclass(frozen=True)
class Course:
    root: Path
    _loaded: dict[tuple[str, bool], Lesson] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def at(cls, root: Path | None = None) -> Course:
        resolved = find_course_root(root)
        cached = _COURSES.get(resolved)
        if cached is None:
            cached = _COURSES[resolved] = cls(resolved)
        return cached

    @property
    def lessons_dir(self) -> Path:
        return self.root / LESSONS

    @property
    def data_root(self) -> Path:
        """exercises/, solutions/ and quizzes/: the course folder, or an installed grader's packaged copies."""
        return data_root(self.root)

    def command(self, lesson: str | None = None) -> str:
        """``grade`` as typed from here to work on this course and ``lesson``: --lesson only when the course has
        several lessons (one lesson is chosen without it), --course only when it is not the course found here."""
        several = lesson is not None and len(self.names()) > 1
        return grade_command(self.root, lesson if several else None)

    def names(self) -> tuple[str, ...]:
        """Every lesson of the course: the folders of grader/lessons/ holding a lesson.yaml, sorted."""
        if not self.lessons_dir.is_dir():
            return ()
        return tuple(sorted(d.name for d in self.lessons_dir.iterdir()
                            if d.is_dir() and (d / LESSON_FILE).is_file() and not d.name.startswith(("_", "."))))

    def strays(self) -> tuple[str, ...]:
        """Lesson files without a lesson folder (exercises/X.py with no grader/lessons/X/, and so on)."""
        names = set(self.names())
        found = []
        for folder, suffix in (("exercises", ".py"), ("solutions", ".py"), ("quizzes", ".yaml")):
            directory = self.data_root / folder
            if directory.is_dir():
                found += [f"{folder}/{p.name}" for p in sorted(directory.iterdir())
                          if p.suffix == suffix and not p.name.startswith(("_", ".")) and p.stem not in names]
        return tuple(found)

    def _unknown(self, name: str) -> UsageError:
        names = self.names()
        choices = f"the lessons are: {', '.join(names)}" if names else f"it has no lessons ({self.lessons_dir}/ is empty)"
        return UsageError(f"no lesson {name!r} in the course at {self.root}; {choices}")

    def require(self, name: str) -> None:
        """Exit 2 unless the course has a lesson ``name``; nothing of the lesson is imported."""
        if name not in self.names():
            raise self._unknown(name)

    def lesson(self, name: str | None = None) -> Lesson:
        """Lesson ``name``; without one, the course's only lesson."""
        names = self.names()
        if name is None:
            if len(names) != 1:
                if not names:
                    raise UsageError(f"no lessons in {self.lessons_dir} (a lesson is a folder there with a {LESSON_FILE})")
                raise UsageError(f"this course has {len(names)} lessons ({', '.join(names)}): choose one with --lesson NAME")
            name = names[0]
        if name not in names:
            raise self._unknown(name)
        sole = len(names) == 1  # part of the key: a lesson's answers and progress files change with the course
        if (name, sole) not in self._loaded:
            self._loaded[(name, sole)] = self._load(name, sole)
        return self._loaded[(name, sole)]

    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(self.lesson(name) for name in self.names())

    def _load(self, name: str, sole: bool) -> Lesson:
        directory = self.lessons_dir / name
        where = directory / LESSON_FILE
        try:
            raw = read_yaml(where.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise UsageError(f"{where}: cannot read the lesson file ({' '.join(str(exc).split())})") from None
        package = _import_package(directory, self.root)
        released = (directory / INDEX_FILE).is_file()  # a student copy: predictions are recorded data
        for attribute in ("CHECKS",) if released else ("CHECKS", "PREDICTIONS"):
            if not hasattr(package, attribute):
                raise UsageError(f"{directory / '__init__.py'}: must export {attribute}")
        predictions = (load_predictions(directory, _mistake_ids(raw)) if released else package.PREDICTIONS)
        stress = None if released else getattr(package, "STRESS", None)  # the stress matrix is validate's, not a student's
        lesson = parse_lesson(raw, where, package.CHECKS, predictions, stress)
        quiz = self.data_root / "quizzes" / lesson.quiz_file
        if not quiz.is_file():
            raise UsageError(f"{where}: its quiz {quiz} is not there (a lesson's quiz is quizzes/{name}.yaml)")
        return dataclasses.replace(lesson, root=self.data_root, answers_file=answers_file(name, sole),
                                   progress_file=progress_file(name, sole))

    def for_file(self, path: Path) -> Lesson | None:
        """The lesson whose student file is named like ``path`` (exercises/NAME.py or NAME.ipynb), if any."""
        return self.lesson(path.stem) if path.suffix in (".py", ".ipynb") and path.stem in self.names() else None


def _mistake_ids(raw: object) -> list[str]:
    """Every mistake id a lesson.yaml describes (parse_lesson checks the file itself)."""
    exercises = raw.get("exercises") if isinstance(raw, dict) else None
    return [str(m) for e in (exercises or []) if isinstance(e, dict) and isinstance(e.get("mistakes"), dict)
            for m in e["mistakes"]]


_COURSES: dict[Path, Course] = {}


def load_lesson(name: str | None = None, root: Path | None = None) -> Lesson:
    """Lesson ``name`` of the course at ``root`` (default: the course found by ``grader.course.course``).

    Without a name, the course's only lesson (exit 2 when it has several: choose with --lesson).
    """
    return Course.at(root).lesson(name)
