"""grader.batch.summary on hand-made documents (what `grade batch` writes to DIR/<name>.json): the class
summary's counts, statistics, pass rates, common mistakes and confinement, with no sandbox."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.batch.shards import Shard
from grader.batch.summary import SUMMARY_FILE, class_confinement, merge, read_batch_dir, summarize
from grader.core.errors import UsageError
from grader.core.records import BatchDocument

TITLES = {"softmax": {"no_shift": "No max shift"}, "loss": {"mean_missing": "Sum instead of mean"}}


def check(name: str, points: float, passed: bool, *, hidden: bool = False, mistake: str | None = None) -> dict:
    return {"name": name, "max_points": float(points), "passed": passed, "hidden": hidden, "mistake": mistake}


def exercise(name: str, status: str, checks: list[dict], **extra) -> dict:
    score = sum(c["max_points"] for c in checks if c["passed"])
    return {"name": name, "status": status, "score": score, "max_score": sum(c["max_points"] for c in checks),
            "checks": checks, **extra}


def document(name: str, exercises: list[dict], *, status: str = "graded", quiz: dict | None = None,
             confinement: dict | None = None) -> dict:
    raw = {"submission": name, "seed": 2026, "score": sum(e["score"] for e in exercises),
           "max_score": sum(e["max_score"] for e in exercises), "exercises": exercises,
           "batch": {"name": name, "status": status}}
    if quiz is not None:
        raw["quiz"] = quiz
    if confinement is not None:
        raw["confinement"] = confinement
    return raw


def documents(*raws: dict) -> list[BatchDocument]:
    return [BatchDocument.from_dict(raw, f"{raw['batch']['name']}.json") for raw in raws]


FULL = {"complete": True, "missing": []}


def quiz(passed: bool, percent: float) -> dict:
    return {"score": int(percent // 10), "total": 10, "percent": percent, "passed": passed, "pass_above": 0.75,
            "questions": []}

ALICE = document("alice", [exercise("softmax", "passed", [check("shape", 1, True), check("values", 2, True, hidden=True)]),
                           exercise("loss", "passed", [check("scalar", 1, True)])],
                 quiz=quiz(True, 90.0), confinement=FULL)
BOB = document("bob", [exercise("softmax", "failed", [check("shape", 1, True),
                                                      check("values", 2, False, hidden=True, mistake="no_shift")]),
                       exercise("loss", "failed", [check("scalar", 1, False, mistake="mean_missing")],
                                calls_failing=["softmax"])],
               quiz=quiz(False, 40.0), confinement=FULL)
CAROL = document("carol", [exercise("softmax", "error", [check("shape", 1, False), check("values", 2, False, hidden=True)]),
                           exercise("loss", "error", [check("scalar", 1, False)])],
                 status="error", confinement=FULL)


def test_counts_scores_and_the_quiz_of_a_class():
    summary = summarize(documents(CAROL, ALICE, BOB), 2026, TITLES).to_dict()
    assert summary["seed"] == 2026 and summary["shard"] is None
    assert summary["submissions"] == ["alice", "bob", "carol"]  # sorted by name, whatever the order given
    counts = summary["counts"]
    assert counts == {"submissions": 3, "graded": 2, "missing": 0, "timeout": 0, "error": 1, "full_marks": 1,
                      "quiz_taken": 2, "quiz_passed": 1}
    assert list(counts)[1:5] == ["graded", "missing", "timeout", "error"]  # best status first
    assert summary["max_score"] == 4
    assert summary["score"] == {"mean": round((4 + 1 + 0) / 3, 4), "median": 1, "min": 0, "max": 4}
    assert summary["quiz_mean_percent"] == 65.0


def test_pass_rates_per_exercise_and_per_check():
    softmax, loss = summarize(documents(ALICE, BOB, CAROL), 2026, TITLES).to_dict()["exercises"]
    assert softmax["name"] == "softmax" and loss["name"] == "loss"  # in the documents' order
    assert softmax["passed"] == 1 and softmax["pass_rate"] == round(1 / 3, 4)
    assert softmax["statuses"] == {"error": 1, "failed": 1, "passed": 1}
    assert softmax["max_score"] == 3 and softmax["mean_score"] == round((3 + 1 + 0) / 3, 4)
    shape, values = softmax["checks"]
    assert shape == {"name": "shape", "hidden": False, "max_points": 1, "passed": 2, "pass_rate": round(2 / 3, 4)}
    assert values["hidden"] is True and values["passed"] == 1


def test_a_mistake_is_counted_once_per_submission_and_not_where_a_called_exercise_failed():
    twice = document("dave", [exercise("softmax", "failed", [check("values", 2, False, mistake="no_shift"),
                                                             check("rows", 2, False, mistake="no_shift")])])
    mistakes = summarize(documents(ALICE, BOB, twice), 2026, TITLES).to_dict()["mistakes"]
    # bob's loss mistake is left out: loss calls softmax, which failed, so the cause is likely there
    assert mistakes == [{"exercise": "softmax", "mistake": "no_shift", "title": "No max shift", "count": 2}]


def test_a_mistake_without_a_title_is_named_by_its_id_and_ties_rank_by_name():
    first = document("a", [exercise("zeta", "failed", [check("c", 1, False, mistake="z_wrong")]),
                           exercise("alpha", "failed", [check("c", 1, False, mistake="a_wrong")])])
    ranked = summarize(documents(first), 1, {}).to_dict()["mistakes"]
    assert [(m["exercise"], m["title"], m["count"]) for m in ranked] == [("alpha", "a_wrong", 1), ("zeta", "z_wrong", 1)]


def test_an_empty_class_has_no_statistics():
    summary = summarize([], 7, TITLES).to_dict()
    assert summary["counts"]["submissions"] == 0 and summary["max_score"] == 0.0
    assert summary["score"] == {"mean": None, "median": None, "min": None, "max": None}
    assert summary["quiz_mean_percent"] is None and summary["exercises"] == [] and summary["mistakes"] == []


def test_a_shard_says_which_slice_of_how_many_submissions():
    summary = summarize(documents(ALICE), 2026, TITLES, shard=Shard(2, 3), discovered=7).to_dict()
    assert summary["shard"] == {"index": 2, "count": 3, "of": 7}


def test_the_class_is_confined_only_when_every_submission_says_it_was():
    assert class_confinement(documents(ALICE, BOB)).to_dict() == {"complete": True, "missing": [], "unconfined_submissions": 0}
    partial = document("erin", [exercise("softmax", "passed", [check("shape", 1, True)])],
                       confinement={"complete": False, "missing": ["seccomp", "cgroups"]})
    silent = document("fred", [exercise("softmax", "passed", [check("shape", 1, True)])])
    assert class_confinement(documents(ALICE, partial, silent)).to_dict() == {
        "complete": False, "missing": ["seccomp", "cgroups"], "unconfined_submissions": 2, "unrecorded": 1}


def write_batch(directory: Path, seed: int, *raws: dict, shard: dict | None = None) -> Path:
    directory.mkdir()
    for raw in raws:
        (directory / f"{raw['batch']['name']}.json").write_text(json.dumps(raw))
    summary = summarize(documents(*raws), seed, TITLES).to_dict()
    if shard is not None:
        summary["shard"] = shard
    (directory / SUMMARY_FILE).write_text(json.dumps(summary))
    return directory


def test_merged_shards_summarize_like_one_run(tmp_path):
    one = write_batch(tmp_path / "one", 2026, ALICE, CAROL, shard={"index": 1, "count": 2, "of": 3})
    two = write_batch(tmp_path / "two", 2026, BOB, shard={"index": 2, "count": 2, "of": 3})
    seed, merged = merge([two, one])
    assert seed == 2026 and [d.name for d in merged] == ["alice", "bob", "carol"]
    whole = summarize(documents(ALICE, BOB, CAROL), 2026, TITLES)
    assert summarize(merged, seed, TITLES) == whole and summarize(merged, seed, TITLES).to_dict() == whole.to_dict()


@pytest.mark.parametrize("problem, expected", [
    ("seeds", "graded with different seeds (1, 2)"),
    ("missing shard", "shard 2/2 missing"),
    ("same shard", "are both shard 1/2"),
    ("twice", "is given twice"),
    ("same student", "alice appears in both"),
])
def test_a_merge_that_would_lose_or_mix_rows_is_one_clear_line(tmp_path, problem, expected):
    if problem == "seeds":
        dirs = [write_batch(tmp_path / "a", 1, ALICE), write_batch(tmp_path / "b", 2, BOB)]
    elif problem == "missing shard":
        dirs = [write_batch(tmp_path / "a", 1, ALICE, shard={"index": 1, "count": 2, "of": 2})]
    elif problem == "same shard":
        dirs = [write_batch(tmp_path / "a", 1, ALICE, shard={"index": 1, "count": 2, "of": 2}),
                write_batch(tmp_path / "b", 1, BOB, shard={"index": 1, "count": 2, "of": 2})]
    elif problem == "twice":
        only = write_batch(tmp_path / "a", 1, ALICE)
        dirs = [only, tmp_path / "." / "a"]
    else:
        dirs = [write_batch(tmp_path / "a", 1, ALICE), write_batch(tmp_path / "b", 1, ALICE)]
    with pytest.raises(UsageError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        merge(dirs)


def test_a_batch_directory_whose_summary_disagrees_with_its_documents_is_refused(tmp_path):
    directory = write_batch(tmp_path / "out", 1, ALICE)
    assert [d.name for d in read_batch_dir(directory)[1]] == ["alice"]
    (directory / "alice.json").write_text(json.dumps(BOB))
    with pytest.raises(UsageError, match="holds 'bob', not 'alice'"):
        read_batch_dir(directory)
    (directory / SUMMARY_FILE).write_text("{not json")
    with pytest.raises(UsageError, match="not valid JSON"):
        read_batch_dir(directory)
    with pytest.raises(UsageError, match="no such file"):
        read_batch_dir(tmp_path / "nowhere")


def test_the_class_outputs_made_in_one_pass_are_those_of_the_whole_class_in_memory(tmp_path, lesson):
    """grade batch reads each document back once, in name order, keeping only small figures: its four files
    must be byte for byte what the renderers make with every document in memory."""
    from grader.batch.class_outputs import write_class_outputs
    from grader.batch.summary import mistake_titles
    from grader.render.gradebook_csv import render_gradebook
    from grader.render.html_report import render_html_report
    from grader.render.markdown import render_class_markdown

    known = next(e for e in lesson.exercises if e.mistakes)
    mistake = next(iter(known.mistakes))
    named = document("dora", [exercise(known.name, "failed", [check("values", 2, False, mistake=mistake),
                                                               check("shape", 1, True)])],
                     status="timeout", confinement={"complete": False, "missing": ["seccomp"]})
    stub = document("ed", [exercise("softmax", "not_implemented", [check("shape", 1, False)])], confinement=FULL)
    everyone = sorted(documents(CAROL, named, ALICE, stub, BOB), key=lambda d: d.name)
    once = iter(everyone)  # a one-shot iterator: a second pass would find it empty
    outputs = write_class_outputs(tmp_path, once, 2026, lesson, Shard(1, 2), 9)
    summary = summarize(everyone, 2026, mistake_titles(lesson), Shard(1, 2), 9)
    assert outputs.summary == summary and next(once, None) is None
    expected = {"gradebook.csv": render_gradebook(everyone),
                SUMMARY_FILE: json.dumps(summary.to_dict(), indent=2) + "\n",
                "summary.md": render_class_markdown(summary, everyone),
                "report.html": render_html_report(summary, everyone, lesson.title)}
    assert [path.name for path in outputs.files] == list(expected)
    for name, text in expected.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text, name
    assert known.mistakes[mistake].title in expected["report.html"] and "dora" in expected["summary.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)  # the spools leave nothing behind


def test_merged_documents_are_read_from_their_files_when_used(tmp_path):
    """merge keeps each document's name and file, not the document: a class of any size is never in memory
    at once. What its files hold when the outputs are written is what they get (here, a regraded bob)."""
    one = write_batch(tmp_path / "one", 2026, ALICE, shard={"index": 1, "count": 2, "of": 2})
    two = write_batch(tmp_path / "two", 2026, BOB, shard={"index": 2, "count": 2, "of": 2})
    _, merged = merge([one, two])
    assert merged.entries == [("alice", one / "alice.json"), ("bob", two / "bob.json")]
    regraded = json.loads(json.dumps(BOB))
    regraded["batch"]["status"] = "error"
    (two / "bob.json").write_text(json.dumps(regraded))
    assert [d.status.value for d in merged] == ["graded", "error"] and merged[1].status.value == "error"
    (two / "bob.json").unlink()  # gone after the merge was checked: one clear line when it is used
    with pytest.raises(UsageError, match="bob.json: no such file"):
        list(merged)
