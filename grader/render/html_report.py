"""DIR/report.html: the class at a glance, one self-contained file (inline SVG, CSS and JS; no network).

Everything that comes from a submission (names, messages) is HTML-escaped; the data the script
sorts lives in escaped attributes, never inside the script itself.
"""
from __future__ import annotations

import html
from typing import Any, Iterable, Iterator, Mapping, Sequence
from urllib.parse import quote

from grader.core.model import CheckResult, ExerciseResult, ExerciseStatus
from grader.core.records import STATUS_ORDER, BatchDocument, BatchStatus, ClassSummary, ExerciseSummary
from grader.core.formatting import number, percent, rate as rate_text, without_controls
from grader.core.outputs import document_stem

HISTOGRAM_BINS = 10


def esc(value: Any) -> str:
    return html.escape(without_controls(str(value), "\N{REPLACEMENT CHARACTER}"), quote=True)


def _rate_class(rate: float | None) -> str:
    if rate is None:
        return "rate-none"
    return "rate-good" if rate >= 0.8 else "rate-ok" if rate >= 0.5 else "rate-bad"


def histogram_bins(scores: Sequence[float], max_score: float, bins: int = HISTOGRAM_BINS) -> list[tuple[float, float, int]]:
    """(low, high, count) for equal-width bins over [0, max_score]; the last bin includes max_score."""
    if max_score <= 0:
        return [(0.0, 0.0, len(scores))]
    width = max_score / bins
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, max(0, int(score // width)))] += 1
    return [(i * width, (i + 1) * width, counts[i]) for i in range(bins)]


def histogram_svg(scores: Sequence[float], max_score: float) -> str:
    bins = histogram_bins(scores, max_score)
    width, height, left, bottom, top = 640, 240, 40, 36, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    tallest = max((count for _, _, count in bins), default=0) or 1
    bar_w = plot_w / len(bins)
    parts = [f'<svg class="chart histogram" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="Histogram of class scores">',
             f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
             f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>',
             f'<text class="tick" x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
             f'<text class="tick" x="{left - 6}" y="{top + 10}" text-anchor="end">{tallest}</text>']
    for index, (low, high, count) in enumerate(bins):
        x = left + index * bar_w
        h = plot_h * count / tallest
        last = index == len(bins) - 1
        span = f"{low:.4g} ≤ score {'≤' if last else '<'} {high:.4g}"
        parts.append(f'<rect class="bar" data-count="{count}" x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" '
                     f'width="{bar_w - 4:.1f}" height="{h:.1f}"><title>{esc(span)}: {count} submissions</title></rect>')
        if count:
            parts.append(f'<text class="count" x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 4:.1f}" '
                         f'text-anchor="middle">{count}</text>')
        parts.append(f'<text class="tick" x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{low:.3g}</text>')
    parts.append(f'<text class="tick" x="{left + plot_w:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                 f'{bins[-1][1]:.3g}</text>')
    parts.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 2}" text-anchor="middle">'
                 f'points (of {esc(number(max_score))})</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(rows: Sequence[tuple[str, float | None, str, bool]], label: str, css_class: str) -> str:
    """Horizontal bars: (label, rate, tooltip, is_group_heading) per row."""
    row_h, label_w, bar_w, width = 22, 300, 380, 740
    height = row_h * len(rows) + 8
    parts = [f'<svg class="chart {css_class}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{esc(label)}">']
    for index, (text, rate, tooltip, heading) in enumerate(rows):
        y = 4 + index * row_h
        if heading:
            parts.append(f'<text class="group" x="0" y="{y + 15}">{esc(text)}</text>')
            continue
        filled = 0.0 if rate is None else bar_w * rate
        parts.append(f'<text class="label" x="{label_w - 8}" y="{y + 15}" text-anchor="end">{esc(text)}</text>')
        parts.append(f'<rect class="track" x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}"/>')
        parts.append(f'<rect class="bar {_rate_class(rate)}" data-rate="{"" if rate is None else rate}" '
                     f'x="{label_w}" y="{y + 3}" width="{filled:.1f}" height="{row_h - 6}">'
                     f'<title>{esc(tooltip)}</title></rect>')
        parts.append(f'<text class="value" x="{label_w + bar_w + 8}" y="{y + 15}">{rate_text(rate)}</text>')
    parts.append("</svg>")
    return "".join(parts)


NOT_RUN = (ExerciseStatus.MISSING, ExerciseStatus.ERROR, ExerciseStatus.TIMEOUT)  # its checks did not run normally


def _not_run(exercise: ExerciseSummary) -> int:
    return exercise.count(*NOT_RUN)


def _exercise_rows(summary: ClassSummary) -> list[tuple[str, float | None, str, bool]]:
    """Each exercise's rate is over every submission: one where it is missing or did not run counts as not
    passed, and the tooltip says how many those are."""
    return [(e.name, e.pass_rate, f"{e.passed} of {summary.counts.submissions} passed every check; "
             f"{_not_run(e)} of them missing, broken or timed out (counted as not passed)", False)
            for e in summary.exercises]


def _rates_note(summary: ClassSummary) -> str:
    """What the pass rates count, said where they are shown."""
    counts = summary.counts
    unrun = sum(counts.of(s) for s in (BatchStatus.MISSING, BatchStatus.ERROR, BatchStatus.TIMEOUT))
    most = max((_not_run(e) for e in summary.exercises), default=0)
    return (f'<p class="lede rates-note">Rates are out of all {counts.submissions} submissions: an exercise that '
            f'is missing, broke (an error, an import that failed) or timed out counts as not passed '
            f'({unrun} submissions could not be graded normally; up to {most} per exercise did not run).</p>')


NOT_STARTED = "not started"  # a graded submission whose every exercise is still the stub


def not_started(document: BatchDocument) -> bool:
    """Graded, and every exercise is still the stub: "graded" alone would hide that it was not started."""
    exercises = document.exercises
    return document.status is BatchStatus.GRADED and bool(exercises) and all(
        e.status is ExerciseStatus.NOT_IMPLEMENTED for e in exercises)


def shown_status(document: BatchDocument) -> str:
    """The row's status as the report shows it: a graded submission whose every exercise is still the stub
    was not started, which "graded" would hide."""
    return NOT_STARTED if not_started(document) else document.status.value


def _check_rows(summary: ClassSummary) -> list[tuple[str, float | None, str, bool]]:
    rows: list[tuple[str, float | None, str, bool]] = []
    for exercise in summary.exercises:
        rows.append((exercise.name, None, "", True))
        for check in exercise.checks:
            name = f"{check.name} (hidden)" if check.hidden else check.name
            rows.append((name, check.pass_rate, f"{exercise.name}: {check.passed} passed", False))
    return rows


def _mistakes_table(summary: ClassSummary) -> str:
    mistakes = summary.mistakes
    if not mistakes:
        return '<p class="empty">No submission matched a known misconception.</p>'
    most = max(m.count for m in mistakes)
    rows = "".join(
        f'<tr><td class="num">{m.count}</td>'
        f'<td><div class="meter"><span style="width:{100 * m.count / most:.1f}%"></span></div></td>'
        f'<td>{esc(m.title)}</td><td><code>{esc(m.exercise)}</code></td></tr>'
        for m in mistakes
    )
    return ('<table class="mistakes"><thead><tr><th>Submissions</th><th></th><th>Misconception</th>'
            f'<th>Exercise</th></tr></thead><tbody>{rows}</tbody></table>')


def _submission_row(index: int, document: BatchDocument) -> str:
    name, status = document.name, shown_status(document)
    quiz = document.quiz
    passed = sum(e.status is ExerciseStatus.PASSED for e in document.exercises)
    total = len(document.exercises)
    ratio = document.score / document.max_score if document.max_score else 0.0
    quiz_cell = (f'<td class="num" data-sort="{quiz.percent}">{percent(quiz.percent)}%'
                 f'{" ✓" if quiz.passed else " ✗"}</td>') if quiz else '<td class="num" data-sort="-1">–</td>'
    return (
        f'<tr data-name="{esc(name)}">'
        f'<td data-sort="{esc(name.lower())}"><a href="#feedback-{index}" class="open-feedback">{esc(name)}</a></td>'
        f'<td data-sort="{esc(status)}"><span class="status status-{esc(status.replace(" ", "-"))}">'
        f'{esc(status)}</span></td>'
        f'<td class="num score" data-sort="{document.score}">{esc(number(document.score))}'
        f'/{esc(number(document.max_score))}</td>'
        f'<td class="num" data-sort="{ratio:.6f}">{100 * ratio:.0f}%</td>'
        f'<td class="num" data-sort="{passed}">{passed}/{total}</td>'
        f'{quiz_cell}'
        f'<td><a href="{esc(quote(document_stem(name)))}.json">{esc(document_stem(name))}.json</a></td>'
        "</tr>"
    )


Failed = list[tuple[ExerciseResult, CheckResult]]


def _same_message_groups(failed: Failed) -> list[tuple[str, Failed]]:
    """Failed checks grouped by message, so that one import error is shown once, not once per check."""
    groups: dict[str, Failed] = {}
    for exercise, check in failed:
        groups.setdefault(check.message, []).append((exercise, check))
    return list(groups.items())


def _group_label(group: Failed, document: BatchDocument) -> str:
    """'every check', or per exercise 'name: every check' / 'name: check, check (hidden)'."""
    if len(group) > 1 and len(group) == sum(len(e.checks) for e in document.exercises):
        return "every check"
    by_exercise: dict[str, list[str]] = {}
    sizes = {}
    for exercise, check in group:
        sizes[exercise.name] = len(exercise.checks)
        by_exercise.setdefault(exercise.name, []).append(
            esc(check.name) + (" (hidden)" if check.hidden else ""))
    return "; ".join(
        f"<code>{esc(name)}</code>: " + ("every check" if len(checks) == sizes[name] > 1 else ", ".join(checks))
        for name, checks in by_exercise.items())


def _feedback(index: int, document: BatchDocument, titles: Mapping[tuple[str, str], str]) -> str:
    batch = document.batch
    status = shown_status(document)
    parts = [f'<details class="feedback" id="feedback-{index}"><summary><strong>{esc(batch.name)}</strong> '
             f'{esc(number(document.score))}/{esc(number(document.max_score))} '
             f'<span class="status status-{esc(status.replace(" ", "-"))}">{esc(status)}</span></summary>']
    if batch.message:
        parts.append(f'<p class="message">{esc(batch.message)}</p>')
    parts.append('<table class="exercises"><tbody>')
    for exercise in document.exercises:
        parts.append(f'<tr><td><code>{esc(exercise.name)}</code></td><td>{esc(exercise.status.value)}</td>'
                     f'<td class="num">{esc(number(exercise.score))}/{esc(number(exercise.max_score))}</td></tr>')
    parts.append("</tbody></table>")
    failed = [(e, c) for e in document.exercises if e.status is not ExerciseStatus.NOT_IMPLEMENTED
              for c in e.checks if not c.passed]
    if failed:
        parts.append('<ul class="failed">')
        for message, group in _same_message_groups(failed):
            labels = _group_label(group, document)
            mistakes = dict.fromkeys(titles.get((e.name, c.mistake or ""), "") for e, c in group
                                     if not e.calls_failing)
            callers = dict.fromkeys(n for e, _ in group for n in e.calls_failing)
            parts.append(f"<li>{labels}"
                         + "".join(f' <span class="mistake">{esc(m)}</span>' for m in mistakes if m)
                         + (f' <span class="follows">it calls {", ".join(f"<code>{esc(n)}</code>" for n in callers)}, '
                            f'not passed: likely the same mistake</span>' if callers else "")
                         + f"<pre>{esc(message)}</pre></li>")
        parts.append("</ul>")
    quiz = document.quiz
    if quiz is not None:
        parts.append(f'<p>Quiz: {quiz.score}/{quiz.total} = {percent(quiz.percent)}%, '
                     f'{"✓ passed" if quiz.passed else "✗ not passed"}</p>')
    parts.append(f'<p><a href="{esc(quote(document_stem(batch.name)))}.json">Full result (JSON)</a></p></details>')
    return "".join(parts)


_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;
 padding:0 16px;color:#1d2433;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
.lede{color:#4a5568;margin:0 0 12px}.cards{display:flex;gap:12px;flex-wrap:wrap}
.warning{background:#fff4e5;border:1px solid #d97706;border-radius:6px;padding:8px 12px;color:#7c2d12}
.card{border:1px solid #dde2ea;border-radius:8px;padding:8px 14px;min-width:92px}
.card b{display:block;font-size:20px}.card span{color:#4a5568;font-size:12px}
svg.chart{max-width:100%;height:auto;display:block}svg text{font-size:12px;fill:#1d2433}
svg .tick,svg .axis-label{fill:#4a5568;font-size:11px}svg .axis{stroke:#8896ab}
svg.histogram .bar{fill:#4c6ef5}svg .track{fill:#eef1f6}svg .group{font-weight:600}
.rate-good{fill:#2f9e44}.rate-ok{fill:#f08c00}.rate-bad{fill:#e03131}.rate-none{fill:#adb5bd}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #eef1f6;text-align:left}
td.num,th.num{text-align:right}th{background:#f6f8fb;font-weight:600}
table.sortable th{cursor:pointer;user-select:none;white-space:nowrap}
table.sortable th[aria-sort=ascending]::after{content:" ▲"}table.sortable th[aria-sort=descending]::after{content:" ▼"}
.meter{background:#eef1f6;height:10px;width:160px;border-radius:5px;overflow:hidden}
.meter span{display:block;height:100%;background:#e8590c}
.status{border-radius:10px;padding:1px 8px;font-size:12px;background:#e9ecef}
.status-graded{background:#d3f9d8}.status-missing{background:#fff3bf}.status-timeout{background:#ffe8cc}
.status-error{background:#ffe3e3}.status-not-started{background:#e7f5ff}details.feedback{border:1px solid #dde2ea;border-radius:8px;margin:6px 0;padding:6px 10px}
details.feedback:target{border-color:#4c6ef5}details summary{cursor:pointer}
pre{white-space:pre-wrap;background:#f6f8fb;padding:6px 8px;border-radius:4px;margin:4px 0 8px;font-size:12px}
.mistake{background:#fff0f6;border-radius:4px;padding:0 6px;font-size:12px}.empty{color:#4a5568}
table.exercises{width:auto;margin:6px 0}ul.failed{padding-left:18px}
"""

_SCRIPT = """
(function () {
  var table = document.getElementById("submissions-table");
  function value(row, column, numeric) {
    var text = row.cells[column].getAttribute("data-sort") || "";
    return numeric ? parseFloat(text) || 0 : text;
  }
  function sortBy(column, descending) {
    var headers = table.tHead.rows[0].cells, numeric = headers[column].getAttribute("data-type") === "number";
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, column, numeric), y = value(b, column, numeric);
      var order = x < y ? -1 : x > y ? 1 : 0;
      if (order !== 0) { return descending ? -order : order; }
      return value(a, 0, false) < value(b, 0, false) ? -1 : 1;  // ties: by name
    });
    rows.forEach(function (row) { body.appendChild(row); });
    for (var i = 0; i < headers.length; i++) { headers[i].removeAttribute("aria-sort"); }
    headers[column].setAttribute("aria-sort", descending ? "descending" : "ascending");
    table.setAttribute("data-sorted", headers[column].getAttribute("data-key") + (descending ? "-desc" : "-asc"));
  }
  if (table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (header, column) {
      header.addEventListener("click", function () {
        var current = header.getAttribute("aria-sort");
        sortBy(column, current ? current === "ascending" : header.getAttribute("data-type") === "number");
      });
    });
    sortBy(2, true);
  }
  function openTarget() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  document.body.setAttribute("data-ready", "true");
})();
"""


def _confinement_banner(summary: ClassSummary) -> str:
    confinement = summary.confinement
    if confinement.complete:
        return ""
    missing = ", ".join(confinement.missing) or "not recorded"
    return (f'<p class="warning" role="alert"><strong>Graded without full confinement</strong> '
            f'({esc(confinement.unconfined_submissions)} submissions; missing: {esc(missing)}): '
            f'these grades could have been influenced by the submissions themselves.</p>')


def mistake_title_lookup(summary: ClassSummary) -> dict[tuple[str, str], str]:
    """(exercise, mistake id) -> the misconception's title, for the feedback of each submission."""
    return {(m.exercise, m.mistake): m.title for m in summary.mistakes}


def submission_fragments(index: int, document: BatchDocument, titles: Mapping[tuple[str, str], str]) -> tuple[str, str]:
    """The ``index``-th submission's row of the table and its feedback: written as each document is read, so
    that a class's report is made without every document in memory."""
    return _submission_row(index, document), _feedback(index, document, titles)


def render_html_report(summary: ClassSummary, documents: Sequence[BatchDocument], title: str) -> str:
    documents = sorted(documents, key=lambda d: d.name)
    titles = mistake_title_lookup(summary)
    fragments = [submission_fragments(i, d, titles) for i, d in enumerate(documents)]
    return "".join(html_report_chunks(summary, title, sum(not_started(d) for d in documents), [d.score for d in documents],
                                      [row for row, _ in fragments], [feedback for _, feedback in fragments]))


def html_report_chunks(summary: ClassSummary, title: str, stubs: int, scores: Sequence[float],
                       rows: Iterable[str], feedback: Iterable[str]) -> Iterator[str]:
    """report.html in pieces: the class's figures, then each submission's row and feedback as given (from a
    file they were spooled to, for a large class); ``stubs`` submissions were not started."""
    counts, score = summary.counts, summary.score
    mean = "–" if score.mean is None else f"{score.mean:.3g}"
    median = "–" if score.median is None else f"{score.median:.3g}"
    cards: list[tuple[str, object]] = [
        ("submissions", counts.submissions),
        *((status.value, counts.of(status)) for status in reversed(STATUS_ORDER)),  # graded, missing, timeout, error
        ("full marks", counts.full_marks),
        (f"mean / {number(summary.max_score)}", mean), (f"median / {number(summary.max_score)}", median)]
    if stubs:  # counted among "graded" too: they were graded, as the stubs they still are
        cards.insert(2, (NOT_STARTED, stubs))
    if counts.quiz_taken:
        cards.append(("quiz passed", f"{counts.quiz_passed}/{counts.quiz_taken}"))
    headers = [("name", "Submission", "text"), ("status", "Status", "text"), ("score", "Score", "number"),
               ("percent", "%", "number"), ("exercises", "Exercises passed", "number"), ("quiz", "Quiz", "number"),
               ("json", "Result", "text")]
    head = "".join(f'<th data-key="{key}" data-type="{kind}"{" class=num" if kind == "number" else ""}>{label}</th>'
                   for key, label, kind in headers)
    yield f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report: {esc(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Class report: {esc(title)}</h1>
<p class="lede">{counts.submissions} submissions graded with seed {esc(summary.seed)}.</p>{_confinement_banner(summary)}
<div class="cards">{"".join(f'<div class="card"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for k, v in cards)}</div>
<section id="scores"><h2>Class scores</h2>{histogram_svg(list(scores), summary.max_score)}</section>
<section id="exercise-rates"><h2>Pass rate per exercise</h2>{_rates_note(summary)}
{bars_svg(_exercise_rows(summary), "Pass rate per exercise", "exercise-rates")}</section>
<section id="mistakes"><h2>Most common misconceptions</h2>{_mistakes_table(summary)}</section>
<section id="check-rates"><h2>Pass rate per check</h2>{_rates_note(summary)}
{bars_svg(_check_rows(summary), "Pass rate per check", "check-rates")}</section>
<section id="submissions"><h2>Submissions</h2>
<table id="submissions-table" class="sortable"><thead><tr>{head}</tr></thead><tbody>"""
    yield from rows
    yield """</tbody></table></section>
<section id="feedback"><h2>Feedback per submission</h2>"""
    yield from feedback
    yield f"""</section>
<script>{_SCRIPT}</script>
</body>
</html>
"""
