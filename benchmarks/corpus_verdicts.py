"""Measure the grader on both corpora: are its verdicts right, and does it name the bugs it catches?

    python benchmarks/corpus_verdicts.py [--corpus old|wild|both] [--oracle] [--seed 2026]

Every file of tests/corpus/ (written for the project) and tests/corpus_wild/ (written here from scratch to
behave as public code the project never saw does) is spliced into the reference solution and graded on its
own exercise, as `grade check` would. Printed:

- verdicts right / total: a correct file keeps full marks, a buggy file loses points;
- bugs named / total: a buggy file is named when some failing check carries a mistake id;
- every miss: a buggy file with full marks, a correct file that loses points, a bug caught but not named,
  and a named mistake that is not the file's own (when its header says which mistake it makes: `# mistake:`
  in the wild corpus, the expectation itself in the old one). A name given to a wild file without a
  `# mistake:` line is listed for a reader to judge against the code and the message.

With --oracle the independent oracle (tests/oracle.py) re-decides every file first and its disagreements with
the headers are listed too. About one to two seconds a file on 2 cores.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from corpus_headers import OLD_CORPUS, WILD_CORPUS, CorpusFile, corpus  # noqa: E402
from variants import REFERENCE, build_submission  # noqa: E402

from grader.engine.grading import GradeOptions, grade_submission  # noqa: E402
from grader.course.course import load_lesson
from grader.core.model import ExerciseResult, ExerciseStatus  # noqa: E402


@dataclass(frozen=True)
class Outcome:
    file: CorpusFile
    result: ExerciseResult

    @property
    def full_marks(self) -> bool:
        return self.result.status is ExerciseStatus.PASSED

    @property
    def verdict_right(self) -> bool:
        return self.full_marks == self.file.correct

    @property
    def named(self) -> tuple[str, ...]:
        return self.result.mistakes

    def first_failure(self) -> str:
        failing = [c for c in self.result.checks if not c.passed]
        return failing[0].message.splitlines()[0][:160] if failing else ""


def grade_all(files: list[CorpusFile], seed: int) -> list[Outcome]:
    lesson = load_lesson()
    outcomes = []
    with tempfile.TemporaryDirectory() as scratch:
        for number, file in enumerate(files):
            directory = Path(scratch) / str(number)
            directory.mkdir()
            path = build_submission(directory, {file.function: file.source})
            report = grade_submission(path, lesson, GradeOptions(seed=seed, exercises=(file.function,)))
            result = next(e for e in report.exercises if e.name == file.function)
            outcomes.append(Outcome(file, result))
    return outcomes


def misses(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        f = o.file
        where = f"{f.name} ({f.function})"
        if f.correct and not o.full_marks:
            lines.append(f"correct file loses points: {where}: {o.first_failure()}")
        elif not f.correct and o.full_marks:
            lines.append(f"buggy file gets full marks: {where}: {f.bug}")
        elif not f.correct and not o.named:
            lines.append(f"bug caught but not named: {where}: {f.bug} | grader: {o.first_failure()}")
        elif not f.correct and f.mistakes and not set(f.mistakes) & set(o.named):
            lines.append(f"wrong name: {where} makes {' or '.join(f.mistakes)}, grader names {', '.join(o.named)}")
        elif not f.correct and f.mistakes and set(o.named) - set(f.mistakes):
            lines.append(f"extra name: {where} makes {' or '.join(f.mistakes)}, grader also names "
                         f"{', '.join(sorted(set(o.named) - set(f.mistakes)))}")
        elif not f.correct and not f.mistakes:
            lines.append(f"named, to judge: {where}: {f.bug} | grader names {', '.join(o.named)}")
    return lines


def summary(title: str, outcomes: list[Outcome]) -> list[str]:
    buggy = [o for o in outcomes if not o.file.correct]
    right = sum(o.verdict_right for o in outcomes)
    named = sum(bool(o.named) for o in buggy)
    return [
        f"{title}: {len(outcomes)} files ({len(outcomes) - len(buggy)} correct, {len(buggy)} buggy)",
        f"  verdicts right: {right} / {len(outcomes)}",
        f"  bugs named:     {named} / {len(buggy)}",
        f"  buggy with full marks: {sum(o.full_marks for o in buggy)} / {len(buggy)}",
    ]


def oracle_disagreements(files: list[CorpusFile]) -> list[str]:
    import oracle

    module: dict = {}
    exec(compile(REFERENCE.read_text(encoding="utf-8"), str(REFERENCE), "exec"), module)  # helpers a file may call
    lines = []
    for f in files:
        verdict = oracle.judge_source(f.function, f.source, str(f.path), module)
        if verdict.correct != f.correct:
            said = "correct" if f.correct else f"buggy ({f.bug})"
            why = verdict.failures[0] if verdict.failures else "no input fails"
            lines.append(f"oracle disagrees: {f.name}: header says {said}; oracle: {why}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("old", "wild", "both"), default="both")
    parser.add_argument("--oracle", action="store_true", help="re-decide every file with tests/oracle.py first")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    chosen = {"old": [("old corpus (tests/corpus)", OLD_CORPUS)], "wild": [("wild corpus (tests/corpus_wild)", WILD_CORPUS)]}
    chosen["both"] = chosen["old"] + chosen["wild"]
    for title, directory in chosen[args.corpus]:
        files = corpus(directory)
        if args.oracle:
            for line in oracle_disagreements(files):
                print(line)
        outcomes = grade_all(files, args.seed)
        print("\n".join(summary(title, outcomes)))
        for line in misses(outcomes):
            print("  - " + line)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
