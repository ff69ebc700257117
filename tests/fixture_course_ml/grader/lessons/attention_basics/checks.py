"""The checks of the attention-basics fixture lesson: one exercise per kind of output.

Expected values come from the reference (``ref``), on the trusted side; for the torch exercises from
the reference's NumPy functions (``ref.layer_norm``, ``ref.attention``), so that ``grade release`` can
record every answer as numbers.
"""
from __future__ import annotations

from types import ModuleType

import numpy as np

from grader.core.checks import Case, CheckRegistry, Tensor, Tolerance

CHECKS = CheckRegistry()
Rng = np.random.Generator
FLOAT32 = Tolerance(rtol=1e-5, atol=1e-5)
LESSON_SCORES = np.array([[0.5, 2.0, -1.0, 2.0], [3.0, 0.0, 1.0, -2.0]])
LESSON_LABELS = np.array([1, 2])


# --- causal_mask: a boolean array, compared exactly -----------------------------------------------

@CHECKS.add("causal_mask", points=1)
def lesson_mask(ref: ModuleType, rng: Rng) -> Case:
    return Case((3,), "a causal mask of size 3", ref.causal_mask(3))


@CHECKS.add("causal_mask", points=1, hidden=True)
def mask_sizes(ref: ModuleType, rng: Rng) -> list[Case]:
    return [Case((n,), f"a causal mask of size {n}", ref.causal_mask(n)) for n in (1, 5, int(rng.integers(6, 9)))]


# --- top_k_indices: an integer array, compared exactly --------------------------------------------

@CHECKS.add("top_k_indices", points=1)
def lesson_top_two(ref: ModuleType, rng: Rng) -> Case:
    return Case((LESSON_SCORES, 2), "the lesson's (2, 4) scores, k=2", ref.top_k_indices(LESSON_SCORES, 2))


@CHECKS.add("top_k_indices", points=1, hidden=True)
def top_k_batches(ref: ModuleType, rng: Rng) -> list[Case]:
    ties = rng.integers(0, 3, size=(3, 6)).astype(float)
    large = rng.normal(0, 1, size=(2, 5)) + 1e3
    single = rng.normal(0, 1, size=(1, 7))
    return [Case((ties, 3), "a (3, 6) batch of small whole numbers (many ties), k=3", ref.top_k_indices(ties, 3)),
            Case((large, 2), "a (2, 5) batch of scores around 1000, k=2", ref.top_k_indices(large, 2)),
            Case((single, 1), "a (1, 7) batch: one row, k=1", ref.top_k_indices(single, 1))]


# --- accuracy: a Python float ------------------------------------------------------------------------

@CHECKS.add("accuracy", points=1)
def lesson_accuracy(ref: ModuleType, rng: Rng) -> Case:
    return Case((LESSON_SCORES, LESSON_LABELS), "the lesson's (2, 4) logits with labels [1, 2]",
                ref.accuracy(LESSON_SCORES, LESSON_LABELS))


@CHECKS.add("accuracy", points=1, hidden=True)
def accuracy_batches(ref: ModuleType, rng: Rng) -> list[Case]:
    ties = rng.integers(0, 2, size=(6, 3)).astype(float)
    large = rng.normal(0, 1, size=(5, 4)) + 1e3
    single = rng.normal(0, 1, size=(1, 3))
    inputs = [(ties, rng.integers(3, size=6), "six rows of 0s and 1s (ties: the first largest counts), 3 classes"),
              (large, rng.integers(4, size=5), "five rows of logits around 1000, 4 classes"),
              (single, np.array([2]), "a batch of one row, 3 classes")]
    return [Case((z, t), describe, ref.accuracy(z, t)) for z, t, describe in inputs]


# --- attention: a NamedTuple (output, weights), each part compared -------------------------------

