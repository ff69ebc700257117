"""The wrong formulas several exercises share, written once (trusted numpy, no reference needed).

A mistake like "no max subtraction" shows up in the softmax, the temperature softmax, the gradient,
the per-position loss and the mean loss; each of their predictions is one of these forms applied to
that exercise's inputs. Every form may overflow: callers run under ``np.errstate(all="ignore")``.
"""
from __future__ import annotations

from types import ModuleType
from typing import Callable

import numpy as np

from grader.lessons.softmax_cross_entropy.math import mean_loss_and_grad

# The small floors code clips probabilities to or adds to them: round numbers, and float64's machine epsilon
# (np.finfo(float).eps, scikit-learn's log_loss floor since 1.3).
EPSILON_FLOORS = (1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16, float(np.finfo(np.float64).eps))
COMMON_FIXED_STEPS = (1e-5, 1e-4, 1e-6, 1e-3, 1e-7)


def unshifted_softmaxes(z: np.ndarray, axis: int) -> list[np.ndarray]:
    """softmax written without the max: exp(z) / sum, and its log-space twin exp(z - log(sum(exp(z))))."""
    e = np.exp(z)
    total = e.sum(axis=axis, keepdims=True)
    return [e / total, np.exp(z - np.log(total))]


def whole_array_softmaxes(z: np.ndarray, axis: int = -1) -> list[np.ndarray]:
    """The lesson's one-row snippet applied to a batch: one sum over every entry (after one max over
    every entry, no max at all, or the right max per slice along ``axis``)."""
    shifted = np.exp(z - z.max())
    per_slice = np.exp(z - z.max(axis=axis, keepdims=True))
    return [shifted / shifted.sum(), np.exp(z) / np.exp(z).sum(), per_slice / per_slice.sum()]


def numerator_shifted_softmax(z: np.ndarray, axis: int) -> np.ndarray:
    """exp(z - m) / sum(exp(z)): the max subtracted above the fraction bar only."""
    return np.exp(z - z.max(axis=axis, keepdims=True)) / np.exp(z).sum(axis=axis, keepdims=True)


def unshifted_logsumexp(z: np.ndarray, axis: int | None = None) -> np.ndarray:
    return np.log(np.sum(np.exp(z), axis=axis))


def unshifted_position_losses(z: np.ndarray, targets: np.ndarray) -> list[np.ndarray]:
    """Per-row cross-entropy without the max: log-sum-exp, or -log of the unshifted softmax."""
    rows = np.arange(z.shape[0])
    from_logsumexp = unshifted_logsumexp(z, axis=1) - z[rows, targets]
    from_softmax = -np.log(unshifted_softmaxes(z, axis=1)[0][rows, targets])
    return [from_logsumexp, from_softmax]


def shifted_logsumexp(z: np.ndarray, axis: int) -> np.ndarray:
    m = z.max(axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(z - m), axis=axis))


def over_the_classes(value: np.ndarray | float, classes: int) -> np.ndarray:
    """-np.mean(y * log_p): the one-hot product averaged over every class (vocabulary entry), so the loss
    comes out divided by the number of classes."""
    return np.asarray(value, dtype=float) / classes


