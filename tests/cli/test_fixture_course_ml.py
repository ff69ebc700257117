"""A second fixture lesson (tests/fixture_course_ml, attention_basics), as an ML instructor would write
it: exercises that return a boolean mask, integer indices, a Python float, a NamedTuple, a declared
float32 array and torch tensors whose gradients are checked (through grad_output: against a formula, and
against the grader's own differentiation of the reference's attention, Case.value_of).
It validates, grades (the reference full marks, the stub 0, each known-wrong file loses points and is
named), is batched and released, and its released copy grades like the course. No engine file names it."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.authoring.known_wrong import read_known_wrong, splice
from grader.cli.app import main
from grader.course.course import Course
from grader.course.lesson import PROJECT_ROOT

FIXTURE = Path(__file__).resolve().parents[1] / "fixture_course_ml"
NAME = "attention_basics"
SOLUTION = FIXTURE / "solutions" / f"{NAME}.py"
STUB = FIXTURE / "exercises" / f"{NAME}.py"
KNOWN_WRONG = FIXTURE / "grader" / "lessons" / NAME / "known_wrong"
POINTS = {"causal_mask": 2, "top_k_indices": 2, "accuracy": 2, "attention": 4, "layer_norm": 2,
          "torch_layer_norm": 2, "torch_attention": 2}
# Each known mistake and its exercise (the function its known_wrong file replaces).
MISTAKES = {"upper_triangle": "causal_mask", "ascending_order": "top_k_indices", "argmax_over_batch": "accuracy",
            "keys_not_transposed": "attention", "unscaled_scores": "attention", "unbiased_variance": "layer_norm",
            "detached_result": "torch_layer_norm", "detached_attention": "torch_attention"}


def grade(cwd: Path, *args: str, course: Path = FIXTURE) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        return CliRunner().invoke(main, ["--course", str(course), *args], catch_exceptions=False)


def with_mistake(mistake: str) -> str:
    """The reference with one function replaced by a known-wrong file's."""
    known = read_known_wrong(KNOWN_WRONG / f"{mistake}.py")
    return splice(SOLUTION.read_text(), known.function, known.source)


def project(root: Path, source: str) -> Path:
    (root / "exercises").mkdir(parents=True, exist_ok=True)
    (root / "exercises" / f"{NAME}.py").write_text(source)
    return root


def report(cwd: Path, source: str, course: Path = FIXTURE) -> dict:
    student = project(cwd, source)
    result = grade(student, "check", str(student), "--format", "json", course=course)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def by_exercise(document: dict) -> dict[str, dict]:
    return {e["name"]: e for e in document["exercises"]}


def test_no_engine_file_knows_the_lesson_and_every_mistake_has_a_file():
    engine = [p for p in (PROJECT_ROOT / "grader").rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".md")]
    assert engine and not [p for p in engine if NAME in p.read_text(encoding="utf-8")]
    assert Course.at(FIXTURE).names() == (NAME,)
    assert {p.stem for p in KNOWN_WRONG.glob("*.py")} == set(MISTAKES)


@pytest.mark.slow  # over 10 s on 2 shared cores (--durations)
def test_the_lesson_validates_with_every_mistake_named(tmp_path):
    result = grade(tmp_path, "validate")
    assert result.exit_code == 0, result.stdout
    for mistake, exercise in MISTAKES.items():
        line = next((line for line in result.stdout.splitlines() if f"known_wrong/{mistake}.py:" in line), "")
        assert line.startswith(f"✓ known_wrong/{mistake}.py: {exercise} ") and "named on it" in line, result.stdout
    assert "✓ quiz: attention_basics.yaml: 2 questions, exactly one correct choice each" in result.stdout


def test_the_reference_gets_full_marks_and_the_stub_none(tmp_path):
    (tmp_path / "right").mkdir()
    (tmp_path / "right" / "quiz_answers.yaml").write_text("q1: a\nq2: b\n")
    right = report(tmp_path / "right", SOLUTION.read_text())
    assert right["score"] == right["max_score"] == sum(POINTS.values())
    assert {name: e["score"] for name, e in by_exercise(right).items()} == POINTS
    assert right["quiz"]["score"] == 2

    stub = report(tmp_path / "stub", STUB.read_text())
    assert stub["score"] == 0
    assert {e["status"] for e in stub["exercises"]} == {"not_implemented"}


