"""Deciding a check from a worker's reply: the trusted side's verdict and its explanation."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import numpy.typing as npt

from grader.core.caches import IdentityCache
from grader.core.checks import Case, Check, Tensor, flat_outputs
from grader.core.compare import closer_to_prediction, compare, compare_output, expected_kind, matches, show, show_pair
from grader.course.lesson import Exercise, Lesson
from grader.core.model import CheckResult
from grader.sandbox.protocol import CallReply, ExceptionInfo, ReplyMeta, ReplyStatus


@dataclass(frozen=True)
class CaseVerdict:
    """Why a case failed, and the known mistake it shows, if any."""

    problem: str
    mistake: str | None = None
    not_implemented: bool = False
    also: tuple[str, ...] = ()  # other known mistakes that give the very same output on these inputs
    type_only: bool = False  # the values were right, only their type or precision is not (a later case may say more)


def exception_text(exception: ExceptionInfo | None) -> str:
    """One line for an exception the worker reported (None: it reported none): type, message, where."""
    if exception is None:
        exception = ExceptionInfo()
    message = exception.message
    frames = exception.frames
    if frames and "SyntaxError" in (exception.mro or (exception.type,)):  # IndentationError too
        message = re.sub(r" \([^()]*, line \d+\)$", "", message)  # the line is shown with its code below
    text = f"{exception.type}: {message}".rstrip(": ")
    if frames:
        last = frames[-1]
        where = last.where or f"your file, line {last.line}"
        text += f" ({where}: {last.code})"
    return text


def _expected_outputs(case: Case) -> dict[str, npt.ArrayLike]:
    expected = {name: part for name, _, part in case.parts()}
    expected.update({f"grad:{i}": g for i, g in case.expect_grad.items()})
    expected.update(case.arg_outputs())
    return expected


def _right(predicted: Any, expected: Any, case: Case) -> bool:
    """Is a predicted output the right answer?"""
    exact = expected_kind(expected) != "float"
    got = np.asarray(predicted) if exact else np.asarray(predicted, float)
    return compare_output(got, expected, case.tolerance).ok


def _right_answer(predicted: Mapping[str, Any], case: Case) -> bool:
    """Does this prediction give the right answer on the case (so it cannot be what went wrong)?"""
    expected = _expected_outputs(case)
    return all(k in expected and _right(v, expected[k], case) for k, v in predicted.items())


def _shows(outputs: Mapping[str, np.ndarray], predicted: Mapping[str, Any], case: Case,
           right: Callable[[], bool] | None = None) -> bool:
    """Do the outputs match this prediction, and does the prediction differ from the right answer? (``right``:
    the answer to _right_answer, computed once per case and prediction rather than once per submission)"""
    if not predicted or not all(key in outputs for key in predicted):
        return False
    expected: dict[str, npt.ArrayLike] = {}
    if not case.raises:
        expected = _expected_outputs(case)
        if right() if right is not None else _right_answer(predicted, case):
            return False  # the mistake gives the right answer here: it cannot be what went wrong
    if not all(matches(outputs[k], v, case.tolerance) for k, v in predicted.items()):
        return False
    if not expected:
        return True
    # A name is never wrong: the output must be nearer the mistake's output than the right answer, on every
    # output and strictly on one (outputs near zero can be within tolerance of both).
    nearer = [closer_to_prediction(outputs[k], v, expected[k]) for k, v in predicted.items() if k in expected]
    return all(n[0] for n in nearer) and any(n[1] for n in nearer)


class _Predictions:
    """What each mistake returns for each case, computed once: a class's submissions meet the same cases (the
    cases of a seed are built once and shared), and a prediction can cost many calls of a probe. Trusted
    memory only."""

    SIZE = 8192

    def __init__(self) -> None:
        self._outcomes: IdentityCache[tuple[tuple[Mapping[str, Any], ...], tuple[str, str] | None]] = \
            IdentityCache(self.SIZE)
        self._wrong: IdentityCache[bool] = IdentityCache(self.SIZE)
        self._right: IdentityCache[bool] = IdentityCache(self.SIZE)

    def _outcome(self, mistake_id: str, case: Case, lesson: Lesson) -> tuple[tuple[Mapping[str, Any], ...], tuple[str, str] | None]:
        """The mistake's prediction on this case, run once: its outputs, or the exception (type name, message)
        it raises, which is the exact error the mistake makes there."""
        def predict() -> tuple[tuple[Mapping[str, Any], ...], tuple[str, str] | None]:
            try:
                with np.errstate(all="ignore"):
                    predicted = lesson.predictions[mistake_id](lesson.reference, case)
            except Exception as error:  # noqa: BLE001 - a raising prediction is the prediction
                return (), (type(error).__name__, str(error))
            alternatives = predicted if isinstance(predicted, (list, tuple)) else [predicted]
            # a form that is not a mapping of outputs cannot be compared: grade validate names it (predictions.py)
            return tuple(flat_outputs(c) for c in alternatives if isinstance(c, Mapping) and c), None

        return self._outcomes.get((lesson, case), mistake_id, predict)

    def candidates(self, mistake_id: str, case: Case, lesson: Lesson) -> tuple[Mapping[str, Any], ...]:
        return self._outcome(mistake_id, case, lesson)[0]

    def raised(self, mistake_id: str, case: Case, lesson: Lesson) -> tuple[str, str] | None:
        """The exception the mistake's prediction raises on this case, or None when it predicts outputs or nothing."""
        return self._outcome(mistake_id, case, lesson)[1]

    def right_on(self, mistake_id: str, index: int, case: Case, lesson: Lesson) -> bool:
        """Does the mistake's ``index``-th form give the right answer on this case? The same for every
        submission: asked only when a submission's outputs have the form's keys, as _shows would ask it."""
        def judge() -> bool:
            return _right_answer(self.candidates(mistake_id, case, lesson)[index], case)

        return self._right.get((lesson, case), (mistake_id, index), judge)

    def wrong_on(self, mistake_id: str, case: Case, lesson: Lesson) -> bool:
        """Does every form of the mistake get this case wrong (so a right answer rules the mistake out)?"""
        def judge() -> bool:
            candidates = self.candidates(mistake_id, case, lesson)
            return bool(candidates) and not any(_right_answer(candidate, case) for candidate in candidates)

        return self._wrong.get((lesson, case), mistake_id, judge)


