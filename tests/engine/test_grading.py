"""The grader's verdicts: reference, stubs, every known mistake and the correct alternatives."""
from __future__ import annotations

import re

import pytest

from grader.core.model import ExerciseStatus
from variants import ALTERNATIVES, MISTAKES, REFERENCE, STUB, build_submission


def test_reference_scores_full_marks(grade, lesson):
    report = grade(REFERENCE)
    assert [e.name for e in report.exercises] == [e.name for e in lesson.exercises]
    assert all(e.status is ExerciseStatus.PASSED for e in report.exercises)
    assert report.score == report.max_score == 35


def test_stubs_score_zero_and_say_not_implemented(grade):
    report = grade(STUB)
    assert report.score == 0
    for exercise in report.exercises:
        assert exercise.status is ExerciseStatus.NOT_IMPLEMENTED
        assert all("not implemented yet" in c.message for c in exercise.checks)
        assert "Traceback" not in "".join(c.message for c in exercise.checks)


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_known_mistake_loses_points_on_its_exercise_only_and_is_named(grade, lesson, tmp_path, mistake):
    function, source = MISTAKES[mistake]
    report = grade(build_submission(tmp_path, {function: source}))
    for exercise in report.exercises:
        if exercise.name == function:
            assert exercise.status is ExerciseStatus.FAILED
            assert exercise.score < exercise.max_score
            assert mistake in exercise.mistakes
            named = next(c for c in exercise.checks if c.mistake == mistake)
            assert lesson.exercise(function).mistakes[mistake].title in named.message
        else:
            assert exercise.status is ExerciseStatus.PASSED, exercise


@pytest.mark.parametrize("alternative", sorted(ALTERNATIVES))
def test_correct_alternatives_get_full_marks(grade, tmp_path, alternative):
    function, source = ALTERNATIVES[alternative]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    assert report.exercises[0].status is ExerciseStatus.PASSED, report.exercises[0].checks


