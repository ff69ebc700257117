"""Issue 21, in-process: comparing every kind of output, the Case vocabulary, mistakes by exception type,
forbidden shortcuts in lesson.yaml, and a release's record of tuple results."""
from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from grader.core.checks import Case, Tensor, Tolerance, flat_outputs
from grader.core.compare import closer_to_prediction, compare_output, matches
from grader.core.errors import UsageError
from grader.course.expectations import RecordingReference, ReplayReference, save_expectations
from grader.course.lesson import Mistake, parse_lesson
from grader.core.checks import CheckRegistry
from grader.sandbox import shortcuts

TOL = Tolerance()


class Attention(NamedTuple):
    weights: np.ndarray
    output: np.ndarray


def test_a_mask_is_compared_exactly_and_the_message_says_where_it_differs():
    expected = np.array([[True, False, False, True], [False, True, True, True]])
    got = expected.copy()
    got[0, 2] = True
    got[1, 3] = False
    assert compare_output(expected.copy(), expected, TOL).ok
    result = compare_output(got, expected, TOL)
    assert not result.ok and result.says_values
    assert result.problem == "differs at 2 of 8 positions (first at index [0, 2]): expected False, got True"
    hidden = compare_output(got, expected, TOL, hidden=True).problem
    assert "differs at 2 of 8 positions" in hidden and "expected" not in hidden


def test_a_mask_of_floats_or_ints_is_not_a_mask():
    expected = np.array([True, False])
    assert compare_output(np.array([1.0, 0.0]), expected, TOL).problem == \
        "returned float64 values, expected booleans (a mask)"
    assert compare_output(np.array([1, 0]), expected, TOL).problem == "returned int64 values, expected booleans (a mask)"


def test_integers_are_compared_exactly_and_floats_of_integer_values_fail():
    expected = np.array([2, 0, 3])
    assert compare_output(np.array([2, 0, 3], dtype=np.int32), expected, TOL).ok  # any integer width
    assert compare_output(np.array([2.0, 0.0, 3.0]), expected, TOL).problem == "returned float64 values, expected integers"
    assert compare_output(np.array([2, 1, 3]), expected, TOL).problem == \
        "differs at 1 of 3 positions (first at index 1): expected 0, got 1"
    assert compare_output(np.array([True, False, True]), expected, TOL).problem == "returned bool values, expected integers"


def test_python_scalars_compare_with_zero_dimensional_results():
    assert compare_output(np.asarray(4), 4, TOL).ok
    assert compare_output(np.asarray(5), 4, TOL).problem == "expected 4, got 5"
    assert compare_output(np.asarray(True), True, TOL).ok
    assert compare_output(np.asarray(0.5 + 1e-12), 0.5, TOL).ok
    assert not compare_output(np.array([4]), 4, TOL).ok  # shape (1,) is not a single number
    assert "shape ()" in compare_output(np.array([4]), 4, TOL).problem


def test_a_declared_dtype_must_be_the_results():
    expected = np.array([0.5, 1.0], dtype=np.float32)
    assert compare_output(expected.copy(), expected, TOL, dtype="float32").ok
    assert compare_output(expected.astype(np.float64), expected, TOL, dtype="float32").problem == \
        "returned float64 values, expected float32"
    # A torch bfloat16 result arrives as float32 numbers; its own dtype comes in the reply's meta.
    assert compare_output(expected.copy(), expected, TOL, dtype="float32", got_dtype="bfloat16").problem == \
        "returned bfloat16 values, expected float32"


def test_float_results_compare_as_before():
    result = compare_output(np.array([1.0, 2.5]), np.array([1.0, 2.0]), TOL)
    assert not result.ok and not result.says_values and result.problem.startswith("max abs error 0.5 at index 1")


def test_predictions_of_masks_and_integers_match_exactly_and_count_differing_entries():
    predicted = np.array([True, True, False])
    assert matches(predicted.copy(), predicted, TOL)
    assert not matches(predicted.astype(float), predicted, TOL)
    assert not matches(np.array([True, False, False]), predicted, TOL)
    assert matches(np.array([1, 2], dtype=np.int32), np.array([1, 2]), TOL)
    expected = np.array([True, False, False])
    got = np.array([True, True, True])
    assert closer_to_prediction(got, np.array([True, True, False]), expected) == (True, True)  # 1 vs 2 entries
    assert closer_to_prediction(got, np.array([False, False, False]), expected) == (False, False)