_predictions = _Predictions()


def matching_mistakes(case: Case, outputs: Mapping[str, np.ndarray], exercise: Exercise, lesson: Lesson) -> tuple[str, ...]:
    """Every known mistake of the exercise whose predicted output is what came back, in the lesson's order."""
    found = []
    for mistake_id in exercise.mistakes:
        if mistake_id not in lesson.predictions:
            continue
        candidates = _predictions.candidates(mistake_id, case, lesson)
        if any(_shows(outputs, candidate, case, lambda i=index: _predictions.right_on(mistake_id, i, case, lesson))
               for index, candidate in enumerate(candidates)):
            found.append(mistake_id)
    return tuple(found)


def _named(problem: str, mistakes: tuple[str, ...], fallback: str | None = None) -> CaseVerdict:
    if not mistakes:
        return CaseVerdict(problem, fallback)
    return CaseVerdict(problem, mistakes[0], also=mistakes[1:])


def _sent(case: Case, index: int) -> list[tuple[str, Any]]:
    """Argument ``index`` as it was sent, by the output name it comes back under (a list's arrays one by one)."""
    if case.listed(index):
        return [(f"arg:{index}.{i}", part) for i, part in enumerate(case.args[index])]
    argument = case.args[index]
    return [(f"arg:{index}", argument.data if isinstance(argument, Tensor) else argument)]


def _changed(before: np.ndarray, after: Any) -> tuple[str, bool] | None:
    """How the call changed an argument (None: not at all), and whether only by rounding."""
    if not isinstance(after, np.ndarray):
        return "the input array could not be read back after the call", False
    if after.shape != before.shape:
        return f"the input array changed shape from {before.shape} to {after.shape}", False
    if np.array_equal(after, before, equal_nan=True):
        return None
    with np.errstate(all="ignore"):
        after_f, before_f = after.astype(float), before.astype(float)
        differs = ~((after_f == before_f) | (np.isnan(after_f) & np.isnan(before_f)))
        change = np.abs(after_f - before_f)[differs]
        largest = float(np.nanmax(change)) if np.isfinite(change).any() else float("inf")
        scale = float(np.max(np.abs(before_f[differs]), initial=1.0))
    rounding = largest <= 1e-12 * max(scale, 1.0)
    size = "by rounding only" if rounding else f"by up to {largest:.3g}"
    return f"the call changed the input array in place: {int(differs.sum())} of {differs.size} entries differ, {size}", rounding


