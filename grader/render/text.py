"""The terminal report a student reads after ``grade``."""
from __future__ import annotations

from grader.core.formatting import (STATUS_WORDS, counted, mark, percent, points, quiz_unanswered, retake, terminal,
                                threshold)
from grader.core.model import ExerciseResult, ExerciseStatus, Report
from grader.sandbox.protocol import OUTPUT_CUT_MARK as CUT_MARK

__all__ = ["STATUS_WORDS", "mark", "points", "render_exercise", "render_text"]


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def render_import_error(reason: str) -> list[str]:
    """Once, at the top: the file does not import, so no exercise could run."""
    return ["Your file could not be imported, so no exercise could run:", _indent(reason, "    "),
            "Fix this first, then grade again.", ""]


def render_file_problem(reason: str) -> list[str]:
    """Once, at the top: the file could not be graded at all (refused, unreadable, malformed)."""
    return ["No exercise could run:", _indent(terminal(reason), "    "), ""]


def render_exercise(exercise: ExerciseResult, width: int, shown_details: set[str], color: bool,
                    not_run: bool = False) -> list[str]:
    score = f"{points(exercise.score)}/{points(exercise.max_score)}"
    line = f"{mark(exercise.status, color)} {exercise.name:<{width}} {score:>6}"
    if not_run:
        return [line + "  not run (see above)"]
    if exercise.status not in (ExerciseStatus.PASSED, ExerciseStatus.FAILED):
        line += f"  {STATUS_WORDS[exercise.status]}"
    lines = [line]
    if exercise.status in (ExerciseStatus.NOT_IMPLEMENTED, ExerciseStatus.PASSED):
        return lines
    if exercise.status in (ExerciseStatus.ERROR, ExerciseStatus.MISSING) and not exercise.detail.startswith("not run"):
        detail = next((c.message for c in exercise.checks if not c.passed), exercise.detail)
        lines.append(_indent("same problem as above" if detail in shown_details else terminal(detail), "    "))
        shown_details.add(detail)
        return lines
    if exercise.detail:
        lines.append(f"    {terminal(exercise.detail)}")
    named: set[str] = set()
    for check in exercise.checks:
        if check.passed:
            continue
        label = f"{check.name} (hidden)" if check.hidden else check.name
        lines.append(f"    ✗ {label}")
        message = check.message
        if check.mistake in named:
            message = message.splitlines()[0] + "\n(the same mistake as above)"
        lines.append(_indent(terminal(message), "      "))
        if check.mistake:
            named.add(check.mistake)
    if not named and exercise.hint:
        lines.append(f"    Hint: {exercise.hint}")
    if exercise.output.strip():
        lines.append("    Your code printed:")
        lines.append(_indent(terminal(printed(exercise.output)), "      | "))
    return lines


SHOWN_OUTPUT_CHARS = 2000


def printed(output: str) -> str:
    """What the student's code printed, as a report shows it: cut at SHOWN_OUTPUT_CHARS, always saying
    so, and saying how much the sandbox itself kept of a flood."""
    text = output.rstrip()
    kept_note = ""
    if CUT_MARK in text:
        text, kept_note = text.rsplit("\n" + CUT_MARK, 1)[0], CUT_MARK + text.rsplit(CUT_MARK, 1)[1]
    if len(text) > SHOWN_OUTPUT_CHARS:
        kept_note = (f"{CUT_MARK} the first {SHOWN_OUTPUT_CHARS} of {len(text)} characters are shown here]"
                     + (f"\n{kept_note}" if kept_note else ""))
        text = text[:SHOWN_OUTPUT_CHARS]
    return text + (f"\n{kept_note}" if kept_note else "")


def _lesson_status(report: Report, quiz: str) -> str:
    done = sum(e.status is ExerciseStatus.PASSED for e in report.exercises)
    total = len(report.exercises)
    missing = []
    if not report.exercises_complete:
        missing.append(f"{total - done} of {counted(total, 'exercise')} still short of full marks")
    if report.quiz is None:
        missing.append(f"the quiz (take it with: {quiz})")
    elif any(q.answer is None for q in report.quiz.questions):
        missing.append(f"the rest of the quiz (continue with: {quiz})")
    elif not report.quiz.passed:
        missing.append(f"a quiz score above {threshold(report.quiz.pass_above)} (retake it with: {retake(quiz)})")
    if report.lesson_complete:
        return "Lesson complete: every exercise has full marks and the quiz is passed."
    return "Lesson not complete yet. Still needed: " + "; ".join(missing) + "."


def render_text(report: Report, color: bool = False, include_lesson: bool = True, command: str = "grade",
                quiz_command: str | None = None) -> str:
    """The report; ``command`` is ``grade`` as typed where it is read (with --course and --lesson when they are
    needed there), so that each command it advises works as printed; ``quiz_command`` is the quiz's command there
    (``grade quiz --save PATH`` for answers other than the ones found from there)."""
    quiz_command = quiz_command or f"{command} quiz"
    width = max((len(e.name) for e in report.exercises), default=10)
    lines = [f"Grading {terminal(report.submission)}", ""]
    if report.choice is not None:
        lines.extend([f"Note: {terminal(report.choice.note)}", ""])
    if report.notes:
        lines.extend(["Left out of grading:", *(f"    {terminal(note)}" for note in report.notes), ""])
    import_error, file_problem = report.import_error, report.file_problem
    if import_error is not None:
        lines.extend(render_import_error(import_error))
    elif file_problem is not None:
        lines.extend(render_file_problem(file_problem))
    shown: set[str] = set()
    stopped = import_error is not None or file_problem is not None
    for exercise in report.exercises:
        lines.extend(render_exercise(exercise, width, shown, color, not_run=stopped))
    lines.append("")
    lines.append(f"Total: {points(report.score)}/{points(report.max_score)} points")
    if report.quiz is not None:
        quiz = report.quiz
        unanswered = sum(q.answer is None for q in quiz.questions)
        verdict = ("passed" if quiz.passed else quiz_unanswered(unanswered, quiz_command) if unanswered
                   else f"not passed (needs more than {threshold(quiz.pass_above)})")
        lines.append(f"Quiz: {quiz.score}/{quiz.total} = {percent(quiz.percent)}%, {verdict}")
    if include_lesson:
        lines.append(_lesson_status(report, quiz_command))
    lines.append(f"Seed: {report.seed} ({command} check PATH --seed {report.seed} reproduces these inputs)")
    return "\n".join(lines) + "\n"
