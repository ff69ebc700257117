"""Issue 19.2: no student text becomes a GitHub Actions workflow command in any output.

A runner reads a line whose first non-blank characters are ``::`` as a command (``::add-mask::``,
``::error::``), and ``##[`` anywhere in a line as one of the older form. Student text (exception types,
messages and source lines, printed output, the names of files) reaches every report, so it is made
inert once, where it crosses the boundary (``protocol.clean_text``). The property tested here, over an
exhaustive set of prefixes (every mix of up to three blanks and line ends before the command) and in
every output format: no line, cut as a runner cuts it (``\\r\\n``, ``\\n``, ``\\r``) or as
``str.splitlines`` does, starts with ``::`` once its blanks are stripped, and no line holds ``##[``.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import textwrap

from click.testing import CliRunner

from grader.core.records import BatchDocument, BatchRecord, BatchStatus
from grader.batch.runs import submission_status
from grader.batch.class_outputs import write_class_outputs
from grader.cli.app import main
from grader.engine.grading import _exercise_result, _prepared_cases, failed_everywhere
from grader.core.model import IMPORT_ERROR_PREFIX, ExerciseStatus, Report
from grader.render.formats import RENDERERS, RenderSettings
from grader.render.junit import batch_suites, render_junit, render_report_junit
from grader.sandbox import protocol
from grader.sandbox.collect import OutputDrain
from grader.sandbox.collect import TaskEnding, TaskOutcome
from grader.engine.verify import exception_text
from variants import build_submission

# Blanks and line ends: whatever a runner trims or splits at, and whatever str.splitlines splits at.
BLANKS = " \t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
COMMANDS = ("::", "##[")


# Pieces a renderer might complete into a command: a type named ":" shown as ":: message", a "#" before "#[".
FRAGMENTS = [":", "::", "#", "##", "#[", "[", ":error::x", "#[error]x", "x:", "x#", "x##", "\n:", "\n#", "\t:"]


def payloads(length: int) -> list[str]:
    prefixes = ["".join(p) for n in range(length + 1) for p in itertools.product(BLANKS, repeat=n)]
    return [prefix + command + "error::smuggled" for prefix in prefixes for command in COMMANDS]


def smuggled_lines(text: str) -> list[str]:
    """The lines of ``text`` a GitHub runner would run as workflow commands, however it is cut into lines."""
    lines = set(re.split(r"\r\n|\n|\r", text)) | set(text.splitlines())
    return sorted(line for line in lines if line.lstrip().startswith("::") or "##[" in line)


def test_the_property_check_finds_smuggled_commands():
    assert smuggled_lines("ok\n \t::error::x") == [" \t::error::x"]
    assert smuggled_lines("ok\u2028::add-mask::x") == ["::add-mask::x"]
    assert smuggled_lines("a ##[error]x") == ["a ##[error]x"]
    assert smuggled_lines("a\x85 ::x\r\n|::y") == [" ::x"]
    assert smuggled_lines("x::y\n|::z\n#|#[w") == []


def test_clean_text_leaves_no_command_at_a_line_start():
    texts = payloads(3) + FRAGMENTS
    smuggled = [shown for text in texts for shown in (text, "x" + text, text + "\n" + text)
                if smuggled_lines(protocol.clean_text(shown))]
    assert smuggled == [] and len(texts) > 3700


def _drained(text: str) -> str:
    """Printed output as the grader reads it from a worker's pipe."""
    read, write = os.pipe()
    drain = OutputDrain(read, 1)
    os.write(write, text.encode("utf-8"))
    os.close(write)
    drain.run()
    return drain.text(0)


def _raised(call_id: str, kind: str, message: str, code: str) -> protocol.CallReply:
    """A worker's reply that the call raised, as untrusted as it comes, through the grader's checks."""
    reply = protocol.clean_reply({"id": call_id, "status": "raised", "exception": {
        "type": kind, "mro": [kind, "Exception"], "message": message, "frames": [{"line": 3, "code": code}]}})
    assert reply is not None
    return reply