def _mistake_from_exception(exception: ExceptionInfo, exercise: Exercise, case: Case | None = None,
                            lesson: Lesson | None = None) -> str | None:
    """The first of the exercise's mistakes this exception shows (lesson.yaml's ``raises``, ``raises_like``). When
    the mistake's prediction raises on the case, the exception must be that one, message and all: a fragment
    such as "to match target batch_size" comes from any mismatch of rows and targets, the exact counts only
    from the mistake's."""
    for mistake in exercise.mistakes.values():
        if not mistake.shown_by(exception.type, exception.mro, exception.message):
            continue
        if case is not None and lesson is not None and mistake.id in lesson.predictions:
            raised = _predictions.raised(mistake.id, case, lesson)
            if raised is not None and raised != (exception.type, exception.message):
                continue
        return mistake.id
    return None


def _explain(label: str, expected: Any, got: np.ndarray, problem: str, hidden: bool) -> str:
    """What came back and why it is wrong; a hidden check never shows its expected values."""
    if hidden:
        return f"{label}got {show(got)}: {problem}"
    shown_expected, shown_got = show_pair(expected, got)
    return f"{label}expected {shown_expected}, got {shown_got}: {problem}"


def _no_gradient(meta: ReplyMeta) -> str:
    """Why no gradient reached the arguments: a result that carries none, or one that hangs off another tensor.
    Any lesson's: the arguments are not always logits (weights, queries, inputs)."""
    if not meta.type.startswith("torch"):
        return f"returned a {meta.type}: no gradient flows back to the tensors you were given"
    if meta.requires_grad:  # torch.tensor(x, requires_grad=True), x.detach(), w.detach() beside another argument
        return ("returned a tensor that requires grad, but its gradient does not reach every tensor you were given "
                "that requires grad: part of it was computed from a detached copy or a new tensor made from them")
    return "returned a tensor that does not require grad: no gradient flows back to the tensors you were given"


FORBIDDEN = "calls {name}, which this exercise asks you to write yourself"


def _forbidden_reached(reply: CallReply, exercise: Exercise) -> str | None:
    """The first of the exercise's forbidden shortcuts the call reached, as the worker reports it (only the
    exercise's own names count: a report can cost the submission that sent it, never more)."""
    return next((name for name in exercise.forbidden if name in reply.forbidden), None)


def _result_problem(case: Case, outputs: Mapping[str, np.ndarray], meta: ReplyMeta, hidden: bool) -> str | None:
    """What is wrong with the call's result (None: it is right): each part of a tuple on its own, by name."""
    parts = case.parts()
    dtypes = meta.dtypes
    if parts[0][0] != "value":  # a tuple is due
        labels = ", ".join(label for _, label, _ in parts)
        if meta.parts is None:
            return f"returned a {meta.type or 'value'}, expected a tuple of {len(parts)} ({labels})"
        if meta.parts != len(parts):
            return f"returned a {meta.type or 'tuple'} of {meta.parts} parts, expected {len(parts)} ({labels})"
    for name, label, expected in parts:
        got = outputs.get(name)
        if not isinstance(got, np.ndarray):
            return "the worker's reply could not be read"
        comparison = compare_output(got, expected, case.tolerance, hidden, case.dtype_of(label), dtypes.get(name))
        if comparison.ok:
            continue
        prefix = f"{label}: " if label else ""
        if comparison.says_values:
            return prefix + comparison.problem
        return _explain(prefix, expected, got, comparison.problem, hidden)
    return None


# The type a NumPy function promises to return is its stub's return annotation: ``-> np.ndarray`` (or an NDArray)
# asks for a NumPy array (a list or a torch tensor of the right numbers has no .shape or axis= for the caller),
# ``-> float`` for a number (a Python or NumPy number, or a 0-d array; not a tensor or a list). Where the expected
# numbers are float64 from float64 inputs, such a function's float32 result is float32 work (or a float32 cast at
# the end): 7 digits where 16 were promised. A function without such an annotation, and a case with tensors, ask
# for no particular container; but float64 tensors in call for a float64 result where a float64 one is expected (the
# caller chose the precision; nn.CrossEntropyLoss keeps it), unless the case declares its dtype. The worker names the
# returned type (worker.describe_type).
_ARRAY_ANNOTATION = re.compile(r"((np|numpy)\.)?ndarray|((npt|np\.typing|numpy\.typing)\.)?NDArray(\[.*\])?")
_NUMBER_ANNOTATION = re.compile(r"float|(np|numpy)\.(floating|float64)")
NUMBER_TYPES = frozenset({"float", "int"})


