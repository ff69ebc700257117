"""What each known-wrong implementation returns, so feedback can say which mistake an output shows.

Each prediction takes the reference module and a case and returns the outputs the mistake would
produce ("value", and "grad:0" for torch exercises), or None where the case cannot show it.
Mistakes seen through behaviour rather than values (a changed input, no ValueError, a detached
loss) are named by the cases themselves.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from grader.core.checks import Case
from grader.lessons.softmax_cross_entropy import wrong_forms as forms
from grader.lessons.softmax_cross_entropy.math import mean_loss_and_grad
from grader.lessons.softmax_cross_entropy.wrong_forms import softmax_then_loss

Outputs = dict[str, npt.ArrayLike]  # by output name: "value", "grad:0"


def _softmax_parts(case: Case) -> tuple[np.ndarray, int]:
    z = np.asarray(case.plain_args()[0], dtype=float)
    return z, int(case.kwargs.get("axis", -1))


def _values(arrays: list[np.ndarray]) -> list[Outputs]:
    return [{"value": array} for array in arrays]


def no_max_shift(ref: ModuleType, case: Case) -> list[Outputs]:
    z, axis = _softmax_parts(case)
    return _values(forms.unshifted_softmaxes(z, axis))


def whole_array_normalised(ref: ModuleType, case: Case) -> list[Outputs] | None:
    z, axis = _softmax_parts(case)
    return _values(forms.whole_array_softmaxes(z, axis)) if z.ndim > 1 else None


def shift_numerator_only(ref: ModuleType, case: Case) -> Outputs:
    z, axis = _softmax_parts(case)
    return {"value": forms.numerator_shifted_softmax(z, axis)}


def global_max(ref: ModuleType, case: Case) -> Outputs:
    z, axis = _softmax_parts(case)
    e = np.exp(z - z.max())
    return {"value": e / e.sum(axis=axis, keepdims=True)}


def wrong_axis(ref: ModuleType, case: Case) -> list[Outputs] | None:
    """The softmax along one fixed axis, whatever `axis` says: every axis is listed, the asked one too (fixed
    code gets that case right, so a right answer there does not rule the mistake out)."""
    z, axis = _softmax_parts(case)
    if z.ndim < 2:
        return None
    return [{"value": ref.stable_softmax(z, axis=each)} for each in range(z.ndim)]


def temperature_multiplied(ref: ModuleType, case: Case) -> Outputs | None:
    """softmax(z * T). Not on a T <= 0 case: there z * T at T = -1 is z / T, so an output that matches
    shows only the missing ValueError (the case names it), not which way the temperature went."""
    if case.raises:
        return None
    z, temperature = case.plain_args()
    return {"value": ref.stable_softmax(np.asarray(z, float) * temperature, axis=case.kwargs.get("axis", -1))}


def _scaled(case: Case) -> tuple[np.ndarray, int] | None:
    """The temperature exercise's logits / T, or None for a T <= 0 case (those must raise)."""
    if case.raises:
        return None
    z, temperature = case.plain_args()
    return np.asarray(z, float) / temperature, int(case.kwargs.get("axis", -1))


def temperature_no_max_shift(ref: ModuleType, case: Case) -> list[Outputs] | None:
    scaled = _scaled(case)
    return None if scaled is None else _values(forms.unshifted_softmaxes(*scaled))


def temperature_shift_numerator_only(ref: ModuleType, case: Case) -> list[Outputs] | None:
    """exp(z / T - m) / sum(exp(z / T)): the max taken off above the fraction bar only, per slice or, as in the
    one-example snippet applied to a batch, one max and one sum over the whole array."""
    scaled = _scaled(case)
    if scaled is None:
        return None
    z, axis = scaled
    return _values([forms.numerator_shifted_softmax(z, axis), np.exp(z - z.max()) / np.exp(z).sum()])


def temperature_whole_array(ref: ModuleType, case: Case) -> list[Outputs] | None:
    scaled = _scaled(case)
    return None if scaled is None or scaled[0].ndim < 2 else _values(forms.whole_array_softmaxes(*scaled))


def temperature_ignores_axis(ref: ModuleType, case: Case) -> list[Outputs] | None:
    """softmax(logits / T) along one fixed axis whatever `axis` says: the last one when the axis is not passed
    on, dim 0 or dim 1 in code written for one example or one batch. Every axis is listed, the asked one too
    (fixed code gets that case right, so a right answer there does not rule the mistake out), as wrong_axis."""
    scaled = _scaled(case)
    if scaled is None or scaled[0].ndim < 2:
        return None
    return [{"value": ref.stable_softmax(scaled[0], axis=each)} for each in range(scaled[0].ndim)]


def temperature_clamped(ref: ModuleType, case: Case) -> Outputs | None:
    """T <= 0 replaced by a tiny positive floor: the softmax of z / 1e-8 is one-hot on the largest logit."""
    if not case.raises:
        return None
    z, _ = case.plain_args()
    return {"value": forms.one_hot_argmax(np.asarray(z, float), int(case.kwargs.get("axis", -1)))}


def softmax_in_float32(ref: ModuleType, case: Case) -> list[Outputs]:
    """The reference on float32-rounded logits, or the softmax in float32 arithmetic throughout."""
    z, axis = _softmax_parts(case)
    return _values([ref.stable_softmax(forms.single_precision(z), axis=axis), forms.float32_softmax(z, axis)])


