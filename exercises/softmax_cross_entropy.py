"""Exercises: softmax, cross-entropy and their gradient, from one ticket to a whole sequence.

A support model reads a damaged-parcel ticket and scores three actions, in this order:
refund, reship, escalate. Its raw scores (logits) are [3.0, 1.0, 0.0], but the correct action is
reship (index 1). The functions below turn those scores into probabilities, into a loss, and into
the gradient that tells the model what to correct; the last two do the same with PyTorch.

Replace each ``raise NotImplementedError(...)`` with your own code. Keep the names and signatures.

How to get feedback (from the project root):

    grade check exercises/softmax_cross_entropy.py   # grade just this file
    grade --help                                      # every command and option

The grader runs your functions on the lesson's own numbers and on hidden inputs (huge logits,
rows of very different scale, other axes, ...). When a check fails it tells you which
misconception your output matches, so read the message before changing the code.
"""
from collections.abc import Callable

import numpy as np
import torch
from torch import nn


def stable_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Turn logits into probabilities along ``axis``, without overflowing.

    Formula:  p_i = exp(z_i) / sum_j exp(z_j)
    Softmax only depends on the differences between logits, so subtracting any constant c
    from every logit of a slice leaves its probabilities unchanged. Use c = the largest logit
    of the slice: the biggest exponent becomes exp(0) = 1 and nothing can overflow.

    Shapes: ``logits`` is a float array of any shape; the result has the same shape. Every
    slice along ``axis`` (for a 2-D array and axis=-1: every row) is normalised on its own,
    so each slice is positive and sums to 1.

    Example: logits [3.0, 1.0, 0.0] give exponentials [20.09, 2.72, 1.00] with total 23.81,
    so the probabilities are [0.844, 0.114, 0.042]. Logits [1000.0, 998.0, 997.0] have the
    same gaps and must give the same answer, not nan.

    Pitfalls:
    - Exponentiating raw logits: exp(1000) is inf in float64, and inf / inf is nan.
    - One maximum for the whole array: a row whose logits sit far below another row's
      (say around -1000 next to a row around 0) then underflows to 0 / 0. Take the maximum
      of each slice, keeping the reduced axis so it broadcasts back (``keepdims``).
    - Ignoring ``axis``: the caller decides which axis holds the classes.
    - Shifting the caller's array in place (``-=``): build new arrays, never modify ``logits``.
    """
    raise NotImplementedError("stable_softmax: subtract each slice's maximum, exponentiate, normalise")


def softmax_with_temperature(logits: np.ndarray, temperature: float, axis: int = -1) -> np.ndarray:
    """Softmax of ``logits / temperature`` along ``axis``.

    Formula:  p_i(T) = exp(z_i / T) / sum_j exp(z_j / T)
    A temperature below 1 stretches the gaps between logits (the favourite gets even more
    probability); above 1 it shrinks them (alternatives get more). It rescales a distribution;
    it never changes which action is on top.

    Shapes: as ``stable_softmax``; ``temperature`` is a positive number.

    Example with logits [3.0, 1.0, 0.0]:
        T = 0.5  ->  [0.980, 0.018, 0.002]
        T = 1.0  ->  [0.844, 0.114, 0.042]
        T = 2.0  ->  [0.629, 0.231, 0.140]

    Pitfalls:
    - Multiplying by the temperature instead of dividing turns "flatter" into "sharper".
    - A temperature of 0 or below has no meaning here: raise ``ValueError`` for it rather
      than returning nan or a reversed distribution.
    - Dividing by the temperature can create large logits, so stay stable (max shift).
    - ``logits /= temperature`` divides the caller's array: build a new one (logits / temperature).
    """
    raise NotImplementedError("softmax_with_temperature: check the temperature, divide, then a stable softmax")


def cross_entropy_from_logits(logits: np.ndarray, target_index: int) -> float:
    """Cross-entropy loss of one example, computed straight from its logits.

    Formula:  L = -log(p_y) = log(sum_j exp(z_j)) - z_y
    The first term is log-sum-exp. Compute it stably with m = max_j z_j:
        log(sum_j exp(z_j)) = m + log(sum_j exp(z_j - m))

    Shapes: ``logits`` is 1-D with one score per class; ``target_index`` is the int index of
    the correct class. Return a Python float.

    Example: logits [3.0, 1.0, 0.0] with target 1 (reship): p_reship = 0.114, so the loss is
    -log(0.114) = 2.170. Had the target been refund (index 0) it would be only 0.170. For
    logits [1.0, 0.0, -2.0] the loss is 1.349 for reship and 0.349 for refund.

    Pitfall: going through the probabilities first. For logits [0.0, -2000.0] with target 1
    the exact loss is 2000.0, but exp(-2000) underflows to 0.0, so -log(p) is inf; clipping
    p to a small floor (1e-12) only turns it into a wrong, finite 27.63. Stay in log space.
    Shift a new array (logits - m), not the caller's logits in place (``logits -= m``).
    """
    raise NotImplementedError("cross_entropy_from_logits: log-sum-exp minus the target logit")


def cross_entropy_gradient(logits: np.ndarray, target_index: int) -> np.ndarray:
    """Gradient of ``cross_entropy_from_logits`` with respect to every logit.

    Formula:  dL/dz_k = p_k - y_k
    where p = softmax(z) and y is the one-hot target (1 at ``target_index``, 0 elsewhere).

    Shapes: ``logits`` is 1-D of length K; return a float array of length K.

    Example: logits [3.0, 1.0, 0.0], target 1:
        p = [0.844, 0.114, 0.042], y = [0, 1, 0], gradient = [0.844, -0.886, 0.042].
    Gradient descent moves against the gradient: it lowers the wrong favourite (refund),
    raises the correct action (reship) and nudges escalate down a little.

    Pitfalls:
    - y - p has every sign reversed: descent would then push the wrong answer up.
    - The gradient uses the probabilities p, not the raw logits z.
    - ``logits -= m`` shifts the caller's array: compute p into a new array.
    """
    raise NotImplementedError("cross_entropy_gradient: probabilities minus the one-hot target")


def per_position_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The cross-entropy loss at every position of a sequence, one row at a time.

    A language model predicts the next token at each position t: row t of ``logits`` scores
    every vocabulary entry, and ``targets[t]`` is the token that actually came next.
    Formula:  loss_t = log(sum_v exp(z_tv)) - z_t,targets[t]

    Shapes: ``logits`` is (T, V); ``targets`` is (T,) ints; return a float array of shape (T,).

    Example, vocabulary [refund, reship, today], reply "reship today":
        logits  [[3.0, 1.0, 0.0], [0.5, 0.0, 2.0]], targets [1, 2]
        losses  [2.170, 0.306]

    Pitfall: for row t you need the single entry in column targets[t]. Indexing every row
    with the whole ``targets`` array picks a (T, T) table of entries instead of T values.
    Stability matters per row, exactly as in ``stable_softmax``, and the caller's logits stay as
    they were (no ``logits -= ...``).
    """
    raise NotImplementedError("per_position_cross_entropy: one stable loss per row")


