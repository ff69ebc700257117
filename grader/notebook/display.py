"""The practice report as a notebook shows it: HTML in Jupyter, the terminal text elsewhere.

Rendered from the same result model as ``grade check`` (by the grading service, never in the kernel),
so hidden checks show what the terminal shows: a description of the inputs, no expected values.
"""
from __future__ import annotations

from html import escape

from grader.core.model import ExerciseStatus, Report
from grader.core.formatting import MARKS, STATUS_WORDS, points

PRACTICE_BANNER = ("Practice only: this graded the functions as defined in this kernel. "
                   "Credit comes from grading the saved notebook (grade check NOTEBOOK.ipynb).")
_COLOURS = {"green": "#1a7f37", "red": "#cf222e", "yellow": "#9a6700"}


def render_html(report: Report) -> str:
    rows = []
    import_error = report.import_error
    if import_error is not None:
        rows.append(f"<tr><td colspan='4'>Your code could not be imported, so no exercise could run:"
                    f"<pre>{escape(import_error)}</pre></td></tr>")
    for exercise in report.exercises:
        symbol, colour = MARKS[exercise.status]
        status = "" if exercise.status in (ExerciseStatus.PASSED, ExerciseStatus.FAILED) else STATUS_WORDS[exercise.status]
        details = []
        if exercise.status not in (ExerciseStatus.PASSED, ExerciseStatus.NOT_IMPLEMENTED) and import_error is None:
            for check in exercise.checks:
                if not check.passed:
                    label = f"{check.name} (hidden)" if check.hidden else check.name
                    details.append(f"<li><code>{escape(label)}</code>: {escape(check.message)}</li>")
            if exercise.hint:
                details.append(f"<li><em>Hint:</em> {escape(exercise.hint)}</li>")
        if exercise.output.strip():
            details.append(f"<li>printed:<pre>{escape(exercise.output[:2000])}</pre></li>")
        listed = f"<ul style='margin:2px 0 6px 1.5em'>{''.join(details)}</ul>" if details else ""
        rows.append(
            f"<tr><td style='color:{_COLOURS[colour]};font-weight:bold'>{escape(symbol)}</td>"
            f"<td><code>{escape(exercise.name)}</code></td>"
            f"<td style='text-align:right'>{points(exercise.score)}/{points(exercise.max_score)}</td>"
            f"<td>{escape(status)}{listed}</td></tr>"
        )
    notes = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
    notes_html = f"<p>Not sent to the grader:</p><ul>{notes}</ul>" if notes else ""
    return (
        "<div class='grade-practice'>"
        f"<p style='background:#fff8c5;padding:4px 8px;border-radius:4px'><strong>{escape(PRACTICE_BANNER)}</strong></p>"
        f"{notes_html}<table>{''.join(rows)}</table>"
        f"<p><strong>Total: {points(report.score)}/{points(report.max_score)} points</strong> (seed {report.seed})</p>"
        "</div>"
    )
