"""Verdicts on code nobody has seen: no points for doing nothing, and a name only where the code makes
that mistake (outputs near zero, predictions near zero, two mistakes that agree on an input)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from grader.core.checks import Tolerance
from grader.core.compare import closer_to_prediction, matches
from grader.core.model import ExerciseResult, ExerciseStatus, Report
from variants import MISTAKES, STUB, build_submission

def exercise(report: Report, name: str) -> ExerciseResult:
    return next(e for e in report.exercises if e.name == name)


NOTHING = {
    "zeros": "return np.zeros(3)",
    "zeros_like_input": "return np.zeros_like(np.asarray({arg}, dtype=float)) if not hasattr({arg}, 'detach') "
                        "else ({arg} * 0).sum()",
    "a_constant": "return 1.0",
    "its_input": "return {arg}",
    "value_error_for_everything": "raise ValueError('not today')",
}


def do_nothing_file(directory: Path, body: str) -> Path:
    """The stub with every NotImplementedError replaced by ``body`` (``{arg}``: the function's array argument)."""
    lines, out, argument = STUB.read_text(encoding="utf-8").splitlines(), [], None
    for line in lines:
        signature = re.match(r"def \w+\(\s*(\w+)", line)
        if signature:
            argument = signature.group(1)
        if line.strip().startswith("f: Callable"):
            argument = "x"  # finite_difference_gradient(f, x, ...): its array is x
        if line.strip().startswith("raise NotImplementedError(") and argument:
            line = line[: len(line) - len(line.lstrip())] + body.format(arg=argument)
        out.append(line)
    path = directory / "softmax_cross_entropy.py"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(NOTHING))
def test_a_submission_that_does_nothing_useful_scores_zero(grade, tmp_path, kind):
    report = grade(do_nothing_file(tmp_path, NOTHING[kind]))
    assert report.score == 0, [(e.name, e.score) for e in report.exercises if e.score]
    assert all(e.status is not ExerciseStatus.PASSED for e in report.exercises)


def test_a_property_that_holds_is_still_reported_without_its_point(grade, tmp_path):
    report = grade(do_nothing_file(tmp_path, NOTHING["its_input"]))
    unchanged = next(c for c in exercise(report, "stable_softmax").checks if c.name == "input_unchanged")
    assert not unchanged.passed
    assert unchanged.message == ("random (3, 4) logits: the input was left unchanged, but this point counts only once "
                                 "one of the exercise's value checks passes: code that does nothing (returns zeros or "
                                 "its input, or raises for every call) does that too")
    report = grade(do_nothing_file(tmp_path, NOTHING["value_error_for_everything"]))
    rejects = next(c for c in exercise(report, "softmax_with_temperature").checks
                   if c.name == "rejects_nonpositive_temperature")
    assert not rejects.passed and "raised ValueError as it should, but this point counts only once" in rejects.message


def test_a_real_attempt_keeps_its_property_points(grade, tmp_path):
    """Code with one real bug still earns the input-unchanged point beside its passing value checks."""
    function, source = MISTAKES["no_max_shift"]
    result = exercise(grade(build_submission(tmp_path, {function: source})), "stable_softmax")
    assert next(c for c in result.checks if c.name == "input_unchanged").passed
    assert 0 < result.score < result.max_score


def test_outputs_near_zero_are_named_by_what_the_code_does(grade, tmp_path):
    """(f(x + h) - f(x - h)) / 2 * epsilon gives outputs around 1e-10: named as the step that multiplies,
    never as 'nudging every entry at once', which the code does not do."""
    source = '''def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        plus, minus = x.astype(float).copy(), x.astype(float).copy()
        plus.flat[i] += epsilon
        minus.flat[i] -= epsilon
        grad.flat[i] = (f(plus) - f(minus)) / 2 * epsilon
    return grad
'''
    result = exercise(grade(build_submission(tmp_path, {"finite_difference_gradient": source})), "finite_difference_gradient")
    assert result.score == 0
    assert result.mistakes == ("difference_times_epsilon",)
    assert not any("every entry at once" in c.message for c in result.checks)


def test_tiny_outputs_that_no_mistake_explains_get_no_name(grade, tmp_path):
    source = '''def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        plus, minus = x.astype(float).copy(), x.astype(float).copy()
        plus.flat[i] += epsilon
        minus.flat[i] -= epsilon
        grad.flat[i] = (f(plus) - f(minus)) / (2 * epsilon) * 1e-12
    return grad
'''
    result = exercise(grade(build_submission(tmp_path, {"finite_difference_gradient": source})), "finite_difference_gradient")
    assert result.score == 0 and result.mistakes == ()
    assert not any("Looks like" in c.message for c in result.checks)


def test_predictions_near_zero_match_only_in_their_own_digits():
    tolerance = Tolerance(rtol=1e-8, atol=1e-8)
    predicted = np.array([3e-10, -1e-10, 2e-10])
    assert not matches(np.array([1e-10, 2e-10, 0.0]), predicted, tolerance)  # within 1e-7 absolute, not alike
    assert matches(predicted * (1 + 1e-9), predicted, tolerance)
    assert matches(np.array([0.5, -0.25]), np.array([0.5, -0.25]) + 1e-9, tolerance)  # ordinary sizes: as before


