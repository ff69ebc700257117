"""Which slice of a class this run grades: ``--shard I/N``, or ``--shard auto`` read from the array-job engine.

Every engine runs one command N times and tells each copy its place through environment variables:

- Slurm job arrays: ``SLURM_ARRAY_TASK_ID`` among ids that need not start at 0 or 1 (``--array=1-9:2``),
  with ``SLURM_ARRAY_TASK_MIN``, ``_MAX``, ``_STEP`` and ``_COUNT``;
- Kubernetes Indexed Jobs: ``JOB_COMPLETION_INDEX`` (0-based); the Job's completions are not in the
  environment, the manifest passes them as ``JOB_COMPLETIONS``;
- AWS Batch array jobs: ``AWS_BATCH_JOB_ARRAY_INDEX`` (0-based); the array size is passed as
  ``GRADE_SHARD_COUNT``;
- anything else, GitHub Actions' matrix included: ``GRADE_SHARD_INDEX`` (0-based, like every engine's
  index; ``${{ strategy.job-index }}``) with ``GRADE_SHARD_COUNT`` (``${{ strategy.job-total }}``).

Each engine's place becomes a ``Shard`` (1-based, like ``--shard I/N``), so the slices of one class are
the same whichever engine ran them and ``grade merge`` checks them the same way. Pure: the environment
comes in as a mapping, a problem goes out as a ``UsageError`` naming the variable and what to fix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from grader.core.errors import UsageError

AUTO = "auto"
INDEX_VARIABLE = "GRADE_SHARD_INDEX"
COUNT_VARIABLE = "GRADE_SHARD_COUNT"
SLURM_ID = "SLURM_ARRAY_TASK_ID"
KUBERNETES_INDEX = "JOB_COMPLETION_INDEX"
KUBERNETES_COUNT = "JOB_COMPLETIONS"
AWS_INDEX = "AWS_BATCH_JOB_ARRAY_INDEX"
INDEX_VARIABLES = (SLURM_ID, KUBERNETES_INDEX, AWS_INDEX, INDEX_VARIABLE)
TASKS = "a number of tasks"


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class Placement:
    """A shard and where it came from, for the log: ``Slurm job array (SLURM_ARRAY_TASK_ID=5 of 1-9:2)``."""

    shard: Shard
    engine: str
    detail: str

    def __str__(self) -> str:
        return f"shard {self.shard} from the {self.engine} ({self.detail})"


def parse_shard(text: str) -> Shard:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {text}: expected I/N with 1 <= I <= N, like 2/4, or auto (from an array job)")
    return Shard(int(match.group(1)), int(match.group(2)))


def _problem(text: str) -> UsageError:
    return UsageError(f"--shard auto: {text}")


def _number(environ: Mapping[str, str], name: str, minimum: int = 0, what: str = "an index") -> int | None:
    """A variable's whole number, None when unset or blank."""
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise _problem(f"{name}={raw[:40]!r} is not a whole number")
    value = int(raw)
    if value < minimum:
        raise _problem(f"{name}={value}: expected {what} of at least {minimum}")
    return value


def _agreed_count(sources: list[tuple[str, int]], missing: str) -> int:
    """The one count every source gives; ``missing`` says how to give one when none does."""
    if not sources:
        raise _problem(missing)
    first_name, first = sources[0]
    for name, value in sources[1:]:
        if value != first:
            raise _problem(f"{first_name} says {first} tasks but {name} says {value}; give one number of tasks")
    return first


def _zero_based(engine: str, variable: str, index: int, count: int, count_from: str) -> Placement:
    if index >= count:
        raise _problem(f"{variable}={index} is out of range for {count} tasks (0 to {count - 1}); "
                       f"{count_from} must be the number of tasks the {engine} runs")
    return Placement(Shard(index + 1, count), engine, f"{variable}={index} of {count}")


def _given_counts(environ: Mapping[str, str], option: int | None) -> list[tuple[str, int]]:
    counts = [] if option is None else [("--shard-count", option)]
    from_environment = _number(environ, COUNT_VARIABLE, 1, TASKS)
    return counts + ([] if from_environment is None else [(COUNT_VARIABLE, from_environment)])