def _qkv(rng: Rng, lq: int, lk: int, d: int, offset: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random queries, keys and values; an offset of 30 makes every score q.k / sqrt(d) over 600."""
    return (rng.normal(offset, 1, size=(lq, d)), rng.normal(offset, 1, size=(lk, d)),
            rng.normal(0, 1, size=(lk, d + 1)))


@CHECKS.add("attention", points=2)
def lesson_attention(ref: ModuleType, rng: Rng) -> Case:
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    k = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    v = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    return Case((q, k, v), "two queries over three keys, no mask", ref.attention(q, k, v))


@CHECKS.add("attention", points=2, hidden=True)
def masked_attention(ref: ModuleType, rng: Rng) -> list[Case]:
    q, k, v = _qkv(rng, 4, 4, 3)
    mask = np.tril(np.ones((4, 4), dtype=bool))
    big_q, big_k, big_v = _qkv(rng, 2, 3, 2, offset=30.0)
    tied_q, tied_k, tied_v = np.ones((3, 2)), np.ones((5, 2)), rng.normal(0, 1, size=(5, 4))
    one_q, one_k, one_v = _qkv(rng, 1, 3, 4)
    return [Case((q, k, v), "4 queries over 4 keys with a causal mask", ref.attention(q, k, v, mask), kwargs={"mask": mask}),
            Case((big_q, big_k, big_v), "queries and keys around 30 (scores in the hundreds)", ref.attention(big_q, big_k, big_v)),
            Case((tied_q, tied_k, tied_v), "equal queries and keys: every score the same", ref.attention(tied_q, tied_k, tied_v)),
            Case((one_q, one_k, one_v), "a single query over 3 keys", ref.attention(one_q, one_k, one_v))]


# --- layer_norm: float32 in, float32 out (a declared dtype) ----------------------------------------

@CHECKS.add("layer_norm", points=1)
def lesson_layer_norm(ref: ModuleType, rng: Rng) -> Case:
    x = np.array([[1.0, 2.0, 3.0, 6.0]], dtype=np.float32)
    return Case((x,), "the lesson's row [1, 2, 3, 6] in float32", ref.layer_norm(x), tolerance=FLOAT32, dtype="float32")


@CHECKS.add("layer_norm", points=1, hidden=True)
def layer_norm_rows(ref: ModuleType, rng: Rng) -> list[Case]:
    batch = rng.normal(0, 2, size=(3, 6)).astype(np.float32)
    large = (rng.normal(0, 1, size=(2, 5)) + 300).astype(np.float32)
    constant = np.full((2, 4), 7.0, dtype=np.float32)
    single = rng.normal(0, 1, size=(1, 8)).astype(np.float32)
    inputs = [(batch, "a (3, 6) float32 batch"), (large, "a (2, 5) float32 batch of values around 300"),
              (constant, "constant rows (variance 0: eps keeps it finite)"), (single, "a (1, 8) float32 batch: one row")]
    return [Case((x,), describe, ref.layer_norm(x), tolerance=FLOAT32, dtype="float32") for x, describe in inputs]


# --- torch_layer_norm: a non-scalar torch result, its gradient checked through grad_output ---------

def layer_norm_grad(ref: ModuleType, x: np.ndarray, grad_output: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """d/dx of sum(layer_norm(x) * grad_output): the gradient torch computes with result.backward(grad_output)."""
    normalised = ref.layer_norm(x, eps)
    sigma = np.sqrt(((x - x.mean(axis=-1, keepdims=True)) ** 2).mean(axis=-1, keepdims=True) + eps)
    g = grad_output
    return (g - g.mean(axis=-1, keepdims=True) - normalised * (g * normalised).mean(axis=-1, keepdims=True)) / sigma


def _torch_layer_norm_case(ref: ModuleType, rng: Rng, x: np.ndarray, describe: str) -> Case:
    grad_output = rng.normal(0, 1, size=x.shape)
    return Case((Tensor(x, "float64", requires_grad=True),), describe, ref.layer_norm(x), tolerance=Tolerance(1e-7, 1e-9),
                grad_output=grad_output, expect_grad={0: layer_norm_grad(ref, x, grad_output)}, detached="detached_result")


@CHECKS.add("torch_layer_norm", points=1)
def lesson_torch_layer_norm(ref: ModuleType, rng: Rng) -> Case:
    return _torch_layer_norm_case(ref, rng, np.array([[1.0, 2.0, 3.0, 6.0]]), "the lesson's row [1, 2, 3, 6] as a float64 tensor")


@CHECKS.add("torch_layer_norm", points=1, hidden=True)
def torch_layer_norm_rows(ref: ModuleType, rng: Rng) -> list[Case]:
    return [_torch_layer_norm_case(ref, rng, rng.normal(0, 2, size=(3, 5)), "a (3, 5) float64 batch"),
            _torch_layer_norm_case(ref, rng, rng.normal(0, 1, size=(2, 4)) + 300, "a (2, 4) batch of values around 300"),
            _torch_layer_norm_case(ref, rng, np.full((2, 3), -4.0), "constant rows (variance 0)"),
            _torch_layer_norm_case(ref, rng, rng.normal(0, 1, size=(1, 6)), "a (1, 6) batch: one row")]


# --- torch_attention: a torch result whose gradients reach q, k and v and are the right ones --------
# (grad_flows, with value_of: the expected gradients are the NumPy reference's, by central differences)

def _torch_attention_case(ref: ModuleType, rng: Rng, q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray,
                          describe: str) -> Case:
    expected = ref.attention(q, k, v, mask).output
    return Case((Tensor(q, "float64", requires_grad=True), Tensor(k, "float64", requires_grad=True),
                 Tensor(v, "float64", requires_grad=True), Tensor(mask, "bool")), describe, expected,
                tolerance=Tolerance(1e-7, 1e-9), grad_output=rng.normal(0, 1, size=expected.shape), grad_flows=True,
                value_of=(ref.attention, "output"), detached="detached_attention")


@CHECKS.add("torch_attention", points=1)
def lesson_torch_attention(ref: ModuleType, rng: Rng) -> Case:
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    k = np.array([[1.0, 0.0], [0.0, 2.0]])
    v = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    return _torch_attention_case(ref, rng, q, k, v, np.tril(np.ones((2, 2), dtype=bool)),
                                 "two positions with a causal mask")


@CHECKS.add("torch_attention", points=1, hidden=True)
def torch_attention_batches(ref: ModuleType, rng: Rng) -> list[Case]:
    q, k, v = _qkv(rng, 4, 4, 3)
    big_q, big_k, big_v = _qkv(rng, 3, 3, 2, offset=30.0)
    tied_q, tied_k, tied_v = np.ones((2, 2)), np.ones((3, 2)), rng.normal(0, 1, size=(3, 3))
    one_q, one_k, one_v = _qkv(rng, 1, 3, 4)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    return [_torch_attention_case(ref, rng, q, k, v, causal, "4 positions with a causal mask"),
            _torch_attention_case(ref, rng, big_q, big_k, big_v, np.tril(np.ones((3, 3), dtype=bool)),
                                  "queries and keys around 30 (scores in the hundreds), causal"),
            _torch_attention_case(ref, rng, tied_q, tied_k, tied_v, np.ones((2, 3), dtype=bool),
                                  "equal queries and keys: every score the same, no position masked"),
            _torch_attention_case(ref, rng, one_q, one_k, one_v, np.ones((1, 3), dtype=bool), "a single query over 3 keys")]