def test_an_output_nearer_the_right_answer_than_the_prediction_is_not_named():
    at_least, strictly = closer_to_prediction(np.array([1.0, 2.0]), np.array([1.0, 2.5]), np.array([1.0, 2.1]))
    assert not at_least and not strictly
    assert closer_to_prediction(np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([1.0, 2.1])) == (True, True)
    assert closer_to_prediction(np.array([np.inf]), np.array([np.inf]), np.array([5.0])) == (True, True)


def test_two_mistakes_that_agree_on_an_input_are_both_named(grade, tmp_path):
    function, source = MISTAKES["clipped_log"]
    result = exercise(grade(build_submission(tmp_path, {function: source})), function)
    named = next(c for c in result.checks if c.mistake == "clipped_log")
    assert ("Looks like -log of a probability clipped to a small floor (or -log of the probability plus a small "
            "epsilon: the same output on these inputs)") in named.message


def test_a_name_that_a_correctly_answered_case_rules_out_is_dropped(grade, tmp_path):
    """-mean(one_hot * log p) with a stable softmax gives NaN on rows whose other probabilities underflow, as
    code without the max shift does on logits around 1000; but it got the 1e4 rows right, which code without
    the shift cannot, so only the log of the softmax is named."""
    function, source = MISTAKES["mean_loss_log_of_softmax"]
    result = exercise(grade(build_submission(tmp_path, {function: source})), function)
    assert "mean_loss_log_of_softmax" in result.mistakes
    assert "mean_loss_no_max_shift" not in result.mistakes
    assert not any("without subtracting the max" in c.message for c in result.checks)


def test_a_failure_caused_by_the_student_s_own_earlier_function_says_so(grade, tmp_path):
    unstable = '''def stable_softmax(logits, axis=-1):
    e = np.exp(logits)
    return e / e.sum(axis=axis, keepdims=True)
'''
    gradient = '''def cross_entropy_gradient(logits, target_index):
    y = np.zeros(len(logits))
    y[target_index] = 1.0
    return stable_softmax(logits) - y
'''
    report = grade(build_submission(tmp_path, {"stable_softmax": unstable, "cross_entropy_gradient": gradient}))
    failed = [c for c in exercise(report, "cross_entropy_gradient").checks if not c.passed]
    assert failed and all(c.message.endswith("It uses your stable_softmax, which fails its own checks: fix "
                                             "stable_softmax first; this exercise may pass once it passes.")
                          for c in failed)
    assert "It uses" not in " ".join(c.message for c in exercise(report, "stable_softmax").checks)


def test_an_exercise_that_calls_a_passing_function_gets_no_such_note(grade, tmp_path):
    gradient = '''def cross_entropy_gradient(logits, target_index):
    return -(stable_softmax(logits) - np.eye(len(logits))[target_index])
'''
    report = grade(build_submission(tmp_path, {"cross_entropy_gradient": gradient}))
    failed = [c for c in exercise(report, "cross_entropy_gradient").checks if not c.passed]
    assert failed and not any("It uses" in c.message for c in failed)


def test_the_worker_s_word_on_which_functions_a_call_used_is_bounded():
    """Untrusted like every reply field: identifiers only, at most 32, and only ever text for a message."""
    from grader.sandbox.protocol import clean_reply

    def uses(value: object) -> tuple[str, ...]:
        return clean_reply({"id": "0.0", "status": "ok", "uses": value}).uses  # type: ignore[union-attr]

    assert uses(["stable_softmax"]) == ("stable_softmax",)
    assert uses("stable_softmax") == () and uses(None) == () and uses([1, b"x", {"a": 1}]) == ()
    assert uses(["::error::x", "a b", "x" * 101, "ok_name"]) == ("ok_name",)
    assert len(uses([f"f{i}" for i in range(10_000)])) == 32


def test_one_definition_of_a_complete_lesson():
    """Report.lesson_complete: every exercise full marks and the quiz taken and passed."""
    from grader.core.model import CheckResult, QuestionResult, QuizResult

    passed = ExerciseResult("e", ExerciseStatus.PASSED, (CheckResult("c", 1.0, True, False),))
    failed = ExerciseResult("e", ExerciseStatus.FAILED, (CheckResult("c", 1.0, False, False),))

    def quiz(right: int) -> QuizResult:
        questions = tuple(QuestionResult(f"q{i}", "a" if i < right else None, i < right) for i in range(8))
        return QuizResult(right, 8, 100 * right / 8, right / 8 > 0.75, 0.75, questions)

    assert Report("f", 1, (passed,), quiz(7)).lesson_complete
    assert not Report("f", 1, (passed,), quiz(6)).lesson_complete  # 75% is not above 75%
    assert not Report("f", 1, (passed,), None).lesson_complete  # the quiz not taken
    assert not Report("f", 1, (failed,), quiz(8)).lesson_complete