@functools.lru_cache(maxsize=256)
def promised_kind(annotation: str | None) -> str | None:
    """"array", "number" or None (no promise the grader holds a result to) for a stub's return annotation."""
    if annotation is None:
        return None
    text = annotation.strip().strip("'\"")
    if _ARRAY_ANNOTATION.fullmatch(text):
        return "array"
    if _NUMBER_ANNOTATION.fullmatch(text):
        return "number"
    return None


def _floats_in(case: Case) -> list[np.dtype]:
    return [np.asarray(a).dtype for a in (*case.args, *case.kwargs.values())
            if isinstance(a, (np.ndarray, np.floating, float)) and np.asarray(a).dtype.kind == "f"]


def _narrowed(got: Any, expected: Any, inputs: str, advice: str) -> str | None:
    """A float result narrower than the float64 expected from float64 ``inputs``: float32 work or a cast down at the
    end, 7 digits where the caller was promised 16 (None: not so)."""
    if not (isinstance(got, np.ndarray) and got.dtype.kind == "f" and got.dtype.itemsize < 8
            and np.asarray(expected).dtype == np.float64):
        return None
    name = got.dtype.name
    return (f"returned {name} values: the right numbers to {name}'s few digits, but float64 {inputs} call for a "
            f"float64 result (about 16 significant digits); {advice}")


def _type_problem(case: Case, outputs: Mapping[str, np.ndarray], meta: ReplyMeta, promised: str | None) -> str | None:
    """What is wrong with the type of a case's result whose values are right (None: nothing)."""
    returned = meta.type
    if not returned or meta.parts is not None:
        return None
    got = outputs.get("value")
    tensors = [a for a in (*case.args, *case.kwargs.values()) if isinstance(a, Tensor)]
    if tensors:  # a tensor or an array will do, but float64 tensors in call for a float64 result
        floats = [t.dtype for t in tensors if t.dtype.startswith("float")]
        if case.dtype is not None or not floats or any(d != "float64" for d in floats):
            return None  # a declared dtype is checked as such
        return _narrowed(got, case.expect, "tensors",
                         "keep the caller's dtype and do not cast the result down (.float() is float32)")
    if promised is None:
        return None
    if promised == "array" and returned != "numpy.ndarray":
        return (f"returned a {returned}, not a NumPy array: the right numbers, but the function promises an np.ndarray "
                "(its caller uses .shape and axis= reductions); return one, e.g. np.asarray(...) of your result")
    if promised == "number" and not (returned in NUMBER_TYPES or returned.startswith("numpy.")):
        return (f"returned a {returned}, not a number: the right value, but the function promises a float; "
                "return float(...) of your result")
    if any(d != np.float64 for d in _floats_in(case)):
        return None
    return _narrowed(got, case.expect, "inputs", "compute in float64 and do not cast the result down")


def _args_problem(case: Case, outputs: Mapping[str, np.ndarray], exercise: Exercise, lesson: Lesson,
                  hidden: bool) -> str | None:
    """What is wrong with the arguments a function must change in place (``expect_args``; None: all right)."""
    for index, after in sorted(case.expect_args.items()):
        name = lesson.argument_name(exercise.name, index)
        listed = isinstance(after, (list, tuple))
        sent = dict(_sent(case, index))  # as it was sent, by the output name it comes back under
        for part, expected in enumerate(after if listed else [after]):
            output = f"arg:{index}.{part}" if listed else f"arg:{index}"
            got = outputs.get(output)
            if not isinstance(got, np.ndarray):
                return f"{name} could not be read back after the call"
            comparison = compare_output(got, expected, case.tolerance, hidden)
            if not comparison.ok:
                label = f"{name}[{part}] after the call: " if listed else f"{name} after the call: "
                before = sent.get(output)
                if before is not None and np.array_equal(np.asarray(before), got, equal_nan=True):
                    return f"{label}left as it was: the function must change it in place (not a copy of it)"
                if comparison.says_values:
                    return label + comparison.problem
                return _explain(label, expected, got, comparison.problem, hidden)
    return None