def test_softmax_before_loss_shows_the_lessons_numbers(grade, tmp_path):
    function, source = MISTAKES["softmax_before_loss"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    lesson_check = report.exercises[0].checks[0]
    assert lesson_check.name == "lesson_batch" and not lesson_check.hidden
    assert "expected 2.16985, got 1.38745" in lesson_check.message
    assert "1.387 instead of 2.17" in lesson_check.message and "-0.127 instead of -0.886" in lesson_check.message


def test_gradient_is_checked_where_the_loss_is_right(grade, tmp_path):
    """A loss with the right value but a wrong gradient fails on the gradient."""
    source = '''
def torch_classification_loss(logits, targets):
    import torch
    from torch import nn
    loss = nn.CrossEntropyLoss()(logits, targets)
    return loss.detach() + (logits * 0.5).sum() - (logits * 0.5).sum().detach()
'''
    report = grade(build_submission(tmp_path, {"torch_classification_loss": source}),
                   exercises=("torch_classification_loss",))
    message = report.exercises[0].checks[0].message
    assert "gradient of logits: expected [[ 0.8438, -0.8858, 0.042 ]], got [[0.5, 0.5, 0.5]]" in message


def test_hidden_checks_never_show_expected_values(grade, tmp_path):
    function, source = MISTAKES["clipped_log"]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    failed = [c for c in report.exercises[0].checks if not c.passed]
    assert failed and all(c.hidden for c in failed)
    assert not any(re.search(r"expected [-\[\d]", c.message.splitlines()[0]) for c in failed)
    assert "got 27.631" in failed[0].message


def test_the_seed_changes_hidden_inputs_only(lesson):
    exercise = lesson.exercise("stable_softmax")
    public = next(c for c in exercise.checks if not c.hidden)
    hidden = next(c for c in exercise.checks if c.name == "every_axis")
    reference = lesson.reference
    assert (public.cases(reference, 1)[0].args[0] == public.cases(reference, 2)[0].args[0]).all()
    assert not (hidden.cases(reference, 1)[0].args[0] == hidden.cases(reference, 2)[0].args[0]).all()
    assert (hidden.cases(reference, 1)[0].args[0] == hidden.cases(reference, 1)[0].args[0]).all()


def test_checks_are_independent_of_which_exercises_run(grade, tmp_path):
    function, source = MISTAKES["global_max"]
    path = build_submission(tmp_path, {function: source})
    alone = grade(path, exercises=(function,)).exercises[0]
    together = next(e for e in grade(path).exercises if e.name == function)
    assert alone.checks == together.checks


# Every NumPy exercise, its reference's result handed back in another container or precision. Numbers that are
# right to the tolerance are not enough: the caller was promised an np.ndarray (or a float), in float64.
ARRAY_EXERCISES = ("stable_softmax", "softmax_with_temperature", "cross_entropy_gradient", "per_position_cross_entropy",
                   "finite_difference_gradient")
NUMBER_EXERCISES = ("cross_entropy_from_logits", "sequence_mean_loss")
REWRAPS = {  # (exercise kind, how the result is handed back) -> what the feedback says (None: full marks)
    ("array", "result.tolist()"): "returned a list, not a NumPy array",
    ("array", "torch.as_tensor(result)"): "returned a torch.Tensor, not a NumPy array",
    ("array", "result.astype(np.float32)"): "returned float32 values",
    ("array", "np.asarray(result)"): None,
    ("array", "np.ma.masked_array(result)"): None,  # an np.ndarray subclass (a masked softmax, nothing masked)
    ("number", "torch.as_tensor(result)"): "returned a torch.Tensor, not a number",
    ("number", "[result]"): "expected a single number (shape ()), got shape (1,)",
    ("number", "np.float32(result)"): "returned float32 values",
    ("number", "np.asarray(result)"): None,  # a 0-d array
    ("number", "np.float64(result)"): None,
    ("number", "float(result)"): None,
}
REWRAPPED = [(function, how) for kind, names in (("array", ARRAY_EXERCISES), ("number", NUMBER_EXERCISES))
             for function in names for k, how in REWRAPS if k == kind]


@pytest.mark.parametrize("function, how", REWRAPPED)
def test_a_numpy_result_must_come_back_as_a_float64_array_or_a_number(grade, tmp_path, function, how):
    said = REWRAPS[("number" if function in NUMBER_EXERCISES else "array", how)]
    path = build_submission(tmp_path, {})
    path.write_text(path.read_text(encoding="utf-8") + f"""
import torch

_reference_{function} = {function}


def {function}(*args, **kwargs):
    result = _reference_{function}(*args, **kwargs)
    return {how}
""", encoding="utf-8")
    exercise = grade(path, exercises=(function,)).exercises[0]
    if said is None:
        assert exercise.status is ExerciseStatus.PASSED, exercise.checks
        return
    assert exercise.status is ExerciseStatus.FAILED
    failed = [c.message for c in exercise.checks if not c.passed]
    if function == "finite_difference_gradient" and "float32" in how:
        said = "tolerance"  # its tolerance (1e-8) is finer than float32's digits: the values say it first
    # every value check says why; a check of one property (the input left unchanged) is then withheld
    assert any(said in m for m in failed) and all(said in m or "value checks passes" in m for m in failed), failed


NEGATIVE_AXIS_AS_LAST = {  # any negative axis read as the last one (if axis < 0: axis = ndim - 1): -2 is not -1
    "stable_softmax": '''
def stable_softmax(logits, axis=-1):
    z = np.asarray(logits, dtype=float)
    if axis < 0:
        axis = z.ndim - 1
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
''',
    "softmax_with_temperature": '''
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = np.asarray(logits, dtype=float) / temperature
    if axis < 0:
        axis = z.ndim - 1
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
''',
}


@pytest.mark.parametrize("function", sorted(NEGATIVE_AXIS_AS_LAST))
def test_a_negative_axis_other_than_minus_one_is_checked(grade, tmp_path, function):
    exercise = grade(build_submission(tmp_path, {function: NEGATIVE_AXIS_AS_LAST[function]}),
                     exercises=(function,)).exercises[0]
    assert exercise.status is ExerciseStatus.FAILED
    failed = [c.message for c in exercise.checks if not c.passed]
    assert any("axis=-2" in m for m in failed), failed
    assert {"wrong_axis", "temperature_ignores_axis"} & set(exercise.mistakes), exercise.mistakes


@pytest.mark.parametrize("function", ["cross_entropy_from_logits", "cross_entropy_gradient"])
def test_a_numpy_integer_target_reaches_the_function_as_one(grade, tmp_path, function):
    # a target index is any integer: np.int64 (a loop over a targets array, np.argmax) must arrive as np.int64, so
    # code that accepts Python ints only loses points, and code that takes any integer keeps full marks
    path = build_submission(tmp_path, {})
    path.write_text(path.read_text(encoding="utf-8") + f"""
_reference_{function} = {function}


def {function}(logits, target_index):
    if not isinstance(target_index, int):
        raise TypeError(f"target_index must be an int, got {{type(target_index).__name__}}")
    return _reference_{function}(logits, target_index)
""", encoding="utf-8")
    exercise = grade(path, exercises=(function,)).exercises[0]
    assert exercise.status is ExerciseStatus.FAILED
    failed = [c.message for c in exercise.checks if not c.passed]
    assert any("np.int64(2)" in m and "got int64" in m for m in failed), failed
    reference = tmp_path / "reference"
    reference.mkdir()
    assert grade(build_submission(reference, {}), exercises=(function,)).exercises[0].status is ExerciseStatus.PASSED


def test_finite_differences_keep_x_shape_with_size_one_axes(grade, tmp_path):
    # squeezing x first (column vectors handled as (n,)) loses its size-1 axes in the estimate
    squeezed = '''
def finite_difference_gradient(f, x, epsilon=1e-5):
    flat = np.squeeze(np.array(x, dtype=float))
    grad = np.zeros_like(flat)
    for i in np.ndindex(flat.shape):
        plus, minus = flat.copy(), flat.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        grad[i] = (f(plus.reshape(np.shape(x))) - f(minus.reshape(np.shape(x)))) / (2 * epsilon)
    return grad
'''
    exercise = grade(build_submission(tmp_path, {"finite_difference_gradient": squeezed}),
                     exercises=("finite_difference_gradient",)).exercises[0]
    assert exercise.status is ExerciseStatus.FAILED
    failed = [c.message for c in exercise.checks if not c.passed]
    assert any("expected shape (3, 1), got shape (3,)" in m for m in failed), failed


MAX_CLIPPED_AT_ZERO = {  # shifted by max(max(z), 0): logits all far below 0 are not shifted and underflow
    "cross_entropy_from_logits": '''
def cross_entropy_from_logits(logits, target_index):
    z = np.asarray(logits, dtype=float)
    m = max(float(np.max(z)), 0.0)
    return float(m + np.log(np.sum(np.exp(z - m))) - z[target_index])
''',
    "cross_entropy_gradient": '''
def cross_entropy_gradient(logits, target_index):
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - max(float(np.max(z)), 0.0))
    p = e / e.sum()
    p[target_index] -= 1
    return p
''',
}


@pytest.mark.parametrize("function", sorted(MAX_CLIPPED_AT_ZERO))
def test_logits_all_far_below_zero_are_checked(grade, tmp_path, function):
    exercise = grade(build_submission(tmp_path, {function: MAX_CLIPPED_AT_ZERO[function]}),
                     exercises=(function,)).exercises[0]
    assert exercise.status is ExerciseStatus.FAILED
    assert any("logits around -1000" in c.message for c in exercise.checks if not c.passed), exercise.checks
