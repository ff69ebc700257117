"""Behaviours found in public code (tests/corpus_wild/), judged first by an independent oracle.

Each file is one function written here from scratch to behave as a function of a public repository does, its
bug included (its header names the repository, path and function; no code is copied from there), with its
truth decided before grading by tests/oracle.py: 50-digit reference math run
over stress inputs per exercise. The oracle's verdict is re-checked here, then the grader must agree with
it: a correct file gets full marks on its exercise, a buggy file loses points there (and names the mistake
when its header says which lesson mistake it makes), and every other exercise keeps full marks.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import oracle
from corpus_headers import OLD_CORPUS, WILD_CORPUS, corpus
from grader.core.model import ExerciseStatus
from variants import REFERENCE, build_submission

FILES = corpus(WILD_CORPUS)
OLD_FILES = corpus(OLD_CORPUS)


def _reference_module() -> dict:
    namespace: dict = {}
    exec(compile(REFERENCE.read_text(encoding="utf-8"), str(REFERENCE), "exec"), namespace)
    return namespace


def test_the_wild_corpus_is_large_mixed_and_sourced(lesson):
    assert len(FILES) >= 45
    per_exercise = Counter(f.function for f in FILES)
    assert set(per_exercise) == {e.name for e in lesson.exercises}
    assert min(per_exercise.values()) >= 3, per_exercise
    assert sum(f.correct for f in FILES) >= 10 and sum(not f.correct for f in FILES) >= 20
    known = {m for e in lesson.exercises for m in e.mistakes}
    for f in FILES:
        assert f.origin.count(",") >= 1, f"{f.name}: '# behaviour of: <owner/repo>, <path>, <function> (...)'"
        assert "(written here from scratch; no code copied)" in f.source, f"{f.name}: say it is written here"
        assert "# source:" not in f.source and "# glue:" not in f.source, f"{f.name}: no copied code"
        assert f.correct or f.bug, f"{f.name}: say what is wrong"
        for mistake in f.mistakes:
            assert mistake in lesson.exercise(f.function).mistakes, f"{f.name}: unknown mistake {mistake}"
            assert mistake in known


@pytest.mark.parametrize("name", oracle.EXERCISES)
def test_the_oracle_calls_the_reference_correct(name):
    verdict = oracle.judge(name, _reference_module()[name])
    assert verdict.correct, verdict.failures


def test_the_oracle_catches_what_it_should():
    # the oracle itself can fail: one wrong implementation per kind of input it must see through
    def float32_softmax(logits, axis=-1):
        z = np.asarray(logits, dtype=np.float32)
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    def shifted_in_place(logits, axis=-1):
        logits -= logits.max(axis=axis, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=axis, keepdims=True)

    def summed(logits, targets):
        import torch.nn.functional as F

        return F.cross_entropy(logits, targets, reduction="sum")

    def forward(f, x, epsilon=1e-5):
        x = np.array(x, dtype=float)
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            y = x.copy()
            y[i] += epsilon
            g[i] = (f(y) - f(x)) / epsilon
        return g

    assert not oracle.judge("stable_softmax", float32_softmax).correct
    assert not oracle.judge("stable_softmax", shifted_in_place).correct
    assert not oracle.judge("torch_classification_loss", summed).correct
    assert not oracle.judge("finite_difference_gradient", forward).correct


@pytest.mark.parametrize("file", FILES, ids=[f.name for f in FILES])
def test_the_oracle_agrees_with_the_header(file):
    verdict = oracle.judge_source(file.function, file.source, str(file.path))
    if file.correct:
        assert verdict.correct, verdict.failures
    else:
        assert not verdict.correct, f"{file.name}: the header says '{file.bug}', but no input of the oracle fails"


@pytest.mark.parametrize("file", OLD_FILES, ids=[f.name for f in OLD_FILES])
def test_the_oracle_agrees_with_the_old_corpus(file):
    # tests/corpus/ was written for the project; the oracle must reach the same verdicts independently
    verdict = oracle.judge_source(file.function, file.source, str(file.path), _reference_module())
    if file.correct:
        assert verdict.correct, verdict.failures
    else:
        assert not verdict.correct, f"{file.name}: the header says {file.mistakes}, but no input of the oracle fails"


@pytest.mark.parametrize("file", FILES, ids=[f.name for f in FILES])
def test_the_grader_agrees_with_the_oracle(grade, lesson, tmp_path, file):
    report = grade(build_submission(tmp_path, {file.function: file.source}))
    for exercise in report.exercises:
        failing = [c.message for c in exercise.checks if not c.passed]
        if exercise.name != file.function or file.correct:
            assert exercise.status is ExerciseStatus.PASSED, (exercise.name, failing)
            continue
        assert exercise.score < exercise.max_score, f"{file.name} gets full marks, but {file.bug}"
        if file.mistakes:
            right = [m for m in file.mistakes if m in exercise.mistakes]
            assert right, (file.mistakes, exercise.mistakes, failing)
            named = next(c for c in exercise.checks if c.mistake == right[0])
            assert lesson.exercise(file.function).mistakes[right[0]].title in named.message
