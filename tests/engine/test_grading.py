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


RETURN_TYPES = {
    "a list": ("stable_softmax", '''
def stable_softmax(logits, axis=-1):
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return (np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)).tolist()
'''),
    "a 0-d array": ("cross_entropy_from_logits", '''
def cross_entropy_from_logits(logits, target_index):
    m = np.max(logits)
    return np.asarray(m + np.log(np.exp(logits - m).sum()) - logits[target_index])
'''),
    "a numpy scalar": ("sequence_mean_loss", '''
def sequence_mean_loss(logits, targets):
    m = logits.max(axis=1, keepdims=True)
    log_probs = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return np.float32(-log_probs[np.arange(len(targets)), targets].mean())
'''),
}


@pytest.mark.parametrize("kind", sorted(RETURN_TYPES))
def test_results_may_come_back_as_lists_scalars_or_0d_arrays(grade, tmp_path, kind):
    function, source = RETURN_TYPES[kind]
    report = grade(build_submission(tmp_path, {function: source}), exercises=(function,))
    assert report.exercises[0].status is ExerciseStatus.PASSED, report.exercises[0].checks
