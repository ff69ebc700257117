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