def sequence_mean_loss(logits: np.ndarray, targets: np.ndarray) -> float:
    """The single training loss of a sequence: the mean of its per-position losses.

    Shapes: ``logits`` is (T, V), ``targets`` is (T,) ints; return a Python float.

    Example: position losses [2.170, 0.306] give 1.238. The missed reship contributes about
    88% of the 2.476 total, so the mean still carries its signal, but it can hide one severe
    miss among many easy positions: print the per-position losses when debugging.

    Pitfall: summing instead of averaging makes the loss (and the gradient) grow with the
    sequence length, which changes the effective learning rate. As everywhere, leave the
    caller's logits as they were (no ``logits -= ...``).
    """
    raise NotImplementedError("sequence_mean_loss: average the per-position losses")


def finite_difference_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, epsilon: float = 1e-5
) -> np.ndarray:
    """Estimate the gradient of a scalar function ``f`` at ``x`` numerically.

    Formula (central difference), for every entry i of x:
        g_i = (f(x + epsilon * e_i) - f(x - epsilon * e_i)) / (2 * epsilon)
    where e_i is 1 at entry i and 0 elsewhere. This is how you catch sign mistakes in an
    analytic gradient such as ``cross_entropy_gradient``.

    Shapes: ``x`` is a float array of any shape (1-D, 2-D, ...); ``f`` maps an array of that
    shape to a number. Return a float array with the same shape as ``x``.

    Example: for f = the reship loss of logits x = [3.0, 1.0, 0.0], the estimate is
    [0.843795, -0.885805, 0.042010], matching p - y to about 1e-6.

    Pitfalls:
    - The one-sided (f(x + e) - f(x)) / e is much less accurate than the central difference.
    - ``x`` belongs to the caller and must be exactly unchanged afterwards: perturb a copy,
      or restore every entry you touched.
    """
    raise NotImplementedError("finite_difference_gradient: central differences, one entry at a time")


def torch_classification_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of a batch with PyTorch's ``nn.CrossEntropyLoss``.

    ``nn.CrossEntropyLoss`` expects RAW logits: it applies log-softmax and the negative
    log-likelihood itself.

    Shapes: ``logits`` is an (N, C) float tensor of raw scores, ``targets`` an (N,) long tensor
    of class ids. Return the scalar (0-d) loss tensor, still connected to ``logits`` so that
    ``loss.backward()`` fills ``logits.grad``.

    Example: logits [[3.0, 1.0, 0.0]], targets [1] give a loss of 2.17, and after backward
    the gradient is [[0.844, -0.886, 0.042]], the same p - y as the NumPy version.

    Pitfalls:
    - Applying softmax before the loss normalises twice: the same example then gives 1.387
      and a reship gradient of only -0.127 instead of -0.886. Shapes will not warn you.
    - Detaching the loss or turning it into a Python number cuts it off from the gradient.
    - The grader expects the default mean over the batch, not a sum.
    """
    raise NotImplementedError("torch_classification_loss: pass raw logits to nn.CrossEntropyLoss")


def torch_sequence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy over a batch of sequences, with ``nn.CrossEntropyLoss``.

    Every one of the B * T positions is an ordinary classification over V tokens, so flatten
    the batch and time axes: logits to (B * T, V), targets to (B * T,), then take the mean loss.

    Shapes: ``logits`` is a (B, T, V) float tensor of raw scores, ``targets`` a (B, T) long
    tensor of token ids. Return the scalar loss tensor, differentiable in ``logits``.

    Example: one sequence (B = 1) with the reply "reship today": logits
    [[[3.0, 1.0, 0.0], [0.5, 0.0, 2.0]]] and targets [[1, 2]] give (2.170 + 0.306) / 2 = 1.238.

    Pitfall: for 3-D input, ``nn.CrossEntropyLoss`` reads dimension 1 as the classes, which
    here is time. Passing (B, T, V) straight in usually fails with a shape error, but when
    T == V it runs silently and computes a different, meaningless loss.
    Softmaxing first, detaching, or summing are as wrong here as in the previous exercise.
    """
    raise NotImplementedError("torch_sequence_loss: reshape to (B * T, V) and (B * T,), then the loss")
