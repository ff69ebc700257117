#!/usr/bin/env bash
# Grade a class on a Slurm cluster (see docs/batch.md, "Slurm, Kubernetes, AWS Batch: --shard auto"):
# queue the array of shards, then the merge, which starts only once every shard has succeeded.
# Run it from the directory holding submissions/, in a shell where `grade` runs (its virtualenv
# activated: the jobs inherit this environment), with the class's secret seed:
#   GRADE_SEED=<a whole number, not 2026> bash submit-class.sh
set -euo pipefail
: "${GRADE_SEED:?set GRADE_SEED to the class secret seed: every shard grades with it}"
here=$(dirname "$0")
mkdir -p logs
array=$(sbatch --parsable "$here/grade-class.sbatch")
merge=$(sbatch --parsable --dependency="afterok:${array%%;*}" "$here/merge-class.sbatch")
echo "grading in job array ${array%%;*}; the merge, job ${merge%%;*}, writes class/ when every shard succeeded"
