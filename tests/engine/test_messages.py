"""Messages that never mislead: a check fails for its own property only, hidden checks keep the
expected values to themselves, numbers read as Python numbers, and equal outputs name every mistake."""
from __future__ import annotations

import re

import numpy as np
import pytest

from grader.core.checks import Tolerance
from grader.core.compare import compare, index_text
from grader.core.model import CheckResult
from variants import STUB, MISTAKES, build_submission


def _check(report, exercise: str, name: str) -> CheckResult:
    result = next(e for e in report.exercises if e.name == exercise)
    return next(c for c in result.checks if c.name == name)


def test_input_unchanged_judges_only_whether_the_input_changed(grade, tmp_path):
    """wrong_axis leaves the logits alone: input_unchanged passes; the value checks fail and name it."""
    function, source = MISTAKES["wrong_axis"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    assert _check(report, function, "input_unchanged").passed
    every_axis = _check(report, function, "every_axis")
    assert not every_axis.passed and every_axis.mistake == "wrong_axis"
    assert "max abs error" not in every_axis.message  # hidden: no size of the error
    stub = grade(build_submission(tmp_path, {}, base=STUB), exercises=(function,))
    assert not _check(stub, function, "input_unchanged").passed  # a function that raises shows nothing


def test_input_unchanged_fails_when_the_input_changed_and_says_by_how_much(grade, tmp_path):
    function, source = MISTAKES["mutates_input"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    check = _check(report, function, "input_unchanged")
    assert not check.passed and check.mistake == "mutates_input"
    assert re.search(r"changed the input array in place: 12 of 12 entries differ, by up to \d", check.message)


@pytest.mark.parametrize(("mistake", "check_name"), [
    ("temperature_mutates_input", "random_temperatures"), ("loss_mutates_input", "random_logits"),
    ("gradient_mutates_input", "matches_finite_differences"), ("positions_mutates_input", "random_positions"),
    ("mean_loss_mutates_input", "random_mean")])
def test_every_numpy_exercise_checks_that_the_callers_logits_come_back_unchanged(grade, tmp_path, mistake, check_name):
    """Right values from logits shifted (or divided) in place: the caller's array comes back changed, which costs a
    point and is named (public code does `logits -= np.max(logits)` in a loss or a gradient)."""
    function, source = MISTAKES[mistake]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    check = _check(report, function, check_name)
    assert not check.passed and check.mistake == mistake
    assert "changed the input array in place" in check.message
    result = next(e for e in report.exercises if e.name == function)
    assert [c.name for c in result.checks if not c.passed] == [check_name]  # every value is right


def test_x_unchanged_tells_a_rounding_drift_from_a_real_change(grade, tmp_path):
    messages = {}
    for mistake in ("x_left_modified", "x_restored_by_arithmetic"):
        function, source = MISTAKES[mistake]
        (tmp_path / mistake).mkdir()
        report = grade(build_submission(tmp_path / mistake, {function: source}), exercises=(function,))
        check = _check(report, function, "x_unchanged")
        assert check.mistake == mistake
        messages[mistake] = check.message
    assert "by up to 1e-05" in messages["x_left_modified"]
    assert "by rounding only" in messages["x_restored_by_arithmetic"]


@pytest.mark.parametrize("seed", [2026, 1, 7, 42])
@pytest.mark.parametrize("step", ["1e-4", "1e-2"])
def test_x_restored_by_arithmetic_is_caught_whatever_the_step(grade, tmp_path, seed, step):
    """+= eps, -= 2 * eps, += eps leaves x[i] exactly as it was for ~92% of entries near 1 when eps = 1e-4: a
    handful of entries let such code keep the x_unchanged points at most seeds (a public gradient checker did)."""
    source = f'''
        def finite_difference_gradient(f, x, epsilon=1e-5):
            eps = {step}
            grad = np.zeros(x.shape)
            for j in range(x.size):
                x.flat[j] += eps
                above = f(x)
                x.flat[j] -= 2 * eps
                below = f(x)
                x.flat[j] += eps
                grad.flat[j] = (above - below) / (2 * eps)
            return grad
    '''
    function = "finite_difference_gradient"
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,), seed=seed)
    check = _check(report, function, "x_unchanged")
    assert not check.passed and check.mistake == "x_restored_by_arithmetic"


@pytest.mark.parametrize("mistake", ["gradient_sign_flipped", "probability_plus_epsilon", "reduction_sum",
                                     "perturbs_whole_row", "fancy_index_table", "sum_not_mean"])
