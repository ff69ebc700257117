"""``grade validate``: the course author's check that the lesson's checks catch what they should.

Everything is graded exactly like a student's file, in sandboxed workers: the reference must get
full marks, the stub zero (every exercise "not implemented"), and each known-wrong implementation
(``known_wrong/<mistake>.py`` swapped into the reference) must lose points on its own exercise,
be named there (so the student sees its hint) and leave every other exercise with full marks.
The lesson's data is checked too: a known-wrong file for every mistake, three hint tiers per
exercise, a quiz that loads with exactly one correct choice per question, every prediction usable on every case
of its exercise (it neither raises, unless the mistake raises, nor names outputs the case cannot have), and the
stress matrix
(``grader.course.stress``): every exercise's checks put a case in every stress class, or lesson.yaml says why not.
"""
from __future__ import annotations

import os
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from grader.core.errors import UsageError
from grader.engine.grading import DEFAULT_SEED, GradeOptions, grade_submission
from grader.authoring.known_wrong import FOLDER, KnownWrong, known_wrong_files, read_known_wrong, splice
from grader.core.checks import Case, Tensor, flat_outputs
from grader.course.lesson import Lesson, Mistake
from grader.core.model import ExerciseResult, ExerciseStatus, Report
from grader.course.quiz import load_quiz
from grader.core.formatting import points
from grader.sandbox import shortcuts
from grader.sandbox.runner import Limits
from grader.authoring.stress_matrix import StressCell, stress_matrix

HINT_TIERS = ("concept", "formula", "common bug")


@dataclass(frozen=True)
class ValidationFinding:
    subject: str  # what was checked: "reference", "stub", a mistake id, "hints", "quiz", ...
    ok: bool
    detail: str


@dataclass(frozen=True)
class Validation:
    lesson: str
    seed: int
    findings: tuple[ValidationFinding, ...]
    seconds: float = 0.0
    matrix: tuple[StressCell, ...] = ()  # exercise x stress class

    @property
    def failures(self) -> tuple[ValidationFinding, ...]:
        return tuple(f for f in self.findings if not f.ok)

    @property
    def passed(self) -> bool:
        return not self.failures


def stub_path(lesson: Lesson) -> Path:
    return lesson.stub_path


def known_wrong_directory(lesson: Lesson) -> Path:
    assert lesson.directory is not None
    return lesson.directory / FOLDER


def require_instructor_project(lesson: Lesson, command: str) -> None:
    """Exit 2 unless this is the instructor's project: the reference and the stubs, not a student copy."""
    if lesson.released:
        raise UsageError(f"grade {command} works in the instructor's project: this is a student copy (no solutions/)")
    for path, what in ((lesson.reference_path, "the reference solution"), (stub_path(lesson), "the exercise stubs")):
        if not path.is_file():
            raise UsageError(f"{path}: not found; grade {command} needs {what}")


def grade_files(paths: list[Path], lesson: Lesson, options: GradeOptions, jobs: int | None = None) -> list[Report]:
    """Grade several files at once (each also grades its exercises in parallel)."""
    lesson.reference  # import it before the threads need it  # noqa: B018
    with ThreadPoolExecutor(max_workers=jobs or max(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda path: grade_submission(path, lesson, options), paths))


def _score(report: Report) -> str:
    return f"{points(report.score)}/{points(report.max_score)}"


def _reference_finding(report: Report) -> ValidationFinding:
    """Full marks, or each exercise short of them with what its first failing check says (else the author had
    to grade the reference by hand to learn why)."""
    def why(e: ExerciseResult) -> str:
        failed = next((c for c in e.checks if not c.passed and c.message), None)
        said = failed.message if failed is not None else e.detail
        return f" (it says: {failed.name + ': ' if failed is not None else ''}{_first_line(said)})" if said else ""

    short = [f"{e.name} {points(e.score)}/{points(e.max_score)} ({e.status.value}){why(e)}"
             for e in report.exercises if e.status is not ExerciseStatus.PASSED]
    if short:
        return ValidationFinding("reference", False, f"{_score(report)}; short of full marks: {'; '.join(short)}")
    return ValidationFinding("reference", True, f"{_score(report)}, every exercise passed")