def nll_of_logits(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """F.nll_loss (nn.NLLLoss) on raw logits, without log_softmax: -mean of the target logits, and its
    gradient -y / N (the gradient never sees the other classes)."""
    z = np.asarray(logits, dtype=float)
    n, c = z.shape
    y = np.eye(c)[np.asarray(targets)]
    return float(-np.mean(z[np.arange(n), targets])), -y / n


def target_tables(z: np.ndarray, targets: np.ndarray) -> list[np.ndarray]:
    """logits[:, targets] (a (T, T) table) minus the log-sum-exp kept as a column (row i's own) or as a
    1-D array (which broadcasts along the rows: row i paired with column i's normaliser)."""
    log_sum_exp = shifted_logsumexp(z, axis=1)
    picked = z[:, np.asarray(targets)]
    return [log_sum_exp[:, None] - picked, log_sum_exp[None, :] - picked]


def softmax_over_positions_losses(z: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """log_softmax over dim 1 of (B, T, V) logits (the positions, not the words), then the mean of
    -log q at each target; and its gradient. Classification logits (N, C) are the case B = 1."""
    z = np.asarray(z, dtype=float)
    targets = np.asarray(targets)
    batch, positions, words = z.shape
    m = z.max(axis=1, keepdims=True)
    log_q = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    y = np.eye(words)[targets]  # (B, T, V)
    count = y.sum(axis=1, keepdims=True)  # how many positions of each sequence pick each word
    rows = batch * positions
    return float(-np.sum(y * log_q) / rows), (count * np.exp(log_q) - y) / rows


def precedence_differences(f: Callable[[np.ndarray], float], x: np.ndarray, step: float) -> np.ndarray:
    """f(x + eps e_i) - f(x - eps e_i) / (2 eps): the division binds tighter than the subtraction."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        nudge = np.zeros_like(x)
        nudge[index] = step
        gradient[index] = f(x + nudge) - f(x - nudge) / (2 * step)
    return gradient


def single_precision(z: np.ndarray) -> np.ndarray:
    """The logits as float32 holds them (about 7 significant digits), back in float64: what code that
    casts its input to float32 (np.float32, torch.float32, .float()) computes from."""
    return np.asarray(z, dtype=np.float32).astype(np.float64)


def float32_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """The stable softmax with every step in float32: about 1e-7 of rounding per operation, which the
    exponential multiplies by the size of its argument."""
    z32 = np.asarray(z, dtype=np.float32)
    e = np.exp(z32 - z32.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(np.float64)


def float32_gradient(z: np.ndarray, target: int) -> np.ndarray:
    """p - y in float32: p_target - 1 cancels to a few float32 steps when p_target is near 1."""
    p = float32_softmax(z).astype(np.float32)
    p[target] -= np.float32(1.0)
    return p.astype(np.float64)


def float32_position_losses(z: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """m + log(sum(exp(z - m))) - z_target with every step in float32: near 1e4, m + log(...) is rounded
    to float32's steps of 1e-3 before the target logit is taken off."""
    z32 = np.asarray(z, dtype=np.float32)
    m = z32.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(z32 - m).sum(axis=1))
    return (log_sum_exp - z32[np.arange(z32.shape[0]), np.asarray(targets)]).astype(np.float64)


def one_hot_argmax(z: np.ndarray, axis: int) -> np.ndarray:
    """What softmax(z / T) tends to as T -> 0+: what a temperature clamped to a tiny floor returns."""
    winners = z == z.max(axis=axis, keepdims=True)
    return winners / winners.sum(axis=axis, keepdims=True)


# --- finite differences ---------------------------------------------------------------------------

Scalar = Callable[[np.ndarray], float]


def central_differences(f: Scalar, x: np.ndarray, step: float) -> np.ndarray:
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        nudge = np.zeros_like(x)
        nudge[index] = step
        gradient[index] = (f(x + nudge) - f(x - nudge)) / (2 * step)
    return gradient


def float32_central_differences(f: Scalar, x: np.ndarray, step: float) -> np.ndarray:
    """Central differences on a float32 copy of x: x + eps is rounded to float32's grid (steps of ~1e-7
    near 1), an error the division by 2 eps magnifies a hundred thousand times."""
    point = np.asarray(x, dtype=np.float32)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        above, below = point.copy(), point.copy()
        above[index] += step
        below[index] -= step
        gradient[index] = (f(above) - f(below)) / (2 * step)
    return gradient.astype(np.float64)


def row_differences(f: Scalar, x: np.ndarray, step: float) -> np.ndarray:
    """x[i] += eps on a 2-D x nudges a whole row; the one quotient lands on every entry of that row."""
    gradient = np.zeros_like(x)
    for row in range(x.shape[0]):
        nudge = np.zeros_like(x)
        nudge[row] = step
        gradient[row] = (f(x + nudge) - f(x - nudge)) / (2 * step)
    return gradient


def all_at_once_differences(f: Scalar, x: np.ndarray, step: float) -> np.ndarray:
    """x + eps nudges every entry together: one directional derivative copied everywhere."""
    return np.full_like(x, (f(x + step) - f(x - step)) / (2 * step))


def element_differences(f: Scalar, x: np.ndarray, step: float) -> np.ndarray:
    """f called on one element (x[i] + eps) instead of on the whole nudged array."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        gradient[index] = (f(np.float64(x[index] + step)) - f(np.float64(x[index] - step))) / (2 * step)
    return gradient


def row_slice_differences(f: Scalar, x: np.ndarray, step: float) -> np.ndarray:
    """f called on one row (x[i] + eps) of a 2-D x: one slope per row, copied along it."""
    gradient = np.zeros_like(x)
    for row in range(x.shape[0]):
        gradient[row] = (f(x[row] + step) - f(x[row] - step)) / (2 * step)
    return gradient


def softmax_then_loss(ref: ModuleType, logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """The classic bug: probabilities passed where nn.CrossEntropyLoss expects logits."""
    z = np.asarray(logits, dtype=float)
    p = ref.stable_softmax(z, axis=1)
    loss, grad_p = mean_loss_and_grad(ref, p, targets)
    # Back through the softmax: dz = p * (dp - sum(p * dp)) per row.
    grad = p * (grad_p - np.sum(p * grad_p, axis=1, keepdims=True))
    return loss, grad


# --- per-row loss forms: one wrong way to compute the loss of each row, shared by every loss exercise ----
# Each takes (N, V) logits and (N,) targets and returns the N row losses, in float64 arithmetic or, with
# single=True, in float32 as torch code computes it. The single-example, per-position, mean and torch
# exercises apply the same form to their own inputs, so a mistake is named wherever it recurs.

def _probabilities(z: np.ndarray, single: bool) -> np.ndarray:
    if single:
        return float32_softmax(z, axis=1).astype(np.float32)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _picked(values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return values[np.arange(values.shape[0]), np.asarray(targets)]


def log_of_softmax_losses(z: np.ndarray, targets: np.ndarray, single: bool = False) -> list[np.ndarray]:
    """-log(softmax(z)[t]) (inf once p_t underflows), and -sum(one_hot * log p) (NaN once any p underflows:
    0 * log 0)."""
    p = _probabilities(z, single)
    one_hot = np.eye(z.shape[1], dtype=p.dtype)[np.asarray(targets)]
    return [-np.log(_picked(p, targets)).astype(np.float64), -(one_hot * np.log(p)).sum(axis=1).astype(np.float64)]


def clipped_losses(z: np.ndarray, targets: np.ndarray, single: bool = False) -> list[np.ndarray]:
    """-log(max(p_t, eps)) and -log(p_t + eps), for the usual floors eps."""
    p_t = _picked(_probabilities(z, single), targets).astype(np.float64)
    floors = [np.float64(np.float32(f)) if single else f for f in EPSILON_FLOORS]
    return [-np.log(np.maximum(p_t, f)) for f in floors] + [-np.log(p_t + f) for f in floors]


def argmax_target_losses(z: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The loss of the predicted class (argmax) instead of the target's: log-sum-exp minus the largest logit."""
    return shifted_logsumexp(z, axis=1) - z.max(axis=1)


def summed_over_classes_losses(z: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """-sum(log p) over every class, the target's and all the others': V * log-sum-exp - sum(z)."""
    return z.shape[1] * shifted_logsumexp(z, axis=1) - z.sum(axis=1)


def times_step_differences(f: Scalar, x: np.ndarray, step: float) -> np.ndarray:
    """(f(x + eps e_i) - f(x - eps e_i)) / 2 * eps: the step multiplies instead of dividing (about g * eps**2)."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        nudge = np.zeros_like(x)
        nudge[index] = step
        gradient[index] = (f(x + nudge) - f(x - nudge)) / 2 * step
    return gradient


# --- padding, smoothing, aliasing: habits from other settings ------------------------------------------

PAD_TOKEN = 0  # the id code treats as padding by habit


def pad_masked_means(losses: np.ndarray, targets: np.ndarray) -> list[float]:
    """Token 0 taken as padding: its positions' losses zeroed but still counted in the mean (the TensorFlow NMT
    tutorial's mask), or left out of the mean (sum over the non-pad count). Empty when no position, or every
    position, has target 0 (nothing then tells the mask apart)."""
    keep = np.asarray(targets).reshape(-1) != PAD_TOKEN
    if keep.all() or not keep.any():
        return []
    losses = np.asarray(losses, dtype=float).reshape(-1)
    return [float(np.mean(losses * keep)), float(losses[keep].sum() / keep.sum())]


def smoothed_losses(z: np.ndarray, targets: np.ndarray, smoothing: float) -> list[np.ndarray]:
    """Label-smoothed row losses: torch's (1 - s) * nll + s * mean_j(-log p_j) (s / V on every class), and the
    Transformer recipes' (1 - s) * nll + s / (V - 1) * sum_{j != t}(-log p_j). Empty for a single class."""
    count, classes = z.shape
    if classes < 2:
        return []
    log_p = z - shifted_logsumexp(z, axis=1)[:, None]
    picked = -log_p[np.arange(count), np.asarray(targets)]
    uniform = (1 - smoothing) * picked + smoothing * -log_p.mean(axis=1)
    others = (1 - smoothing) * picked + smoothing / (classes - 1) * (-log_p.sum(axis=1) - picked)
    return [uniform, others]


def aliased_differences(f: Scalar, x: np.ndarray, step: float) -> np.ndarray:
    """`x_plus = x; x_plus[i] += eps; ...; x_minus = x; x_minus[i] -= eps`: both names are x itself, so the minus
    step only undoes the plus step and each entry is (f(x + eps e_i) - f(x)) / (2 eps), half a forward difference."""
    point = np.array(x, dtype=float)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        point[index] += step
        above = f(point)
        point[index] -= step
        gradient[index] = (above - f(point)) / (2 * step)
    return gradient


def binary_cross_entropy_one_hot(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """BCEWithLogitsLoss against the one-hot targets, averaged over all N * C entries (one-vs-all sigmoids instead
    of one softmax), and its gradient (sigmoid(z) - y) / (N * C)."""
    z = np.asarray(logits, dtype=float)
    y = np.eye(z.shape[1])[np.asarray(targets)]
    per_entry = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    sigmoid = np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))
    return float(per_entry.mean()), (sigmoid - y) / z.size