def test_a_case_names_the_parts_of_a_tuple_and_checks_its_dtype_names():
    named = Case((1,), "x", Attention(np.zeros(2), np.ones(2)), dtype={"weights": "float32"})
    assert [(n, label) for n, label, _ in named.parts()] == [("value.0", "weights"), ("value.1", "output")]
    assert named.dtype_of("weights") == "float32" and named.dtype_of("output") is None
    assert named.call("0.0")["parts"] == 2
    plain = Case((1,), "x", (1, 2.0))
    assert [label for _, label, _ in plain.parts()] == ["part 1", "part 2"]
    assert Case((1,), "x", np.zeros(2)).parts()[0][:2] == ("value", "")
    assert "parts" not in Case((1,), "x", [1.0, 2.0]).call("0.0")  # a list is an array, as always
    with pytest.raises(ValueError, match="not a dtype name"):
        Case((1,), "x", np.zeros(2), dtype="float")
    with pytest.raises(ValueError, match="parts \\['bias'\\]"):
        Case((1,), "x", Attention(np.zeros(2), np.ones(2)), dtype={"bias": "float32"})


def test_grad_output_and_grad_flows_reach_the_worker_without_expected_values():
    grad = np.ones((2, 2))
    call = Case((Tensor(np.zeros((2, 2)), requires_grad=True),), "x", np.zeros((2, 2)), grad_output=grad,
                grad_flows=True, expect_grad={0: np.zeros((2, 2))}).call("0.0")
    assert call["grad_flows"] is True and np.array_equal(call["grad_output"], grad)
    pair = Case((1,), "x", (np.zeros(2), np.zeros(2)), grad_output=(None, np.ones(2))).call("0.1")
    assert pair["grad_output"][0] is None and np.array_equal(pair["grad_output"][1], np.ones(2))
    assert "grad_flows" not in Case((1,), "x", 1.0).call("0.2")


def test_a_predictions_tuple_value_is_spread_into_parts():
    flat = flat_outputs({"value": Attention(np.zeros(1), np.ones(1)), "grad:0": np.zeros(1)})
    assert set(flat) == {"value.0", "value.1", "grad:0"}
    assert flat_outputs({"value": np.zeros(2)}).keys() == {"value"}


def test_a_mistake_is_shown_by_its_exception_type_and_optional_text():
    by_type = Mistake("m", "t", "h", raises="IndexError")
    assert by_type.shown_by("IndexError", ["IndexError", "LookupError", "Exception"], "anything")
    assert by_type.shown_by("MyError", ["MyError", "IndexError"], "")  # any class in the MRO
    assert not by_type.shown_by("KeyError", ["KeyError", "LookupError"], "out of bounds")
    both = Mistake("m", "t", "h", raises_like="out of bounds", raises="IndexError")
    assert both.shown_by("IndexError", ["IndexError"], "index 7 is out of bounds")
    assert not both.shown_by("IndexError", ["IndexError"], "list index")
    assert not both.shown_by("ValueError", ["ValueError"], "out of bounds")
    by_text = Mistake("m", "t", "h", raises_like="math range error")  # the older form still matches
    assert by_text.shown_by("OverflowError", ["OverflowError"], "math range error")
    assert not Mistake("m", "t", "h").shown_by("ValueError", ["ValueError"], "")


def _lesson_yaml(tmp_path: Path, exercise: dict) -> tuple[dict, Path, CheckRegistry]:
    registry = CheckRegistry()
    registry.add("f", points=1)(lambda ref, rng: Case((1,), "x", 1.0))
    raw = {"name": "demo", "title": "Demo", "student_file": "demo.py",
           "exercises": [{"name": "f", "hints": ["a", "b", "c"], **exercise}]}
    return raw, tmp_path / "demo" / "lesson.yaml", registry