def _stub_finding(report: Report) -> ValidationFinding:
    wrong = [f"{e.name} ({e.status.value}, {points(e.score)} points)"
             for e in report.exercises if e.status is not ExerciseStatus.NOT_IMPLEMENTED or e.score]
    if wrong:
        return ValidationFinding("stub", False, f"{_score(report)}; not a bare stub: {'; '.join(wrong)}")
    return ValidationFinding("stub", True, f"{_score(report)}, every exercise not implemented")


def _known_wrong_finding(known: KnownWrong, exercise: str, report: Report) -> ValidationFinding:
    problems = []
    for result in report.exercises:
        score = f"{points(result.score)}/{points(result.max_score)}"
        if result.name == exercise:
            own = f"{exercise} {score}"
            if result.status is ExerciseStatus.PASSED:
                problems.append(f"{exercise} kept full marks ({score}): no check catches it")
            elif result.status is not ExerciseStatus.FAILED:
                problems.append(f"{exercise} {result.status.value}: {result.detail or result.checks[0].message}")
            elif known.mistake not in result.mistakes:
                named = ", ".join(result.mistakes) or "no mistake"
                failed = next((c for c in result.checks if not c.passed and c.message), None)
                said = f" (it says: {_first_line(failed.message)})" if failed is not None else ""
                problems.append(f"{exercise} lost points ({score}) but the feedback names {named}, not {known.mistake}"
                                + said)
        elif result.status is not ExerciseStatus.PASSED:
            problems.append(f"also costs {result.name} points ({score}, {result.status.value})")
    subject = f"{FOLDER}/{known.path.name}"
    if problems:
        return ValidationFinding(subject, False, "; ".join(problems))
    return ValidationFinding(subject, True, f"{own}, named on it; every other exercise full marks")


def _first_line(message: str, limit: int = 240) -> str:
    line = message.splitlines()[0]
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _hint_findings(lesson: Lesson) -> list[ValidationFinding]:
    short = [f"{e.name} has {len(e.hints)}" for e in lesson.exercises if len(e.hints) != len(HINT_TIERS)]
    if short:
        return [ValidationFinding("hints", False, f"every exercise needs {len(HINT_TIERS)} hint tiers "
                                        f"({', '.join(HINT_TIERS)}): {'; '.join(short)}")]
    return [ValidationFinding("hints", True, f"every exercise has {len(HINT_TIERS)} tiers ({', '.join(HINT_TIERS)})")]


def _quiz_findings(lesson: Lesson, quiz_path: Path | None) -> list[ValidationFinding]:
    try:
        quiz = lesson.load_quiz() if quiz_path is None else load_quiz(quiz_path)
    except UsageError as error:
        return [ValidationFinding("quiz", False, error.message)]
    names = {e.name for e in lesson.exercises}
    strays = [f"{q.id} points to {q.exercise}" for q in quiz.questions if q.exercise not in names]
    if strays:
        return [ValidationFinding("quiz", False, f"questions whose exercise is not in the lesson: {'; '.join(strays)}")]
    return [ValidationFinding("quiz", True, f"{(quiz_path or lesson.quiz_path).name}: {len(quiz.questions)} questions, exactly one correct choice each")]


def _stress_findings(lesson: Lesson, matrix: tuple[StressCell, ...]) -> list[ValidationFinding]:
    if not lesson.stress:
        return [ValidationFinding("stress matrix", False, "the lesson names no stress classes (STRESS in its package, "
                                                         "see docs/writing-a-lesson.md)")]
    findings = []
    empty = [f"{c.exercise} x {c.stress}" + ("" if c.why_empty() == "no hidden case" else f" ({c.why_empty()})")
             for c in matrix if c.empty]
    if empty:
        findings.append(ValidationFinding("stress matrix", False, f"{len(empty)} empty cell{'s' if len(empty) != 1 else ''}, "
                                          "no hidden case at every seed and no reason in lesson.yaml's not_stressed: "
                                          + "; ".join(empty)))
    else:
        covered = sum(1 for c in matrix if c.checks)
        findings.append(ValidationFinding("stress matrix", True, f"{len(lesson.exercises)} exercises x {len(lesson.stress)} "
                                          f"classes: {covered} cells stressed, the other {len(matrix) - covered} say why not"))
    stale = [f"{c.exercise} x {c.stress} ({', '.join(c.checks)})" for c in matrix if c.checks and c.reason is not None]
    if stale:
        findings.append(ValidationFinding("not_stressed", False, "says a class does not apply, but a check stresses it "
                                          "(remove the reason): " + "; ".join(stale)))
    return findings