def _returned(outputs: Mapping[str, np.ndarray], meta: ReplyMeta) -> str:
    value = outputs.get("value")
    return show(value) if isinstance(value, np.ndarray) else f"a {meta.type or 'tuple'}"


def _gradient_missing(case: Case, outputs: Mapping[str, np.ndarray], meta: ReplyMeta) -> bool:
    """grad_flows: does the result fail to carry a gradient back to some argument that requires one?"""
    if not meta.requires_grad:
        return True
    return any(isinstance(arg, Tensor) and arg.requires_grad and f"grad:{index}" not in outputs
               for index, arg in enumerate(case.args))


# A class's submissions send back the same replies again and again (every correct one, each common mistake):
# a case's verdict is a function of the reply alone, so it is found once per distinct reply. Bounded in
# entries and in bytes: only replies whose outputs are small are kept (a key holds their bytes), so a
# submission that returns huge arrays costs the grader no memory beyond its own grading.
_VERDICTS: IdentityCache[CaseVerdict | None] = IdentityCache(2048)
MAX_CACHED_REPLY_BYTES = 32 * 1024  # 2,048 keys of at most this: 64 MiB at the very worst, a few MiB in practice


def verify_case(case: Case, reply: CallReply, exercise: Exercise, lesson: Lesson, hidden: bool,
                name_mistakes: bool = True) -> CaseVerdict | None:
    """The case's verdict: None when it passed. ``name_mistakes=False``: whether it passed is all that is asked
    (the same None or not; a failure then names no known mistake, which costs a comparison with each)."""
    if sum(v.nbytes for v in reply.outputs.values() if isinstance(v, np.ndarray)) > MAX_CACHED_REPLY_BYTES:
        return _verify_case(case, reply, exercise, lesson, hidden, name_mistakes)
    try:
        key = (hidden, name_mistakes, reply.key)  # all of the reply: everything a verdict reads
        hash(key)
    except TypeError:  # a reply of some unforeseen, unhashable field: judged afresh
        return _verify_case(case, reply, exercise, lesson, hidden, name_mistakes)
    return _VERDICTS.get((case, exercise, lesson), key,
                         lambda: _verify_case(case, reply, exercise, lesson, hidden, name_mistakes))


def _verify_case(case: Case, reply: CallReply, exercise: Exercise, lesson: Lesson, hidden: bool,
                 name_mistakes: bool) -> CaseVerdict | None:
    def matching() -> tuple[str, ...]:
        return matching_mistakes(case, outputs, exercise, lesson) if name_mistakes else ()

    status = reply.status
    if status is ReplyStatus.NOT_IMPLEMENTED:
        return CaseVerdict("not implemented yet (it still raises NotImplementedError)", not_implemented=True)
    shortcut = _forbidden_reached(reply, exercise)
    if shortcut is not None:
        return CaseVerdict(FORBIDDEN.format(name=shortcut))
    if status is ReplyStatus.BAD_OUTPUT:
        return CaseVerdict(reply.detail)
    if status is ReplyStatus.RAISED:
        exception = reply.exception or ExceptionInfo()
        if case.raises and case.raises in exception.mro:
            return None
        problem = f"raised {exception_text(exception)}"
        if case.raises:  # an assert or a TypeError where the contract says ValueError: say which was expected
            problem += f", not the {case.raises} it should raise"
        return CaseVerdict(problem, _mistake_from_exception(exception, exercise, case, lesson) or case.raised_instead)
    outputs, meta = reply.outputs, reply.meta
    if status is not ReplyStatus.OK or not (isinstance(outputs.get("value"), np.ndarray) or meta.parts is not None):
        return CaseVerdict("the worker's reply could not be read")
    if case.raises:
        return _named(f"returned {_returned(outputs, meta)} instead of raising {case.raises}", matching(),
                      case.returned_instead)
    for index, mistake_id in case.unchanged.items():
        change = next((c for name, before in _sent(case, index)
                       if (c := _changed(np.asarray(before), outputs.get(name))) is not None), None)
        if change is not None:
            problem, rounding = change
            return CaseVerdict(problem, case.drifted if rounding and case.drifted else mistake_id)
    if not case.checks_values:
        return None  # a check of one property (the input left unchanged): the value checks judge the values
    problem = _result_problem(case, outputs, meta, hidden)
    if problem is not None:
        return _named(problem, matching())
    problem = _type_problem(case, outputs, meta, promised_kind(lesson.promised_returns.get(exercise.name)))
    if problem is not None:
        return CaseVerdict(problem, type_only=True)
    problem = _args_problem(case, outputs, exercise, lesson, hidden)
    if problem is not None:
        return _named(problem, matching())
    if case.grad_flows and _gradient_missing(case, outputs, meta):
        return CaseVerdict(_no_gradient(meta), case.detached)
    for index, expected_grad in case.expect_grad.items():
        grad = outputs.get(f"grad:{index}")
        if grad is None:
            return CaseVerdict(_no_gradient(meta), case.detached)
        comparison = compare(grad, expected_grad, case.tolerance, hidden)
        if not comparison.ok:
            label = f"gradient of {lesson.argument_name(exercise.name, index)}: "
            return _named(_explain(label, expected_grad, grad, comparison.problem, hidden), matching())
    return None


