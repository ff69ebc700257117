"""JUnit XML valid against junit-10.xsd (the schema Jenkins' xunit plugin checks; tests/junit-10.xsd):
one testsuite per submission, one testcase per check.

A failed check is a ``failure``; a check that could not run because the exercise crashed, timed
out, or is missing from the file is an ``error``; a check of an exercise still at its stub is
``skipped`` ("not implemented yet"). JUnit has no points and the schema allows no properties on a
testcase, so each case's points, hidden flag and mistake travel in its ``system-out``. Each case's
time is its exercise's time shared among the exercise's checks (they run in one call), so the
cases add up to the exercises. Rendered from report documents (report_dict), so ``check``,
``batch`` and ``merge`` share it.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping

from grader.core.model import CheckDict, ExerciseDict, ExerciseStatus
from grader.core.records import BatchDocument, BatchStatus

from grader.core.formatting import number, one_line, xml_safe

_ERROR_STATUSES = {ExerciseStatus.ERROR, ExerciseStatus.TIMEOUT, ExerciseStatus.MISSING}
NOT_IMPLEMENTED = "not implemented yet"
MESSAGE_CHARS = 300


@dataclass(frozen=True)
class Suite:
    name: str
    document: Mapping[str, Any]  # report_dict(report)
    seconds: float = 0.0
    status: BatchStatus | None = None  # the gradebook status, in a batch
    classname: str | None = None  # before each exercise's name in a testcase's classname [default: name]


def xml_text(text: str) -> str:
    return xml_safe(text)


def _first_line(message: str) -> str:
    line = one_line(message)
    return xml_text(line if len(line) <= MESSAGE_CHARS else line[: MESSAGE_CHARS - 1] + "…")


def _properties(parent: ET.Element, values: dict[str, str]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(properties, "property", name=name, value=xml_text(value))


def _seconds(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else 0.0


def _check_facts(exercise: ExerciseDict, check: CheckDict) -> str:
    facts = [f"points: {number(check['points'])}/{number(check['max_points'])}",
             f"hidden: {'true' if check['hidden'] else 'false'}", f"exercise_status: {exercise['status']}"]
    if check.get("mistake"):
        facts.append(f"mistake: {check['mistake']}")
    return "\n".join(facts)


def _testcase(suite: ET.Element, classname: str, exercise: ExerciseDict, check: CheckDict,
              seconds: float) -> str | None:
    case = ET.SubElement(suite, "testcase", classname=xml_text(classname), name=xml_text(check["name"]),
                         time=f"{seconds:.3f}")
    kind = None
    status = ExerciseStatus(exercise["status"])
    if not check["passed"]:
        if status is ExerciseStatus.NOT_IMPLEMENTED:
            kind = "skipped"
            ET.SubElement(case, kind, message=NOT_IMPLEMENTED, type=status.value)
        else:
            kind = "error" if status in _ERROR_STATUSES else "failure"
            outcome = ET.SubElement(case, kind, message=_first_line(check["message"]),
                                    type=status.value if kind == "error" else (check.get("mistake") or "check_failed"))
            outcome.text = xml_text(check["message"])
    ET.SubElement(case, "system-out").text = xml_text(_check_facts(exercise, check))
    return kind


def _testsuite(parent: ET.Element, suite: Suite, timestamp: str | None, hostname: str | None) -> None:
    document = suite.document
    element = ET.SubElement(parent, "testsuite", name=xml_text(suite.name))
    counts = {"tests": 0, "failure": 0, "error": 0, "skipped": 0}
    _properties(element, {
        "submission": str(document["submission"]), "seed": str(document["seed"]),
        "score": number(document["score"]), "max_score": number(document["max_score"]),
        **({"status": suite.status.value} if suite.status is not None else {}),
        **({"quiz_percent": number(document["quiz"]["percent"]),
            "quiz_passed": "true" if document["quiz"]["passed"] else "false"} if document.get("quiz") else {}),
    })
    for exercise in document["exercises"]:
        classname = f"{suite.classname or suite.name}.{exercise['name']}"
        share = _seconds(exercise.get("seconds")) / max(1, len(exercise["checks"]))
        for check in exercise["checks"]:
            counts["tests"] += 1
            kind = _testcase(element, classname, exercise, check, share)
            if kind:
                counts[kind] += 1
    element.set("tests", str(counts["tests"]))
    element.set("failures", str(counts["failure"]))
    element.set("errors", str(counts["error"]))
    element.set("skipped", str(counts["skipped"]))
    element.set("time", f"{suite.seconds:.3f}")
    if timestamp:
        element.set("timestamp", timestamp)
    if hostname:
        element.set("hostname", xml_text(hostname))


def render_junit(suites: Iterable[Suite], timestamp: str | None = None, hostname: str | None = None) -> str:
    """JUnit XML of ``suites`` as one string (``junit_chunks`` writes the same text in pieces)."""
    suites = list(suites)
    root = ET.Element("testsuites", name="grade")
    for suite in suites:
        _testsuite(root, suite, timestamp, hostname)
    for name in ("tests", "failures", "errors"):  # the schema allows no `skipped` here
        root.set(name, str(sum(int(s.get(name, "0")) for s in root)))
    root.set("time", f"{sum(s.seconds for s in suites):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n'
_CHUNK = 1 << 16


def junit_chunks(suites: Iterable[Suite], spool: IO[str], timestamp: str | None = None,
                 hostname: str | None = None) -> Iterator[str]:
    """``render_junit``'s text, byte for byte, in pieces, reading ``suites`` once: each suite is rendered on its
    own and written to ``spool`` (an empty, writable and readable file) while the totals the root carries are
    summed; the root and the spooled suites follow. A class's JUnit file never has to be one tree or one string."""
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for suite in suites:
        holder = ET.Element("testsuites")
        _testsuite(holder, suite, timestamp, hostname)
        element = holder[0]
        ET.indent(element, level=1)  # as ET.indent(root) indents a child of the root
        for name in totals:
            totals[name] += int(element.get(name, "0"))
        seconds += suite.seconds
        spool.write("\n  " + ET.tostring(element, encoding="unicode"))
    root = ET.Element("testsuites", name="grade")
    for name, total in totals.items():
        root.set(name, str(total))
    root.set("time", f"{seconds:.3f}")
    if not spool.tell():  # no suite: an empty root, as ET writes one
        yield _HEADER + ET.tostring(root, encoding="unicode") + "\n"
        return
    start = ET.tostring(root, encoding="unicode")  # <testsuites ... />: its attributes, escaped by ET
    yield _HEADER + start[: -len(" />")] + ">"
    spool.seek(0)
    while chunk := spool.read(_CHUNK):
        yield chunk
    yield "\n</testsuites>\n"


def batch_suite(document: BatchDocument) -> Suite:
    return Suite(document.name, document.report.to_dict(), status=document.status, seconds=document.batch.seconds)


def batch_suites(documents: Iterable[BatchDocument]) -> Iterator[Suite]:
    """The suites of a batch's documents, one at a time (``documents`` may be read from disk as they come)."""
    return map(batch_suite, documents)


def render_report_junit(report: Any, timestamp: str | None = None, hostname: str | None = None) -> str:
    """JUnit for one graded Report (``grade check --junit FILE``)."""
    from grader.render.json_report import report_dict

    # The suite is named by the file as given; JUnit viewers read a classname's dots as packages, so the
    # testcases are classed under the file's stem alone (softmax_cross_entropy.stable_softmax).
    stem = Path(report.submission).stem.replace(".", "_") or "submission"
    return render_junit([Suite(report.submission, report_dict(report), seconds=report.seconds, classname=stem)],
                        timestamp, hostname)