def test_hidden_checks_never_give_the_size_of_the_error(grade, tmp_path, mistake):
    function, source = MISTAKES[mistake]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    hidden = [c for c in report.exercises[0].checks if c.hidden and not c.passed]
    assert hidden, "the mistake should fail a hidden check"
    for check in hidden:
        first = check.message.splitlines()[0]
        assert "max abs error" not in first and "expected [" not in first and "expected 0" not in first
        assert check.mistake == mistake  # the name and the hint stay
    public = [c for c in report.exercises[0].checks if not c.hidden and not c.passed]
    assert all("expected" in c.message for c in public)  # public checks still show the lesson's numbers


def test_a_hidden_comparison_says_shape_and_finiteness_but_not_the_error():
    got, expected = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 5.5]])
    public = compare(got, expected, Tolerance())
    hidden = compare(got, expected, Tolerance(), hidden=True)
    assert "max abs error 1.5 at index [1, 1]" in public.problem
    assert "1.5" not in hidden.problem and "right shape and finite" in hidden.problem
    assert "expected shape (3,), got shape (2, 2)" in compare(got, np.zeros(3), Tolerance(), hidden=True).problem


def test_numpy_types_never_leak_into_text():
    got = np.array([[0.0, 1.0], [np.nan, 1.0], [0.0, 0.0]])
    expected = np.zeros((3, 2))
    expected[2, 1] = 9.0
    problem = compare(np.nan_to_num(got), expected, Tolerance()).problem
    assert "index [2, 1]" in problem and "np." not in problem
    assert "first at index [1, 0]" in compare(got, expected, Tolerance()).problem
    assert index_text((np.int64(2), np.int64(1))) == "[2, 1]" and index_text((np.intp(4),)) == "4"
    assert index_text(np.array([3, 0])) == "[3, 0]"


