"""Benchmark: `grade batch` against the naive way and against one cold torch import.

    python benchmarks/run.py [--submissions 40] [--jobs N] [--naive-count N]

Grades N copies of the reference solution with `grade batch`, the same checks the naive way (one
fresh `python -m pytest` process per submission), one `grade check`, and one cold
`python -c "import numpy, torch"`, all in this one run, and prints each as a ratio to the torch
import, with the peak memory (PSS, shared pages counted once) of the batch's process tree.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "softmax_cross_entropy.py"
GRADE = [sys.executable, "-c", "from grader.cli import main; main()"]


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - started


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        found.append(pid)
        frontier.extend(parents.get(pid, []))
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed_with_peak_memory(command: list[str]) -> tuple[float, float]:
    """Wall time, and the peak summed PSS (MiB) of the command's process tree, sampled every 50 ms."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(_pss_kib(pid) for pid in _tree(process.pid)))
            done.wait(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return elapsed, peak / 1024


def make_submissions(directory: Path, count: int) -> Path:
    for index in range(count):
        (directory / f"student{index:03d}").mkdir(parents=True)
        shutil.copy(REFERENCE, directory / f"student{index:03d}" / "softmax_cross_entropy.py")
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--naive-count", type=int, default=None, help="naive runs to time (default: all)")
    args = parser.parse_args()
    naive_count = args.naive_count or args.submissions

    with tempfile.TemporaryDirectory(prefix="grade-bench-") as scratch:
        scratch_path = Path(scratch)
        torch_import = statistics.median(timed([sys.executable, "-c", "import numpy, torch"]) for _ in range(3))
        small = make_submissions(scratch_path / "small", max(1, args.submissions // 4))
        full = make_submissions(scratch_path / "full", args.submissions)
        batch_small, peak_small = timed_with_peak_memory(
            [*GRADE, "batch", str(small), "--out", str(scratch_path / "out-small"), "--jobs", str(args.jobs)])
        batch, peak = timed_with_peak_memory(
            [*GRADE, "batch", str(full), "--out", str(scratch_path / "out"), "--jobs", str(args.jobs)])
        check = statistics.median(timed([*GRADE, "check", str(REFERENCE)]) for _ in range(3))
        naive = [
            timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "benchmarks/naive_checks.py"],
                  env={**os.environ, "SUBMISSION": str(full / f"student{i:03d}" / "softmax_cross_entropy.py")})
            for i in range(naive_count)
        ]

    per_submission = batch / args.submissions
    naive_each = statistics.mean(naive)
    rows = [
        ("cold `import numpy, torch`", torch_import, 1.0, ""),
        (f"grade batch, {args.submissions} submissions, per submission", per_submission,
         per_submission / torch_import, "target <= 0.10"),
        (f"naive: fresh pytest per submission ({naive_count} timed)", naive_each, naive_each / torch_import, ""),
        ("grade check, one submission", check, check / torch_import, "target <= 1.5"),
    ]
    print(f"{'measure':<58} {'seconds':>8} {'torch imports':>14}")
    for name, seconds, ratio, target in rows:
        print(f"{name:<58} {seconds:>8.3f} {ratio:>14.3f}  {target}")
    print(f"grade batch wall time: {batch:.2f} s for {args.submissions} (naive total: {naive_each * args.submissions:.1f} s)")
    print(f"peak memory (PSS) of grade batch: {peak_small:.0f} MiB for {max(1, args.submissions // 4)} submissions, "
          f"{peak:.0f} MiB for {args.submissions} (--jobs {args.jobs})")


if __name__ == "__main__":
    main()