def _alternatives(also: tuple[str, ...], exercise: Exercise) -> str:
    if not also:
        return ""
    titles = " or ".join(exercise.mistakes[m].title for m in also)
    return f" (or {titles}: the same output on these inputs)"


class PassedCases:
    """The exercise's cases that came back right, found once per exercise and only when a name needs them."""

    def __init__(self, calls: tuple[tuple[Case, str, bool], ...], replies: Mapping[str, CallReply],
                 exercise: Exercise, lesson: Lesson) -> None:
        self._calls, self._replies, self._exercise, self._lesson = calls, replies, exercise, lesson
        self._passed: tuple[Case, ...] | None = None
        self._verdicts: dict[str, CaseVerdict | None] = {}  # call id -> its verdict, as check_result found it

    def verdict(self, case: Case, call_id: str, reply: CallReply, hidden: bool) -> CaseVerdict | None:
        """verify_case's verdict, found once for each call (check_result's and this class's)."""
        if call_id not in self._verdicts:
            self._verdicts[call_id] = verify_case(case, reply, self._exercise, self._lesson, hidden)
        return self._verdicts[call_id]

    def _passes(self, case: Case, call_id: str, reply: CallReply, hidden: bool) -> bool:
        if call_id in self._verdicts:
            return self._verdicts[call_id] is None
        return verify_case(case, reply, self._exercise, self._lesson, hidden, name_mistakes=False) is None

    def raised_on_a_value_case(self, exception_type: str, mistake_id: str) -> bool:
        """Did a case that must return a value, and that does not itself name ``mistake_id`` for raising, raise this
        type of exception too? Then raising it is how the function fails everywhere (say, on the input's shape),
        not the mistake a case names for raising it there (refusing an int temperature, an assert for the
        promised ValueError)."""
        for case, call_id, _ in self._calls:
            reply = self._replies.get(call_id)
            if reply is None or case.raises or case.raised_instead == mistake_id:
                continue
            if reply.status is ReplyStatus.RAISED and reply.exception is not None \
                    and reply.exception.type == exception_type:
                return True
        return False

    def raises_otherwise(self, mistake_id: str) -> bool:
        """Is there a case on which the mistake raises a known exception (its prediction raises) but the
        submission did not raise exactly that? Then it is not the mistake, whatever one case's error showed.
        Asked only of a mistake that an exception shows (lesson.yaml's ``raises``): no other predicts one."""
        mistake = self._exercise.mistakes.get(mistake_id)
        if mistake is None or (mistake.raises is None and mistake.raises_like is None):
            return False
        for case, call_id, _ in self._calls:
            reply = self._replies.get(call_id)
            raised = None if reply is None else _predictions.raised(mistake_id, case, self._lesson)
            if raised is None:
                continue
            exception = reply.exception if reply is not None and reply.status is ReplyStatus.RAISED else None
            if exception is None or (exception.type, exception.message) != raised:
                return True
        return False

    def __call__(self) -> tuple[Case, ...]:
        if self._passed is None:
            passed = []
            for case, call_id, hidden in self._calls:
                reply = self._replies.get(call_id)
                if reply is not None and case.checks_values and not case.raises and \
                        self._passes(case, call_id, reply, hidden):
                    passed.append(case)
            self._passed = tuple(passed)
        return self._passed


