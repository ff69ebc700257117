"""Text for the learning loop and the course author's commands: watch, hint, list, validate, release."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course.lesson import Exercise, Lesson
from grader.core.model import ExerciseResult, ExerciseStatus, QuizResult, Report
from grader.course.progress import Progress
from grader.core.formatting import retake, STATUS_WORDS, counted, mark, percent, points, quiz_unanswered, style, terminal, threshold

if TYPE_CHECKING:  # the course author's tools load only when a command of theirs runs
    from grader.authoring.release import Release
    from grader.authoring.scaffold import Scaffold
    from grader.authoring.validate import Validation

WIDTH = 100


def tier_name(tier: int) -> str:
    """The name of hint tier ``tier`` (1-based): concept, formula, common bug."""
    from grader.authoring.validate import HINT_TIERS

    return HINT_TIERS[tier - 1] if tier <= len(HINT_TIERS) else f"hint {tier}"


def _wrapped(label: str, text: str, indent: str) -> list[str]:
    return textwrap.wrap(f"{label}{text}", WIDTH, initial_indent=indent, subsequent_indent=indent + "   ")


def render_hints(exercise: Exercise, shown: int, new: bool, student_file: str, command: str = "grade") -> str:
    """The hint tiers 1..shown of an exercise; ``new`` says the last one was not seen before."""
    total = len(exercise.hints)
    lines = [f"{exercise.name}: hint {shown} of {total}" + ("" if new else " (you have seen them all)")]
    for tier in range(1, shown + 1):
        lines += _wrapped(f"{tier}. {tier_name(tier).capitalize()}: ", exercise.hints[tier - 1], "  ")
    if shown < total:
        lines.append(f"Still stuck? `{command} hint {exercise.name}` again gives the {tier_name(shown + 1)}.")
    else:
        lines.append(f"That is every hint. The docstring of {exercise.name} in exercises/{student_file} has the "
                     f"formula, an example and the pitfalls; the feedback of `{command}` names the mistake it sees.")
    return "\n".join(lines) + "\n"


def next_exercise(report: Report) -> ExerciseResult | None:
    """The first exercise short of full marks: the one to work on next."""
    return next((e for e in report.exercises if e.status is not ExerciseStatus.PASSED), None)


def render_next(report: Report, lesson: Lesson, progress: Progress | None, command: str = "grade") -> str:
    """The watch screen's footer: the exercise to work on next, with the hints seen so far (``command``: ``grade``
    as typed where the watch runs, with the --course and --lesson it needs)."""
    if report.import_error is not None:
        return ("Next: make your file import again; no exercise runs until it does.\n"
                + _indent_block(report.import_error) + "\n")
    if report.file_problem is not None:
        return "Next: fix this; no exercise runs until it is fixed.\n" + _indent_block(terminal(report.file_problem)) + "\n"
    result = next_exercise(report)
    if result is None:
        return f"Every graded exercise has full marks. Next: the quiz, if you have not passed it ({command} quiz).\n"
    exercise = lesson.exercise(result.name)
    seen = max(1, progress.exercise(result.name).hints_seen if progress else 1)
    lines = [f"Next: {result.name} ({STATUS_WORDS[result.status]})"]
    for tier in range(1, min(seen, len(exercise.hints)) + 1):
        lines += _wrapped(f"Hint {tier} of {len(exercise.hints)} ({tier_name(tier)}): ", exercise.hints[tier - 1], "  ")
    if seen < len(exercise.hints):
        lines.append(f"  More help: {command} hint {result.name}")
    return "\n".join(lines) + "\n"


def _indent_block(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def render_watch_status(shown_path: str, clock: str) -> str:
    return f"Watching {shown_path} (graded at {clock}): save it to grade again; Ctrl-C to stop.\n"


def _quiz_line(quiz: QuizResult | None, needed: int, command: str) -> tuple[str, bool]:
    if quiz is None:
        return f"not taken yet (take it with: {command} quiz)", False
    unanswered = sum(q.answer is None for q in quiz.questions)
    text = f"{quiz.score}/{quiz.total} correct ({percent(quiz.percent)}%)"
    if quiz.passed:
        return f"{text}, passed", True
    if unanswered:
        return f"{text}, {quiz_unanswered(unanswered, command + ' quiz')}", False
    return f"{text}, not passed: it needs {needed} of {quiz.total} (retake it with: {retake(command + ' quiz')})", False


def render_list(lesson: Lesson, report: Report, quiz: QuizResult | None, quiz_needed: int, progress: Progress,
                shown_path: str, command: str = "grade", color: bool = False) -> str:
    width = max(len(e.name) for e in report.exercises)
    lines = [f"{lesson.title}: {shown_path}", ""]
    if report.choice is not None:
        lines[1:1] = [f"Note: {terminal(report.choice.note)}"]
    for result in report.exercises:
        score = f"{points(result.score)}/{points(result.max_score)}"
        line = f"  {mark(result.status, color)} {result.name:<{width}} {score:>6}  {STATUS_WORDS[result.status]:<20}"
        seen = progress.exercise(result.name).hints_seen
        if seen:
            line += f"  hints seen: {seen} of {len(lesson.exercise(result.name).hints)}"
        lines.append(line.rstrip())
    done = sum(e.status is ExerciseStatus.PASSED for e in report.exercises)
    total = len(report.exercises)
    quiz_text, quiz_passed = _quiz_line(quiz, quiz_needed, command)
    lines += ["", f"Exercises: {done} of {total} with full marks, {points(report.score)}/{points(report.max_score)} points",
              f"Quiz: {quiz_text}"]
    if report.notes:
        lines += ["Left out of grading:", *(f"    {terminal(note)}" for note in report.notes)]
    if report.lesson_complete:
        lines.append("Lesson: complete. Every exercise has full marks and the quiz is passed.")
    else:
        still = [f"{total - done} exercise{'s' if total - done != 1 else ''} short of full marks"] if done < total else []
        still += [] if quiz_passed else ["the quiz"]
        lines.append(f"Lesson: not complete yet. Still needed: {'; '.join(still)}.")
    return "\n".join(lines) + "\n"


def render_stress_matrix(validation: Validation) -> list[str]:
    """The exercise x stress class table: how many hidden checks stress each cell, '-' where lesson.yaml says
    why the class does not apply, and ✗ for an empty cell."""
    if not validation.matrix:
        return []
    classes = list(dict.fromkeys(c.stress for c in validation.matrix))
    titles = {c.stress: c.title for c in validation.matrix}
    exercises = list(dict.fromkeys(c.exercise for c in validation.matrix))
    width = max(len(e) for e in exercises)
    cells = {(c.exercise, c.stress): c for c in validation.matrix}
    lines = ["Stress matrix (hidden checks per class; - does not apply, see lesson.yaml's not_stressed; ✗ empty):"]
    lines.append(" " * (width + 2) + " ".join(f"{i + 1:>2}" for i in range(len(classes))))
    for exercise in exercises:
        marks = []
        for stress in classes:
            cell = cells[(exercise, stress)]
            marks.append(f"{len(cell.checks):>2}" if cell.checks else (" -" if cell.reason is not None else " ✗"))
        lines.append(f"  {exercise:<{width}} " + " ".join(marks))
    lines += [f"  {i + 1:>2}. {stress}: {titles[stress]}" for i, stress in enumerate(classes)]
    return lines + [""]


def render_validation(validation: Validation, color: bool = False) -> str:
    lines = [f"Validating lesson {validation.lesson} (seed {validation.seed})", ""]
    lines += render_stress_matrix(validation)
    for finding in validation.findings:
        symbol, colour = ("✓", "green") if finding.ok else ("✗", "red")
        shown = style(symbol, colour, color)
        lines.append(f"{shown} {finding.subject}: {finding.detail}")
    lines.append("")
    failures = validation.failures
    if not failures:
        lines.append(f"All {len(validation.findings)} checks passed ({validation.seconds:.1f} s).")
    else:
        lines.append(f"{len(failures)} of {len(validation.findings)} checks failed:")
        lines += [f"  - {f.subject}: {f.detail}" for f in failures]
    return "\n".join(lines) + "\n"


def render_release(release: Release, seed: int) -> str:
    if not release.written:
        lines = [f"Refused: the student copy failed its checks, so nothing was written to {release.out}:"]
        lines += [f"  - {problem}" for problem in release.problems]
        return "\n".join(lines) + "\n"
    tops = sorted({f.split("/")[0] + ("/" if "/" in f else "") for f in release.files})
    lines = [
        f"Wrote the student copy to {release.out}: {len(release.files)} files ({', '.join(tops)}).",
        f"It grades with the reference's answers recorded at seed {seed} ({release.recorded_calls} calls); "
        "it holds no solutions/, tests/ or known_wrong/.",
    ]
    if release.verified:
        lines.append("Graded in the copy with its own grader, the same as in this project:")
        lines += [f"  ✓ {line}" for line in release.verified]
    else:
        lines.append("Not graded in the copy (--no-verify).")
    return "\n".join(lines) + "\n"


def render_lessons(lessons: tuple[Lesson, ...], root: Path, command: str = "grade") -> str:
    if not lessons:
        return f"No lessons in the course at {root} (a lesson is a folder grader/lessons/NAME/ with a lesson.yaml).\n"
    lines = [f"{len(lessons)} lesson{'s' if len(lessons) != 1 else ''} in the course at {root}:", ""]
    for lesson in lessons:
        total = sum(e.max_score for e in lesson.exercises)
        lines.append(f"{lesson.name}: {lesson.title}")
        lines.append(f"  {counted(len(lesson.exercises), 'exercise')}, {points(total)} points (exercises/{lesson.student_file}); "
                     f"quiz quizzes/{lesson.quiz_file}, passed above {threshold(lesson.load_quiz().pass_above)}")
    if len(lessons) > 1:  # with one lesson, every command works on it without --lesson
        lines += ["", f"Choose one with: {command} --lesson NAME <command>"]
    return "\n".join(lines) + "\n"


def render_strays(strays: tuple[str, ...]) -> str:
    return ("Files named after no lesson (each lesson NAME needs grader/lessons/NAME/lesson.yaml):\n"
            + "".join(f"  ✗ {stray}\n" for stray in strays))


def render_new_lesson(scaffold: Scaffold, root: Path, command: str = "grade") -> str:
    """What new-lesson wrote, and the command that validates it (``command``: ``grade`` as typed here for it)."""
    lines = [f"Wrote lesson {scaffold.name} in {root}:"]
    lines += [f"  {path}" for path in scaffold.files]
    lines += ["", f"Next: fill in the placeholders (docs/writing-a-lesson.md), then run: {command} validate"]
    return "\n".join(lines) + "\n"
