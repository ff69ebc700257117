"""``grade release OUT``: the student copy of the course (or of some of its lessons), without the solutions.

The copy holds, for each lesson released, the exercise stubs, the quiz (its key hashed) and the
lesson's folder, with the grader and a README for students; no other lesson's files;
never solutions/ nor the known-wrong implementations. In place of the reference it carries the
reference's recorded answers (``grader.course.expectations``) at the default seed, so ``grade`` in the copy
grades exactly as the instructor's project does at that seed, and refuses any other seed.

The copy is built in a temporary folder beside OUT, scanned for reference code, and (unless
``verify=False``) graded with its own grader in a separate interpreter on the stub, the reference
and every known-wrong variant, whose reports must equal the project's. Only then is it renamed to
OUT, so a failed or interrupted release never leaves a partial copy behind.
"""
from __future__ import annotations

import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.core.errors import UsageError
from grader.core.formatting import counted
from grader.course.expectations import STEM, RecordedPredictions, RecordingReference, UnrecordableCall, save_expectations
from grader.engine.grading import DEFAULT_SEED, GradeOptions
from grader.authoring.known_wrong import FOLDER, known_wrong_files, read_known_wrong, splice
from grader.course.lesson import PROJECT_ROOT, STUB_SUFFIX, Lesson
from grader.course.course import COURSE_VARIABLE, LESSONS
from grader.core.model import ExerciseStatus
from grader.authoring.lesson_notebook import lesson_notebook_text
from grader.core.notebook_program import NotebookError, notebook_program
from grader.render.json_report import report_dict
from grader.authoring.validate import grade_files, require_instructor_project

ENGINE = "grader"  # copied from this grader's project, without its lessons
INSTRUCTOR_MODULES = ("quiz_key.py",)  # grade quiz-key: no command in a copy prints the key
# _course: the course data an installed grader carries (setup.py), solutions included
LEFT_OUT = ("__pycache__", "*.pyc", FOLDER, f"{STEM}.*", "student_README.md", "_course", *INSTRUCTOR_MODULES)
BUILD_FILES = ("setup.py", "MANIFEST.in")  # they package exercises/ and quizzes/ into the copy's wheel
STUDENT_README = "student_README.md"  # in the lesson's folder; becomes the copy's README.md
STUDENT_GITIGNORE = ".venv/\n__pycache__/\n*.egg-info/\n.grade-progress*.json\n"
VERIFY_TIMEOUT = 600.0

# Runs in a separate interpreter with the copy first on sys.path: the copy's grader grades each file.
_DRIVER = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import grader
from grader.engine.grading import GradeOptions, grade_submission
from grader.course.course import load_lesson
from grader.render.json_report import report_dict
request = json.loads(sys.argv[1])
lesson = load_lesson(request["lesson"])
lesson.reference
options = GradeOptions(seed=request["seed"])
with ThreadPoolExecutor(4) as pool:
    reports = list(pool.map(lambda p: report_dict(grade_submission(Path(p), lesson, options)), request["paths"]))
