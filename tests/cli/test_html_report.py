"""report.html: self-contained, escaped, and rendered by a real headless browser (Debian's chromium)."""
from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from html.parser import HTMLParser
from typing import Any

import pytest

from classroom import sample_batch_document
from grader.render.html_report import histogram_bins, render_html_report
from grader.batch.summary import mistake_titles, summarize

EVIL_NAME = '<img src=x onerror="alert(1)">'
EVIL_MESSAGE = "</pre><script>alert('owned')</script>\x1b[31m\x00"


class Page(HTMLParser):
    """The parts of a rendered page the tests look at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "tr" and "data-name" in attributes:
            self.rows.append(attributes["data-name"] or "")

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(wanted[k] in (a.get(k) or "").split() if k == "class_"
                                                            else a.get(k) == v for k, v in wanted.items())]

    def with_class(self, tag: str, css_class: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and css_class in (a.get("class") or "").split()]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


@pytest.fixture(scope="module")
def class_report(lesson) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    documents = [
        sample_batch_document("amy", "passed", quiz={"score": 8, "total": 8, "percent": 100.0, "passed": True}),
        sample_batch_document("bo", "failed"),
        sample_batch_document("cy", "timeout"),
        sample_batch_document(EVIL_NAME, "failed", EVIL_MESSAGE),
        sample_batch_document("dee", "passed"),
    ]
    summary = summarize(documents, 2026, mistake_titles(lesson))
    return render_html_report(summary, documents, lesson.title), summary, documents


def test_the_report_is_self_contained(class_report):
    text, _, _ = class_report
    page = parse(text)
    assert "http://" not in text and "https://" not in text
    assert not [a for t, a in page.tags if t in ("link", "img", "iframe", "object", "embed")]
    assert not [a for t, a in page.tags if t == "script" and a.get("src")]
    assert [t for t, _ in page.tags].count("script") == 1
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert all(h.startswith("#feedback-") or h.endswith(".json") for h in hrefs)
    assert all(":" not in h for h in hrefs)


def test_everything_from_submissions_is_escaped(class_report):
    text, _, _ = class_report
    assert EVIL_NAME not in text and "<script>alert" not in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in text
    assert "\x00" not in text and "\x1b" not in text
    from grader.core.outputs import document_stem

    assert f'href="{document_stem(EVIL_NAME)}.json"' in text  # the document's real, safe file name


def test_the_report_shows_charts_mistakes_and_every_submission(class_report, lesson):
    text, summary, documents = class_report
    page = parse(text)
    assert len(page.with_class("svg", "chart")) == 3
    assert len(page.with_class("rect", "bar")) == 10 + len(summary.exercises) + sum(
        len(e.checks) for e in summary.exercises)
    assert sorted(page.rows) == sorted(d.name for d in documents)
    assert len(page.with_class("details", "feedback")) == len(documents)
    title = lesson.exercise("sequence_mean_loss").mistakes["sum_not_mean"].title
    assert f"<td>{title}</td>" in text and '<td class="num">2</td>' in text


def test_histogram_bins_cover_zero_to_max():
    bins = histogram_bins([0, 3.5, 34.9, 35, 17.5], 35)
    assert len(bins) == 10 and bins[0][:2] == (0, 3.5) and bins[-1][1] == 35
    assert [count for *_, count in bins] == [1, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert histogram_bins([], 0) == [(0.0, 0.0, 0)]


def _chromium() -> str | None:
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


def _browser(*args: str) -> subprocess.CompletedProcess[str]:
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium; listed in .ci/apt-packages)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=False,
        )


@pytest.mark.e2e  # a real browser
def test_a_headless_browser_renders_the_charts_and_sorts_the_table(class_report, tmp_path):
    text, _, documents = class_report
    report = tmp_path / "report.html"
    report.write_text(text, encoding="utf-8")

    dumped = _browser("--dump-dom", "--virtual-time-budget=5000", report.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    page = parse(dumped.stdout)
    assert page.find("body", **{"data-ready": "true"}), "the report's script did not run"
    assert page.find("table", id="submissions-table")[0].get("data-sorted") == "score-desc"
    by_score = sorted(documents, key=lambda d: (-d.score, d.name))
    assert page.rows == [d.name for d in by_score]
    assert page.find("th", **{"data-key": "score", "aria-sort": "descending"})
    assert len(page.with_class("svg", "histogram")) == 1 and len(page.with_class("svg", "check-rates")) == 1
    assert not page.find("img"), "a submission name became markup"

    shot = tmp_path / "report.png"
    taken = _browser(f"--screenshot={shot}", "--window-size=1200,1600", "--hide-scrollbars", report.as_uri())
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 1600)
    assert len(data) > 30_000  # a blank page compresses to a few kilobytes; charts and text do not


# ---------------------------------------------------------------- issue 22: what the report says plainly

def _stub_document(name: str) -> Any:
    """A submission graded as it was handed out: every exercise still the stub."""
    from classroom import sample_document
    from grader.core.records import BatchDocument

    document = sample_document(name, "failed")
    for exercise in document["exercises"]:
        exercise["status"], exercise["score"] = "not_implemented", 0.0
        for check in exercise["checks"]:
            check.update(passed=False, points=0.0, message="not implemented yet", mistake=None)
    document["score"] = 0.0
    return BatchDocument.from_dict(document, name)


def test_a_stub_is_not_started_a_failed_quiz_is_marked_and_rates_say_what_they_count(lesson):
    documents = [_stub_document("stu"),
                 sample_batch_document("fay", "failed", quiz={"score": 5, "total": 8, "percent": 62.5, "passed": False}),
                 sample_batch_document("tim", "timeout")]
    text = render_html_report(summarize(documents, 2026, mistake_titles(lesson)), documents, lesson.title)
    page = parse(text)
    assert '<span class="status status-not-started">not started</span>' in text
    assert text.count('class="status status-not-started"') == 2  # the row and the feedback, never "graded"
    assert "<b>1</b><span>not started</span>" in text
    assert 'data-sort="62.5">62.5% ✗</td>' in text and "✗ not passed" in text
    notes = page.with_class("p", "rates-note")
    assert len(notes) == 2 and "Rates are out of all 3 submissions" in text
    assert "counts as not passed (1 submissions could not be graded normally" in text
    assert "1 of them missing, broken or timed out (counted as not passed)" in text


def test_a_mistake_in_a_function_the_gradient_calls_is_counted_once(tmp_path, lesson):
    """A stable_softmax without the max shift breaks the gradient that calls it: the class table counts the
    mistake under stable_softmax only, and the student's feedback says the gradient calls it."""
    from grader.core.records import BatchDocument
    from grader.engine.grading import GradeOptions, grade_submission
    from grader.render.json_report import report_dict
    from variants import MISTAKES, build_submission

    function, source = MISTAKES["no_max_shift"]
    gradient = ("def cross_entropy_gradient(logits, target_index):\n    import numpy as np\n"
                "    p = stable_softmax(np.asarray(logits, dtype=float))\n    p[target_index] -= 1.0\n    return p\n")
    file = build_submission(tmp_path, {function: source, "cross_entropy_gradient": gradient})
    report = grade_submission(file, lesson, GradeOptions(exercises=("stable_softmax", "cross_entropy_gradient")))
    assert [e.calls_failing for e in report.exercises] == [(), ("stable_softmax",)]
    assert report.exercises[1].mistakes == ("gradient_no_max_shift",)  # what the gradient's output matched
    document = report_dict(report)
    document["batch"] = {"name": "gus", "status": "graded", "message": "", "fingerprint": "0" * 64,
                         "settings": {}, "grader_error": False, "seconds": 1.0}
    documents = [BatchDocument.from_dict(document, "gus")]
    summary = summarize(documents, 2026, mistake_titles(lesson))
    assert [(m.exercise, m.mistake) for m in summary.mistakes] == [("stable_softmax", "no_max_shift")]
    text = render_html_report(summary, documents, lesson.title)
    gradient_title = lesson.exercise("cross_entropy_gradient").mistakes["gradient_no_max_shift"].title
    assert f'<span class="mistake">{gradient_title}</span>' not in text and f"<td>{gradient_title}</td>" not in text
    assert "<code>cross_entropy_gradient</code></td></tr>" not in text  # no row of the class's mistakes table
    assert "it calls <code>stable_softmax</code>, not passed: likely the same mistake" in text