def temperature_in_float32(ref: ModuleType, case: Case) -> list[Outputs] | None:
    scaled = _scaled(case)
    if scaled is None:
        return None
    z, temperature = case.plain_args()
    rounded = forms.single_precision(np.asarray(z, float))
    return _values([ref.stable_softmax(rounded / temperature, axis=scaled[1]),
                    ref.stable_softmax(forms.single_precision(rounded / temperature), axis=scaled[1]),
                    forms.float32_softmax(np.float32(rounded) / np.float32(temperature), scaled[1])])


def temperature_floor_division(ref: ModuleType, case: Case) -> Outputs | None:
    """softmax(logits // T): floor division rounds the scaled logits down to whole numbers."""
    scaled = _scaled(case)
    if scaled is None:
        return None
    z, temperature = case.plain_args()
    return {"value": ref.stable_softmax(np.asarray(z, float) // temperature, axis=scaled[1])}


def _target_probability(case: Case) -> tuple[np.ndarray, int]:
    z, target = case.plain_args()
    return np.asarray(z, dtype=float), int(target)


def neg_log_softmax(ref: ModuleType, case: Case) -> Outputs:
    z, target = _target_probability(case)
    return {"value": -np.log(ref.stable_softmax(z)[target])}


def clipped_log(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    p = ref.stable_softmax(z)[target]
    return [{"value": -np.log(np.clip(p, floor, 1.0))} for floor in forms.EPSILON_FLOORS]


def probability_plus_epsilon(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    p = ref.stable_softmax(z)[target]
    return [{"value": -np.log(p + floor)} for floor in forms.EPSILON_FLOORS]


def logsumexp_no_shift(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    from_softmax = [-np.log(p[target]) for p in forms.unshifted_softmaxes(z, -1)]
    return _values([forms.unshifted_logsumexp(z) - z[target], *from_softmax])


def loss_averaged_over_classes(ref: ModuleType, case: Case) -> Outputs:
    z, target = _target_probability(case)
    return {"value": forms.over_the_classes(ref.cross_entropy_from_logits(z, target), z.size)}


def loss_in_float32(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    return _values([ref.cross_entropy_from_logits(forms.single_precision(z), target),
                    forms.float32_position_losses(z[None, :], np.array([target]))[0]])


def gradient_in_float32(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    return _values([ref.cross_entropy_gradient(forms.single_precision(z), target), forms.float32_gradient(z, target)])


def gradient_no_max_shift(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    y = np.eye(z.size)[target]
    return _values([p - y for p in forms.unshifted_softmaxes(z, -1)])


def negated(ref: ModuleType, case: Case) -> Outputs:
    """The right loss with its sign flipped (log p instead of -log p): every output negated."""
    outputs = {"value": -np.asarray(case.expect, float)}
    outputs.update({f"grad:{i}": -np.asarray(g, float) for i, g in case.expect_grad.items()})
    return outputs


def gradient_sign_flipped(ref: ModuleType, case: Case) -> Outputs:
    z, target = _target_probability(case)
    return {"value": -ref.cross_entropy_gradient(z, target)}


def gradient_missing_one_hot(ref: ModuleType, case: Case) -> Outputs:
    """p alone: the one-hot target never subtracted (y[t] == 1, a comparison, leaves y all zeros)."""
    z, _ = _target_probability(case)
    return {"value": ref.stable_softmax(z)}


def gradient_without_softmax(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    y = np.eye(z.size)[target]
    return [{"value": z - y}, {"value": np.exp(z) - y}]


def _positions(case: Case) -> tuple[np.ndarray, np.ndarray]:
    z, targets = case.plain_args()
    return np.asarray(z, dtype=float), np.asarray(targets)


def fancy_index_table(ref: ModuleType, case: Case) -> list[Outputs]:
    """-log_probs[:, targets]: every target column for every row, from log-space or from probabilities."""
    z, targets = _positions(case)
    in_log_space = forms.shifted_logsumexp(z, axis=1)[:, None] - z[:, targets]
    from_probabilities = -np.log(ref.stable_softmax(z, axis=-1))[:, targets]
    return _values([in_log_space, from_probabilities])


def fancy_index_broadcast(ref: ModuleType, case: Case) -> Outputs:
    """A 1-D log-sum-exp (one per row) minus the (T, T) table: row i pairs with column i's target."""
    z, targets = _positions(case)
    return {"value": forms.shifted_logsumexp(z, axis=1)[None, :] - z[:, targets]}


def positions_log_of_softmax(ref: ModuleType, case: Case) -> Outputs:
    """-log(softmax(z)[t]): stable softmax, but the log of a probability that can underflow to 0."""
    z, targets = _positions(case)
    return {"value": -np.log(ref.stable_softmax(z, axis=-1)[np.arange(z.shape[0]), targets])}


def positions_averaged_over_vocabulary(ref: ModuleType, case: Case) -> Outputs:
    z, targets = _positions(case)
    return {"value": forms.over_the_classes(ref.per_position_cross_entropy(z, targets), z.shape[1])}


def mean_loss_averaged_over_vocabulary(ref: ModuleType, case: Case) -> list[Outputs]:
    """-np.mean(one_hot * log_probs) over the whole (T, V) table (the mean over positions divided by V),
    or the sum of the losses divided by V."""
    z, targets = _positions(case)
    losses = ref.per_position_cross_entropy(z, targets)
    return _values([forms.over_the_classes(np.mean(losses), z.shape[1]),
                    forms.over_the_classes(np.sum(losses), z.shape[1])])


def positions_in_float32(ref: ModuleType, case: Case) -> list[Outputs]:
    z, targets = _positions(case)
    return _values([ref.per_position_cross_entropy(forms.single_precision(z), targets),
                    forms.float32_position_losses(z, targets)])


def mean_loss_in_float32(ref: ModuleType, case: Case) -> list[Outputs]:
    z, targets = _positions(case)
    return _values([ref.sequence_mean_loss(forms.single_precision(z), targets),
                    np.mean(forms.float32_position_losses(z, targets))])


def positions_wrong_axis(ref: ModuleType, case: Case) -> Outputs:
    """The log-sum-exp taken down each column (axis=0) instead of along each row."""
    z, targets = _positions(case)
    log_probs = z - forms.shifted_logsumexp(z, axis=0)[None, :]
    return {"value": -log_probs[np.arange(z.shape[0]), targets]}


def positions_global_max(ref: ModuleType, case: Case) -> list[Outputs]:
    """One max over the whole (T, V) array: a row far below it underflows to log(0) = -inf."""
    z, targets = _positions(case)
    m = z.max()
    picked = z[np.arange(z.shape[0]), targets]
    from_logsumexp = m + np.log(np.exp(z - m).sum(axis=1)) - picked
    e = np.exp(z - m)
    from_softmax = -np.log((e / e.sum(axis=1, keepdims=True))[np.arange(z.shape[0]), targets])
    return _values([from_logsumexp, from_softmax])


def mean_loss_fancy_index_table(ref: ModuleType, case: Case) -> list[Outputs]:
    """np.mean of the (T, T) table logits[:, targets] gives: T * T entries averaged, not T."""
    return _values([np.mean(table) for table in forms.target_tables(*_positions(case))])


def mean_loss_floor_division(ref: ModuleType, case: Case) -> Outputs:
    z, targets = _positions(case)
    losses = ref.per_position_cross_entropy(z, targets)
    return {"value": np.sum(losses) // len(losses)}


def positions_no_max_shift(ref: ModuleType, case: Case) -> list[Outputs]:
    return _values(forms.unshifted_position_losses(*_positions(case)))


def mean_loss_no_max_shift(ref: ModuleType, case: Case) -> list[Outputs]:
    return _values([np.mean(losses) for losses in forms.unshifted_position_losses(*_positions(case))])


def sum_not_mean(ref: ModuleType, case: Case) -> Outputs:
    z, targets = case.plain_args()
    return {"value": np.sum(ref.per_position_cross_entropy(np.asarray(z, float), targets))}


def _forward_differences(f: Callable[[np.ndarray], float], x: np.ndarray, step: float) -> np.ndarray:
    base = f(x)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        shifted = x.copy()
        shifted[index] += step
        grad[index] = (f(shifted) - base) / step
    return grad


def forward_difference(ref: ModuleType, case: Case) -> list[Outputs]:
    """Forward differences with the given epsilon, or with a fixed step of their own (two mistakes in
    one: the forward difference is named first, the fixed step then shows on its own)."""
    f, x, epsilon = _differences(case)
    # A fixed step below 1e-5 is left out: forward differences that fine are as close to the true slope
    # as central ones, and would claim a central difference with a fixed step (fixed_step's output).
    steps = [epsilon, *(step for step in forms.COMMON_FIXED_STEPS if step != epsilon and step >= 1e-5)]
    return _values([_forward_differences(f, x, step) for step in steps])


def difference_precedence(ref: ModuleType, case: Case) -> Outputs:
    f, x, epsilon = _differences(case)
    return {"value": forms.precedence_differences(f, x, epsilon)}


def differences_in_float32(ref: ModuleType, case: Case) -> Outputs:
    f, x, epsilon = _differences(case)
    return {"value": forms.float32_central_differences(f, x, epsilon)}


def central_difference_missing_two(ref: ModuleType, case: Case) -> Outputs:
    """(f(x + eps e_i) - f(x - eps e_i)) / eps: the central difference twice over."""
    f, x, epsilon = _differences(case)
    return {"value": 2 * forms.central_differences(f, x, epsilon)}


def _differences(case: Case) -> tuple[Callable[[np.ndarray], float], np.ndarray, float]:
    """f, x and the step, which the case passes by name (epsilon=...), by position, or not at all (1e-5)."""
    f, x, *rest = case.plain_args()
    epsilon = rest[0] if rest else case.kwargs.get("epsilon", 1e-5)
    return f, np.asarray(x, dtype=float), float(epsilon)


def fixed_step(ref: ModuleType, case: Case) -> list[Outputs]:
    f, x, epsilon = _differences(case)
    return _values([forms.central_differences(f, x, step) for step in forms.COMMON_FIXED_STEPS if step != epsilon])


def perturbs_whole_row(ref: ModuleType, case: Case) -> Outputs | None:
    f, x, epsilon = _differences(case)
    return {"value": forms.row_differences(f, x, epsilon)} if x.ndim > 1 else None


def perturbs_all_elements(ref: ModuleType, case: Case) -> list[Outputs]:
    """One directional derivative copied into every entry, or returned as the single number it is."""
    f, x, epsilon = _differences(case)
    everywhere = forms.all_at_once_differences(f, x, epsilon)
    return _values([everywhere, np.asarray(everywhere.flat[0])])


def f_on_a_slice(ref: ModuleType, case: Case) -> list[Outputs]:
    """f(x[i] + eps): on one element, or on one row of a 2-D x."""
    f, x, epsilon = _differences(case)
    slicings = [forms.element_differences] + ([forms.row_slice_differences] if x.ndim > 1 else [])
    outputs = []
    for differences in slicings:
        try:
            outputs.append({"value": differences(f, x, epsilon)})
        except (IndexError, ValueError, TypeError):
            pass  # f needs the whole array: the student's call raises instead (named by raises_like)
    return outputs


def _torch_inputs(case: Case) -> tuple[np.ndarray, np.ndarray]:
    z, targets = case.plain_args()
    return np.asarray(z, dtype=float), np.asarray(targets)


def _flat(function: Callable[..., tuple[float, np.ndarray]], ref: ModuleType, case: Case) -> Outputs:
    z, targets = _torch_inputs(case)
    loss, grad = function(ref, z.reshape(-1, z.shape[-1]), targets.reshape(-1))
    return {"value": loss, "grad:0": grad.reshape(z.shape)}


def softmax_before_loss(ref: ModuleType, case: Case) -> Outputs:
    return _flat(softmax_then_loss, ref, case)


def loss_per_example(ref: ModuleType, case: Case) -> Outputs:
    """reduction='none': each row's loss, an (N,) tensor, not their mean. No gradient is predicted: a result of
    more than one number has none to give, and a batch of one's is the right one."""
    z, targets = _torch_inputs(case)
    return {"value": ref.per_position_cross_entropy(z.reshape(-1, z.shape[-1]), targets.reshape(-1))}


def reduction_sum(ref: ModuleType, case: Case) -> Outputs:
    z, targets = _torch_inputs(case)
    rows = z.reshape(-1, z.shape[-1]).shape[0]
    outputs = _flat(mean_loss_and_grad, ref, case)
    return {"value": outputs["value"] * rows, "grad:0": outputs["grad:0"] * rows}


def nll_loss_on_logits(ref: ModuleType, case: Case) -> Outputs:
    z, targets = _torch_inputs(case)
    loss, grad = forms.nll_of_logits(z.reshape(-1, z.shape[-1]), targets.reshape(-1))
    return {"value": loss, "grad:0": grad.reshape(z.shape)}


def loss_over_the_classes(ref: ModuleType, case: Case) -> Outputs:
    """-(one_hot * log_softmax(logits)).mean() over the whole (N, C) table: the loss and its gradient / C."""
    z, _ = _torch_inputs(case)
    outputs = _flat(mean_loss_and_grad, ref, case)
    return {key: forms.over_the_classes(value, z.shape[-1]) for key, value in outputs.items()}


def torch_loss_no_max_shift(ref: ModuleType, case: Case) -> list[Outputs]:
    """exp(logits) / sum by hand, then -log of the target's share: NaN once a logit overflows exp."""
    z, targets = _torch_inputs(case)
    return _values([np.mean(losses) for losses in
                    forms.unshifted_position_losses(z.reshape(-1, z.shape[-1]), targets.reshape(-1))])


def log_softmax_over_positions(ref: ModuleType, case: Case) -> Outputs:
    """log_softmax(dim=1) of (B, T, V) logits normalises over T; for (N, C) logits, dim=0 over the batch."""
    z, targets = _torch_inputs(case)
    if z.ndim == 2:
        loss, grad = forms.softmax_over_positions_losses(z[None], targets[None])
        return {"value": loss, "grad:0": grad[0]}
    loss, grad = forms.softmax_over_positions_losses(z, targets)
    return {"value": loss, "grad:0": grad}


def backward_inside(ref: ModuleType, case: Case) -> Outputs:
    """backward(retain_graph=True) in the function, then the caller's: the right loss, the gradient twice."""
    return {"value": case.expect, **{f"grad:{i}": 2 * np.asarray(g, float) for i, g in case.expect_grad.items()}}


def unreshaped_sequence(ref: ModuleType, case: Case) -> Outputs | None:
    """(B, T, V) straight into nn.CrossEntropyLoss: dim 1 (T) is taken as the classes."""
    z, targets = _torch_inputs(case)
    batch, positions, vocabulary = z.shape
    if positions != vocabulary:
        return None  # torch raises instead ("Expected target size ..."), named by raises_like
    by_class_last = z.transpose(0, 2, 1).reshape(-1, positions)
    loss, grad = mean_loss_and_grad(ref, by_class_last, targets.reshape(-1))
    return {"value": loss, "grad:0": grad.reshape(batch, vocabulary, positions).transpose(0, 2, 1)}


def sequence_targets_not_flattened(ref: ModuleType, case: Case) -> None:
    """(B * T, V) logits against (B, T) targets: nn.CrossEntropyLoss raises, and its message gives both counts,
    B * T rows and B targets. Raised here word for word, so that only this mismatch names the mistake, not any
    other one (logits cut into rows of the wrong width, targets shifted by a position). One position: None
    (the counts agree and torch refuses the 2-D target with a message lesson.yaml does not name)."""
    z, targets = _torch_inputs(case)
    if targets.ndim != 2 or targets.shape[1] == 1:
        return None
    batch, positions = targets.shape
    raise ValueError(f"Expected input batch_size ({batch * positions}) to match target batch_size ({batch}).")


def sequence_flat_index(ref: ModuleType, case: Case) -> Outputs:
    """-log_softmax(logits) read at the token ids as places in the flattened (B * T * V,) tensor (torch.take):
    id k is entry k % V of row k // V, the first row for every id; and its gradient."""
    z, targets = _torch_inputs(case)
    vocabulary = z.shape[-1]
    rows = z.reshape(-1, vocabulary)
    top = rows.max(axis=1, keepdims=True)
    log_p = rows - top - np.log(np.exp(rows - top).sum(axis=1, keepdims=True))
    flat = targets.reshape(-1)
    read_rows, read_columns = flat // vocabulary, flat % vocabulary
    count = flat.size
    grad = np.zeros_like(rows)
    p = np.exp(log_p)
    for row, column in zip(read_rows, read_columns):
        grad[row] += p[row] / count
        grad[row, column] -= 1.0 / count
    return {"value": -log_p[read_rows, read_columns].mean(), "grad:0": grad.reshape(z.shape)}


def sequence_reshaped_not_transposed(ref: ModuleType, case: Case) -> Outputs:
    """logits.reshape(B, V, T) read by nn.CrossEntropyLoss as (batch, classes, positions)."""
    z, targets = _torch_inputs(case)
    batch, positions, vocabulary = z.shape
    rows = z.reshape(batch, vocabulary, positions).transpose(0, 2, 1).reshape(-1, vocabulary)
    loss, grad = mean_loss_and_grad(ref, rows, targets.reshape(-1))
    return {"value": loss, "grad:0": grad.reshape(batch, positions, vocabulary).transpose(0, 2, 1).reshape(z.shape)}


def sequence_sum_over_batch(ref: ModuleType, case: Case) -> Outputs:
    """reduction='sum' divided by B: the mean over positions times T."""
    z, _ = _torch_inputs(case)
    outputs = _flat(mean_loss_and_grad, ref, case)
    positions = z.shape[1]
    return {"value": outputs["value"] * positions, "grad:0": outputs["grad:0"] * positions}


def sequence_loss_per_sequence(ref: ModuleType, case: Case) -> Outputs:
    """Each sequence's mean over its own positions, one per sequence (d2l's MaskedSoftmaxCELoss ends in
    .mean(dim=1)): a (B,) tensor, not the scalar mean. No gradient is predicted: a (B,) result has none to give."""
    z, targets = _torch_inputs(case)
    return {"value": np.array([mean_loss_and_grad(ref, z[b], targets[b])[0] for b in range(z.shape[0])])}


def sequence_sum_over_sequences(ref: ModuleType, case: Case) -> Outputs:
    """Each sequence's mean over its positions, summed over the batch (or reduction='sum' divided by T):
    the mean over all positions times B."""
    z, _ = _torch_inputs(case)
    outputs = _flat(mean_loss_and_grad, ref, case)
    batch = z.shape[0]
    return {"value": outputs["value"] * batch, "grad:0": outputs["grad:0"] * batch}


# --- the same wrong loss wherever a loss is computed (wrong_forms' per-row forms) ---------------------

RowLosses = Callable[..., "np.ndarray | list[np.ndarray]"]


def _as_list(losses: "np.ndarray | list[np.ndarray]") -> list[np.ndarray]:
    return losses if isinstance(losses, list) else [losses]


def _single_example(form: RowLosses) -> Callable[[ModuleType, Case], list[Outputs]]:
    def predict(ref: ModuleType, case: Case) -> list[Outputs]:
        z, target = _target_probability(case)
        return _values([losses[0] for losses in _as_list(form(z[None, :], np.array([target])))])
    return predict


def _each_position(form: RowLosses) -> Callable[[ModuleType, Case], list[Outputs]]:
    def predict(ref: ModuleType, case: Case) -> list[Outputs]:
        return _values(_as_list(form(*_positions(case))))
    return predict


def _mean_of_positions(form: RowLosses) -> Callable[[ModuleType, Case], list[Outputs]]:
    def predict(ref: ModuleType, case: Case) -> list[Outputs]:
        return _values([np.mean(losses) for losses in _as_list(form(*_positions(case)))])
    return predict


def _torch_mean(form: RowLosses) -> Callable[[ModuleType, Case], list[Outputs]]:
    """The form over the flattened rows in the tensor's own precision, averaged (the loss only: its gradient
    is not predicted)."""
    def predict(ref: ModuleType, case: Case) -> list[Outputs]:
        z, targets = _torch_inputs(case)
        rows, flat = z.reshape(-1, z.shape[-1]), targets.reshape(-1)
        single = getattr(case.args[0], "dtype", "float32") == "float32"
        return _values([np.mean(losses) for losses in _as_list(form(rows, flat, single=single))])
    return predict


def gradient_argmax_target(ref: ModuleType, case: Case) -> Outputs:
    z, _ = _target_probability(case)
    return {"value": ref.stable_softmax(z) - np.eye(z.size)[int(np.argmax(z))]}


def gradient_averaged_over_classes(ref: ModuleType, case: Case) -> Outputs:
    z, target = _target_probability(case)
    return {"value": forms.over_the_classes(ref.cross_entropy_gradient(z, target), z.size)}


def gradient_log_probabilities(ref: ModuleType, case: Case) -> list[Outputs]:
    """log p - y, from log-space (finite) or from the probabilities (-inf where p underflows)."""
    z, target = _target_probability(case)
    y = np.eye(z.size)[target]
    log_p = z - forms.shifted_logsumexp(z, axis=0)
    return _values([log_p - y, np.log(ref.stable_softmax(z)) - y])


def gradient_through_reciprocal(ref: ModuleType, case: Case) -> list[Outputs]:
    """The chain rule through dL/dp_y = -1 / p_y: with the softmax's Jacobian (every entry NaN once p_y underflows
    to 0, since inf * 0 is NaN in the product), or through 1 / exp(z_y - m) per entry (the target's entry NaN)."""
    z, target = _target_probability(case)
    p = ref.stable_softmax(z)
    e = np.exp(z - z.max())
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        upstream = np.zeros_like(p)
        upstream[target] = -1.0 / p[target]
        jacobian = (np.diag(p) - np.outer(p, p)) @ upstream
        du = np.full_like(e, 1.0 / e.sum())
        du[target] -= 1.0 / e[target]
        return _values([jacobian, du * e])


def gradient_sigmoid_derivative(ref: ModuleType, case: Case) -> list[Outputs]:
    """p(1 - p), the sigmoid's derivative, alone or times p - y."""
    z, target = _target_probability(case)
    p = ref.stable_softmax(z)
    return _values([p * (1 - p), (p - np.eye(z.size)[target]) * p * (1 - p)])


def temperature_after_softmax(ref: ModuleType, case: Case) -> list[Outputs] | None:
    """softmax(z) / T, or the softmax of softmax(z) / T: the temperature applied to probabilities."""
    if case.raises:
        return None
    z, temperature = case.plain_args()
    axis = int(case.kwargs.get("axis", -1))
    p = ref.stable_softmax(np.asarray(z, float), axis=axis)
    return _values([p / temperature, ref.stable_softmax(p / temperature, axis=axis)])


FIXED_TEMPERATURES = (1.0, 2.0, 0.5)  # what code that ignores its argument divides by: nothing, or a constant


def temperature_ignored(ref: ModuleType, case: Case) -> list[Outputs] | None:
    if case.raises:
        return None
    z, _ = case.plain_args()
    axis = int(case.kwargs.get("axis", -1))
    return _values([ref.stable_softmax(np.asarray(z, float) / fixed, axis=axis) for fixed in FIXED_TEMPERATURES])


def difference_times_epsilon(ref: ModuleType, case: Case) -> Outputs:
    f, x, epsilon = _differences(case)
    return {"value": forms.times_step_differences(f, x, epsilon)}


IGNORED_TOKEN_IDS = (0,)  # the ids code sets ignore_index to by habit (a padding token)


def ignore_index_real_token(ref: ModuleType, case: Case) -> list[Outputs]:
    """nn.CrossEntropyLoss(ignore_index=0): the positions whose target is token 0 leave the mean."""
    z, targets = _torch_inputs(case)
    rows, flat = z.reshape(-1, z.shape[-1]), targets.reshape(-1)
    outputs = []
    for ignored in IGNORED_TOKEN_IDS:
        keep = flat != ignored
        if keep.all() or not keep.any():
            continue
        loss, kept_grad = mean_loss_and_grad(ref, rows[keep], flat[keep])
        grad = np.zeros_like(rows)
        grad[keep] = kept_grad
        outputs.append({"value": loss, "grad:0": grad.reshape(z.shape)})
    return outputs


def torch_in_float32(ref: ModuleType, case: Case) -> list[Outputs] | None:
    """logits.float() (or a float32 cast) before the loss: float64 logits rounded and summed in float32."""
    z, targets = _torch_inputs(case)
    if case.args[0].dtype != "float64":
        return None
    rows, flat = z.reshape(-1, z.shape[-1]), targets.reshape(-1)
    rounded_loss, rounded_grad = mean_loss_and_grad(ref, forms.single_precision(rows), flat)
    in_float32 = float(np.mean(forms.float32_position_losses(rows, flat)))
    return [{"value": rounded_loss, "grad:0": rounded_grad.reshape(z.shape)}, {"value": in_float32}]


def sequence_shifted_targets(ref: ModuleType, case: Case) -> Outputs | None:
    """logits[:, :-1] scored against targets[:, 1:] (the causal-LM shift, though targets are already the next
    tokens): position t is judged on token t + 1, the last position on nothing."""
    z, targets = _torch_inputs(case)
    batch, positions, vocabulary = z.shape
    if positions < 2:
        return None
    rows = z[:, :-1].reshape(-1, vocabulary)
    loss, grad = mean_loss_and_grad(ref, rows, targets[:, 1:].reshape(-1))
    full = np.zeros_like(z)
    full[:, :-1] = grad.reshape(batch, positions - 1, vocabulary)
    return {"value": loss, "grad:0": full}


def sequence_broadcast_index(ref: ModuleType, case: Case) -> Outputs | None:
    """log_probs[..., range(T), targets] on (B, T, V): a (B, B, T) table pairing every sequence with every
    sequence's targets, averaged (right only when B == 1)."""
    z, targets = _torch_inputs(case)
    batch, positions, vocabulary = z.shape
    if batch == 1:
        return None
    log_probs = z - forms.shifted_logsumexp(z, axis=2)[..., None]
    table = log_probs[..., np.arange(positions), targets]
    return {"value": -float(np.mean(table))}


SMOOTHINGS = (0.1, 0.05, 0.2, 0.01)  # label smoothing as libraries and recipes default it


def label_smoothing(ref: ModuleType, case: Case) -> list[Outputs]:
    """(1 - s) * the loss + s * the mean of -log p over the classes (nn.CrossEntropyLoss(label_smoothing=s),
    timm's LabelSmoothingCrossEntropy): the target softened towards the uniform distribution."""
    z, targets = _torch_inputs(case)
    rows, flat = z.reshape(-1, z.shape[-1]), targets.reshape(-1)
    count, classes = rows.shape
    log_p = rows - forms.shifted_logsumexp(rows, axis=1)[:, None]
    p = np.exp(log_p)
    one_hot = np.eye(classes)[flat]
    outputs = []
    for s in SMOOTHINGS:
        loss = float(np.mean((1 - s) * -log_p[np.arange(count), flat] + s * -log_p.mean(axis=1)))
        grad = (p - ((1 - s) * one_hot + s / classes)) / count
        outputs.append({"value": loss, "grad:0": grad.reshape(z.shape)})
    return outputs


def mean_loss_whole_array_normalised(ref: ModuleType, case: Case) -> Outputs:
    """Each row shifted by its own max, but divided by the sum over the whole (T, V) array."""
    z, targets = _positions(case)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return {"value": float(np.mean(-np.log(e[np.arange(z.shape[0]), targets] / e.sum())))}


def sequence_time_major(ref: ModuleType, case: Case) -> Outputs | None:
    """logits.transpose(0, 1) flattened time-major, targets flattened batch-major: rows paired with the wrong
    targets."""
    z, targets = _torch_inputs(case)
    batch, positions, vocabulary = z.shape
    if batch == 1 or positions == 1:
        return None  # the two orders agree
    rows = z.transpose(1, 0, 2).reshape(-1, vocabulary)
    loss, grad = mean_loss_and_grad(ref, rows, targets.reshape(-1))
    return {"value": loss, "grad:0": grad.reshape(positions, batch, vocabulary).transpose(1, 0, 2)}


def mean_loss_pad_token_ignored(ref: ModuleType, case: Case) -> list[Outputs]:
    z, targets = _positions(case)
    return _values(forms.pad_masked_means(ref.per_position_cross_entropy(z, targets), targets))


def positions_pad_token_zeroed(ref: ModuleType, case: Case) -> Outputs | None:
    """Each loss times (target != 0): the positions of token 0 come back as 0."""
    z, targets = _positions(case)
    keep = np.asarray(targets) != forms.PAD_TOKEN
    return None if keep.all() else {"value": ref.per_position_cross_entropy(z, targets) * keep}


def mean_loss_label_smoothing(ref: ModuleType, case: Case) -> list[Outputs]:
    z, targets = _positions(case)
    return _values([float(np.mean(losses)) for s in SMOOTHINGS for losses in forms.smoothed_losses(z, targets, s)])


def aliased_copies(ref: ModuleType, case: Case) -> Outputs:
    f, x, epsilon = _differences(case)
    return {"value": forms.aliased_differences(f, x, epsilon)}


def loss_averaged_twice(ref: ModuleType, case: Case) -> Outputs | None:
    """The mean loss divided by the batch size again (criterion(logits, targets) / N): loss and gradient / N."""
    z, _ = _torch_inputs(case)
    rows = z.reshape(-1, z.shape[-1]).shape[0]
    if rows == 1:
        return None
    outputs = _flat(mean_loss_and_grad, ref, case)
    return {"value": outputs["value"] / rows, "grad:0": outputs["grad:0"] / rows}


def binary_cross_entropy_one_hot(ref: ModuleType, case: Case) -> Outputs:
    z, targets = _torch_inputs(case)
    loss, grad = forms.binary_cross_entropy_one_hot(z.reshape(-1, z.shape[-1]), targets.reshape(-1))
    return {"value": loss, "grad:0": grad.reshape(z.shape)}


def sequence_last_position_only(ref: ModuleType, case: Case) -> Outputs | None:
    """logits[:, -1] against targets[:, -1]: the mean loss of each sequence's last position, the rest ignored."""
    z, targets = _torch_inputs(case)
    if z.shape[1] == 1:
        return None
    loss, grad = mean_loss_and_grad(ref, z[:, -1], targets[:, -1])
    full = np.zeros_like(z)
    full[:, -1] = grad
    return {"value": loss, "grad:0": full}


def positions_keepdims_table(ref: ModuleType, case: Case) -> Outputs:
    """The log-sum-exp kept as a (T, 1) column minus the (T,) target logits: entry (i, j) = lse_i - z[j, t_j]."""
    z, targets = _positions(case)
    picked = z[np.arange(z.shape[0]), targets]
    return {"value": forms.shifted_logsumexp(z, axis=1)[:, None] - picked[None, :]}


def temperature_power_of_probabilities(ref: ModuleType, case: Case) -> Outputs | None:
    """softmax(z) ** (1 / T), renormalised (MixMatch's sharpening): softmax(z / T) except where p underflowed at T = 1."""
    if case.raises:
        return None
    z, temperature = case.plain_args()
    axis = int(case.kwargs.get("axis", -1))
    powered = ref.stable_softmax(np.asarray(z, float), axis=axis) ** (1.0 / temperature)
    return {"value": powered / powered.sum(axis=axis, keepdims=True)}


PREDICTIONS: dict[str, Callable[[ModuleType, Case], Any]] = {
    "no_max_shift": no_max_shift,
    "global_max": global_max,
    "wrong_axis": wrong_axis,
    "temperature_multiplied": temperature_multiplied,
    "neg_log_softmax": neg_log_softmax,
    "clipped_log": clipped_log,
    "gradient_sign_flipped": gradient_sign_flipped,
    "gradient_without_softmax": gradient_without_softmax,
    "fancy_index_table": fancy_index_table,
    "sum_not_mean": sum_not_mean,
    "forward_difference": forward_difference,
    "softmax_before_loss": softmax_before_loss,
    "reduction_sum": reduction_sum,
    "loss_per_example": loss_per_example,
    "unreshaped_sequence": unreshaped_sequence,
    "whole_array_normalised": whole_array_normalised,
    "shift_numerator_only": shift_numerator_only,
    "temperature_no_max_shift": temperature_no_max_shift,
    "temperature_whole_array": temperature_whole_array,
    "temperature_clamped": temperature_clamped,
    "temperature_ignores_axis": temperature_ignores_axis,
    "temperature_shift_numerator_only": temperature_shift_numerator_only,
    "positions_log_of_softmax": positions_log_of_softmax,
    "logsumexp_no_shift": logsumexp_no_shift,
    "probability_plus_epsilon": probability_plus_epsilon,
    "gradient_no_max_shift": gradient_no_max_shift,
    "gradient_through_reciprocal": gradient_through_reciprocal,
    "positions_no_max_shift": positions_no_max_shift,
    "fancy_index_broadcast": fancy_index_broadcast,
    "positions_negated": negated,
    "mean_loss_no_max_shift": mean_loss_no_max_shift,
    "mean_loss_negated": negated,
    "sequence_reshaped_not_transposed": sequence_reshaped_not_transposed,
    "sequence_loss_negated": negated,
    "sequence_sum_over_batch": sequence_sum_over_batch,
    "fixed_step": fixed_step,
    "perturbs_whole_row": perturbs_whole_row,
    "perturbs_all_elements": perturbs_all_elements,
    "f_on_a_slice": f_on_a_slice,
    "sequence_softmax_before_loss": softmax_before_loss,
    "sequence_reduction_sum": reduction_sum,
    "loss_averaged_over_classes": loss_averaged_over_classes,
    "cross_entropy_negated": negated,
    "gradient_missing_one_hot": gradient_missing_one_hot,
    "positions_averaged_over_vocabulary": positions_averaged_over_vocabulary,
    "mean_loss_averaged_over_vocabulary": mean_loss_averaged_over_vocabulary,
    "central_difference_missing_two": central_difference_missing_two,
    "nll_loss_on_logits": nll_loss_on_logits,
    "sequence_nll_loss_on_logits": nll_loss_on_logits,
    "torch_loss_averaged_over_classes": loss_over_the_classes,
    "sequence_loss_averaged_over_vocabulary": loss_over_the_classes,
    "torch_loss_no_max_shift": torch_loss_no_max_shift,
    "softmax_in_float32": softmax_in_float32,
    "temperature_in_float32": temperature_in_float32,
    "loss_in_float32": loss_in_float32,
    "gradient_in_float32": gradient_in_float32,
    "positions_in_float32": positions_in_float32,
    "mean_loss_in_float32": mean_loss_in_float32,
    "temperature_floor_division": temperature_floor_division,
    "positions_wrong_axis": positions_wrong_axis,
    "positions_global_max": positions_global_max,
    "mean_loss_fancy_index_table": mean_loss_fancy_index_table,
    "mean_loss_floor_division": mean_loss_floor_division,
    "difference_precedence": difference_precedence,
    "log_softmax_over_batch": log_softmax_over_positions,
    "sequence_log_softmax_over_positions": log_softmax_over_positions,
    "differences_in_float32": differences_in_float32,
    "sequence_sum_over_sequences": sequence_sum_over_sequences,
    "sequence_loss_per_sequence": sequence_loss_per_sequence,
    "backward_inside": backward_inside,
    "sequence_backward_inside": backward_inside,
    "loss_argmax_target": _single_example(forms.argmax_target_losses),
    "loss_summed_over_classes": _single_example(forms.summed_over_classes_losses),
    "gradient_argmax_target": gradient_argmax_target,
    "gradient_averaged_over_classes": gradient_averaged_over_classes,
    "gradient_log_probabilities": gradient_log_probabilities,
    "gradient_sigmoid_derivative": gradient_sigmoid_derivative,
    "temperature_after_softmax": temperature_after_softmax,
    "temperature_ignored": temperature_ignored,
    "positions_clipped": _each_position(forms.clipped_losses),
    "positions_argmax_target": _each_position(forms.argmax_target_losses),
    "positions_summed_over_classes": _each_position(forms.summed_over_classes_losses),
    "mean_loss_log_of_softmax": _mean_of_positions(forms.log_of_softmax_losses),
    "mean_loss_clipped": _mean_of_positions(forms.clipped_losses),
    "mean_loss_argmax_target": _mean_of_positions(forms.argmax_target_losses),
    "mean_loss_summed_over_classes": _mean_of_positions(forms.summed_over_classes_losses),
    "difference_times_epsilon": difference_times_epsilon,
    "torch_log_of_softmax": _torch_mean(forms.log_of_softmax_losses),
    "torch_loss_clipped": _torch_mean(forms.clipped_losses),
    "torch_ignore_index": ignore_index_real_token,
    "sequence_log_of_softmax": _torch_mean(forms.log_of_softmax_losses),
    "sequence_loss_clipped": _torch_mean(forms.clipped_losses),
    "sequence_ignore_index": ignore_index_real_token,
    "sequence_time_major": sequence_time_major,
    "torch_in_float32": torch_in_float32,
    "sequence_in_float32": torch_in_float32,
    "sequence_shifted_targets": sequence_shifted_targets,
    "sequence_broadcast_index": sequence_broadcast_index,
    "sequence_targets_not_flattened": sequence_targets_not_flattened,
    "sequence_flat_index": sequence_flat_index,
    "torch_label_smoothing": label_smoothing,
    "sequence_label_smoothing": label_smoothing,
    "mean_loss_whole_array_normalised": mean_loss_whole_array_normalised,
    "mean_loss_pad_token_ignored": mean_loss_pad_token_ignored,
    "positions_pad_token_zeroed": positions_pad_token_zeroed,
    "mean_loss_label_smoothing": mean_loss_label_smoothing,
    "aliased_copies": aliased_copies,
    "loss_averaged_twice": loss_averaged_twice,
    "binary_cross_entropy_one_hot": binary_cross_entropy_one_hot,
    "sequence_last_position_only": sequence_last_position_only,
    "positions_keepdims_table": positions_keepdims_table,
    "temperature_power_of_probabilities": temperature_power_of_probabilities,
}
