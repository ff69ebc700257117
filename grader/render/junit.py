"""JUnit XML (the xunit2 shape pytest writes): one testsuite per submission, one testcase per check.

A failed check is a ``failure``; a check that could not run because the exercise crashed, timed
out, or is missing from the file is an ``error``. JUnit has no points, so they travel as properties.
Rendered from report documents (report_dict), so ``check``, ``batch`` and ``merge`` share it.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from grader.batch_record import BatchDocument, BatchStatus

from grader.formatting import number, one_line, xml_safe

_ERROR_STATUSES = {"error", "timeout", "missing"}
# Characters XML 1.0 cannot carry at all (student messages may hold NUL or terminal escapes).
MESSAGE_CHARS = 300


@dataclass(frozen=True)
class Suite:
    name: str
    document: Mapping[str, Any]  # report_dict(report)
    seconds: float = 0.0
    status: BatchStatus | None = None  # the gradebook status, in a batch


def xml_text(text: str) -> str:
    return xml_safe(text)


def _first_line(message: str) -> str:
    line = one_line(message)
    return xml_text(line if len(line) <= MESSAGE_CHARS else line[: MESSAGE_CHARS - 1] + "…")


def _properties(parent: ET.Element, values: dict[str, str]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(properties, "property", name=name, value=xml_text(value))


def _testcase(suite: ET.Element, classname: str, exercise: dict[str, Any], check: dict[str, Any]) -> str | None:
    case = ET.SubElement(suite, "testcase", classname=xml_text(classname), name=xml_text(check["name"]), time="0.000")
    values = {"points": number(check["points"]), "max_points": number(check["max_points"]),
              "hidden": "true" if check["hidden"] else "false", "exercise_status": exercise["status"]}
    if check.get("mistake"):
        values["mistake"] = check["mistake"]
    _properties(case, values)
    if check["passed"]:
        return None
    kind = "error" if exercise["status"] in _ERROR_STATUSES else "failure"
    outcome = ET.SubElement(case, kind, message=_first_line(check["message"]),
                            type=exercise["status"] if kind == "error" else (check.get("mistake") or "check_failed"))
    outcome.text = xml_text(check["message"])
    return kind


def _testsuite(parent: ET.Element, suite: Suite, timestamp: str | None, hostname: str | None) -> None:
    document = suite.document
    element = ET.SubElement(parent, "testsuite", name=xml_text(suite.name))
    counts = {"tests": 0, "failure": 0, "error": 0}
    _properties(element, {
        "submission": str(document["submission"]), "seed": str(document["seed"]),
        "score": number(document["score"]), "max_score": number(document["max_score"]),
        **({"status": suite.status.value} if suite.status is not None else {}),
        **({"quiz_percent": number(document["quiz"]["percent"]),
            "quiz_passed": "true" if document["quiz"]["passed"] else "false"} if document.get("quiz") else {}),
    })
    for exercise in document["exercises"]:
        classname = f"{suite.name}.{exercise['name']}"
        for check in exercise["checks"]:
            counts["tests"] += 1
            kind = _testcase(element, classname, exercise, check)
            if kind:
                counts[kind] += 1
    element.set("tests", str(counts["tests"]))
    element.set("failures", str(counts["failure"]))
    element.set("errors", str(counts["error"]))
    element.set("skipped", "0")
    element.set("time", f"{suite.seconds:.3f}")
    if timestamp:
        element.set("timestamp", timestamp)
    if hostname:
        element.set("hostname", xml_text(hostname))


def render_junit(suites: Sequence[Suite], timestamp: str | None = None, hostname: str | None = None) -> str:
    root = ET.Element("testsuites", name="grade")
    for suite in suites:
        _testsuite(root, suite, timestamp, hostname)
    for name in ("tests", "failures", "errors", "skipped"):
        root.set(name, str(sum(int(s.get(name, "0")) for s in root)))
    root.set("time", f"{sum(s.seconds for s in suites):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def batch_suites(documents: Sequence[BatchDocument]) -> list[Suite]:
    return [Suite(d.name, d.report, status=d.status, seconds=d.batch.seconds) for d in documents]


def render_report_junit(report: Any, timestamp: str | None = None, hostname: str | None = None) -> str:
    """JUnit for one graded Report (``grade check --junit FILE``)."""
    from grader.render.json_report import report_dict

    return render_junit([Suite(report.submission, report_dict(report), seconds=report.seconds)], timestamp, hostname)
