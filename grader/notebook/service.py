"""The practice grader behind ``check()`` in a notebook: a separate, trusted process the kernel talks to.

The kernel sends the source of its current definitions; this process (which alone loads the reference
or its recorded answers) grades it through the normal sandboxed path and sends back only the rendered
report. Requests and replies are one JSON object per line on stdin and stdout. It stays up between
checks, so a check after the first costs one sandboxed run (torch is already imported in its fork server).
"""
from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any, Callable, TextIO

from grader.core.errors import UsageError
from grader.engine.grading import DEFAULT_SEED, GradeOptions, grade_source
from grader.course.lesson import Lesson
from grader.course.course import load_lesson
from grader.notebook.display import PRACTICE_BANNER, render_html
from grader.core.notebook_program import MAX_SOURCE_BYTES, Program
from grader.render.text import render_text
from grader.sandbox.protocol import MAX_TEXT, clean_text
from grader.sandbox.runner import Limits
from grader.sandbox.server import warm_server

SHOWN_PATH = "your notebook"


def _strings(value: Any, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(clean_text(v[:MAX_TEXT]) if isinstance(v, str) else "" for v in value[:limit])


def handle(request: Any, lessons: Callable[[str | None], Lesson]) -> dict[str, Any]:
    """One practice check: the rendered report, or an error in words."""
    if not isinstance(request, dict) or not isinstance(request.get("source"), str):
        return {"error": "malformed request"}
    source = request["source"].encode("utf-8", "replace")
    if len(source) > MAX_SOURCE_BYTES:
        return {"error": f"your definitions are {len(source)} bytes, over the {MAX_SOURCE_BYTES} allowed"}
    exercises = _strings(request.get("exercises"), 100)
    timeout = request.get("timeout")
    limits = Limits(timeout=float(timeout)) if isinstance(timeout, (int, float)) and 0 < timeout <= 600 else Limits()
    program = Program(source, _strings(request.get("origins"), 100_000), _strings(request.get("notes"), 50))
    name = request.get("lesson") if isinstance(request.get("lesson"), str) else None
    try:
        lesson = lessons(name)
        options = GradeOptions(seed=DEFAULT_SEED, limits=limits, exercises=exercises)
        report = grade_source(SHOWN_PATH, source, lesson, options, program=program)
    except UsageError as problem:
        return {"error": problem.message}
    text = render_text(report, include_lesson=False)
    return {"text": f"{PRACTICE_BANNER}\n\n{text}", "html": render_html(report), "score": report.score,
            "max_score": report.max_score, "statuses": {e.name: e.status.value for e in report.exercises}}


def serve(requests: TextIO, replies: TextIO) -> None:
    warm_server()

    @functools.lru_cache(maxsize=None)
    def lessons(name: str | None) -> Lesson:
        lesson = load_lesson(name)
        lesson.reference  # noqa: B018  loaded here, in this process only
        return lesson

    try:
        lessons(None)  # the course's only lesson, loaded before the first check asks
    except UsageError:
        pass  # several lessons: each check names its own
    for line in requests:
        try:
            reply = handle(json.loads(line), lessons)
        except ValueError:
            reply = {"error": "malformed request"}
        except Exception as exc:  # noqa: BLE001  a grader bug: said, and the service stays up
            reply = {"error": f"the grader failed: {type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main() -> None:
    """Replies go to the stdout this process started with; anything else printed goes to stderr."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin, replies)


if __name__ == "__main__":
    main()
