"""Markdown for CI job summaries (``>> $GITHUB_STEP_SUMMARY``): one submission, or a whole class."""
from __future__ import annotations

import re
from typing import Sequence

from grader.core.model import ExerciseStatus, Report
from grader.core.records import STATUS_ORDER, BatchDocument, BatchRecord, BatchStatus, ClassSummary
from grader.core.formatting import counted, one_line, percent, points, rate as rate_text, threshold, without_controls

_MARKS = {
    ExerciseStatus.PASSED: "✅ passed",
    ExerciseStatus.FAILED: "❌ failed",
    ExerciseStatus.NOT_IMPLEMENTED: "⬜ not implemented yet",
    ExerciseStatus.MISSING: "❓ missing",
    ExerciseStatus.ERROR: "💥 error",
    ExerciseStatus.TIMEOUT: "⏳ timed out",
}


def cell(text: str) -> str:
    """Text safe inside a table cell: one line, pipes and markup characters escaped."""
    text = one_line(without_controls(text, carriage_returns=False))
    return re.sub(r"([\\`*_{}\[\]<>|#!~])", r"\\\1", text)


def code_block(text: str) -> str:
    """A fence longer than any backtick run in the text, so nothing in it can close the block."""
    text = without_controls(text, carriage_returns=False)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def render_markdown(report: Report) -> str:
    lines = [f"## Grade: {points(report.score)}/{points(report.max_score)} points", "",
             "| Exercise | Status | Points |", "| --- | --- | ---: |"]
    if report.choice is not None:
        lines[1:1] = ["", f"**Note:** {cell(report.choice.note)}"]
    for exercise in report.exercises:
        lines.append(f"| {cell(exercise.name)} | {_MARKS[exercise.status]} | "
                     f"{points(exercise.score)}/{points(exercise.max_score)} |")
    if report.quiz is not None:
        quiz = report.quiz
        lines += ["", f"**Quiz:** {quiz.score}/{quiz.total} = {percent(quiz.percent)}%, "
                      f"{'passed' if quiz.passed else f'not passed (needs more than {threshold(quiz.pass_above)})'}"]
    failed = [(e, c) for e in report.exercises for c in e.checks if not c.passed]
    for exercise in report.exercises:
        checks = [c for c in exercise.checks if not c.passed]
        if not checks or exercise.status is ExerciseStatus.NOT_IMPLEMENTED:
            continue
        lines += ["", f"### {cell(exercise.name)}"]
        for check in checks:
            label = f"{check.name} (hidden)" if check.hidden else check.name
            lines += ["", f"- ✗ **{cell(label)}**", "", code_block(check.message)]
    if not failed:
        lines += ["", "Every check passed."]
    lines += ["", f"Seed: {report.seed} (`grade check PATH --seed {report.seed}` reproduces these inputs)"]
    return "\n".join(lines) + "\n"


def render_class_markdown(summary: ClassSummary, documents: Sequence[BatchDocument]) -> str:
    """The class at a glance: counts, score statistics, pass rate per exercise, common mistakes."""
    return class_markdown(summary, [d.batch for d in documents if d.status is not BatchStatus.GRADED])


def class_markdown(summary: ClassSummary, problems: Sequence[BatchRecord]) -> str:
    """render_class_markdown from the records of the submissions that did not run normally alone."""
    counts, score = summary.counts, summary.score
    maximum = points(summary.max_score)
    lines = [f"## Class grades: {counted(counts.submissions, 'submission')}", ""]
    statuses = ", ".join(f"{counts.of(s)} {s.value}" for s in reversed(STATUS_ORDER) if counts.of(s))
    lines.append(f"{statuses or 'no submissions'}; {counts.full_marks} with full marks.")
    if score.mean is not None and score.median is not None:
        lines.append(f"Mean {score.mean:g}/{maximum}, median {score.median:g}/{maximum} "
                     f"(min {points(score.min)}, max {points(score.max)}). Seed {summary.seed}.")
    if counts.quiz_taken:
        lines.append(f"Quiz: {counts.quiz_passed} of {counts.quiz_taken} passed, "
                     f"mean {percent(summary.quiz_mean_percent)}%.")
    confinement = summary.confinement
    if not confinement.complete:
        missing = ", ".join(confinement.missing) or "not recorded"
        lines.append(f"**Graded without full confinement** (missing: {cell(missing)}).")
    lines += ["", "| Exercise | Pass rate | Mean points |", "| --- | ---: | ---: |"]
    for exercise in summary.exercises:
        mean = "–" if exercise.mean_score is None else f"{exercise.mean_score:g}"
        lines.append(f"| {cell(exercise.name)} | {rate_text(exercise.pass_rate)} | "
                     f"{mean}/{points(exercise.max_score)} |")
    if summary.mistakes:
        lines += ["", "### Most common misconceptions", "", "| Submissions | Exercise | Misconception |",
                  "| ---: | --- | --- |"]
        for mistake in summary.mistakes[:10]:
            lines.append(f"| {mistake.count} | {cell(mistake.exercise)} | {cell(mistake.title)} |")
    if problems:
        lines += ["", "### Submissions that did not run normally", "", "| Submission | Status | Why |",
                  "| --- | --- | --- |"]
        for batch in sorted(problems, key=lambda b: b.name):
            lines.append(f"| {cell(batch.name)} | {batch.status.value} | {cell(batch.message[:200])} |")
    return "\n".join(lines) + "\n"
