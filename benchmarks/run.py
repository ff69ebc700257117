"""Benchmark: how fast `grade` is, every figure also as a ratio to one cold `import numpy, torch`.

    python benchmarks/run.py [--submissions 40] [--jobs N] [--repeat 3] [--class-size 2000 | --skip-class]

In one run (about 3 minutes on 2 cores; --skip-class saves most of it):

- a cold `python -c "import numpy, torch"` (the unit), and a cold `grade check` of the reference
  (the whole command, `python -m grader`, as a student runs it), each the median of --repeat runs;
- a cold `grade check --exercise stable_softmax` of the reference, which imports no torch at its top level:
  a numpy-only exercise, for which no process imports torch at all;
- `grade batch` over --submissions copies of the reference (the median of --repeat whole commands,
  per submission), then over 10 times as many, and a class of --class-size submissions made of a few
  variants (the reference, the stub, a known mistake, a file that does not import): wall time per
  submission and the peak memory (PSS of the process tree, shared pages counted once) of each;
- the naive way for comparison: one fresh `python -m pytest` per submission (--naive-count runs);
- `grade watch`: from a save (a real write of the file) to the redrawn report read back from a
  pseudo-terminal, the median over --watch-saves saves of the full solution, with the file system's
  events and with polling (the fallback);
- what confinement costs: the same submission graded again and again by a warm grader, with full
  confinement and with `Limits(isolate=False)` (rlimits only), and each layer's share measured inside
  the worker (benchmarks/layers.py);
- the machine's load average while it ran: on a shared machine the figures move with the neighbours,
  so each measure is paired with a torch import timed just before it and reported as the median ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import pty
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grader.batch.runs import default_jobs  # noqa: E402  (the jobs `grade batch` runs at a time by default)

REFERENCE = ROOT / "solutions" / "softmax_cross_entropy.py"
STUB = ROOT / "exercises" / "softmax_cross_entropy.py"
GRADE = [sys.executable, "-m", "grader"]  # the `grade` command's entry point (grader.cli.launch)
WATCH_FOOTER = re.compile(rb"Watching [^\n]* \(graded at [0-9:]+\)")


NUMPY_ONLY_EXERCISE = "stable_softmax"  # no Tensor argument; the reference imports torch only inside its torch functions


def rows_named(rows: list[tuple[str, float, float, str]], start: str) -> str:
    """The first measure whose name starts so."""
    return next(name for name, *_ in rows if name.startswith(start))


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


def _variants() -> list[bytes]:
    """The reference, the stub, one known mistake per exercise kind, a file that does not import."""
    from grader.authoring.known_wrong import load_known_wrong, splice

    reference = REFERENCE.read_text()
    known = load_known_wrong(ROOT / "grader" / "lessons" / "softmax_cross_entropy" / "known_wrong")
    chosen = [known[m] for m in ("no_max_shift", "gradient_sign_flipped", "softmax_before_loss") if m in known]
    broken = reference.replace("def stable_softmax(", "def stable_softmax(:", 1)
    return [t.encode() for t in [reference, STUB.read_text(), *(splice(reference, k.function, k.source) for k in chosen),
                                 broken]]


def make_submissions(directory: Path, count: int, sources: list[bytes]) -> Path:
    for index in range(count):
        folder = directory / f"student{index:04d}"
        folder.mkdir(parents=True)
        (folder / "softmax_cross_entropy.py").write_bytes(sources[index % len(sources)])
    return directory


def batch_run(scratch: Path, name: str, count: int, sources: list[bytes], jobs: int) -> tuple[float, float]:
    submissions = make_submissions(scratch / name, count, sources)
    elapsed, peak = timed_with_peak_memory([*GRADE, "batch", str(submissions), "--out", str(scratch / f"{name}-out"),
                                            "--jobs", str(jobs), "--seed", "7"])
    shutil.rmtree(scratch / name, ignore_errors=True)
    shutil.rmtree(scratch / f"{name}-out", ignore_errors=True)
    return elapsed, peak


# --- grade watch through a pseudo-terminal ---------------------------------------------------------

class Terminal:
    """A command on a pseudo-terminal; reads what it draws."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(ROOT)
            os.execve(command[0], command, env)
        self.screen = b""

    def wait_for_footers(self, count: int, timeout: float) -> float:
        """Read until ``count`` report footers in all have been drawn; the time the last one arrived."""
        deadline = time.monotonic() + timeout
        while len(WATCH_FOOTER.findall(self.screen)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                raise TimeoutError(f"grade watch drew {len(WATCH_FOOTER.findall(self.screen))} reports, not {count}")
            try:
                self.screen += os.read(self.fd, 1 << 16)
            except OSError:
                raise TimeoutError("grade watch ended") from None
        return time.perf_counter()

    def close(self) -> None:
        try:
            os.kill(self.pid, 2)  # Ctrl-C
            os.waitpid(self.pid, 0)
        finally:
            os.close(self.fd)


def watch_latency(scratch: Path, saves: int, poll: bool) -> list[float]:
    """Seconds from each save of the full solution to the end of the redrawn report on the terminal."""
    target = scratch / ("watched-poll" if poll else "watched") / "softmax_cross_entropy.py"
    target.parent.mkdir(parents=True)
    reference = REFERENCE.read_bytes()
    target.write_bytes(reference)
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "60"}
    if poll:
        env["GRADE_WATCH_POLL"] = "1"
    terminal = Terminal([*GRADE, "watch", str(target)], env)
    latencies = []
    try:
        terminal.wait_for_footers(1, timeout=120)
        for save in range(1, saves + 1):
            time.sleep(0.4)  # a student does not save twice within the debounce
            started = time.perf_counter()
            with open(target, "wb") as handle:  # as an editor saves in place: truncate, write, close
                handle.write(reference + f"# save {save}\n".encode())
            latencies.append(terminal.wait_for_footers(save + 1, timeout=30) - started)
        if b"Total: 35/35 points" not in terminal.screen.rsplit(b"\x1b[H", 1)[-1]:
            raise RuntimeError("the watched solution was not redrawn with full marks")
    finally:
        terminal.close()
    return latencies


