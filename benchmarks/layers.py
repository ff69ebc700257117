"""What each confinement layer of a worker costs: run by benchmarks/run.py in a process of its own.

    python benchmarks/layers.py [--runs 30]

This process is made as warm as the fork server (numpy, torch, the worker's code, the same warm-up,
objects frozen, its memory in huge pages, one thread), then makes workers that enter the sandbox exactly as a
graded submission's worker does (``isolation.fork_confined``, ``worker._isolate``), marking the time after each
layer. The worker, once it is the job's user (where the student's code would start), sends the marks home; it is
then ended as the grader ends one that is done (SIGKILL), and the teardown is what is left of the fork-to-reaped
time.
Prints one JSON object: the median milliseconds of each step, and the layers that were entered.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# One thread per numerical library, as in the server (server.SERVER_ENVIRONMENT): the raw clone that makes a
# confined worker is refused in a process with another thread (isolation._clone).
os.environ.update({name: "1" for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")})

from grader.sandbox import isolation, limits, protocol, worker, zygote  # noqa: E402  (zygote: numpy, torch, warm-up)
from grader.sandbox.runner import Limits, _sandbox_user  # noqa: E402

CPU = "CPU (the chain's processes, mean)"
STEPS = ("fork from the server", "user namespace", "other namespaces", "private root", "job user")


def one_run(scratch: Path, isolate: bool) -> tuple[dict[str, float], list[str]]:
    workdir = Path(tempfile.mkdtemp(dir=scratch))
    (workdir / "submission").mkdir()
    (workdir / "root").mkdir()
    job = {"module_name": "submission.py", "source": b"x = 1\n", "limits": Limits().for_worker(1),
           "sandbox": {"isolate": isolate, "uid": _sandbox_user(), "root": str(workdir / "root"),
                       "hostdir": str(workdir / "submission"), "cgroups": []}}
    marks_r, marks_w = os.pipe()
    before = os.times()
    started = time.perf_counter()
    # As the server forks a worker: a confined one cloned into its namespaces, whose user namespace's id maps it writes
    pid, start = isolation.fork_confined(job["sandbox"]["uid"]) if isolate else (os.fork(), isolation.Start())
    if pid == 0:
        os.close(marks_r)
        marks = [("start", started), ("fork from the server", time.perf_counter())]
        try:
            os.setsid()
            limits.enter(job["limits"])
            layers, _ = worker._isolate(job, lambda step: marks.append((step, time.perf_counter())), start)
            marks.append(("job user", time.perf_counter()))
            os.write(marks_w, json.dumps({"marks": marks, "layers": layers}).encode())
        finally:
            os._exit(0)
    os.close(marks_w)
    reply = protocol.read_all(marks_r)
    os.close(marks_r)
    os.kill(pid, signal.SIGKILL)  # as the grader ends a worker that is done (runner._end)
    os.waitpid(pid, 0)
    reaped = time.perf_counter()
    after = os.times()
    shutil.rmtree(workdir, ignore_errors=True)
    message = json.loads(reply)
    marks = dict(message["marks"])
    steps, previous = {}, marks["start"]
    for step in STEPS:
        if step in marks:
            steps[step] = (marks[step] - previous) * 1000
            previous = marks[step]
    steps["teardown (ended, reaped)"] = (reaped - previous) * 1000
    steps["total"] = (reaped - started) * 1000
    steps[CPU] = (after.children_user + after.children_system
                                             - before.children_user - before.children_system) * 1000
    return steps, message["layers"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    zygote._import_torch()
    zygote._warm_up()
    gc.collect()
    gc.freeze()
    zygote._collapse_to_huge_pages()  # as the server does before it serves
    result = {}
    with tempfile.TemporaryDirectory(prefix="grade-layers-") as scratch:
        for name, isolate in (("unconfined", False), ("confined", True)):
            runs = [one_run(Path(scratch), isolate) for _ in range(args.runs)]
            keys = runs[0][0].keys()
            result[name] = {"median_ms": {k: round(statistics.median(r[0].get(k, 0.0) for r in runs), 2) for k in keys},
                            "layers": runs[-1][1]}
            # CPU times come in clock ticks (10 ms): the mean over the runs says more than the median
            result[name]["median_ms"][CPU] = round(statistics.fmean(r[0][CPU] for r in runs), 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