def test_what_a_student_reads_names_each_kind_of_output(tmp_path):
    """Typical slips, one per exercise: the message says what came back and which part or entries differ."""
    source = SOLUTION.read_text()
    slips = {
        "    return np.tril(np.ones((n, n), dtype=bool))": "    return np.tril(np.ones((n, n)))",  # 0s and 1s
        '    return np.argsort(-scores, axis=-1, kind="stable")[..., :k]':
            '    return np.argsort(-scores, axis=-1, kind="stable")[..., :k].astype(float)',
        "    return float(np.mean(predictions == np.asarray(labels)))":
            "    return np.mean(predictions == np.asarray(labels))",  # a numpy scalar is a number too: passes
        "    return Attention(weights @ v, weights)": "    return Attention(weights @ v, weights.T)",
        "    return ((x - mean) / np.sqrt(variance + eps)).astype(x.dtype)":
            "    return ((x - mean) / np.sqrt(variance + eps)).astype(np.float64)",
    }
    for old, new in slips.items():
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    exercises = by_exercise(report(tmp_path, source))
    messages = {name: " ".join(c["message"] for c in e["checks"]) for name, e in exercises.items()}
    assert "returned float64 values, expected booleans" in messages["causal_mask"]
    assert "returned float64 values, expected integers" in messages["top_k_indices"]
    assert exercises["accuracy"]["score"] == POINTS["accuracy"]
    assert "two queries over three keys, no mask: weights: expected [[0.4011," in messages["attention"]
    assert "expected shape (2, 3), got shape (3, 2)" in messages["attention"]
    assert "returned float64 values, expected float32" in messages["layer_norm"]


def test_a_forbidden_shortcut_fails_its_exercise_only(tmp_path):
    source = SOLUTION.read_text().replace(
        "    scores = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5\n"
        '    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)\n'
        "    return weights @ v\n",
        "    return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)\n")
    assert "scaled_dot_product_attention" in source
    exercises = by_exercise(report(tmp_path, source))
    assert exercises["torch_attention"]["score"] == 0
    assert ("calls torch.nn.functional.scaled_dot_product_attention, which this exercise asks you to write yourself"
            in exercises["torch_attention"]["checks"][0]["message"])
    assert all(e["score"] == POINTS[name] for name, e in exercises.items() if name != "torch_attention")


@pytest.fixture(scope="module")
def classroom(tmp_path_factory) -> Path:
    """A class: the reference, the stub, and one student per known mistake."""
    root = tmp_path_factory.mktemp("class") / "submissions"
    project(root / "ref", SOLUTION.read_text())
    project(root / "stub", STUB.read_text())
    for mistake in MISTAKES:
        project(root / mistake, with_mistake(mistake))
    return root


def batch(classroom: Path, out: Path, course: Path) -> dict[str, dict[str, str]]:
    result = grade(out.parent, "batch", str(classroom), "--out", str(out), "--jobs", "2", "--seed", "7", course=course)
    assert result.exit_code == 0, result.output
    with (out / "gradebook.csv").open(newline="") as handle:
        return {row["name"]: row for row in csv.DictReader(handle)}


def test_the_lesson_is_batched_and_each_mistake_loses_points_and_is_named(classroom, tmp_path):
    rows = batch(classroom, tmp_path / "out", FIXTURE)
    assert rows["ref"]["score"] == str(sum(POINTS.values())) and rows["stub"]["score"] == "0"
    for mistake, exercise in MISTAKES.items():
        row = rows[mistake]
        assert float(row[exercise]) < POINTS[exercise], (mistake, row)
        assert all(float(row[e]) == points for e, points in POINTS.items() if e != exercise), (mistake, row)
        document = json.loads((tmp_path / "out" / f"{mistake}.json").read_text())
        named = {c.get("mistake") for c in by_exercise(document)[exercise]["checks"]}
        assert mistake in named, (mistake, named)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert {m["mistake"] for m in summary["mistakes"]} == set(MISTAKES)


