"""docs/writing-a-lesson.md, followed start to finish in an empty course: every command it shows is
run and every file it shows is written, in order. The lesson must validate and release, and nothing
outside the lesson's own files may change."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli.app import main
from grader.course.course import COURSE_VARIABLE

PAGE = Path(__file__).resolve().parents[2] / "docs" / "writing-a-lesson.md"
STEP = re.compile(r"<!-- file: (?P<file>\S+) -->\n(?P<fence>`{3,})\w*\n(?P<text>.*?)(?P=fence)\n"
                  r"|```console\n(?P<commands>.*?)```\n", re.S)
NAME = "log_softmax"
OWN = (f"exercises/{NAME}.py", f"solutions/{NAME}.py", f"quizzes/{NAME}.yaml")


def steps() -> list[tuple[str, str]]:
    """('file', path + text) and ('run', command line) in the order the page gives them."""
    found: list[tuple[str, str]] = []
    for match in STEP.finditer(PAGE.read_text(encoding="utf-8")):
        if match.group("file"):
            found.append(("file", match.group("file") + "\n" + match.group("text")))
        else:
            found += [("run", line[2:]) for line in match.group("commands").splitlines() if line.startswith("$ ")]
    return found


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.relative_to(root).parts[0] == "build"}


def test_the_page_shows_every_step():
    kinds = [kind for kind, _ in steps()]
    assert kinds.count("file") >= 8 and kinds.count("run") >= 6
    assert [step for kind, step in steps() if kind == "run"][0].startswith("grade new-lesson")


def test_following_the_page_makes_a_lesson_that_validates_and_releases(tmp_path):
    course = tmp_path / "course"
    (course / "notes").mkdir(parents=True)
    (course / "notes" / "unrelated.txt").write_text("a file of the course that is not the lesson's\n")
    before = files(course)
    runner = CliRunner()
    outputs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(course)
        for kind, step in steps():
            if kind == "file":
                path, text = step.split("\n", 1)
                assert (course / path).parent.is_dir(), f"{path}: the page writes it before its folder exists"
                (course / path).write_text(text, encoding="utf-8")
                continue
            argv = shlex.split(step)
            if argv[0] == "rm":
                (course / argv[1]).unlink()
                continue
            assert argv[0] == "grade", step
            result = runner.invoke(main, argv[1:], env={COURSE_VARIABLE: str(course)}, catch_exceptions=False)
            assert result.exit_code == 0, f"$ {step}\n{result.output}"
            outputs[argv[-2] if argv[-1].startswith("build") else argv[-1]] = result.stdout
    assert "✓ known_wrong/forgot_log_sum.py: log_softmax 0/3, named on it" in outputs["validate"]
    assert "q1: a" in outputs["show"] and "q2: b" in outputs["show"]
    assert (course / "build" / "student" / "exercises" / f"{NAME}.py").is_file()
    assert not (course / "build" / "student" / "solutions").exists()

    after = files(course)
    changed = {path for path in set(before) | set(after) if before.get(path) != after.get(path)}
    assert changed and all(path in OWN or path.startswith(f"grader/lessons/{NAME}/") for path in changed), changed
    assert after["notes/unrelated.txt"] == before["notes/unrelated.txt"]


# --- the reference part of the page: its tables, excerpts and runnable examples are checked against the code ---

ROOT = PAGE.parents[1]
EXCERPT = re.compile(r"<!-- excerpt: (?P<file>\S+) -->\n(?P<fence>`{3,})\w*\n(?P<text>.*?)(?P=fence)\n", re.S)
RUN = re.compile(r"<!-- run -->\n```python\n(?P<text>.*?)```\n", re.S)
ROW = re.compile(r"^\| `(?P<name>[a-z_]+)` \| (?P<default>[^|]+?) \|", re.M)
MISSING = object()


def tables() -> list[dict[str, str]]:
    """Each table of the page whose first column names fields: field -> its default, as written."""
    found, current = [], {}
    for line in PAGE.read_text(encoding="utf-8").splitlines() + [""]:
        match = ROW.match(line)
        if match:
            current[match.group("name")] = match.group("default").strip()
        elif current:
            found.append(current)
            current = {}
    return found


def table_of(names: set[str]) -> dict[str, str]:
    matching = [t for t in tables() if set(t) == names]
    assert matching, f"no table of the page lists exactly {sorted(names)}"
    return matching[0]


def written_default(text: str) -> object:
    if text == "required":
        return MISSING
    from grader.core.checks import Tolerance

    return eval(text.strip("`"), {"Tolerance": Tolerance})  # noqa: S307  the page's own text


@pytest.mark.parametrize("kind", ["Case", "Tensor", "Tolerance", "Probe"])
def test_the_vocabulary_table_names_every_field_and_its_default(kind):
    import dataclasses

    from grader.core import checks

    fields = dataclasses.fields(getattr(checks, kind))
    table = table_of({f.name for f in fields})
    for field in fields:
        default = field.default if field.default is not dataclasses.MISSING else (
            field.default_factory() if field.default_factory is not dataclasses.MISSING else MISSING)  # type: ignore[misc]
        assert written_default(table[field.name]) == default, (kind, field.name, table[field.name])


def test_the_registry_and_lesson_yaml_tables_are_complete():
    import inspect

    from grader.core.checks import CheckRegistry
    from grader.course import lesson

    parameters = list(inspect.signature(CheckRegistry.add).parameters.values())[1:]
    table = table_of({p.name for p in parameters})
    for parameter in parameters:
        expected = MISSING if parameter.default is inspect.Parameter.empty else parameter.default
        assert written_default(table[parameter.name]) == expected, parameter.name
    table_of(set(lesson.TOP_KEYS))
    table_of(set(lesson.MISTAKE_KEYS))
    table_of({"name", "hints", "mistakes", "not_stressed", "forbidden"})


def test_every_excerpt_is_in_its_file():
    excerpts = list(EXCERPT.finditer(PAGE.read_text(encoding="utf-8")))
    assert len(excerpts) >= 6
    for match in excerpts:
        source = (ROOT / match.group("file")).read_text(encoding="utf-8")
        assert match.group("text") in source, f"{match.group('file')} no longer holds:\n{match.group('text')}"


def test_every_runnable_example_runs():
    import importlib.util

    import numpy as np

    from grader.core import checks

    spec = importlib.util.spec_from_file_location("page_reference", ROOT / "tests" / "fixture_course_ml" / "solutions"
                                                  / "attention_basics.py")
    assert spec is not None and spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    examples = [m.group("text") for m in RUN.finditer(PAGE.read_text(encoding="utf-8"))]
    assert examples
    for text in examples:
        exec(text, {"np": np, "ref": reference, "Case": checks.Case, "Tensor": checks.Tensor,  # noqa: S102
                    "Tolerance": checks.Tolerance, "Probe": checks.Probe, "CheckRegistry": checks.CheckRegistry})


def test_every_link_within_the_page_reaches_a_heading():
    text = PAGE.read_text(encoding="utf-8")
    slugs = {re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", heading.strip().lower()))
             for heading in re.findall(r"^#+ (.+)$", text, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert links and not [link for link in links if link not in slugs]
