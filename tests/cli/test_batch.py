"""`grade batch` and `grade merge`: a whole class graded with nothing lost, shards, resume, bad usage."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import statistics
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import grader.engine.assess
import grader.batch.runs
from grader.batch.runs import BatchOptions, BatchRunner, Submission, checks_signature, discover, select_shard
from grader.course.course import load_lesson
from grader.cli.app import main
from grader.core.errors import UsageError
from grader.batch.shards import parse_shard
from classroom import EXPECTED, build_class, mistake
from variants import REFERENCE, STUB, build_submission

OUTPUT_FILES = {"gradebook.csv", "summary.json", "summary.md", "report.html"}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


CLASS_SEED = "7"  # a credit seed: never the practice seed 2026, whose answers the student release holds


def batch(submissions: Path, out: Path, *args: str) -> Result:
    seed = () if "--seed" in args else ("--seed", CLASS_SEED)
    return run("batch", str(submissions), "--out", str(out), "--timeout", "1", "--jobs", "2", *seed, *args)


def gradebook(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))


def documents(out: Path) -> dict[str, dict[str, Any]]:
    summary = json.loads((out / "summary.json").read_text())
    return {name: json.loads((out / f"{name}.json").read_text()) for name in summary["submissions"]}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    root = tmp_path_factory.mktemp("class")
    submissions = build_class(root / "submissions")
    out = root / "out"
    result = batch(submissions, out, "--junit", str(out / "junit.xml"))
    return submissions, out, result


def test_every_submission_gets_a_row_and_the_batch_exits_0(graded_class):
    _, out, result = graded_class
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in gradebook(out)}
    assert set(rows) == set(EXPECTED)  # .git is skipped; nothing else is lost
    for name, (status, score) in EXPECTED.items():
        assert rows[name]["status"] == status, (name, rows[name])
        assert float(rows[name]["score"]) == score, name
        assert rows[name]["max_score"] == "35"
    assert OUTPUT_FILES <= {p.name for p in out.iterdir()}
    assert {f"{name}.json" for name in EXPECTED} <= {p.name for p in out.iterdir()}


def test_rows_say_why_a_submission_did_not_run(graded_class):
    submissions, out, _ = graded_class
    rows = {row["name"]: row for row in gradebook(out)}
    assert "SyntaxError" in rows["dave"]["message"]
    assert rows["erin"]["message"].startswith("timeout in stable_softmax")
    # Paths are named inside the submissions folder, never where the instructor keeps it.
    assert rows["gina"]["message"] == "gina: no softmax_cross_entropy.py at its root or under exercises/"
    assert rows["notes.txt"]["message"].startswith("notes.txt: not a Python file")
    assert rows["bob"]["message"].startswith("quiz not graded: bob/quiz_answers.yaml: question q1")
    assert str(submissions.parent) not in (out / "gradebook.csv").read_text() + (out / "summary.md").read_text()
    assert rows["alice"]["message"] == rows["carol"]["message"] == ""


def test_quiz_columns(graded_class):
    _, out, _ = graded_class
    rows = {row["name"]: row for row in gradebook(out)}
    assert (rows["alice"]["quiz_percent"], rows["alice"]["quiz_passed"]) == ("100", "true")
    assert (rows["carol"]["quiz_percent"], rows["carol"]["quiz_passed"]) == ("", "")
    assert documents(out)["alice"]["quiz"]["score"] == 8


def test_each_document_is_what_grade_check_reports(graded_class):
    submissions, out, _ = graded_class
    document = documents(out)["bob"]
    checked = run("check", str(submissions / "bob" / "exercises" / "softmax_cross_entropy.py"), "--format", "json",
                  "--seed", CLASS_SEED)
    assert checked.exit_code == 1
    batch_info = document.pop("batch")
    checked_document = json.loads(checked.stdout)
    for exercise in (*document["exercises"], *checked_document["exercises"]):
        assert exercise.pop("seconds") >= 0  # the time each run took: all else is equal
    assert document == checked_document
    assert batch_info["name"] == "bob" and len(batch_info["fingerprint"]) == 64
    assert batch_info["settings"] == {"seed": 7, "timeout": 1.0, "memory_mb": 2048,
                                      "checks": checks_signature(load_lesson())}


def test_gradebook_and_json_agree(graded_class):
    _, out, _ = graded_class
    docs = documents(out)
    rows = gradebook(out)
    exercises = [e["name"] for e in docs["alice"]["exercises"]]
    assert list(rows[0]) == ["name", "score", "max_score", *exercises, "quiz_percent", "quiz_passed", "status", "message"]
    assert [row["name"] for row in rows] == sorted(docs)
    for row in rows:
        document = docs[row["name"]]
        assert float(row["score"]) == document["score"] and float(row["max_score"]) == document["max_score"]
        assert float(row["score"]) == sum(float(row[name]) for name in exercises)
        for exercise in document["exercises"]:
            assert float(row[exercise["name"]]) == exercise["score"]
        assert row["status"] == document["batch"]["status"]
        assert row["message"] == document["batch"]["message"]


def test_summary_agrees_with_the_gradebook(graded_class):
    _, out, _ = graded_class
    summary = json.loads((out / "summary.json").read_text())
    rows = gradebook(out)
    scores = [float(row["score"]) for row in rows]
    assert summary["seed"] == 7 and summary["shard"] is None
    assert summary["counts"] == {"submissions": 8, "graded": 4, "missing": 1, "timeout": 1, "error": 2,
                                 "full_marks": 1, "quiz_taken": 1, "quiz_passed": 1}
    assert summary["score"]["mean"] == pytest.approx(statistics.fmean(scores))
    assert summary["score"]["median"] == pytest.approx(statistics.median(scores))
    assert summary["max_score"] == 35
    for exercise in summary["exercises"]:
        passed = sum(float(row[exercise["name"]]) == exercise["max_score"] for row in rows)
        assert exercise["passed"] == passed and exercise["pass_rate"] == pytest.approx(passed / 8, abs=1e-4)
        assert all(0 <= c["pass_rate"] <= 1 for c in exercise["checks"])
    mistakes = {(m["exercise"], m["mistake"]): m for m in summary["mistakes"]}
    assert mistakes["stable_softmax", "no_max_shift"]["count"] == 1
    assert mistakes["stable_softmax", "no_max_shift"]["title"].startswith("exponentiating the raw logits")
    assert ("sequence_mean_loss", "sum_not_mean") in mistakes


def test_progress_is_one_line_per_submission_off_a_terminal(graded_class):
    _, _, result = graded_class
    lines = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == 8
    assert {line.split("]")[0] for line in lines} == {f"[{i}/8" for i in range(1, 9)}
    assert any(line.endswith("alice: 35/35 graded") for line in lines)
    assert "Graded 8 submissions (4 graded, 1 missing, 1 timeout, 2 error)" in result.stderr
    _, out, _ = graded_class  # the last line names every file written
    assert result.stderr.rstrip().endswith(f"; wrote {out}/ (8 results as <name>.json, gradebook.csv, summary.json, "
                                           f"summary.md, report.html) and {out / 'junit.xml'}")
    assert result.stderr.startswith("Sandbox: ")  # which protections graded this class, said first


def test_batch_junit_has_a_suite_per_submission(graded_class):
    from test_reporters import assert_junit  # valid against junit-10.xsd, hostile messages (frank) included

    _, out, _ = graded_class
    suites = {suite.get("name"): suite for suite in assert_junit((out / "junit.xml").read_text(encoding="utf-8"))}
    assert set(suites) == set(EXPECTED)
    assert suites["alice"].get("failures") == suites["alice"].get("errors") == "0"
    assert int(suites["erin"].get("errors")) > 0 and int(suites["dave"].get("errors")) == int(suites["dave"].get("tests"))
    assert suites["carol"].get("skipped") == suites["carol"].get("tests") and suites["carol"].get("failures") == "0"
    assert any(float(case.get("time")) > 0 for case in suites["alice"].iter("testcase"))


def test_shards_merged_equal_one_unsharded_run(graded_class, tmp_path):
    submissions, whole, _ = graded_class
    for index in (1, 2, 3):
        result = batch(submissions, tmp_path / f"shard{index}", "--shard", f"{index}/3")
        assert result.exit_code == 0, result.output
        assert f"Graded shard {index}/3 of" in result.stderr
    shard_names = [json.loads((tmp_path / f"shard{i}" / "summary.json").read_text())["submissions"] for i in (1, 2, 3)]
    assert sorted(sum(shard_names, [])) == sorted(EXPECTED) and all(shard_names)

    merged = tmp_path / "merged"
    result = run("merge", *(str(tmp_path / f"shard{i}") for i in (3, 1, 2)), "--out", str(merged),
                 "--junit", str(tmp_path / "merged.xml"))
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Merged 3 directories: 8 submissions")
    assert f"wrote {merged}/ (8 results as <name>.json, gradebook.csv," in result.stderr
    from test_reporters import assert_junit

    assert len(assert_junit((tmp_path / "merged.xml").read_text(encoding="utf-8"))) == len(EXPECTED)
    for name in ("gradebook.csv", "summary.json", "summary.md", "report.html"):
        assert (merged / name).read_text() == (whole / name).read_text(), name
    merged_docs, whole_docs = documents(merged), documents(whole)
    for document in (*merged_docs.values(), *whole_docs.values()):
        document["batch"].pop("seconds")
        for exercise in document["exercises"]:
            exercise.pop("seconds")
    assert merged_docs == whole_docs


def engine_run(submissions: Path, out: Path, variables: dict[str, str]) -> Result:
    """grade batch --shard auto as a task of an array job: the engine's variables and no one else's."""
    cleared = {k: None for k in os.environ if k.startswith(("SLURM_", "JOB_COMPLETION", "AWS_BATCH_", "GRADE_SHARD_"))}
    return CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out), "--timeout", "1", "--jobs", "2",
                                     "--seed", CLASS_SEED, "--shard", "auto"], env={**cleared, **variables})


@pytest.mark.parametrize("engine, variables", [
    ("AWS Batch array job", lambda k, n: {"AWS_BATCH_JOB_ARRAY_INDEX": str(k), "GRADE_SHARD_COUNT": str(n)}),
    ("workflow's variables", lambda k, n: {"GRADE_SHARD_INDEX": str(k), "GRADE_SHARD_COUNT": str(n),
                                           "GITHUB_ACTIONS": "true"}),
])
def test_shard_auto_tasks_merge_to_one_run(graded_class, tmp_path, engine, variables):
    """Slurm and Kubernetes: tests/cli/test_cluster_recipes.py runs their recipes."""
    submissions, whole, _ = graded_class
    for index in range(3):
        result = engine_run(submissions, tmp_path / f"task{index}", variables(index, 3))
        assert result.exit_code == 0, result.output
        assert f"Grading shard {index + 1}/3 from the {engine} (" in result.stderr
    merged = tmp_path / "merged"
    assert run("merge", *(str(tmp_path / f"task{i}") for i in range(3)), "--out", str(merged)).exit_code == 0
    for name in ("gradebook.csv", "summary.json", "summary.md", "report.html"):
        assert (merged / name).read_text() == (whole / name).read_text(), name


def test_shard_auto_outside_an_array_job_exits_2(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    build_submission(submissions, {}, name="amy.py")
    result = engine_run(submissions, tmp_path / "out", {})
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Error: --shard auto: no array-job index in the environment")
    out_of_range = engine_run(submissions, tmp_path / "out", {"JOB_COMPLETION_INDEX": "4", "JOB_COMPLETIONS": "4"})
    assert out_of_range.exit_code == 2 and "JOB_COMPLETION_INDEX=4 is out of range for 4 tasks" in out_of_range.stderr
    assert not (tmp_path / "out").exists()


def test_merge_refuses_an_incomplete_or_inconsistent_set(graded_class, tmp_path):
    submissions, whole, _ = graded_class
    small = tmp_path / "small"
    small.mkdir()
    shutil.copytree(submissions / "carol", small / "carol")
    shutil.copytree(submissions / "gina", small / "gina")
    assert batch(small, tmp_path / "s1", "--shard", "1/2").exit_code == 0
    missing = run("merge", str(tmp_path / "s1"), "--out", str(tmp_path / "m"))
    assert missing.exit_code == 2 and "shard 2/2 missing" in missing.stderr
    assert batch(small, tmp_path / "all").exit_code == 0
    twice = run("merge", str(whole), str(tmp_path / "all"), "--out", str(tmp_path / "m"))
    assert twice.exit_code == 2 and "appears in both" in twice.stderr
    assert batch(small, tmp_path / "other-seed", "--seed", "8").exit_code == 0
    seeds = run("merge", str(whole), str(tmp_path / "other-seed"), "--out", str(tmp_path / "m"))
    assert seeds.exit_code == 2 and "different seeds" in seeds.stderr
    shutil.copytree(submissions / "alice", small / "alice")  # the class changed between the shard runs
    assert batch(small, tmp_path / "s2", "--shard", "2/2").exit_code == 0
    changed = run("merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(tmp_path / "m"))
    assert changed.exit_code == 2 and "sliced different sets of submissions" in changed.stderr
    not_batch = run("merge", str(submissions), "--out", str(tmp_path / "m"))
    assert not_batch.exit_code == 2 and "summary.json" in not_batch.stderr
    assert len(not_batch.stderr.strip().splitlines()) == 1


def test_resume_regrades_only_changed_submissions(tmp_path):
    submissions = tmp_path / "submissions"
    for name in ("ann", "ben", "cat"):
        (submissions / name).mkdir(parents=True)
    build_submission(submissions / "ann", {})
    build_submission(submissions / "ben", {})
    shutil.copy(STUB, submissions / "cat" / "softmax_cross_entropy.py")
    out = tmp_path / "out"
    assert batch(submissions, out).exit_code == 0
    before = {name: (out / f"{name}.json").read_text() for name in ("ann", "ben", "cat")}

    build_submission(submissions / "ben", mistake("sum_not_mean"))  # ben changed his file
    (submissions / "cat" / "quiz_answers.yaml").write_text("q1: a\n")  # cat added quiz answers
    build_submission(submissions, {}, name="dan.py")  # a late submission
    result = batch(submissions, out, "--resume")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("[")]
    reused = {line.split("] ")[1].split(":")[0] for line in lines if "not regraded" in line}
    assert reused == {"ann"} and len(lines) == 4
    assert "1 unchanged and not regraded" in result.stderr
    assert (out / "ann.json").read_text() == before["ann"]
    rows = {row["name"]: row for row in gradebook(out)}
    assert set(rows) == {"ann", "ben", "cat", "dan"}
    assert rows["ben"]["score"] == "32" and rows["cat"]["quiz_percent"] != ""

    again = batch(submissions, out, "--resume", "--seed", "11")  # other settings: nothing is reused
    assert again.exit_code == 0 and "not regraded" not in again.stderr
    assert json.loads((out / "summary.json").read_text())["seed"] == 11


def test_shards_are_deterministic_round_robin_slices():
    submissions = [Submission(name, Path(name)) for name in ("e", "a", "d", "c", "b")]
    assert [s.name for s in select_shard(submissions, parse_shard("1/2"))] == ["a", "c", "e"]
    assert [s.name for s in select_shard(submissions, parse_shard("2/2"))] == ["b", "d"]
    assert [s.name for s in select_shard(submissions, None)] == ["a", "b", "c", "d", "e"]
    for bad in ("0/2", "3/2", "1", "a/b", "1/0"):
        with pytest.raises(UsageError):
            parse_shard(bad)


def test_an_empty_shard_is_not_an_error(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    build_submission(submissions, {}, name="only.py")
    result = batch(submissions, tmp_path / "out", "--shard", "2/2")
    assert result.exit_code == 0, result.output
    assert gradebook(tmp_path / "out") == []
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["shard"] == {"index": 2, "count": 2, "of": 1}


@pytest.mark.parametrize("setup, args, expected", [
    ("none", (), "not a directory of submissions"),
    ("empty", (), "no submissions in it"),
    ("collision", (), "would both be named 'amy'"),
    ("ok", ("--shard", "5/4", "--seed", "7"), "expected I/N"),
    ("ok", ("--shard", "1/2"), "every shard must grade with one seed"),
    ("ok", ("--shard", "4/3"), "--shard 4/3: expected I/N"),  # the shard is wrong before any seed is missing
    ("ok", ("--shard", "auto"), "--shard auto: no array-job index in the environment"),
    ("ok", ("--shard", "auto", "--shard-count", "0"), "--shard-count 0: expected a number of tasks"),
    ("ok", ("--shard", "1/2", "--shard-count", "2", "--seed", "7"), "--shard-count 2: only with --shard auto"),
    ("ok", ("--seed", "2026"), "the practice seed, whose reference answers ship in the student release"),
    ("same", (), "other than the submissions"),
])
def test_bad_usage_exits_2_with_one_line(tmp_path, setup, args, expected):
    submissions = tmp_path / "submissions"
    if setup != "none":
        submissions.mkdir()
    if setup == "collision":
        (submissions / "amy").mkdir()
        build_submission(submissions, {}, name="amy.py")
    if setup in ("ok", "same"):
        build_submission(submissions, {}, name="amy.py")
    out = submissions if setup == "same" else tmp_path / "out"
    result = run("batch", str(submissions), "--out", str(out), *args)
    assert result.exit_code == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("out", ["/proc/x", "/proc/version/results", "FILE/results"])
def test_an_unwritable_out_exits_2_with_one_line(tmp_path, out):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    build_submission(submissions, {}, name="amy.py")
    (tmp_path / "FILE").write_text("a file, not a directory")
    out = out.replace("FILE", str(tmp_path / "FILE"))
    for command in (["batch", str(submissions), "--seed", CLASS_SEED], ["merge", str(tmp_path)]):
        result = CliRunner().invoke(main, [*command, "--out", out])
        assert result.exit_code == 2, (command, result.output)
        lines = result.stderr.strip().splitlines()
        if command[0] == "batch":
            assert lines == [f"Error: --out {out}: cannot write there ({lines[0].split('(', 1)[1]}"]
        assert "Traceback" not in result.output and len(lines) == 1


def test_the_output_directory_inside_the_submissions_is_not_a_submission(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    build_submission(submissions, {}, name="amy.py")
    (submissions / "results").mkdir()
    assert [s.name for s in discover(submissions, exclude=submissions / "results")] == ["amy"]


def test_a_grader_failure_costs_one_row_not_the_batch(tmp_path, lesson, monkeypatch):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(REFERENCE, submissions / "good.py")
    shutil.copy(REFERENCE, submissions / "unlucky.py")
    real = grader.engine.assess.grade_submission

    def flaky(path, lesson, options, on_progress=None):
        if path.path.stem == "unlucky":
            raise RuntimeError("disk on fire")
        return real(path, lesson, options, on_progress)

    monkeypatch.setattr(grader.engine.assess, "grade_submission", flaky)
    runner = BatchRunner(lesson, tmp_path / "out", BatchOptions(seed=2026, timeout=5, jobs=2))
    docs = {d.name: d.to_dict() for d in runner.run(discover(submissions))}
    assert docs["good"]["batch"]["status"] == "graded" and docs["good"]["score"] == 35
    unlucky = docs["unlucky"]["batch"]
    assert unlucky["status"] == "error" and unlucky["grader_error"] and "disk on fire" in unlucky["message"]
    assert docs["unlucky"]["max_score"] == 35 and docs["good"]["quiz"] is None  # single files have no quiz answers
    # --resume grades it again: a grader failure is never kept as a result
    monkeypatch.setattr(grader.engine.assess, "grade_submission", real)
    resumed = BatchRunner(lesson, tmp_path / "out", BatchOptions(seed=2026, timeout=5, jobs=2, resume=True))
    seen: list[tuple[str, bool]] = []
    resumed.run(discover(submissions), lambda graded: seen.append((graded.name, graded.reused)))
    assert sorted(seen) == [("good", True), ("unlucky", False)]


def test_the_documented_ci_workflow_shards_then_merges():
    import yaml

    docs = Path(__file__).resolve().parents[2] / "docs"
    example = (docs / "examples" / "grade-class.yml").read_text()
    lines = example.split("\n")
    body = "\n".join(lines[next(i for i, line in enumerate(lines) if not line.startswith("#")):])
    assert body in (docs / "batch.md").read_text(), "docs/batch.md and the example workflow differ"
    workflow = yaml.safe_load(example)
    grade_job, merge_job = workflow["jobs"]["grade"], workflow["jobs"]["merge"]
    shards = grade_job["strategy"]["matrix"]["shard"]
    commands = " ".join(step.get("run", "") for step in grade_job["steps"])
    # Fully confined: grade doctor as a step before grading (the job fails there), grading as root.
    runs = [step.get("run", "") for step in grade_job["steps"]]
    doctor = next(i for i, run in enumerate(runs) if " doctor" in run)
    grading = next(i for i, run in enumerate(runs) if " batch " in run)
    assert doctor < grading and runs[doctor].startswith("sudo ") and runs[grading].startswith("sudo ")
    assert "--unconfined" not in commands and "2026" not in body  # never the practice seed
    assert grade_job["env"]["GRADE_SEED"] == "${{ secrets.GRADE_SEED }}" and "--preserve-env=GRADE_SEED" in commands
    majors = {s["uses"].split("@")[0]: int(s["uses"].split("@v")[1]) for job in (grade_job, merge_job)
              for s in job["steps"] if "uses" in s}
    minimum = {"actions/checkout": 5, "actions/setup-python": 6, "actions/upload-artifact": 6,
               "actions/download-artifact": 7}  # the majors that run on node24
    assert all(majors[action] >= version for action, version in minimum.items()), majors
    assert "--index-url https://download.pytorch.org/whl/cpu" in commands
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in commands and shards == list(range(1, len(shards) + 1))
    assert merge_job["needs"] == "grade"
    merge_commands = " ".join(step.get("run", "") for step in merge_job["steps"])
    assert "grade merge shards/shard-*" in merge_commands and "GITHUB_STEP_SUMMARY" in merge_commands
    uploaded = [s["with"]["path"] for s in merge_job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert "class/gradebook.csv" in uploaded[0] and "class/report.html" in uploaded[0]


def test_merge_writes_a_gradebook_for_excel(graded_class, tmp_path):
    """--excel-csv: UTF-8 with a byte order mark and CRLF line ends, the same cells."""
    _, out, _ = graded_class
    result = run("merge", str(out), "--out", str(tmp_path / "excel"), "--excel-csv")
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "excel" / "gradebook.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == len(EXPECTED) + 1 and b"\r\r" not in raw
    plain = (out / "gradebook.csv").read_bytes()
    assert raw[3:].replace(b"\r\n", b"\n") == plain and not plain.startswith(b"\xef\xbb\xbf")