def test_lesson_yaml_reads_raises_and_forbidden(tmp_path):
    raw, where, registry = _lesson_yaml(tmp_path, {
        "mistakes": {"axis": {"title": "t", "hint": "h", "raises": "IndexError", "raises_like": "out of bounds"}},
        "forbidden": ["torch.softmax", "torch.Tensor.softmax"]})
    lesson = parse_lesson(raw, where, registry, {})
    exercise = lesson.exercise("f")
    assert exercise.forbidden == ("torch.softmax", "torch.Tensor.softmax")
    assert exercise.mistakes["axis"].raises == "IndexError"


@pytest.mark.parametrize("entry, message", [
    ({"forbidden": "torch.softmax"}, "'forbidden' must be a list of dotted function names"),
    ({"forbidden": ["softmax"]}, "'forbidden' must be a list of dotted function names"),
    ({"forbidden": ["torch.soft max"]}, "'forbidden' must be a list of dotted function names"),
    ({"mistakes": {"m": {"title": "t", "hint": "h", "raises": "Index Error"}}}, "'raises' must be an exception's class"),
    ({"mistakes": {"m": {"title": "t", "hint": "h", "raise": "IndexError"}}}, "unknown keys ['raise']"),
])
def test_lesson_yaml_refuses_malformed_raises_and_forbidden(tmp_path, entry, message):
    raw, where, registry = _lesson_yaml(tmp_path, entry)
    with pytest.raises(UsageError, match=message.replace("[", "\\[").replace("]", "\\]")):
        parse_lesson(raw, where, registry, {})


def test_forbidden_names_resolve_to_functions_the_worker_can_watch():
    pytest.importorskip("torch")
    for name in ("torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax", "numpy.linalg.norm"):
        owner, attribute, raw = shortcuts.resolve(name)
        assert callable(getattr(owner, attribute))
    for name, reason in (("torch.no_such_function", "no such function"), ("nosuchmodule.f", "no module"),
                         ("numpy.ndarray.sum", "built-in class"), ("numpy.pi", "not a function"),
                         ("torch.Tensor.shape", "not a function"), ("torch.nn.Softmax", "a class, not a function"),
                         ("collections.OrderedDict", "a class, not a function")):
        with pytest.raises(shortcuts.Unresolved, match=reason):
            shortcuts.resolve(name)


def test_watching_a_shortcut_notes_each_call_and_keeps_its_result(monkeypatch):
    import numpy.linalg
    reached: list[str] = []
    original = numpy.linalg.norm
    try:
        shortcuts.watch({"numpy.linalg.norm"}, reached.append)
        assert numpy.linalg.norm(np.array([3.0, 4.0])) == 5.0
        assert reached == ["numpy.linalg.norm"]
    finally:
        numpy.linalg.norm = original