# --- what the confinement costs ------------------------------------------------------------------

LAYER_PROBE = """
import json, statistics, sys, time
from pathlib import Path
from grader.engine.grading import GradeOptions, grade_submission
from grader.course.course import load_lesson
from grader.sandbox.runner import Limits
lesson, path, runs = load_lesson(), Path(sys.argv[1]), int(sys.argv[2])
result = {}
for name, isolate in (("confined", True), ("unconfined", False), ("confined again", True)):
    options = GradeOptions(limits=Limits(isolate=isolate))
    grade_submission(path, lesson, options)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        report = grade_submission(path, lesson, options)
        times.append(time.perf_counter() - started)
    assert report.score == report.max_score, report
    result[name] = statistics.median(times)
print(json.dumps(result))
"""


def confinement_costs(runs: int) -> tuple[dict[str, float], dict[str, dict]]:
    probe = subprocess.run([sys.executable, "-c", LAYER_PROBE, str(REFERENCE), str(runs)], capture_output=True,
                           text=True, cwd=ROOT, check=True)
    layers = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "layers.py"), "--runs", str(runs)],
                            capture_output=True, text=True, cwd=ROOT, check=True,
                            env={**os.environ, "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"})  # as the server runs
    return json.loads(probe.stdout), json.loads(layers.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="as grade batch: the cores, plus two")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each short measure (medians are reported)")
    parser.add_argument("--naive-count", type=int, default=5, help="naive runs to time")
    parser.add_argument("--watch-saves", type=int, default=15)
    parser.add_argument("--class-size", type=int, default=2000)
    parser.add_argument("--skip-class", action="store_true", help="leave out the class of --class-size submissions")
    args = parser.parse_args()
    # The grader's modules compiled, as a regular install (pip install .) leaves them, and as a first run leaves
    # them unless PYTHONDONTWRITEBYTECODE is set: an editable install compiles nothing, and with that variable
    # set every command would compile some sixty modules again.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "grader")], check=True, stdout=subprocess.DEVNULL)
    load_before = os.getloadavg()
    began = time.perf_counter()
    sources = _variants()
    rows: list[tuple[str, float, float, str]] = []  # (measure, seconds, torch imports, target)
    notes: list[str] = []

    with tempfile.TemporaryDirectory(prefix="grade-bench-") as scratch_name:
        scratch = Path(scratch_name)
        # On a shared machine the load moves during a run: each measure is paired with a torch import timed
        # just before it, and its ratio is to that import (the median of the ratios is reported). A measure
        # taken once (the class, 400 submissions, watch) has no other pair to outvote a slow or fast import:
        # its unit is the median of three, two timed just before it and one just after.
        samples: list[float] = []  # every import timed
        unit = lambda: samples.append(timed([sys.executable, "-c", "import numpy, torch"])) or samples[-1]  # noqa: E731
        imports: list[float] = []  # each measure's unit

        def paired(name: str, measure, target: str = "", per: int = 1, repeat: int = args.repeat) -> list[float]:
            seconds, ratios = [], []
            for _ in range(repeat):
                around = [unit(), unit()] if repeat == 1 else [unit()]
                value = measure()
                if repeat == 1:
                    around.append(unit())
                imports.append(statistics.median(around))
                values = value if isinstance(value, list) else [value]
                seconds += [v / per for v in values]
                ratios += [v / per / imports[-1] for v in values]
            rows.append((name, statistics.median(seconds), statistics.median(ratios), target))
            return seconds

        check = paired("cold `grade check`, the reference (whole command)",
                       lambda: timed([*GRADE, "check", str(REFERENCE)]), "<= 1.2")
        paired(f"cold `grade check --exercise {NUMPY_ONLY_EXERCISE}` (numpy only)",
               lambda: timed([*GRADE, "check", "--exercise", NUMPY_ONLY_EXERCISE, str(REFERENCE)]), "<= 0.5")
        watch = paired(f"`grade watch`: save -> redrawn report ({args.watch_saves} saves)",
                       lambda: watch_latency(scratch / f"w{len(imports)}", args.watch_saves, poll=False),
                       "<= 0.25 s", repeat=1)
        paired("  the same, polling (the fallback)",
               lambda: watch_latency(scratch / f"w{len(imports)}", max(5, args.watch_saves // 3), poll=True), repeat=1)
        n = args.submissions
        memory: dict[int, float] = {}

        def batch(count: int, variants: list[bytes]) -> float:
            elapsed, peak = batch_run(scratch, f"batch{len(imports)}", count, variants, args.jobs)
            memory[count] = max(memory.get(count, 0.0), peak)
            return elapsed

        batches = paired(f"`grade batch`, {n} submissions, per submission", lambda: batch(n, sources[:1]), "<= 0.03", per=n)
        big = paired(f"`grade batch`, {10 * n} submissions, per submission", lambda: batch(10 * n, sources[:1]),
                     per=10 * n, repeat=1)
        notes.append(f"grade batch wall time: {n * statistics.median(batches):.2f} s for {n} (median of {args.repeat}), "
                     f"{10 * n * big[0]:.1f} s for {10 * n}; peak memory (PSS): {memory[n]:.0f} MiB for {n}, "
                     f"{memory[10 * n]:.0f} MiB for {10 * n} (--jobs {args.jobs})")
        if not args.skip_class:
            size = args.class_size
            whole = paired(f"a class of {size} ({len(sources)} variants), per submission", lambda: batch(size, sources),
                           "<= 0.015", per=size, repeat=1)
            notes.append(f"class of {size}: {size * whole[0]:.1f} s, peak memory (PSS) {memory[size]:.0f} MiB; per "
                         f"submission {1000 * whole[0]:.1f} ms against {1000 * big[0]:.1f} ms at {10 * n}")
        paired("naive: fresh pytest per submission",
               lambda: timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "benchmarks/naive_checks.py"],
                             env={**os.environ, "SUBMISSION": str(REFERENCE)}), repeat=args.naive_count)
        warm, layers = confinement_costs(max(10, args.watch_saves))
        imports.append(unit())
        rows.append(("warm grader, one submission, full confinement", warm["confined again"],
                     warm["confined again"] / imports[-1], ""))
        rows.append(("warm grader, one submission, rlimits only (isolate=False)", warm["unconfined"],
                     warm["unconfined"] / imports[-1], ""))
        rows.insert(0, (f"cold `import numpy, torch` (median of {len(samples)}; "
                        f"{min(samples):.2f}-{max(samples):.2f} s)", statistics.median(samples), 1.0, ""))
    load_after = os.getloadavg()

    print(f"{'measure':<66} {'seconds':>8} {'torch imports':>14}  target")
    for name, seconds, ratio, target in rows:
        print(f"{name:<66} {seconds:>8.3f} {ratio:>14.3f}  {target}")
    for note in notes:
        print(note)
    print("worker steps, median ms (benchmarks/layers.py, no job's cgroups; CPU: all the chain's processes):")
    for name in ("unconfined", "confined"):
        steps = layers[name]["median_ms"]
        print(f"  {name}: " + ", ".join(f"{step} {ms:.1f}" for step, ms in steps.items()))
    print(f"watch latencies (s): {' '.join(f'{s:.3f}' for s in sorted(watch))}")
    ratio = {name: r for name, _, r, _ in rows}
    targets = [(f"`grade batch`, {n} correct submissions, torch imports per submission",
                ratio[rows_named(rows, "`grade batch`, ")], 0.03),
               ("cold `grade check --exercise` of a numpy-only exercise, torch imports",
                ratio[rows_named(rows, "cold `grade check --exercise")], 0.5)]
    if not args.skip_class:
        targets += [(f"a class of {args.class_size}, torch imports per submission", ratio[rows_named(rows, "a class of ")],
                     0.015), (f"peak memory (PSS, MiB) of the class of {args.class_size}", memory[args.class_size], 350)]
    print("targets (issue 23):")
    for name, value, target in targets:
        print(f"  {name}: {value:.3f} (target <= {target:g}) {'met' if value <= target else 'NOT met'}")
    print(f"machine: {os.cpu_count()} cores, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
          f"benchmark took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
