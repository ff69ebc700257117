"""The report formats of ``grade`` and ``grade check``: one enum, one renderer each."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

from grader.core.model import Report
from grader.render.classroom import render_classroom
from grader.render.gradescope import HIDDEN_VISIBILITY, render_gradescope
from grader.render.json_report import render_json
from grader.render.markdown import render_markdown
from grader.render.text import render_text


class ReportFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    GRADESCOPE = "gradescope"
    MARKDOWN = "markdown"
    CLASSROOM = "classroom"


@dataclass(frozen=True)
class RenderSettings:
    color: bool = False  # text: terminal colours
    include_lesson: bool = True  # text: the lesson's completion line (not when only some exercises were graded)
    hidden_visibility: str = HIDDEN_VISIBILITY  # gradescope: when students see hidden checks' results
    quiz_problem: str | None = None  # credit formats: why the quiz answers could not be read (costs the quiz only)
    command: str = "grade"  # text: `grade` as typed where the report is read, in the commands it advises
    quiz_command: str | None = None  # text: `grade quiz` as typed there to take this report's quiz (default: command + quiz)


RENDERERS: dict[ReportFormat, Callable[[Report, RenderSettings], str]] = {
    ReportFormat.TEXT: lambda report, s: render_text(report, color=s.color, include_lesson=s.include_lesson,
                                                      command=s.command, quiz_command=s.quiz_command),
    ReportFormat.JSON: lambda report, s: render_json(report),
    ReportFormat.GRADESCOPE: lambda report, s: render_gradescope(report, s.hidden_visibility, s.quiz_problem),
    ReportFormat.CLASSROOM: lambda report, s: render_classroom(report),
    ReportFormat.MARKDOWN: lambda report, s: render_markdown(report),
}


def render_report(report: Report, report_format: ReportFormat, settings: RenderSettings = RenderSettings()) -> str:
    return RENDERERS[report_format](report, settings)