def _student_report(lesson, texts: list[str]) -> Report:
    """A report of the lesson whose every student-made string (exception type, message, source line,
    printed output, the timeout detail, an import error) holds the texts, read the way the grader reads
    a worker."""
    cycle = itertools.cycle(texts)
    exercises = []
    for number, exercise in enumerate(lesson.exercises):
        prepared = _prepared_cases.get(exercise, lesson, 7)
        output = _drained("".join(next(cycle) for _ in range(40)))
        if number == 0:  # the file did not import
            failure = protocol.clean_exception({"type": next(cycle), "message": next(cycle),
                                                "frames": [{"line": 1, "code": next(cycle)}]})
            exercises.append(failed_everywhere(exercise, ExerciseStatus.ERROR,
                                               IMPORT_ERROR_PREFIX + exception_text(failure), output))
            continue
        replies = {str(call["id"]): _raised(str(call["id"]), next(cycle), next(cycle), next(cycle))
                   for call in prepared.task.calls}
        ending = TaskEnding.TIMEOUT if number == 1 else TaskEnding.DONE
        detail = protocol.text_field(next(cycle)) if number == 1 else ""
        exercises.append(_exercise_result(prepared, TaskOutcome(ending, replies, detail=detail, output=output),
                                          lesson))
    return Report(protocol.clean_text(next(cycle)) + ".py", 7, tuple(exercises), None, 1.0)


def test_no_output_format_carries_a_command_from_student_text(lesson, tmp_path):
    """Every format of ``grade check`` and every file of ``grade batch``, from student text holding each
    payload at the start of a string and after other text."""
    texts = payloads(2)
    texts += ["x" + t for t in texts]
    texts = [text for pair in zip(texts, itertools.cycle(FRAGMENTS)) for text in pair]
    for start in range(0, len(texts), 150):
        report = _student_report(lesson, texts[start:start + 150])
        outputs = {f"check --format {f.value}": render(report, RenderSettings()) for f, render in RENDERERS.items()}
        outputs["check --format text (colour)"] = RENDERERS[next(iter(RENDERERS))](report, RenderSettings(color=True))
        outputs["check --junit"] = render_report_junit(report)
        status, message = submission_status(report)
        name = protocol.clean_text(texts[start])
        document = BatchDocument(report, BatchRecord(name, BatchStatus(status.value), message))
        document = BatchDocument.from_dict(json.loads(json.dumps(document.to_dict())), name)
        written = write_class_outputs(tmp_path, [document], 7, lesson)
        outputs.update({path.name: path.read_text(encoding="utf-8") for path in written.files})
        outputs["batch --junit"] = render_junit(batch_suites([document]))
        for where, text in outputs.items():
            assert smuggled_lines(text) == [], f"{where}, texts from {start}"


SMUGGLER = textwrap.dedent('''
    PAYLOADS = {payloads!r}
    print("".join(PAYLOADS))
    _calls = [0]

    def _smuggle(*args, **kwargs):
        _calls[0] += 1
        n = _calls[0]
        print("".join(PAYLOADS[n % 7::7]))
        raise type(PAYLOADS[n % len(PAYLOADS)], (Exception,), {{}})(PAYLOADS[(3 * n) % len(PAYLOADS)])
''')


def test_a_submission_that_smuggles_commands_is_inert_in_every_format(lesson, tmp_path):
    """The real path: a sandboxed submission raising and printing the payloads, graded by the command line."""
    text = [t for pair in zip(payloads(2), itertools.cycle(FRAGMENTS)) for t in pair]
    prelude = SMUGGLER.format(payloads=text)
    functions = [e.name for e in lesson.exercises]
    replacements = {f: f"def {f}(*args, **kwargs):\n    return _smuggle(*args, **kwargs)\n" for f in functions}
    submissions = tmp_path / "class"
    (submissions / "sam").mkdir(parents=True)
    path = build_submission(submissions / "sam", replacements, prelude=prelude)
    runner = CliRunner()
    for report_format in ("text", "json", "markdown", "gradescope", "classroom"):
        result = runner.invoke(main, ["check", str(path), "--format", report_format, "--seed", "7", "--timeout", "5",
                                      "--junit", str(tmp_path / "check.xml")], catch_exceptions=False)
        assert result.exit_code == 1, result.output
        assert "smuggled" in result.stdout or report_format == "classroom"  # it shows no messages
        for where, shown in (("stdout", result.stdout), ("stderr", result.stderr),
                             ("junit", (tmp_path / "check.xml").read_text(encoding="utf-8"))):
            assert smuggled_lines(shown) == [], f"{report_format}: {where}"
    out = tmp_path / "out"
    result = runner.invoke(main, ["batch", str(submissions), "--out", str(out), "--seed", "7", "--timeout", "5",
                                  "--junit", str(out / "junit.xml"),], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for path in sorted(out.iterdir()):
        assert smuggled_lines(path.read_text(encoding="utf-8")) == [], path.name
    assert smuggled_lines(result.stdout + result.stderr) == []
