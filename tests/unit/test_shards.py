"""``--shard auto``: each array-job engine's variables give one shard, and every inconsistency one clear line."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.batch.runs import Submission, select_shard
from grader.core.errors import UsageError
from grader.batch.shards import Placement, Shard, choose_shard, parse_shard, shard_from_environment


def slurm(task: int, low: int, high: int, step: int = 1, count: int | None = None) -> dict[str, str]:
    """What Slurm sets in a task of ``sbatch --array=LOW-HIGH:STEP``."""
    count = (high - low) // step + 1 if count is None else count
    return {"SLURM_ARRAY_JOB_ID": "4242", "SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(low),
            "SLURM_ARRAY_TASK_MAX": str(high), "SLURM_ARRAY_TASK_STEP": str(step), "SLURM_ARRAY_TASK_COUNT": str(count)}


def placed(environ: dict[str, str], count: int | None = None) -> Shard:
    return shard_from_environment(environ, count).shard


def refused(environ: dict[str, str], count: int | None = None) -> str:
    with pytest.raises(UsageError) as caught:
        shard_from_environment(environ, count)
    message = caught.value.message
    assert message.startswith("--shard auto: ") and "\n" not in message and caught.value.exit_code == 2
    return message


# --- Slurm ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("low, high, step", [(0, 3, 1), (1, 4, 1), (5, 8, 1), (1, 9, 2), (0, 30, 10), (7, 7, 1)])
def test_slurm_tasks_are_shards_in_order_whatever_the_first_id_and_step(low, high, step):
    ids = range(low, high + 1, step)
    assert [placed(slurm(task, low, high, step)) for task in ids] == [Shard(k, len(ids)) for k in range(1, len(ids) + 1)]


def test_slurm_names_where_the_shard_came_from():
    placement = shard_from_environment(slurm(5, 1, 9, 2))
    assert placement == Placement(Shard(3, 5), "Slurm job array", "SLURM_ARRAY_TASK_ID=5 of 1-9:2")
    assert str(placement) == "shard 3/5 from the Slurm job array (SLURM_ARRAY_TASK_ID=5 of 1-9:2)"


def test_slurm_max_may_be_the_range_bound_not_the_last_id():
    """--array=1-10:2 runs 1, 3, 5, 7, 9: whether MAX says 9 or 10, there are 5 tasks."""
    assert placed(slurm(9, 1, 10, 2, count=5)) == Shard(5, 5)


def test_slurm_without_some_variables():
    bare = {"SLURM_ARRAY_TASK_ID": "6"}
    assert placed({**bare, "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "3"}) == Shard(3, 3)
    assert placed({**bare, "SLURM_ARRAY_TASK_MAX": "8", "SLURM_ARRAY_TASK_COUNT": "3"}) == Shard(1, 3)
    assert placed({**bare, "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_MAX": "8"}) == Shard(5, 7)  # step 1
    assert placed({**bare, "SLURM_ARRAY_TASK_MIN": "0"}, count=8) == Shard(7, 8)
    assert placed({**bare, "SLURM_ARRAY_TASK_MIN": "0", "GRADE_SHARD_COUNT": "8"}) == Shard(7, 8)


def test_slurm_agrees_with_a_shard_count_that_says_the_same():
    assert placed(slurm(2, 1, 4), count=4) == Shard(2, 4)


@pytest.mark.parametrize("environ, count, expected", [
    ({"SLURM_ARRAY_TASK_ID": "3"}, None, "SLURM_ARRAY_TASK_ID=3 but not where the array starts"),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, None, "Slurm sets SLURM_ARRAY_TASK_MIN"),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0"}, None, "not where the array starts and how many"),
    (slurm(2, 1, 5, count=3), None, "ids that are not evenly spaced (--array=1,2,5) cannot be placed"),
    (slurm(4, 1, 9, 2), None, "SLURM_ARRAY_TASK_ID=4 is not one of the array's 5 ids from 1 in steps of 2"),
    (slurm(0, 1, 4), None, "SLURM_ARRAY_TASK_ID=0 is not one of the array's 4 ids"),
    (slurm(11, 1, 9, 2), None, "SLURM_ARRAY_TASK_ID=11 is not one of the array's 5 ids"),
    (slurm(2, 5, 1), None, "SLURM_ARRAY_TASK_MIN=5 is above SLURM_ARRAY_TASK_MAX=1"),
    (slurm(2, 1, 4), 3, "SLURM_ARRAY_TASK_COUNT gives 4, --shard-count gives 3 tasks; give one number of tasks"),
    ({**slurm(2, 1, 4), "SLURM_ARRAY_TASK_ID": "two"}, None, "SLURM_ARRAY_TASK_ID='two' is not a whole number"),
    ({**slurm(2, 1, 4), "SLURM_ARRAY_TASK_COUNT": "0"}, None, "SLURM_ARRAY_TASK_COUNT=0: expected a number of tasks"),
    ({**slurm(2, 1, 4), "SLURM_ARRAY_TASK_STEP": "0"}, None, "SLURM_ARRAY_TASK_STEP=0: expected a step of at least 1"),
    ({**slurm(2, 1, 4), "SLURM_ARRAY_TASK_MIN": "1.5"}, None, "SLURM_ARRAY_TASK_MIN='1.5' is not a whole number"),
    ({**slurm(2, 1, 4), "SLURM_ARRAY_TASK_MIN": "-1"}, None, "SLURM_ARRAY_TASK_MIN=-1: expected an id of at least 0"),
])
def test_slurm_inconsistencies_are_one_line(environ, count, expected):
    assert expected in refused(environ, count)


# --- Kubernetes Indexed Jobs ---------------------------------------------------------------------------------------

def test_kubernetes_index_is_0_based_with_the_completions_passed():
    shards = [placed({"JOB_COMPLETION_INDEX": str(i), "JOB_COMPLETIONS": "3"}) for i in range(3)]
    assert shards == [Shard(1, 3), Shard(2, 3), Shard(3, 3)]
    assert placed({"JOB_COMPLETION_INDEX": "1"}, count=3) == Shard(2, 3)
    assert placed({"JOB_COMPLETION_INDEX": "1", "GRADE_SHARD_COUNT": "3"}) == Shard(2, 3)
    assert placed({"JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "3", "GRADE_SHARD_COUNT": "3"}, count=3) == Shard(2, 3)
    assert str(shard_from_environment({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "2"})) == (
        "shard 1/2 from the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=0 of 2)")


@pytest.mark.parametrize("environ, count, expected", [
    ({"JOB_COMPLETION_INDEX": "2"}, None, "JOB_COMPLETION_INDEX=2 but not how many tasks: set JOB_COMPLETIONS to the "
                                          "Job's completions in the manifest's env, or pass --shard-count N"),
    ({"JOB_COMPLETION_INDEX": "3", "JOB_COMPLETIONS": "3"}, None,
     "JOB_COMPLETION_INDEX=3 is out of range for 3 tasks (0 to 2); JOB_COMPLETIONS must be the number of tasks"),
    ({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "0"}, None, "JOB_COMPLETIONS=0: expected a number of tasks of"),
    ({"JOB_COMPLETION_INDEX": "-1", "JOB_COMPLETIONS": "3"}, None, "JOB_COMPLETION_INDEX=-1: expected an index of"),
    ({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "4"}, 5, "JOB_COMPLETIONS says 4 tasks but --shard-count says 5"),
    ({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "4", "GRADE_SHARD_COUNT": "2"}, None,
     "JOB_COMPLETIONS says 4 tasks but GRADE_SHARD_COUNT says 2"),
    ({"JOB_COMPLETION_INDEX": "0"}, 0, "--shard-count 0: expected a number of tasks of at least 1"),
    ({"JOB_COMPLETION_INDEX": "x1"}, 3, "JOB_COMPLETION_INDEX='x1' is not a whole number"),
])
def test_kubernetes_inconsistencies_are_one_line(environ, count, expected):
    assert expected in refused(environ, count)


# --- AWS Batch array jobs, and GitHub Actions or any engine through GRADE_SHARD_INDEX ------------------------------

def test_aws_batch_index_is_0_based_with_the_size_passed():
    assert [placed({"AWS_BATCH_JOB_ARRAY_INDEX": str(i), "GRADE_SHARD_COUNT": "2"}) for i in (0, 1)] == [
        Shard(1, 2), Shard(2, 2)]
    assert placed({"AWS_BATCH_JOB_ARRAY_INDEX": "4"}, count=10) == Shard(5, 10)
    assert "AWS_BATCH_JOB_ARRAY_INDEX=0 but not how many tasks: set GRADE_SHARD_COUNT to the array job's size " \
           "(arrayProperties.size)" in refused({"AWS_BATCH_JOB_ARRAY_INDEX": "0"})
    assert "AWS_BATCH_JOB_ARRAY_INDEX=2 is out of range for 2 tasks (0 to 1); GRADE_SHARD_COUNT must be" in refused(
        {"AWS_BATCH_JOB_ARRAY_INDEX": "2", "GRADE_SHARD_COUNT": "2"})


def test_a_workflow_passes_a_0_based_index_and_a_count():
    """GitHub Actions: GRADE_SHARD_INDEX: ${{ strategy.job-index }}, GRADE_SHARD_COUNT: ${{ strategy.job-total }}."""
    assert [placed({"GRADE_SHARD_INDEX": str(i), "GRADE_SHARD_COUNT": "4"}) for i in range(4)] == [
        Shard(k, 4) for k in range(1, 5)]
    assert "GRADE_SHARD_INDEX=1 but not how many tasks: set GRADE_SHARD_COUNT (in GitHub Actions, " \
           "${{ strategy.job-total }})" in refused({"GRADE_SHARD_INDEX": "1", "GITHUB_ACTIONS": "true"})
    assert "GRADE_SHARD_INDEX=4 is out of range for 4 tasks (0 to 3)" in refused(
        {"GRADE_SHARD_INDEX": "4", "GRADE_SHARD_COUNT": "4"})


# --- no engine, two engines ----------------------------------------------------------------------------------------

def test_no_engine_names_every_variable_looked_for():
    message = refused({"JOB_COMPLETIONS": "4", "SLURM_ARRAY_TASK_ID": "  ", "GRADE_SHARD_COUNT": "4"})
    assert ("no array-job index in the environment (none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, "
            "AWS_BATCH_JOB_ARRAY_INDEX, GRADE_SHARD_INDEX is set)") in message
    assert message.endswith("or pass --shard I/N")
    on_github = refused({"GITHUB_ACTIONS": "true"})
    assert "in GitHub Actions pass GRADE_SHARD_INDEX: ${{ strategy.job-index }} and GRADE_SHARD_COUNT: " \
           "${{ strategy.job-total }}, or --shard ${{ matrix.shard }}/N" in on_github


def test_two_engines_must_agree():
    kubernetes = {"JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "4"}
    assert shard_from_environment({**slurm(2, 1, 4), **kubernetes}).engine == "Slurm job array"
    message = refused({**slurm(3, 1, 4), **kubernetes})
    assert ("the Slurm job array says shard 3/4 (SLURM_ARRAY_TASK_ID=3 of 1-4) but the Kubernetes Indexed Job says "
            "2/4 (JOB_COMPLETION_INDEX=1 of 4); pass --shard I/N") in message
    assert "the Kubernetes Indexed Job says shard 2/4" in refused(
        {**kubernetes, "AWS_BATCH_JOB_ARRAY_INDEX": "0", "GRADE_SHARD_COUNT": "4"})


# --- --shard as given ----------------------------------------------------------------------------------------------

def test_choose_shard():
    environ = {"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "2"}
    assert choose_shard(None, environ) is None
    assert choose_shard("2/3", environ) == Shard(2, 3)  # I/N given: the environment is not read
    assert choose_shard(" auto ", environ) == shard_from_environment(environ)
    assert choose_shard("auto", {"JOB_COMPLETION_INDEX": "0"}, 2) == shard_from_environment(environ)
    for text in (None, "1/2"):
        with pytest.raises(UsageError, match="--shard-count 2: only with --shard auto"):
            choose_shard(text, environ, 2)
    for bad in ("0/2", "3/2", "1", "a/b", "1/0", "Auto", "auto/2"):
        with pytest.raises(UsageError, match=r"expected I/N with 1 <= I <= N, like 2/4, or auto"):
            parse_shard(bad) if bad != "Auto" else choose_shard(bad, environ)


CLASS = [Submission(f"student{n:02}", Path(f"student{n:02}")) for n in range(11)]

ENGINES = {
    "slurm 0-based": lambda k, n: slurm(k, 0, n - 1),
    "slurm 1-based": lambda k, n: slurm(k + 1, 1, n),
    "slurm from 100 in steps of 3": lambda k, n: slurm(100 + 3 * k, 100, 100 + 3 * (n - 1), 3),
    "kubernetes": lambda k, n: {"JOB_COMPLETION_INDEX": str(k), "JOB_COMPLETIONS": str(n)},
    "aws batch": lambda k, n: {"AWS_BATCH_JOB_ARRAY_INDEX": str(k), "GRADE_SHARD_COUNT": str(n)},
    "github actions": lambda k, n: {"GRADE_SHARD_INDEX": str(k), "GRADE_SHARD_COUNT": str(n), "GITHUB_ACTIONS": "true"},
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("tasks", [1, 2, 3, 4, 11, 13])
def test_every_engine_slices_a_class_into_disjoint_complete_shards(engine, tasks):
    shards = [placed(ENGINES[engine](k, tasks)) for k in range(tasks)]
    assert shards == [Shard(k, tasks) for k in range(1, tasks + 1)]  # the same slices as --shard I/N
    slices = [select_shard(CLASS, shard) for shard in shards]
    names = [s.name for part in slices for s in part]
    assert sorted(names) == [s.name for s in CLASS] and len(set(names)) == len(names)
