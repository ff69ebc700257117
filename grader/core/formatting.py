"""The one home of shared formatting: points, percentages, status words and marks, colour, scrubbing.

Every renderer formats numbers and student-controlled text through here, so a rule (how points are
written, which characters reach a terminal) changes in one place. Nothing here imports click.
"""
from __future__ import annotations

import re

from grader.core.model import ExerciseStatus

_ANSI = {"red": 31, "green": 32, "yellow": 33}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls and DEL, but tab and line ends
CONTROL_AND_CR = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # the same, carriage returns too
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # what XML 1.0 cannot hold

MARKS = {
    ExerciseStatus.PASSED: ("✓", "green"),
    ExerciseStatus.FAILED: ("✗", "red"),
    ExerciseStatus.NOT_IMPLEMENTED: ("·", "yellow"),
    ExerciseStatus.MISSING: ("?", "red"),
    ExerciseStatus.ERROR: ("!", "red"),
    ExerciseStatus.TIMEOUT: ("⧖", "red"),
}
STATUS_WORDS = {
    ExerciseStatus.PASSED: "passed",
    ExerciseStatus.FAILED: "failed",
    ExerciseStatus.NOT_IMPLEMENTED: "not implemented yet",
    ExerciseStatus.MISSING: "missing from your file",
    ExerciseStatus.ERROR: "error",
    ExerciseStatus.TIMEOUT: "timed out",
}


def points(value: float) -> str:
    """Points as a student reads them: 2.5, 4, 0."""
    return f"{value:g}"


def number(value: float) -> str:
    """Points in a data file: fractional points kept (2.5 stays 2.5), whole ones without a trailing .0."""
    return format(float(value), ".10g")


def percent(value: float) -> str:
    """A percentage (0-100) rounded to one decimal, without the sign: 87.5, 75."""
    return f"{round(value, 1):g}"


def threshold(pass_above: float) -> str:
    """A pass threshold (a fraction) as text: 0.75 -> '75%'."""
    return f"{percent(100 * pass_above)}%"


def rate(value: float | None) -> str:
    """A pass rate (a fraction, or None when nothing was counted) as a whole percentage."""
    return "–" if value is None else f"{100 * value:.0f}%"


def style(text: str, colour: str, color: bool = True) -> str:
    """``text`` in a terminal colour (the same escape codes click.style writes), or as is."""
    return f"\x1b[{_ANSI[colour]}m{text}\x1b[0m" if color else text


def mark(status: ExerciseStatus, color: bool) -> str:
    symbol, colour = MARKS[status]
    return style(symbol, colour, color)


def without_controls(text: str, replacement: str = "", carriage_returns: bool = True) -> str:
    """Text with its control characters (not tabs and newlines; carriage returns unless told) replaced."""
    return (CONTROL if carriage_returns else CONTROL_AND_CR).sub(replacement, text)


def xml_safe(text: str) -> str:
    """Text XML 1.0 can hold: every character it cannot is written as \\xNN."""
    return NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    """Text on one line, runs of white space as one space."""
    return " ".join(text.split())


def terminal(text: str) -> str:
    """Text that came from a submission (messages, printed output, paths), as a terminal report shows it.

    Every terminal renderer passes such text through here: the one place to scrub what a terminal
    would interpret. Today it is shown as it is.
    """
    return text


def printable(text: str) -> str:
    """A name or message fit for one terminal line: no escape sequences from submissions, no workflow
    command (a path of the class's folder may hold a raw folder name)."""
    line = " ".join(text.split())
    if not line.isprintable():
        line = "".join(c if c.isprintable() else "?" for c in line)
    return line.replace("##[", "#|#[")


def retake(quiz: str = "grade quiz") -> str:
    """The command that takes the quiz again; ``quiz``: ``grade quiz`` as typed where it is shown (--course,
    --lesson, --save when the answers are not the ones found from there)."""
    return f"{quiz} --retake"


def quiz_unanswered(unanswered: int, quiz: str = "grade quiz") -> str:
    """How every report words a quiz left part-way (``grade``, ``grade check``, ``grade list``)."""
    return f"{unanswered} unanswered: not passed yet (continue with: {quiz})"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 exercise``, ``3 exercises``: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
