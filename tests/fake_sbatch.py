"""A stand-in for Slurm's ``sbatch`` that runs the job at once, for the tests of docs/examples/slurm/.

It keeps the parts of Slurm's contract the recipes rely on (docs: sbatch(1), "Job Array Support"):
options on the command line override ``SBATCH_ARRAY_INX``, which overrides the script's ``#SBATCH``
lines; each array task runs the script with bash in the submission directory, with
``SLURM_ARRAY_TASK_ID`` and ``SLURM_ARRAY_TASK_MIN/MAX/STEP/COUNT``, ``SLURM_CPUS_PER_TASK`` and the
submitting environment; ``--output`` patterns (%x %A %a %j) name the log, and a task whose log
directory is missing fails; ``--dependency=afterok:ID`` runs the job only if every task of ID exited 0
(otherwise the job never runs); ``--parsable`` prints the job id alone. Jobs run one after the other.
Job records live in ``$FAKE_SLURM_STATE`` (a JSON file).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

KNOWN = {"--array", "--job-name", "--cpus-per-task", "--mem", "--time", "--output", "--dependency", "--parsable"}


def options_of(words: list[str]) -> dict[str, str]:
    found = {}
    for word in words:
        name, _, value = word.partition("=")
        if name not in KNOWN:
            sys.exit(f"fake sbatch: unknown option {word!r}")
        found[name] = value or "yes"
    return found


def script_options(script: Path) -> dict[str, str]:
    words = []
    for line in script.read_text().splitlines()[1:]:
        if line.startswith("#SBATCH "):
            words.append(line.split()[1])
        elif line.strip() and not line.startswith("#"):
            break  # sbatch stops reading directives at the first command
    return options_of(words)


def array_ids(spec: str) -> tuple[list[int], int]:
    match = re.fullmatch(r"(\d+)-(\d+)(?::(\d+))?(?:%\d+)?", spec)
    if not match:
        sys.exit(f"fake sbatch: only --array=A-B[:S][%L] is emulated, not {spec!r}")
    low, high, step = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    return list(range(low, high + 1, step)), step


def main() -> None:
    arguments = sys.argv[1:]
    script_at = next(i for i, word in enumerate(arguments) if not word.startswith("-"))
    script = Path(arguments[script_at])
    options = script_options(script)
    if os.environ.get("SBATCH_ARRAY_INX"):
        options["--array"] = os.environ["SBATCH_ARRAY_INX"]
    options.update(options_of(arguments[:script_at]))
    state_file = Path(os.environ["FAKE_SLURM_STATE"])
    jobs = json.loads(state_file.read_text()) if state_file.exists() else {}
    job_id = str(1000 + len(jobs))
    print(job_id if "--parsable" in options else f"Submitted batch job {job_id}")
    sys.stdout.flush()

    kind, _, needed = options.get("--dependency", "").partition(":")
    runs = all(jobs.get(d) == "completed" for d in needed.split(":")) if kind else True
    if kind and kind != "afterok":
        sys.exit(f"fake sbatch: only afterok dependencies are emulated, not {kind}")
    outcome = "never ran (DependencyNeverSatisfied)"
    if runs:
        ids, step = array_ids(options["--array"]) if "--array" in options else ([None], 1)
        codes = [run_task(script, options, job_id, task, ids, step) for task in ids]
        outcome = "completed" if not any(codes) else "failed"
    jobs[job_id] = outcome
    state_file.write_text(json.dumps(jobs))


def run_task(script: Path, options: dict[str, str], job_id: str, task: int | None, ids: list, step: int) -> int:
    env = {**os.environ, "SLURM_JOB_ID": job_id, "SLURM_SUBMIT_DIR": os.getcwd(),
           "SLURM_JOB_NAME": options.get("--job-name", script.name),
           "SLURM_CPUS_PER_TASK": options.get("--cpus-per-task", "1")}
    env.pop("SBATCH_ARRAY_INX", None)
    log = options.get("--output", "slurm-%j.out").replace("%x", env["SLURM_JOB_NAME"])
    if task is not None:
        env.update({"SLURM_ARRAY_JOB_ID": job_id, "SLURM_ARRAY_TASK_ID": str(task),
                    "SLURM_ARRAY_TASK_MIN": str(ids[0]), "SLURM_ARRAY_TASK_MAX": str(ids[-1]),
                    "SLURM_ARRAY_TASK_STEP": str(step), "SLURM_ARRAY_TASK_COUNT": str(len(ids))})
        log = log.replace("%A", job_id).replace("%a", str(task))
    log_path = Path(log.replace("%j", job_id))
    if not log_path.parent.is_dir():
        return 1  # Slurm cannot open the output file: the task fails before the script starts
    with log_path.open("w") as output:
        return subprocess.run(["bash", str(script)], env=env, stdout=output, stderr=subprocess.STDOUT).returncode


if __name__ == "__main__":
    main()