def _known_wrong(lesson: Lesson) -> tuple[list[ValidationFinding], list[tuple[KnownWrong, str]]]:
    """Findings about the known-wrong files, and the usable ones with the exercise each belongs to."""
    owner = {m: e.name for e in lesson.exercises for m in e.mistakes}
    findings, usable = [], []
    found: dict[str, KnownWrong] = {}
    unreadable: set[str] = set()
    folder = known_wrong_directory(lesson)
    for path in known_wrong_files(folder):
        try:
            known = read_known_wrong(path)
        except ValueError as error:
            findings.append(ValidationFinding(f"{FOLDER}/{path.name}", False, str(error)))
            unreadable.add(path.stem)  # said above: not missing as well
            continue
        found[known.mistake] = known
        exercise = owner.get(known.mistake)
        if exercise is None:
            findings.append(ValidationFinding(f"{FOLDER}/{path.name}", False, f"lesson.yaml describes no mistake {known.mistake}"))
        elif known.function != exercise:
            findings.append(ValidationFinding(f"{FOLDER}/{path.name}", False,
                                    f"defines {known.function}, but {known.mistake} is a mistake of {exercise}"))
        else:
            usable.append((known, exercise))
    missing = [m for m in owner if m not in found and m not in unreadable]
    if missing:
        findings.append(ValidationFinding(f"{FOLDER}/", False, f"no {FOLDER}/<mistake>.py for: {', '.join(missing)}"))
    else:
        findings.append(ValidationFinding(f"{FOLDER}/", True, f"one file per known mistake of lesson.yaml ({len(owner)})"))
    return findings, usable


def require_forbidden_resolve(lesson: Lesson) -> None:
    """Exit 2 unless every exercise's forbidden name is a function the worker can watch."""
    where = lesson.directory / "lesson.yaml" if lesson.directory is not None else Path(f"{lesson.name}/lesson.yaml")
    for exercise in lesson.exercises:
        for name in exercise.forbidden:
            try:
                shortcuts.resolve(name)
            except shortcuts.Unresolved as problem:
                raise UsageError(f"{where}: exercise {exercise.name}, forbidden: {problem}") from None


def _mistake_findings(lesson: Lesson) -> list[ValidationFinding]:
    """Mistakes named by message text alone: a different bug with a similar message gets their name."""
    by_text = [f"{e.name}/{m.id}" for e in lesson.exercises for m in e.mistakes.values()
               if m.raises_like is not None and m.raises is None]
    if not by_text:
        return []
    return [ValidationFinding("raises", True, f"{len(by_text)} mistake{'s' if len(by_text) != 1 else ''} matched by "
                              "message text alone should name the exception's type too (raises: IndexError): "
                              + ", ".join(by_text))]


def _gradient_findings(lesson: Lesson, seed: int) -> list[ValidationFinding]:
    """Checks with a torch case that asks only whether a gradient arrives (grad_flows, no expected gradient):
    a submission passes it by writing x.grad by hand (docs/security.md)."""
    presence_only = [f"{e.name}/{c.name}" for e in lesson.exercises for c in e.checks
                     if any(case.grad_flows and not case.expect_grad for case in c.cases(lesson.reference, seed))]
    if not presence_only:
        return []
    checks = f"{len(presence_only)} checks only see" if len(presence_only) != 1 else "1 check only sees"
    return [ValidationFinding("grad_flows", True, f"{checks} that a gradient arrives, which a submission can forge by "
                              "setting .grad itself; give value_of (or expect_grad) to check its values: "
                              + ", ".join(presence_only))]


def _output_names(case: Case) -> set[str]:
    """The outputs a worker can send back for this case, by name: what a prediction may say."""
    names = {name for name, _, _ in case.parts()}
    names |= {f"grad:{i}" for i, a in enumerate(case.args) if isinstance(a, Tensor) and a.requires_grad}
    for index in {*case.unchanged, *case.expect_args}:
        names |= ({f"arg:{index}.{i}" for i in range(len(case.args[index]))} if case.listed(index)
                  else {f"arg:{index}"})
    return names