def _reference_module(tmp_path: Path):
    import importlib.util
    source = tmp_path / "ref.py"
    source.write_text(
        "from typing import NamedTuple\nimport numpy as np\n"
        "class Attention(NamedTuple):\n    weights: np.ndarray\n    output: np.ndarray\n"
        "def attend(x):\n    return Attention(x / 2, x > 0)\n"
        "def extremes(x):\n    return np.min(x), int(np.argmax(x)), True\n")
    spec = importlib.util.spec_from_file_location("ref_kinds", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_release_records_and_replays_tuples_and_named_tuples(tmp_path):
    module = _reference_module(tmp_path)
    recorder = RecordingReference(module)
    x = np.array([1.0, -2.0, 3.0])
    recorded = recorder.attend(x), recorder.extremes(x)
    save_expectations(tmp_path, recorder, "kinds", 2026)
    assert json.loads((tmp_path / "released_expectations.json").read_text())["format"] == 2
    replay = ReplayReference.load(tmp_path)
    attention, extremes = replay.attend(x), replay.extremes(x)
    assert type(attention).__name__ == "Attention" and attention._fields == ("weights", "output")
    assert np.array_equal(attention.weights, recorded[0].weights) and attention.output.dtype == np.bool_
    assert type(extremes) is tuple and len(extremes) == 3
    assert extremes[0] == -2.0 and isinstance(extremes[0], float)
    assert extremes[1] == 2 and type(extremes[1]) is int and extremes[2] is True
    # The same case is built from the replay as from the reference.
    assert [label for _, label, _ in Case((x,), "x", attention).parts()] == ["weights", "output"]


def test_gradients_of_a_non_scalar_result_need_a_grad_output():
    tensor = Tensor(np.zeros((2, 2)), requires_grad=True)
    with pytest.raises(ValueError, match="needs grad_output"):
        Case((tensor,), "x", np.zeros((2, 2)), expect_grad={0: np.zeros((2, 2))})
    Case((tensor,), "x", 1.5, expect_grad={0: np.zeros((2, 2))})  # a scalar loss backpropagates by itself


@pytest.mark.parametrize("fields, message", [
    ({"expect_grad": {1: np.zeros((2, 2))}}, r"expect_grad\[1\]: argument 1 is not a Tensor with requires_grad=True"),
    ({"expect_grad": {3: np.zeros((2, 2))}}, r"expect_grad\[3\]: argument 3 is not one of the 2 positional"),
    ({"expect_grad": {0: np.zeros((2, 1))}}, r"expect_grad\[0\]: shape \(2, 1\), but argument 0 has shape \(2, 2\)"),
    ({"grad_output": np.ones((2, 1))}, r"grad_output: shape \(2, 1\), but the expected result has shape \(2, 2\)"),
    ({"grad_output": (np.ones((2, 2)),)}, r"grad_output: a tuple with one gradient per part .* one array for a single"),
])
def test_a_gradient_the_worker_could_never_compare_is_refused_when_the_case_is_built(fields, message):
    """The worker backpropagates only a grad_output of the result's shape and sends back the gradients of the
    positional requires_grad tensors: anything else was skipped there, and the reference itself failed with
    "no gradient flows back" (named as the lesson's detached mistake) instead of the check's error."""
    args = (Tensor(np.zeros((2, 2)), "float64", requires_grad=True), 2)
    with pytest.raises(ValueError, match=message):
        Case(args, "x", np.zeros((2, 2)), grad_flows=True, **fields)
    named = Attention(np.zeros((2, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"grad_output for output: shape \(2,\), but the expected output has shape \(3,\)"):
        Case(args, "x", named, grad_output=(None, np.ones(2)))
    Case(args, "x", named, grad_output=(None, np.ones(3)), expect_grad={0: np.ones((2, 2))})


@pytest.mark.parametrize("args, kwargs, message", [
    (3, {}, r"Case args: a tuple of the positional arguments \(got int; one argument is a tuple of one: \(x,\)\)"),
    (np.zeros((4, 2)), {}, r"Case args: a tuple of the positional arguments \(got ndarray;"),
    ((1,), [("mask", 1)], r"Case kwargs: a dict of keyword arguments \(got list\)"),
])
def test_arguments_that_are_not_a_tuple_are_refused_when_the_case_is_built(args, kwargs, message):
    """Case((n), ...) (an int, not (n,)) was a TypeError traceback deep in grading; Case(x, ...) with an array sent
    the array's rows as the arguments, and the reference itself lost points with no word of why."""
    with pytest.raises(ValueError, match=message):
        Case(args, "x", 1.0, kwargs=kwargs)
    assert Case([np.zeros(2), 3], "a list is the arguments too", 1.0).args[1] == 3


def test_a_prediction_reads_keyword_arguments_as_plain_numbers_too():
    """Predictions had plain_args() only: a Tensor passed as a keyword argument had to be unwrapped by hand."""
    mask = np.tril(np.ones((2, 2), dtype=bool))
    case = Case((Tensor(np.eye(2), "float64", requires_grad=True),), "x", np.eye(2), grad_output=np.ones((2, 2)),
                kwargs={"mask": Tensor(mask, "bool"), "scale": 0.5})
    plain = case.plain_kwargs()
    assert isinstance(plain["mask"], np.ndarray) and np.array_equal(plain["mask"], mask) and plain["scale"] == 0.5