@pytest.mark.slow  # over 10 s on 2 shared cores (--durations)
def test_the_released_copy_grades_the_class_like_the_course(classroom, tmp_path):
    copy = tmp_path / "student"
    result = grade(tmp_path, "release", str(copy))
    assert result.exit_code == 0, result.stdout
    assert f"✓ {len(MISTAKES)} known-wrong variants: each report equal to the project's" in result.stdout
    files = {str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file()}
    assert f"exercises/{NAME}.py" in files and f"grader/lessons/{NAME}/checks.py" in files
    assert not [f for f in files if f.startswith("solutions/") or "known_wrong/" in f or f.endswith("predictions.py")]

    # The copy grades at the seed its answers were recorded at (a batch for credit refuses that seed). The
    # release compared every known-wrong variant's report already; here a few of the class's files.
    for submission in (classroom / name for name in ("ref", "stub", "ascending_order", "unscaled_scores")):
        path = str(submission / "exercises" / f"{NAME}.py")
        documents = [json.loads(grade(tmp_path, "check", path, "--format", "json", course=course).stdout)
                     for course in (FIXTURE, copy)]
        course_scores, copy_scores = ({e["name"]: e["score"] for e in d["exercises"]} for d in documents)
        assert copy_scores == course_scores, submission.name
        assert documents[1]["score"] == documents[0]["score"] and documents[0]["seed"] == 2026


def test_a_detached_result_is_not_said_to_miss_the_logits(tmp_path):
    """The feedback on a gradient that does not arrive is any lesson's: attention's arguments are q, k, v,
    not logits (the engine's message used to say "never reaches the logits you were given")."""
    document = report(tmp_path, with_mistake("detached_attention"))
    checks = by_exercise(document)["torch_attention"]["checks"]
    failed = [c for c in checks if not c["passed"]]
    assert failed and all(c["mistake"] == "detached_attention" for c in failed)
    assert all("logits" not in c["message"] and "does not reach every tensor you were given" in c["message"]
               for c in failed)


WRONG_GRADIENT = '''
def torch_layer_norm(x, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    variance = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    out = (x - mean) / (variance + eps).sqrt()
    return out.detach() + 2 * (out - out.detach())  # the right values, twice the gradient
'''


def test_a_wrong_gradient_names_the_argument_not_the_logits(tmp_path):
    source = splice(SOLUTION.read_text(), "torch_layer_norm", WRONG_GRADIENT)
    checks = by_exercise(report(tmp_path, source))["torch_layer_norm"]["checks"]
    failed = [c for c in checks if not c["passed"]]
    assert failed and all("gradient of" in c["message"] for c in failed)
    assert all("logits" not in c["message"] and "gradient of x: " in c["message"] for c in failed)


def test_a_grad_output_of_the_wrong_shape_is_the_checks_error_not_a_detached_reference(tmp_path):
    """torch backpropagates only a gradient of the result's shape; the worker skipped the backward pass, and
    validate failed the reference itself with "no gradient flows back", named as the detached mistake. The
    Case now refuses it when built: one line naming the check and its line, exit code 2."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course, ignore=shutil.ignore_patterns("__pycache__"))
    checks = course / "grader" / "lessons" / NAME / "checks.py"
    text = checks.read_text()
    assert "grad_output = rng.normal(0, 1, size=x.shape)\n" in text
    checks.write_text(text.replace("grad_output = rng.normal(0, 1, size=x.shape)\n",
                                   "grad_output = rng.normal(0, 1, size=x.shape[:-1] + (1,))\n"))
    result = grade(tmp_path, "validate", course=course)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("Error: check torch_layer_norm/"), lines
    assert "ValueError: Case grad_output: shape (" in lines[0] and "(checks.py, line " in lines[0]
    assert "detached" not in result.output