json.dump({"grader": grader.__file__, "released": lesson.released, "reports": reports}, sys.stdout)
"""


@dataclass(frozen=True)
class Release:
    out: Path
    files: tuple[str, ...]  # what the copy holds, relative to OUT
    recorded_calls: int
    verified: tuple[str, ...] = ()  # what was graded in the copy and matched the project
    problems: tuple[str, ...] = ()  # why the copy was refused (nothing written to OUT then)

    @property
    def written(self) -> bool:
        return not self.problems


def record_expectations(lesson: Lesson, seed: int = DEFAULT_SEED) -> tuple[RecordingReference, RecordedPredictions]:
    """Every reference call the checks make at ``seed``, and what every mistake's prediction returns on
    every case (so that the copy needs neither the reference nor a known-wrong implementation)."""
    recorder, predictions = RecordingReference(lesson.reference), RecordedPredictions()
    for exercise in lesson.exercises:
        predicting = [(m, lesson.predictions[m]) for m in exercise.mistakes if m in lesson.predictions]
        for check in exercise.checks:
            try:
                cases = check.cases(recorder, seed)  # type: ignore[arg-type]
            except UnrecordableCall as error:
                raise UsageError(f"check {exercise.name}/{check.name} cannot be released: {error}") from None
            for case in cases:
                for mistake, predict in predicting:
                    try:
                        predictions.record(mistake, case, predict, lesson.reference)
                    except UnrecordableCall as error:
                        raise UsageError(f"the prediction of {mistake} cannot be released: {error}") from None
    return recorder, predictions


def lesson_modules_needed(directory: Path, entry: str) -> set[str]:
    """The lesson package's modules that ``entry`` (the module of CHECKS) imports, itself included, by
    reading their imports: everything else of the package (the predictions, the wrong formulas) stays out."""
    package = f"{LESSONS.as_posix().replace('/', '.')}.{directory.name}"
    needed: set[str] = set()
    pending = [entry]
    while pending:
        name = pending.pop()
        path = directory / f"{name}.py"
        if name in needed or not path.is_file():
            continue
        needed.add(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 1:
                    pending += [module.split(".")[0]] if module else [a.name for a in node.names]
                elif module.startswith(package + "."):
                    pending.append(module[len(package) + 1:].split(".")[0])
                elif module == package:
                    pending += [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                pending += [a.name[len(package) + 1:].split(".")[0] for a in node.names if a.name.startswith(package + ".")]
    return needed


def checks_module(directory: Path) -> str:
    """The module of the lesson's package that CHECKS comes from, read from its __init__.py: the copy's
    package exports CHECKS alone, so that nothing imports the predictions there."""
    package = f"{LESSONS.as_posix().replace('/', '.')}.{directory.name}"
    init = directory / "__init__.py"
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "CHECKS" for alias in node.names):
            module = node.module or ""
            if node.level == 1 and module:
                return module.split(".")[0]
            if node.level == 0 and module.startswith(package + "."):
                return module[len(package) + 1:].split(".")[0]
    raise UsageError(f"{init}: import CHECKS from a module of the lesson (from .checks import CHECKS); the student "
                     "copy's package exports CHECKS alone, without the predictions")


STUDENT_INIT = '''"""{title} (student copy: the known mistakes' predictions are recorded data, not code)."""
from .{module} import CHECKS

__all__ = ["CHECKS"]
'''


def _copy_lesson(lesson: Lesson, target: Path) -> None:
    """The lesson's folder, with only the modules its checks need and an __init__ exporting CHECKS."""
    assert lesson.directory is not None
    module = checks_module(lesson.directory)
    needed = lesson_modules_needed(lesson.directory, module)

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(shutil.ignore_patterns(*LEFT_OUT)(directory, names))
        if Path(directory) == lesson.directory:
            ignored |= {n for n in names if n.endswith(".py") and n[:-3] not in needed}
        return ignored

    shutil.copytree(lesson.directory, target, ignore=ignore)
    (target / "__init__.py").write_text(STUDENT_INIT.format(title=lesson.title, module=module), encoding="utf-8")


def _check_destination(out: Path, roots: set[Path]) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: is a file; give a new or empty folder for the student copy")
    if out.is_dir() and any(out.iterdir()):
        raise UsageError(f"{out}: not empty; give a new or empty folder for the student copy")
    for root in roots:
        sources = [root / name for name in (ENGINE, "exercises", "quizzes", "solutions")]
        if out == root or out in root.parents or any(out == s or s in out.parents for s in sources):
            raise UsageError(f"{out}: inside the folders it would copy; choose a folder elsewhere (build/student is fine)")


def _student_pyproject(text: str, where: Path) -> str:
    """The project's pyproject.toml, with the recorded expected values and the pristine stubs packaged beside
    lesson.yaml, and without the ``test`` extra (the project's tests do not ship)."""
    patched = text.replace('"*" = ["*.yaml"]', f'"*" = ["*.yaml", "{STEM}.*", "*{STUB_SUFFIX}"]')
    if f"{STEM}.*" not in patched:
        raise UsageError(f'{where}: no `"*" = ["*.yaml"]` package-data line to add "{STEM}.*" to; add it by hand')
    patched = re.sub(r"(?m)^test\s*=\s*\[[^\]]*\]\n", "", patched)
    return re.sub(r"(?m)^\[project\.optional-dependencies\]\n\n?(?=\[|\Z)", "", patched)  # the table, if left empty


def _engine_ignore(directory: str, names: list[str]) -> set[str]:
    ignored = set(shutil.ignore_patterns(*LEFT_OUT)(directory, names))
    if Path(directory).resolve() == (PROJECT_ROOT / LESSONS).resolve():  # lessons come from the course, chosen
        ignored |= {n for n in names if (Path(directory) / n).is_dir()}
    return ignored


def _student_readme(lessons: tuple[Lesson, ...]) -> str:
    texts = []
    for lesson in lessons:
        assert lesson.directory is not None
        texts.append((lesson.directory / STUDENT_README).read_text(encoding="utf-8"))
    if len(texts) == 1:
        return texts[0]
    listing = "".join(f"- `{lesson.name}`: {lesson.title} (`exercises/{lesson.student_file}`)\n" for lesson in lessons)
    head = (f"# The course\n\nThis copy holds {len(lessons)} lessons:\n\n{listing}\n`grade` grades every lesson "
            "whose exercise file is here; `grade --lesson NAME <command>` works on one. Each lesson's own README "
            "follows.\n\n")
    return head + "\n\n".join(texts)


def _write_notebook(lesson: Lesson, stub: Path) -> None:
    """The lesson as a notebook beside its stubs, generated from them (they are its single source)."""
    notebook = stub.with_suffix(".ipynb")
    notebook.write_text(lesson_notebook_text(stub.read_text(encoding="utf-8"), lesson.title, lesson.name), encoding="utf-8")
    shown = stub.stat()
    os.utime(notebook, ns=(shown.st_atime_ns, shown.st_mtime_ns))  # neither is "saved last": a folder grades the .py


def _copy_project(lessons: tuple[Lesson, ...], staging: Path) -> None:
    shutil.copytree(PROJECT_ROOT / ENGINE, staging / ENGINE, ignore=_engine_ignore)
    for lesson in lessons:
        assert lesson.directory is not None
        _copy_lesson(lesson, staging / LESSONS / lesson.name)
        for folder, name in (("exercises", lesson.student_file), ("quizzes", lesson.quiz_file)):
            (staging / folder).mkdir(exist_ok=True)
            shutil.copyfile(lesson.root / folder / name, staging / folder / name)
        _write_notebook(lesson, staging / "exercises" / lesson.student_file)
        # The pristine stubs, where grade restore finds them once the student has edited exercises/.
        shutil.copyfile(lesson.root / "exercises" / lesson.student_file,
                        staging / LESSONS / lesson.name / (lesson.student_file + STUB_SUFFIX))
    pyproject = PROJECT_ROOT / "pyproject.toml"
    (staging / "pyproject.toml").write_text(_student_pyproject(pyproject.read_text(encoding="utf-8"), pyproject),
                                            encoding="utf-8")
    for name in BUILD_FILES:
        if not (PROJECT_ROOT / name).is_file():
            raise UsageError(f"{PROJECT_ROOT / name}: not found; the copy needs it to install with pip install . "
                             f"(not only -e)")
        shutil.copyfile(PROJECT_ROOT / name, staging / name)
    (staging / "README.md").write_text(_student_readme(lessons), encoding="utf-8")
    (staging / ".gitignore").write_text(STUDENT_GITIGNORE, encoding="utf-8")


def _shape(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """A function's code without its name, docstring and annotations: equal for a copy of it."""
    bare = copy.deepcopy(function)
    bare.name, bare.returns = "_", None
    for argument in (*bare.args.posonlyargs, *bare.args.args, *bare.args.kwonlyargs, bare.args.vararg, bare.args.kwarg):
        if argument is not None:
            argument.annotation = None
    if bare.body and isinstance(bare.body[0], ast.Expr) and isinstance(bare.body[0].value, ast.Constant):
        bare.body = bare.body[1:]
    return ast.dump(bare)


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def find_reference_code(root: Path, lesson: Lesson) -> list[str]:
    """Where ``root`` holds reference code: solutions/, known_wrong/, or a function the reference defines."""
    reference_text = lesson.reference_path.read_text(encoding="utf-8")
    reference = {_shape(f): f.name for f in _functions(ast.parse(reference_text))}
    problems = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_dir():
            if path.name in ("solutions", FOLDER):
                problems.append(f"{relative}/: must not be in the student copy")
            continue
        if path.suffix not in (".py", ".ipynb"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            try:
                text = notebook_program(path.read_bytes()).source.decode("utf-8", "replace")
            except NotebookError as error:
                problems.append(f"{relative}: {error.message}")
                continue
        if reference_text.strip() in text:
            problems.append(f"{relative}: contains the reference solution")
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for function in _functions(tree):
            name = reference.get(_shape(function))
            if name is not None:
                problems.append(f"{relative}: {function.name} (line {function.lineno}) is the reference's {name}")
    return problems


def _first_difference(expected: Any, got: Any, where: str = "") -> str | None:
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in sorted(set(expected) | set(got)):
            found = _first_difference(expected.get(key), got.get(key), f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for index, (a, b) in enumerate(zip(expected, got)):
            found = _first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        return None
    return None if expected == got else f"{where.lstrip('.')}: {expected!r} in the project, {got!r} in the copy"


def _grade_in_copy(staging: Path, lesson: Lesson, paths: list[Path]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", COURSE_VARIABLE)}
    env.update(PYTHONPATH=str(staging), PYTHONDONTWRITEBYTECODE="1")
    request = json.dumps({"lesson": lesson.name, "seed": DEFAULT_SEED, "paths": [str(p) for p in paths]})
    return subprocess.Popen([sys.executable, "-c", _DRIVER, request], cwd=staging, env=env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def verify_copy(staging: Path, lesson: Lesson) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Grade the stub, the reference and every known-wrong variant with the copy's own grader.

    Returns what matched the project, and the problems. The submissions live outside the copy.
    """
    assert lesson.directory is not None
    reference_text = lesson.reference_path.read_text(encoding="utf-8")
    known = [read_known_wrong(p) for p in known_wrong_files(lesson.directory / FOLDER)]
    with tempfile.TemporaryDirectory(prefix="grade-release-check-") as workdir:
        stub = staging / "exercises" / lesson.student_file
        names, paths = ["stub", "reference"], [stub, Path(workdir) / "reference" / lesson.student_file]
        paths[1].parent.mkdir()
        paths[1].write_text(reference_text, encoding="utf-8")
        names.append("stub notebook")
        paths.append(stub.with_suffix(".ipynb"))
        for variant in known:
            path = Path(workdir) / variant.mistake / lesson.student_file
            path.parent.mkdir()
            path.write_text(splice(reference_text, variant.function, variant.source), encoding="utf-8")
            names.append(f"known wrong {variant.mistake}")
            paths.append(path)
        process = _grade_in_copy(staging, lesson, paths)
        try:
            expected = [report_dict(r) for r in grade_files(paths, lesson, GradeOptions(seed=DEFAULT_SEED))]
            stdout, stderr = process.communicate(timeout=VERIFY_TIMEOUT)
        except subprocess.TimeoutExpired:
            return (), (f"grading in the copy took more than {VERIFY_TIMEOUT:g} s",)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if process.returncode != 0:
        last = (stderr.strip().splitlines() or ["no message"])[-1]
        return (), (f"grading in the copy failed (exit code {process.returncode}): {last}",)
    result = json.loads(stdout)
    problems = []
    if not Path(result["grader"]).resolve().is_relative_to(staging.resolve()) or not result["released"]:
        problems.append(f"the copy was graded by {result['grader']}, not by its own recorded grader")
    for name, project, copied in zip(names, expected, result["reports"]):
        for document in (project, copied):  # where and how fast it ran may differ; nothing else may
            document.pop("submission")
            for exercise in document["exercises"]:
                exercise.pop("seconds", None)
        difference = _first_difference(project, copied)
        if difference:
            problems.append(f"{name}: the copy grades differently: {difference}")
    stub, reference, notebook = result["reports"][0], result["reports"][1], result["reports"][2]
    for what, report in (("stubs", stub), ("notebook's stubs", notebook)):
        if report["score"] != 0 or any(e["status"] != ExerciseStatus.NOT_IMPLEMENTED.value for e in report["exercises"]):
            problems.append(f"the {what} are not bare stubs: {report['score']:g}/{report['max_score']:g} in the copy")
    if reference["score"] != reference["max_score"]:
        problems.append(f"the reference gets {reference['score']:g}/{reference['max_score']:g} in the copy")
    verified = (
        f"the stubs: {stub['score']:g}/{stub['max_score']:g}, every exercise not implemented",
        f"the stub notebook: {notebook['score']:g}/{notebook['max_score']:g}, every exercise not implemented",
        f"the reference (graded from outside the copy): {reference['score']:g}/{reference['max_score']:g}",
        f"{counted(len(known), 'known-wrong variant')}: each report equal to the project's",
    )
    return (verified if not problems else ()), tuple(problems)


def release_course(lessons: tuple[Lesson, ...], out: Path, verify: bool = True) -> Release:
    """The student copy of these lessons (a whole course, or some of it) in OUT; nothing written if refused."""
    if not lessons:
        raise UsageError("no lessons to release")
    for lesson in lessons:
        require_instructor_project(lesson, "release")
    out = out.resolve()
    _check_destination(out, {PROJECT_ROOT, *(lesson.root for lesson in lessons)})
    for lesson in lessons:
        lesson.load_quiz()  # a malformed quiz stops here (exit 2), not in the students' hands
        assert lesson.directory is not None
        if not (lesson.directory / STUDENT_README).is_file():
            raise UsageError(f"{lesson.directory / STUDENT_README}: not found; it becomes the student copy's README.md")
    recorders = [(lesson, record_expectations(lesson)) for lesson in lessons]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging: Path | None = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as error:
        raise UsageError(f"{out}: cannot create the student copy there ({error.strerror})") from None
    try:
        _copy_project(lessons, staging)
        calls = sum(save_expectations(staging / LESSONS / lesson.name, recorder, lesson.name, DEFAULT_SEED,
                                      predictions, lesson.predictions)
                    for lesson, (recorder, predictions) in recorders)
        files = tuple(str(p.relative_to(staging)) for p in sorted(staging.rglob("*")) if p.is_file())
        problems = tuple(problem for lesson in lessons for problem in find_reference_code(staging, lesson))
        verified: tuple[str, ...] = ()
        if verify and not problems:
            for lesson in lessons:
                checked, trouble = verify_copy(staging, lesson)
                prefix = f"{lesson.name}: " if len(lessons) > 1 else ""
                verified += tuple(prefix + line for line in checked)
                problems += tuple(prefix + line for line in trouble)
        if problems:
            return Release(out, files, calls, verified, problems)
        for cache in [p for p in staging.rglob("__pycache__") if p.is_dir()]:
            shutil.rmtree(cache)
        staging.chmod(0o755)  # mkdtemp made it private to the instructor
        if out.is_dir():
            out.rmdir()
        staging.rename(out)
        staging = None
        return Release(out, files, calls, verified)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