def test_equal_outputs_name_every_mistake_that_gives_them(grade, tmp_path):
    """With B = 1, a sum divided by B is the sum: the lesson's check says so instead of guessing one."""
    function, source = MISTAKES["sequence_sum_over_batch"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    lesson_check = _check(report, function, "lesson_sequence")
    assert "(or summing over positions and dividing by the batch size only: the same output" in lesson_check.message
    assert _check(report, function, "batch_of_sequences").mistake == "sequence_sum_over_batch"


def test_reshaped_not_transposed_is_named_apart_from_unreshaped(grade, tmp_path):
    function, source = MISTAKES["sequence_reshaped_not_transposed"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    assert _check(report, function, "batch_of_sequences").mistake == "sequence_reshaped_not_transposed"
    same_shape = _check(report, function, "as_many_positions_as_words")  # T == V: reshape(B, V, T) changes nothing
    assert "reshaping to (B, V, T) instead of transposing" in same_shape.message


def test_the_lessons_whole_array_snippet_gets_a_hint_without_the_max(grade, tmp_path):
    function, source = MISTAKES["whole_array_normalised"]
    assert "np.max(logits)" in source  # the student already subtracts the max
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    named = [c for c in report.exercises[0].checks if c.mistake]
    assert named and all(c.mistake == "whole_array_normalised" for c in named)
    assert all("Subtract the max" not in c.message for c in named)


def test_another_exception_than_the_contracts_says_which_was_expected(grade, tmp_path):
    function, source = MISTAKES["temperature_wrong_exception"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    check = _check(report, function, "rejects_nonpositive_temperature")
    assert "raised AssertionError" in check.message and "not the ValueError it should raise" in check.message
    assert check.mistake == "temperature_wrong_exception"


def test_an_exception_raised_on_every_input_is_not_named_as_refusing_the_temperature(grade, tmp_path):
    """A softmax over dim 1 raises IndexError on 1-D logits whatever the temperature: the T <= 0 cases raise it
    too, but that is no refusal of the temperature (with another exception than ValueError), nor is the int
    temperature case's error a refusal of ints."""
    source = '''
        def softmax_with_temperature(logits, temperature, axis=-1):
            import torch
            return torch.softmax(torch.from_numpy(logits) / temperature, dim=1).numpy()
    '''
    report = grade(build_submission(tmp_path, {"softmax_with_temperature": source}), exercises=("softmax_with_temperature",))
    rejects = _check(report, "softmax_with_temperature", "rejects_nonpositive_temperature")
    assert not rejects.passed and "raised IndexError" in rejects.message
    assert rejects.mistake is None and "Looks like" not in rejects.message
    exercise = report.exercises[0]
    assert not {"temperature_wrong_exception", "temperature_int_refused"} & set(exercise.mistakes)


@pytest.mark.parametrize("flatten", ["logits.view(-1, 2), targets.view(-1)",  # rows of a hard-coded width
                                     "logits.reshape(-1, logits.shape[-1]), targets[:, 1:].reshape(-1)"])  # shifted
def test_a_mismatch_of_rows_and_targets_is_named_only_by_the_mistakes_own_counts(grade, tmp_path, flatten):
    """'Expected input batch_size (X) to match target batch_size (Y)' comes from any mismatch: only X = B * T
    rows against Y = B targets, on every case, is flattening the logits but not the targets."""
    source = f'''
        def torch_sequence_loss(logits, targets):
            import torch.nn.functional as F
            return F.cross_entropy({flatten})
    '''
    report = grade(build_submission(tmp_path, {"torch_sequence_loss": source}), exercises=("torch_sequence_loss",))
    exercise = report.exercises[0]
    assert exercise.score == 0 and "to match target batch_size" in exercise.checks[0].message
    assert "sequence_targets_not_flattened" not in exercise.mistakes
    function, wrong = MISTAKES["sequence_targets_not_flattened"]
    report = grade(build_submission(tmp_path, {function: wrong}), exercises=(function,))
    assert report.exercises[0].mistakes == ("sequence_targets_not_flattened",)


def test_a_negative_temperature_accepted_is_not_called_a_multiplication(grade, tmp_path):
    """softmax(z / -1) is softmax(z * -1): the returned value shows only the missing check."""
    source = '''
        def softmax_with_temperature(logits, temperature, axis=-1):
            if temperature == 0:
                raise ValueError("zero")
            return stable_softmax(logits / temperature, axis=axis)
    '''
    report = grade(build_submission(tmp_path, {"softmax_with_temperature": source}), exercises=("softmax_with_temperature",))
    check = _check(report, "softmax_with_temperature", "rejects_nonpositive_temperature")
    assert check.mistake == "no_temperature_check" and "multiplying" not in check.message


def test_a_loss_made_from_a_copy_of_the_logits_is_not_said_to_need_no_grad(grade, tmp_path):
    """torch.tensor(logits, requires_grad=True) returns a loss that requires grad, just not the logits'."""
    source = '''
        def torch_classification_loss(logits, targets):
            import torch
            from torch import nn
            logits = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
            return nn.CrossEntropyLoss()(logits, targets)
    '''
    report = grade(build_submission(tmp_path, {"torch_classification_loss": source}), exercises=("torch_classification_loss",))
    check = _check(report, "torch_classification_loss", "lesson_batch")
    assert check.mistake == "detached_result"
    assert "does not require grad" not in check.message and "does not reach every tensor you were given" in check.message


def test_a_single_example_along_axis_0_is_checked(grade, tmp_path):
    """np.atleast_2d makes 1-D logits one (1, K) row: axis=0 then normalises each entry alone (all ones). Every other
    input is right, so only the 1-D axis=0 case shows it (public code built on the nolanbconaway softmax did)."""
    source = '''
def stable_softmax(logits, axis=-1):
    y = np.atleast_2d(np.asarray(logits, dtype=float))
    y = np.exp(y - np.expand_dims(np.max(y, axis=axis), axis))
    p = y / np.expand_dims(np.sum(y, axis=axis), axis)
    return p.flatten() if np.ndim(logits) == 1 else p
'''
    report = grade(build_submission(tmp_path, {"stable_softmax": source}), exercises=("stable_softmax",))
    check = _check(report, "stable_softmax", "every_axis")
    assert not check.passed
    assert check.message.startswith("a single example of 5 logits, axis=0: got [1., 1., 1., 1., 1.]")


def test_code_that_refuses_a_single_example_is_named(grade, tmp_path):
    function, source = MISTAKES["batch_only"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    check = _check(report, function, "lesson_logits")
    assert not check.passed and check.mistake == "batch_only"
    assert "raised ValueError" in check.message


def test_a_temperature_raised_on_the_probabilities_is_caught_at_a_high_temperature(grade, tmp_path):
    """softmax(z) ** (1 / T), renormalised, is softmax(z / T) on paper; a probability that underflowed at T = 1 stays
    0 at T = 100 (MixMatch's sharpening used as a temperature did, and so did a file of tests/corpus)."""
    function, source = MISTAKES["temperature_power_of_probabilities"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    check = _check(report, function, "random_temperatures")
    assert not check.passed and check.mistake == "temperature_power_of_probabilities"
    assert check.message.startswith("logits [0, -800, -5] at a high temperature, temperature 100.0")