def _named_for_raising(case: Case, reply: CallReply, finding: CaseVerdict, exercise: Exercise) -> bool:
    """Was the finding's name given by the case for raising (``raised_instead``), rather than by the exception
    itself (lesson.yaml's ``raises``: a message that shows the mistake wherever it is raised)?"""
    return (reply.status is ReplyStatus.RAISED and reply.exception is not None and finding.mistake is not None
            and finding.mistake == case.raised_instead
            and _mistake_from_exception(reply.exception, exercise) != finding.mistake)


def _contradicted(mistake_id: str, passed: tuple[Case, ...], lesson: Lesson) -> bool:
    """Would this mistake have got a case wrong that the submission got right? Then it is not the mistake."""
    if mistake_id not in lesson.predictions:
        return False  # a mistake seen through behaviour (a changed input, no ValueError) is named by its case
    return any(_predictions.wrong_on(mistake_id, case, lesson) for case in passed)


def _consistent(finding: CaseVerdict, passed: PassedCases, lesson: Lesson) -> CaseVerdict:
    """The finding with only the names that no correctly answered case rules out, nor any case on which the
    mistake would raise an exception the submission did not raise."""
    if finding.mistake is None or finding.mistake not in lesson.predictions:
        return finding
    names = [m for m in (finding.mistake, *finding.also)
             if not _contradicted(m, passed(), lesson) and not passed.raises_otherwise(m)]
    if not names:
        return CaseVerdict(finding.problem, None, finding.not_implemented)
    return CaseVerdict(finding.problem, names[0], finding.not_implemented, tuple(names[1:]))


def _first_finding(check: Check, cases: tuple[Case, ...], replies: Mapping[str, CallReply], call_ids: tuple[str, ...],
                   exercise: Exercise, lesson: Lesson, unanswered: str,
                   passed: PassedCases | None) -> tuple[Case, CallReply | None, CaseVerdict] | None:
    """The check's first failing case, its reply and its verdict (None: every case passed). Right values of the
    wrong type or precision count only when no later case has wrong values, which say more (float32 work is
    right to 7 digits on ordinary inputs, and a known mistake on hard ones)."""
    wrong_type: tuple[Case, CallReply | None, CaseVerdict] | None = None
    for case, call_id in zip(cases, call_ids):
        reply = replies.get(call_id)
        finding = CaseVerdict(unanswered) if reply is None else verify_case(case, reply, exercise, lesson, check.hidden) \
            if passed is None else passed.verdict(case, call_id, reply, check.hidden)
        if finding is None:
            continue
        if not finding.type_only:
            return case, reply, finding
        wrong_type = wrong_type or (case, reply, finding)
    return wrong_type


def check_result(
    check: Check,
    cases: tuple[Case, ...],
    replies: Mapping[str, CallReply],
    call_ids: tuple[str, ...],
    exercise: Exercise,
    lesson: Lesson,
    unanswered: str,
    passed: PassedCases | None = None,
) -> tuple[CheckResult, bool]:
    """The check's result, and whether the function was not implemented at all. ``passed`` (the exercise's
    cases that came back right) rules out names that those cases contradict."""
    first = _first_finding(check, cases, replies, call_ids, exercise, lesson, unanswered, passed)
    if first is not None:
        case, reply, finding = first
        if passed is not None:
            finding = _consistent(finding, passed, lesson)
            if reply is not None and _named_for_raising(case, reply, finding, exercise) and \
                    passed.raised_on_a_value_case(reply.exception.type, finding.mistake):  # type: ignore[union-attr]
                finding = CaseVerdict(finding.problem, None, finding.not_implemented)
        message = f"{case.describe}: {finding.problem}"
        if finding.mistake:
            mistake = exercise.mistakes[finding.mistake]
            message += f"\nLooks like {mistake.title}{_alternatives(finding.also, exercise)}. {mistake.hint}"
        result = CheckResult(check.name, check.points, False, check.hidden, message, finding.mistake)
        return result, finding.not_implemented
    return CheckResult(check.name, check.points, True, check.hidden), False