def _prediction_problem(lesson: Lesson, mistake: Mistake, case: Case) -> str | None:
    """What is wrong with the mistake's prediction on this case, where feedback could never use it: it raises
    (and lesson.yaml does not say the mistake raises), it returns no outputs, or it names outputs the case does
    not have. The grader treats each as "this case cannot show the mistake", so the only sign was a known-wrong
    file "named no mistake"."""
    predict = lesson.predictions[mistake.id]
    try:
        with np.errstate(all="ignore"):
            predicted = predict(lesson.reference, case)
    except Exception as error:  # noqa: BLE001 - the lesson's bug, reported
        if mistake.raises is not None or mistake.raises_like is not None:
            return None  # a mistake that raises: the prediction raising is how it says so
        home = getattr(getattr(predict, "__code__", None), "co_filename", None)
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == home]
        where = f" ({Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
        return (f"raised {type(error).__name__}: {error}{where}; a prediction returns the mistake's outputs, or None "
                "where the case cannot show it (lesson.yaml's raises: says a mistake raises)")
    forms = predicted if isinstance(predicted, (list, tuple)) else [predicted]
    if not all(form is None or isinstance(form, Mapping) for form in forms):
        kind = next(type(f).__name__ for f in forms if not (f is None or isinstance(f, Mapping)))
        return (f"returned a {kind}; a prediction returns a dict of outputs ({{\"value\": ...}}), a list of such "
                "dicts, or None")
    names = _output_names(case)
    unknown = sorted({key for form in forms if form for key in flat_outputs(form)} - names)
    if unknown:
        return (f"names outputs {unknown} the case cannot have (its outputs: {', '.join(sorted(names))}; "
                "a tuple result is value.0, value.1, ... or a tuple under value)")
    return None


def _prediction_findings(lesson: Lesson, seed: int) -> list[ValidationFinding]:
    """Each prediction run on every case of its exercise at the seed: the first case where feedback could never
    use it, per mistake (only failures: a prediction that works is what the known-wrong findings show)."""
    findings = []
    for exercise in lesson.exercises:
        cases = [(check, case) for check in exercise.checks for case in check.cases(lesson.reference, seed)]
        for mistake in exercise.mistakes.values():
            if mistake.id not in lesson.predictions:
                continue
            for check, case in cases:
                problem = _prediction_problem(lesson, mistake, case)
                if problem is not None:
                    findings.append(ValidationFinding(f"predictions.py: {mistake.id}", False,
                                                      f"on {exercise.name}/{check.name} ({case.describe}): {problem}"))
                    break
    return findings


def validate_lesson(lesson: Lesson, seed: int = DEFAULT_SEED, limits: Limits = Limits(),
                    quiz_path: Path | None = None) -> Validation:
    require_instructor_project(lesson, "validate")
    require_forbidden_resolve(lesson)
    started = time.monotonic()
    findings = _hint_findings(lesson) + _quiz_findings(lesson, quiz_path) + _mistake_findings(lesson)
    findings += _gradient_findings(lesson, seed) + _prediction_findings(lesson, seed)
    matrix = stress_matrix(lesson, seed) if lesson.stress else ()
    findings += _stress_findings(lesson, matrix)
    known_findings, usable = _known_wrong(lesson)
    findings += known_findings
    reference_text = lesson.reference_path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="grade-validate-") as workdir:
        paths = [lesson.reference_path, stub_path(lesson)]
        variants = []
        for known, exercise in usable:
            try:
                text = splice(reference_text, known.function, known.source)
            except (ValueError, SyntaxError) as error:
                findings.append(ValidationFinding(f"{FOLDER}/{known.path.name}", False, str(error)))
                continue
            path = Path(workdir) / known.mistake / lesson.student_file
            path.parent.mkdir()
            path.write_text(text, encoding="utf-8")
            paths.append(path)
            variants.append((known, exercise))
        reports = grade_files(paths, lesson, GradeOptions(seed=seed, limits=limits))
    findings += [_reference_finding(reports[0]), _stub_finding(reports[1])]
    findings += [_known_wrong_finding(k, e, r) for (k, e), r in zip(variants, reports[2:])]
    return Validation(lesson.name, seed, tuple(findings), time.monotonic() - started, matrix)