def _slurm(environ: Mapping[str, str], task: int, option: int | None) -> Placement:
    """Slurm numbers its tasks MIN, MIN+STEP, ... up to MAX; task k (0-based) is the one at MIN + k*STEP."""
    low = _number(environ, "SLURM_ARRAY_TASK_MIN", what="an id")
    high = _number(environ, "SLURM_ARRAY_TASK_MAX", what="an id")
    step = _number(environ, "SLURM_ARRAY_TASK_STEP", 1, "a step") or 1
    counts: list[tuple[str, int]] = []
    if low is not None and high is not None:
        if high < low:
            raise _problem(f"SLURM_ARRAY_TASK_MIN={low} is above SLURM_ARRAY_TASK_MAX={high}")
        counts.append(("SLURM_ARRAY_TASK_MIN/_MAX/_STEP", (high - low) // step + 1))
    slurm_count = _number(environ, "SLURM_ARRAY_TASK_COUNT", 1, TASKS)
    if slurm_count is not None:
        counts.append(("SLURM_ARRAY_TASK_COUNT", slurm_count))
    counts += _given_counts(environ, option)
    if not counts or low is None and high is None:
        raise _problem(f"{SLURM_ID}={task} but not where the array starts and how many tasks it has: Slurm sets "
                       "SLURM_ARRAY_TASK_MIN, _MAX and _COUNT in a job array (sbatch --array); or pass --shard I/N")
    if len({value for _, value in counts}) > 1:
        listed = ", ".join(f"{name} gives {value}" for name, value in counts)
        irregular = len({value for name, value in counts if name.startswith("SLURM")}) > 1
        raise _problem(f"{listed} tasks; " + ("ids that are not evenly spaced (--array=1,2,5) cannot be placed: use "
                                              "--array=A-B or A-B:S" if irregular else "give one number of tasks"))
    count = counts[0][1]
    if low is None:  # only the last id given: count back from it
        low = (high or 0) - (count - 1) * step
    if task < low or (task - low) % step or (task - low) // step >= count:
        raise _problem(f"{SLURM_ID}={task} is not one of the array's {count} ids from {low} in steps of {step}")
    spec = f"{low}-{low + (count - 1) * step}" + (f":{step}" if step != 1 else "")
    return Placement(Shard((task - low) // step + 1, count), "Slurm job array", f"{SLURM_ID}={task} of {spec}")


def _kubernetes(environ: Mapping[str, str], index: int, option: int | None) -> Placement:
    completions = _number(environ, KUBERNETES_COUNT, 1, TASKS)
    counts = ([] if completions is None else [(KUBERNETES_COUNT, completions)]) + _given_counts(environ, option)
    count = _agreed_count(counts, f"{KUBERNETES_INDEX}={index} but not how many tasks: set {KUBERNETES_COUNT} to the "
                                  "Job's completions in the manifest's env, or pass --shard-count N")
    return _zero_based("Kubernetes Indexed Job", KUBERNETES_INDEX, index, count, counts[0][0])


def _aws(environ: Mapping[str, str], index: int, option: int | None) -> Placement:
    counts = _given_counts(environ, option)
    count = _agreed_count(counts, f"{AWS_INDEX}={index} but not how many tasks: set {COUNT_VARIABLE} to the array "
                                  "job's size (arrayProperties.size), or pass --shard-count N")
    return _zero_based("AWS Batch array job", AWS_INDEX, index, count, counts[0][0])


def _generic(environ: Mapping[str, str], index: int, option: int | None) -> Placement:
    counts = _given_counts(environ, option)
    count = _agreed_count(counts, f"{INDEX_VARIABLE}={index} but not how many tasks: set {COUNT_VARIABLE} "
                                  "(in GitHub Actions, ${{ strategy.job-total }}), or pass --shard-count N")
    return _zero_based("workflow's variables", INDEX_VARIABLE, index, count, counts[0][0])


ENGINES = {SLURM_ID: _slurm, KUBERNETES_INDEX: _kubernetes, AWS_INDEX: _aws, INDEX_VARIABLE: _generic}


def shard_from_environment(environ: Mapping[str, str], count: int | None = None) -> Placement:
    """This task's shard, from whichever array-job engine runs it (``count``: ``--shard-count``)."""
    if count is not None and count < 1:
        raise _problem(f"--shard-count {count}: expected a number of tasks of at least 1")
    found = [ENGINES[name](environ, index, count) for name in INDEX_VARIABLES
             if (index := _number(environ, name)) is not None]
    if not found:
        hint = (f"; in GitHub Actions pass {INDEX_VARIABLE}: ${{{{ strategy.job-index }}}} and {COUNT_VARIABLE}: "
                "${{ strategy.job-total }}, or --shard ${{ matrix.shard }}/N"
                if environ.get("GITHUB_ACTIONS") == "true" else "")
        raise _problem(f"no array-job index in the environment (none of {', '.join(INDEX_VARIABLES)} is set); run it "
                       f"as a task of a Slurm, Kubernetes or AWS Batch array job, or pass --shard I/N{hint}")
    for other in found[1:]:
        if other.shard != found[0].shard:
            raise _problem(f"the {found[0].engine} says shard {found[0].shard} ({found[0].detail}) but the "
                           f"{other.engine} says {other.shard} ({other.detail}); pass --shard I/N")
    return found[0]


def choose_shard(text: str | None, environ: Mapping[str, str], count: int | None = None) -> Placement | Shard | None:
    """``--shard`` as given: None (the whole class), I/N, or ``auto`` placed by the environment."""
    if text is None or text.strip() != AUTO:
        if count is not None:
            raise UsageError(f"--shard-count {count}: only with --shard auto (--shard I/N already says how many)")
        return None if text is None else parse_shard(text)
    return shard_from_environment(environ, count)
