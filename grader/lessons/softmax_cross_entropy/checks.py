"""The checks of the softmax / cross-entropy lesson.

Public checks use the lesson's own numbers; hidden checks draw seeded random and adversarial
inputs. Expected values always come from the reference solution, computed here, on the trusted side.
Arguments passed to the reference are data (arrays, numbers, ``ProbeFunction``s), never lambdas, so
that ``grade release`` can record its answers for the student copy (see ``grader.course.expectations``).
"""
from __future__ import annotations

from types import ModuleType

import numpy as np

from grader.core.checks import Case, CheckRegistry, Probe, Tensor, Tolerance
from grader.course.expectations import ProbeFunction
from grader.lessons.softmax_cross_entropy.math import mean_loss_and_grad

CHECKS = CheckRegistry()
LESSON_LOGITS = np.array([3.0, 1.0, 0.0])
TWO_POSITIONS = np.array([[3.0, 1.0, 0.0], [0.5, 0.0, 2.0]])
TWO_TARGETS = np.array([1, 2])
FLOAT32 = Tolerance(rtol=1e-5, atol=1e-5)
FLOAT32_LARGE = Tolerance(rtol=1e-5, atol=2e-3)  # float32 logits around 1000 carry ~1e-4 of rounding
DIFFERENCES = Tolerance(rtol=1e-8, atol=1e-8)  # tight enough to tell central from forward differences
Rng = np.random.Generator


# --- stable_softmax ------------------------------------------------------------------------------

# A batch (2-D or 3-D logits) that raises shows code written for one 1-D example (an assert on ndim, a max
# without keepdims that cannot broadcast back), unless the 1-D cases raised the same way (then it fails
# everywhere: see grader.engine.verify, PassedCases.raised_on_a_value_case).
BATCH_RAISES = "one_example_only"
# ... and a single 1-D example that raises shows code written for a batch only (a ValueError for 1-D input, a fixed
# axis=1), unless the batches raised the same way too.
EXAMPLE_RAISES = "batch_only"

@CHECKS.add("stable_softmax", points=1)
def lesson_logits(ref: ModuleType, rng: Rng) -> Case:
    return Case((LESSON_LOGITS,), "the lesson's logits [3, 1, 0]", ref.stable_softmax(LESSON_LOGITS),
                raised_instead=EXAMPLE_RAISES)


@CHECKS.add("stable_softmax", points=1, hidden=True)
def large_logits(ref: ModuleType, rng: Rng) -> list[Case]:
    inputs = [(np.array([1000.0, 998.0, 997.0]), "logits [1000, 998, 997]")]
    inputs += [(rng.normal(0, 3, size=6) + offset, f"logits around {offset:g}") for offset in (1e4, -1e4)]
    return [Case((z,), describe, ref.stable_softmax(z), raised_instead=EXAMPLE_RAISES) for z, describe in inputs]


@CHECKS.add("stable_softmax", points=1, hidden=True)
def rows_of_different_scale(ref: ModuleType, rng: Rng) -> Case:
    scales = np.array([[1.0], [30.0], [500.0], [3000.0]])
    z = rng.normal(0, 1, size=(4, 5)) * scales + np.array([[0.0], [200.0], [-900.0], [2500.0]])
    return Case((z,), "a (4, 5) batch whose rows have very different scales (up to ~3000)", ref.stable_softmax(z),
                raised_instead=BATCH_RAISES)


@CHECKS.add("stable_softmax", points=1, hidden=True)
def every_axis(ref: ModuleType, rng: Rng) -> list[Case]:
    cases = []
    for shape in ((3, 4), (2, 3, 4), (4, 4)):
        z = rng.normal(0, 2, size=shape)
        for axis in range(-len(shape), len(shape)):  # every axis, and every negative spelling of it (-2 is not -1)
            cases.append(Case((z,), f"random {shape} logits with axis={axis}", ref.stable_softmax(z, axis=axis),
                              kwargs={"axis": axis}, raised_instead=BATCH_RAISES))
    one_row, one_class, equal = rng.normal(0, 2, size=(1, 5)), rng.normal(0, 2, size=(3, 1)), np.full((2, 4), 2.5)
    for z, describe in ((one_row, "a batch of one row, shape (1, 5)"), (one_class, "a (3, 1) array: one class per row"),
                        (equal, "rows of equal logits (2.5 everywhere)")):
        cases += [Case((z,), f"{describe}, axis={axis}", ref.stable_softmax(z, axis=axis), kwargs={"axis": axis},
                       raised_instead=BATCH_RAISES) for axis in (-1, 0)]
    # axis=0 of a 1-D array is its only axis: np.atleast_2d (one (1, K) row) would normalise each entry alone
    single = one_row[0]
    cases.append(Case((single,), "a single example of 5 logits, axis=0", ref.stable_softmax(single, axis=0),
                      kwargs={"axis": 0}, raised_instead=EXAMPLE_RAISES))
    return cases


@CHECKS.add("stable_softmax", points=1, hidden=True)
def input_unchanged(ref: ModuleType, rng: Rng) -> Case:
    z = rng.normal(5, 3, size=(3, 4))
    return Case((z,), "random (3, 4) logits", ref.stable_softmax(z), unchanged={0: "mutates_input"}, checks_values=False,
                raised_instead=BATCH_RAISES)


# --- softmax_with_temperature --------------------------------------------------------------------

@CHECKS.add("softmax_with_temperature", points=1)
def lesson_temperatures(ref: ModuleType, rng: Rng) -> list[Case]:
    return [
        Case((LESSON_LOGITS, t), f"the lesson's logits [3, 1, 0] at temperature {t}",
             ref.softmax_with_temperature(LESSON_LOGITS, t))
        for t in (0.5, 1.0, 2.0)
    ]


@CHECKS.add("softmax_with_temperature", points=1, hidden=True)
def random_temperatures(ref: ModuleType, rng: Rng) -> list[Case]:
    cases = []
    for t, offset, axis in ((0.3, 0.0, -1), (3.7, 0.0, 0), (0.5, 1000.0, -1)):
        z = rng.normal(offset, 2, size=(3, 5))
        # The caller's logits must come back as they were (`logits /= temperature` divides them in place).
        cases.append(Case((z, t), f"random (3, 5) logits around {offset:g}, temperature {t}, axis={axis}",
                          ref.softmax_with_temperature(z, t, axis=axis), kwargs={"axis": axis},
                          unchanged={0: "temperature_mutates_input"}))
    mixed = rng.normal(0, 1, size=(3, 4)) + np.array([[0.0], [-1500.0], [800.0]])
    mixed[2, 1] -= 1200.0  # one entry of the last row far below its max: its probability underflows to 0
    stresses = [(mixed, 0.5, -1, "a (3, 4) batch of rows around 0, -1500 and 800 (one entry 1200 below its row's max)"),
                (rng.normal(0, 2, size=(2, 3, 4)), 0.7, 1, "random (2, 3, 4) logits"),
                (rng.normal(0, 2, size=(1, 4)), 1.5, -1, "a batch of one row, shape (1, 4)"),
                (rng.normal(0, 2, size=(4, 4)), 2.0, -1, "random (4, 4) logits"),
                (rng.normal(0, 2, size=(3, 1)), 0.8, -1, "a (3, 1) array: one class per row"),
                (np.full(3, 1.5), 0.25, -1, "equal logits [1.5, 1.5, 1.5]"),
                (LESSON_LOGITS, 0.5, 0, "the lesson's logits [3, 1, 0] along their only axis"),
                # exp(-800) is 0.0 at T = 1 but exp(-8) is not at T = 100: a softmax taken before the temperature
                # (p ** (1 / T), renormalised) has already lost it
                (np.array([0.0, -800.0, -5.0]), 100.0, -1, "logits [0, -800, -5] at a high temperature"),
                (rng.normal(0, 2, size=(2, 4)), 2, -1, "random (2, 4) logits with an int temperature"),
                (rng.normal(0, 2, size=(3, 4)), 0.6, -2, "random (3, 4) logits, a negative axis other than -1")]
    for z, t, axis, describe in stresses:
        cases.append(Case((z, t), f"{describe}, temperature {t}, axis={axis}", ref.softmax_with_temperature(z, t, axis=axis),
                          kwargs={"axis": axis}, raised_instead="temperature_int_refused" if isinstance(t, int) else None))
    return cases


@CHECKS.add("softmax_with_temperature", points=1, hidden=True)
def rejects_nonpositive_temperature(ref: ModuleType, rng: Rng) -> list[Case]:
    return [
        Case((LESSON_LOGITS, t), f"temperature {t}", raises="ValueError", returned_instead="no_temperature_check",
             raised_instead="temperature_wrong_exception")
        for t in (0.0, -1.0)
    ]


# --- cross_entropy_from_logits -------------------------------------------------------------------

@CHECKS.add("cross_entropy_from_logits", points=1)
def lesson_losses(ref: ModuleType, rng: Rng) -> list[Case]:
    second_ticket = np.array([1.0, 0.0, -2.0])
    inputs = ((LESSON_LOGITS, 1, "reship"), (LESSON_LOGITS, 0, "refund"), (second_ticket, 1, "reship"))
    return [
        Case((z, t), f"logits {z.tolist()} with target {t} ({label})", ref.cross_entropy_from_logits(z, t))
        for z, t, label in inputs
    ]


@CHECKS.add("cross_entropy_from_logits", points=1, hidden=True)
def large_offsets(ref: ModuleType, rng: Rng) -> list[Case]:
    inputs = [(LESSON_LOGITS + 1000.0, 1, "logits [1003, 1001, 1000] with target 1"),
              (rng.normal(1e4, 3, size=8), int(rng.integers(8)), "logits around 1e4")]
    # all far below 0: without a shift by their own max (or with one clipped at 0) every exp underflows to 0
    inputs.append((rng.normal(-1000, 3, size=6), int(rng.integers(6)), "logits around -1000"))
    return [Case((z, t), describe, ref.cross_entropy_from_logits(z, t)) for z, t, describe in inputs]


@CHECKS.add("cross_entropy_from_logits", points=1, hidden=True)
def target_probability_underflows(ref: ModuleType, rng: Rng) -> list[Case]:
    z = rng.normal(0, 1, size=6)
    target = int(rng.integers(6))
    z[target] -= 1500.0
    inputs = [(np.array([0.0, -14.0]), 1, "logits [0, -14] with target 1 (a probability near 1e-6)"),
              (np.array([0.0, -2000.0]), 1, "logits [0, -2000] with target 1"),
              (z, target, "a target logit ~1500 below the others (its probability underflows to 0)")]
    return [Case((z, t), describe, ref.cross_entropy_from_logits(z, t)) for z, t, describe in inputs]


# A target index is any integer: a loop over a NumPy targets array, or np.argmax, hands over an np.int64.
NUMPY_TARGET = "the same logits with target np.int64(2) (a NumPy integer, as a loop over a targets array gives)"


@CHECKS.add("cross_entropy_from_logits", points=1, hidden=True)
def random_logits(ref: ModuleType, rng: Rng) -> list[Case]:
    cases = []
    for size in (2, 10, 50):
        z = rng.normal(0, 4, size=size)
        t = int(rng.integers(size))
        # The caller's logits must come back as they were (`logits -= np.max(logits)` shifts them in place).
        cases.append(Case((z, t), f"random logits over {size} classes", ref.cross_entropy_from_logits(z, t),
                          unchanged={0: "loss_mutates_input"}))
    z = rng.normal(0, 4, size=5)
    degenerate = [(np.array([4.0]), 0, "a single class [4] with target 0 (the loss is 0)"),
                  (np.full(4, -3.0), 3, "equal logits [-3, -3, -3, -3] with target 3 (the loss is log 4)"),
                  (z, 0, "random logits over 5 classes with target 0"), (z, 4, "the same logits with target 4, the last"),
                  (z, np.int64(2), NUMPY_TARGET)]
    cases += [Case((z, t), describe, ref.cross_entropy_from_logits(z, t)) for z, t, describe in degenerate]
    return cases


# --- cross_entropy_gradient ----------------------------------------------------------------------

@CHECKS.add("cross_entropy_gradient", points=1)
def lesson_gradient(ref: ModuleType, rng: Rng) -> Case:
    return Case((LESSON_LOGITS, 1), "the lesson's logits [3, 1, 0] with target 1 (reship)",
                ref.cross_entropy_gradient(LESSON_LOGITS, 1))


@CHECKS.add("cross_entropy_gradient", points=1)
def confidently_wrong(ref: ModuleType, rng: Rng) -> Case:
    z = np.array([8.0, 0.0, 0.0])
    return Case((z, 1), "logits [8, 0, 0] with target 1 (confidently wrong)", ref.cross_entropy_gradient(z, 1))


@CHECKS.add("cross_entropy_gradient", points=1, hidden=True)
def matches_finite_differences(ref: ModuleType, rng: Rng) -> list[Case]:
    cases = []
    for size in (4, 12):
        z = rng.normal(0, 3, size=size)
        t = int(rng.integers(size))
        # The loss goes in as a probe, not a lambda, so that a student copy can replay this call.
        numeric = ref.finite_difference_gradient(ProbeFunction(Probe("cross_entropy", {"target_index": t})), z)
        analytic = ref.cross_entropy_gradient(z, t)
        assert np.allclose(numeric, analytic, atol=1e-6) and abs(analytic.sum()) < 1e-9
        # The caller's logits must come back as they were (`logits -= np.max(logits)` shifts them in place).
        cases.append(Case((z, t), f"random logits over {size} classes (p - y must match central differences "
                                  "of the loss and sum to zero)", analytic, unchanged={0: "gradient_mutates_input"}))
    z = rng.normal(0, 3, size=5)
    degenerate = [(np.array([4.0]), 0, "a single class [4] with target 0 (the gradient is [0])"),
                  (np.full(4, 1.0), 3, "equal logits [1, 1, 1, 1] with target 3"),
                  (z, 0, "random logits over 5 classes with target 0"), (z, 4, "the same logits with target 4, the last"),
                  (z, np.int64(2), NUMPY_TARGET)]
    cases += [Case((z, t), describe, ref.cross_entropy_gradient(z, t)) for z, t, describe in degenerate]
    return cases


@CHECKS.add("cross_entropy_gradient", points=1, hidden=True)
def large_logits_gradient(ref: ModuleType, rng: Rng) -> list[Case]:
    z = rng.normal(1000, 3, size=5)
    t = int(rng.integers(5))
    far = rng.normal(0, 1, size=6)
    far_target = int(rng.integers(6))
    far[far_target] -= 1500.0
    low = rng.normal(-1000, 3, size=5)  # all far below 0: unshifted (or shifted by a max clipped at 0), 0 / 0
    return [Case((z, t), "logits around 1000", ref.cross_entropy_gradient(z, t)),
            Case((far, far_target), "a target logit ~1500 below the others (its probability underflows to 0)",
                 ref.cross_entropy_gradient(far, far_target)),
            Case((low, 2), "logits around -1000", ref.cross_entropy_gradient(low, 2))]


# --- per_position_cross_entropy ------------------------------------------------------------------

@CHECKS.add("per_position_cross_entropy", points=1)
def lesson_positions(ref: ModuleType, rng: Rng) -> Case:
    return Case((TWO_POSITIONS, TWO_TARGETS), "the lesson's two positions [[3, 1, 0], [0.5, 0, 2]], targets [1, 2]",
                ref.per_position_cross_entropy(TWO_POSITIONS, TWO_TARGETS))


def _sequence(rng: Rng, positions: int, vocabulary: int, offset: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    return rng.normal(offset, 3, size=(positions, vocabulary)), rng.integers(vocabulary, size=positions)


@CHECKS.add("per_position_cross_entropy", points=1, hidden=True)
def random_positions(ref: ModuleType, rng: Rng) -> list[Case]:
    z, t = _sequence(rng, 7, 5)
    narrow, narrow_targets = _int32_targets(rng)
    # The caller's logits must come back as they were (`logits -= logits.max(...)` shifts them in place).
    return [Case((z, t), "random (7, 5) logits", ref.per_position_cross_entropy(z, t),
                 unchanged={0: "positions_mutates_input"})] + [
        Case((z, t), describe, ref.per_position_cross_entropy(z, t)) for z, t, describe in _degenerate_sequences(rng)] + [
        Case((narrow, narrow_targets), "random (4, 5) logits with int32 targets",
             ref.per_position_cross_entropy(narrow, narrow_targets), raised_instead="positions_int32_targets")]


def _int32_targets(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    """Targets as int32, numpy's default integer on Windows before numpy 2 (and what many loaders give)."""
    z, t = _sequence(rng, 4, 5)
    return z, t.astype(np.int32)


def _degenerate_sequences(rng: Rng) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """One position; one class; equal logits; targets at the first and the last class."""
    z, _ = _sequence(rng, 4, 5)
    equal = rng.normal(0, 3, size=(3, 4))
    equal[1] = 2.0
    return [(rng.normal(0, 3, size=(1, 6)), np.array([5]), "a single position, shape (1, 6), target 5 (the last class)"),
            (rng.normal(0, 3, size=(3, 1)), np.zeros(3, dtype=np.int64), "a vocabulary of one, shape (3, 1) (every loss is 0)"),
            (equal, np.array([3, 1, 0]), "(3, 4) logits whose second row is all equal"),
            (z, np.array([0, 4, 0, 4]), "random (4, 5) logits with targets only at the first and last class")]


@CHECKS.add("per_position_cross_entropy", points=1, hidden=True)
def as_many_positions_as_classes(ref: ModuleType, rng: Rng) -> Case:
    z, t = _sequence(rng, 4, 4)
    return Case((z, t), "random (4, 4) logits (T == V)", ref.per_position_cross_entropy(z, t))


def _mixed_rows(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    """(5, 6) rows around 1000, 0 and -5000, of scale 1 to 1000, and one target ~1500 below its row's max."""
    z, t = _sequence(rng, 5, 6)
    z = z * np.array([[1.0], [100.0], [1.0], [1000.0], [1.0]]) + np.array([[1000.0], [0.0], [-5000.0], [0.0], [0.0]])
    # Whatever the seed, one target's probability underflows to 0 (-log of the softmax then gives inf):
    # in a row of scale 1000 the target is usually far below the max, but not always.
    z[3, t[3]] = np.delete(z[3], t[3]).max() - 1500.0
    return z, t


@CHECKS.add("per_position_cross_entropy", points=1, hidden=True)
def large_logits_positions(ref: ModuleType, rng: Rng) -> list[Case]:
    # Overflow alone, underflow alone, then both in one batch: code with two of these bugs (no max shift and a
    # clipped log, say) fails the first two one bug at a time, so each is named; the mixed batch shows them together.
    z, t = _mixed_rows(rng)
    large, large_targets = _sequence(rng, 4, 5, offset=1e4)
    far, far_targets = _sequence(rng, 4, 5)
    far[2, far_targets[2]] = np.delete(far[2], far_targets[2]).max() - 1500.0
    inputs = [(large, large_targets, "(4, 5) logits around 1e4"),
              (far, far_targets, "(4, 5) logits around 0, one target ~1500 below the rest of its row"),
              (z, t, "(5, 6) logits with rows around 1000, -5000 and of scale up to 1000 (one target ~1500 below the "
                     "rest of its row)")]
    return [Case((z, t), describe, ref.per_position_cross_entropy(z, t)) for z, t, describe in inputs]


# --- sequence_mean_loss --------------------------------------------------------------------------

@CHECKS.add("sequence_mean_loss", points=1)
def lesson_mean(ref: ModuleType, rng: Rng) -> Case:
    return Case((TWO_POSITIONS, TWO_TARGETS), "the lesson's two positions (losses 2.17 and 0.306)",
                ref.sequence_mean_loss(TWO_POSITIONS, TWO_TARGETS))


@CHECKS.add("sequence_mean_loss", points=1, hidden=True)
def random_mean(ref: ModuleType, rng: Rng) -> list[Case]:
    z, t = _sequence(rng, 9, 6)
    square, square_targets = _sequence(rng, 4, 4)
    inputs = [(square, square_targets, "random (4, 4) logits (T == V)")]
    narrow, narrow_targets = _int32_targets(rng)
    # The caller's logits must come back as they were (`logits -= logits.max(...)` shifts them in place).
    first = Case((z, t), "random (9, 6) logits", ref.sequence_mean_loss(z, t), unchanged={0: "mean_loss_mutates_input"})
    others = [Case((z, t), describe, ref.sequence_mean_loss(z, t)) for z, t, describe in inputs + _degenerate_sequences(rng)]
    return [first] + others + [
        Case((narrow, narrow_targets), "random (4, 5) logits with int32 targets", ref.sequence_mean_loss(narrow, narrow_targets),
             raised_instead="mean_loss_int32_targets")]


@CHECKS.add("sequence_mean_loss", points=1, hidden=True)
def large_logits_mean(ref: ModuleType, rng: Rng) -> list[Case]:
    z, t = _sequence(rng, 5, 5, offset=1e4)
    mixed, mixed_targets = _mixed_rows(rng)
    return [Case((z, t), "(5, 5) logits around 1e4", ref.sequence_mean_loss(z, t)),
            Case((mixed, mixed_targets), "(5, 6) logits with rows around 1000, -5000 and of scale up to 1000 (one target "
                                         "~1500 below the rest of its row)", ref.sequence_mean_loss(mixed, mixed_targets))]


# --- finite_difference_gradient ------------------------------------------------------------------

def _curved(rng: Rng, shape: tuple[int, ...]) -> Probe:
    return Probe("curved", {"weights": rng.uniform(0.5, 2, size=shape), "scales": rng.uniform(0.5, 2, size=shape)})


def _differences(ref: ModuleType, probe: Probe, x: np.ndarray, **kwargs: float) -> np.ndarray:
    return ref.finite_difference_gradient(ProbeFunction(probe), x.copy(), **kwargs)


@CHECKS.add("finite_difference_gradient", points=1)
def lesson_loss_gradient(ref: ModuleType, rng: Rng) -> Case:
    probe = Probe("cross_entropy", {"target_index": 1})
    return Case((probe, LESSON_LOGITS), "the cross-entropy loss at the lesson's logits [3, 1, 0], target 1",
                _differences(ref, probe, LESSON_LOGITS), tolerance=DIFFERENCES)


@CHECKS.add("finite_difference_gradient", points=1, hidden=True)
def any_shape(ref: ModuleType, rng: Rng) -> list[Case]:
    cases = []
    # size-1 axes too: a column (3, 1) and a single entry (1,) must come back in x's shape, not squeezed
    for shape in ((3, 4), (2, 2, 3), (3, 1), (1,)):
        probe, x = _curved(rng, shape), rng.uniform(-2, 2, size=shape)
        cases.append(Case((probe, x), f"a curved function of a {shape} array", _differences(ref, probe, x),
                          tolerance=DIFFERENCES))
    return cases


@CHECKS.add("finite_difference_gradient", points=1, hidden=True)
def x_unchanged(ref: ModuleType, rng: Rng) -> Case:
    # x put back by arithmetic (x += eps, x -= 2 * eps, x += eps) drifts on only ~8% of entries near 1 for a step of
    # 1e-4 (and ~10% for 1e-2): 60 entries, half of them up to 20 in size, leave it no chance to come back intact.
    probe, x = _curved(rng, (60,)), np.concatenate([rng.uniform(-2, 2, size=30), rng.uniform(-20, 20, size=30)])
    return Case((probe, x), "a curved function of 60 numbers (up to 20 in size)", _differences(ref, probe, x),
                tolerance=DIFFERENCES,
                unchanged={1: "x_left_modified"}, drifted="x_restored_by_arithmetic", checks_values=False)


@CHECKS.add("finite_difference_gradient", points=1, hidden=True)
def uses_epsilon(ref: ModuleType, rng: Rng) -> list[Case]:
    probe, x = _curved(rng, (4,)), rng.uniform(-2, 2, size=4)
    by_name = Case((probe, x), "a curved function of 4 numbers with epsilon=1e-3",
                   _differences(ref, probe, x, epsilon=1e-3), kwargs={"epsilon": 1e-3}, tolerance=DIFFERENCES)
    # by position too: a port that keeps another checker's parameter order (f, x, verbose, h) reads it as verbose
    probe, x = _curved(rng, (4,)), rng.uniform(-2, 2, size=4)
    by_position = Case((probe, x, 1e-2), "a curved function of 4 numbers with epsilon 1e-2 passed by position",
                       _differences(ref, probe, x, epsilon=1e-2), tolerance=DIFFERENCES)
    return [by_name, by_position]


# --- torch_classification_loss -------------------------------------------------------------------

def _torch_case(ref: ModuleType, z: np.ndarray, t: np.ndarray, describe: str, detached: str,
                tolerance: Tolerance = FLOAT32, dtype: str = "float32") -> Case:
    z = z.astype(np.float32) if dtype == "float32" else z.astype(np.float64)
    loss, grad = mean_loss_and_grad(ref, z.reshape(-1, z.shape[-1]), t.reshape(-1))
    return Case((Tensor(z, dtype, requires_grad=True), Tensor(t.astype(np.int64), "int64")), describe, loss,
                tolerance=tolerance, expect_grad={0: grad.reshape(z.shape)}, detached=detached)


@CHECKS.add("torch_classification_loss", points=1)
def lesson_batch(ref: ModuleType, rng: Rng) -> Case:
    return _torch_case(ref, LESSON_LOGITS[None, :], np.array([1]),
                       "the lesson's logits [[3, 1, 0]] with target [1]", "detached_result")


@CHECKS.add("torch_classification_loss", points=1, hidden=True)
def batch_mean(ref: ModuleType, rng: Rng) -> list[Case]:
    equal = rng.normal(0, 2, size=(3, 4))
    equal[2] = -1.0
    inputs = [(rng.normal(0, 2, size=(6, 4)), rng.integers(4, size=6), "a random batch of 6 rows, 4 classes"),
              (rng.normal(0, 2, size=(1, 5)), np.array([4]), "a batch of one row, 5 classes, target 4 (the last)"),
              (rng.normal(0, 2, size=(4, 1)), np.zeros(4, dtype=np.int64), "a batch of 4 rows and one class (the loss is 0)"),
              (equal, np.array([0, 3, 2]), "a batch of 3 rows whose last row is all equal, targets [0, 3, 2]")]
    return [_torch_case(ref, z, t, describe, "detached_result") for z, t, describe in inputs] + [
        _torch_case(ref, rng.normal(1e4, 3, size=(3, 4)), rng.integers(4, size=3),
                    "a float64 batch of logits around 1e4 (the loss must keep float64's precision)", "detached_result",
                    Tolerance(), "float64")]


@CHECKS.add("torch_classification_loss", points=1, hidden=True)
def large_logits_batch(ref: ModuleType, rng: Rng) -> list[Case]:
    far, far_targets = _far_target(rng, (4, 5))
    mixed = rng.normal(0, 2, size=(3, 5)) + np.array([[0.0], [2000.0], [-1500.0]])
    return [_torch_case(ref, rng.normal(1000, 3, size=(3, 5)), rng.integers(5, size=3), "a batch of logits around 1000",
                        "detached_result", FLOAT32_LARGE),
            _torch_case(ref, far, far_targets, "a float32 batch of 4 rows, one target ~300 below its row (its probability "
                                               "underflows to 0 in float32)", "detached_result", FLOAT32_LARGE),
            _torch_case(ref, mixed, rng.integers(5, size=3), "a batch of rows around 0, 2000 and -1500",
                        "detached_result", FLOAT32_LARGE)]


def _far_target(rng: Rng, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Random logits with one target 300 below its row's max: exp(-300) is 0 in float32 (not in float64)."""
    z = rng.normal(0, 2, size=shape)
    targets = rng.integers(shape[-1], size=shape[:-1])
    rows, flat = z.reshape(-1, shape[-1]), targets.reshape(-1)
    row = int(rng.integers(rows.shape[0]))
    rows[row, flat[row]] = np.delete(rows[row], flat[row]).max() - 300.0
    return rows.reshape(shape), targets


@CHECKS.add("torch_classification_loss", points=1, hidden=True)
def gradient_flows(ref: ModuleType, rng: Rng) -> Case:
    return _torch_case(ref, rng.normal(0, 1, size=(3, 3)), rng.integers(3, size=3),
                       "a random batch of 3 rows (gradient must flow back to the logits)", "detached_result")


# --- torch_sequence_loss -------------------------------------------------------------------------

@CHECKS.add("torch_sequence_loss", points=1)
def lesson_sequence(ref: ModuleType, rng: Rng) -> Case:
    return _torch_case(ref, TWO_POSITIONS[None], TWO_TARGETS[None], "the lesson's reply as a (1, 2, 3) batch",
                       "sequence_detached_result")


@CHECKS.add("torch_sequence_loss", points=1, hidden=True)
def as_many_positions_as_words(ref: ModuleType, rng: Rng) -> Case:
    return _torch_case(ref, rng.normal(0, 2, size=(2, 4, 4)), rng.integers(4, size=(2, 4)),
                       "a random (2, 4, 4) batch (T == V)", "sequence_detached_result")


@CHECKS.add("torch_sequence_loss", points=1, hidden=True)
def batch_of_sequences(ref: ModuleType, rng: Rng) -> list[Case]:
    far, far_targets = _far_target(rng, (2, 3, 5))
    mixed = rng.normal(0, 2, size=(2, 3, 5)) + np.array([[[0.0], [1000.0], [-1200.0]], [[5.0], [0.0], [-5.0]]])
    equal = rng.normal(0, 2, size=(2, 3, 4))
    equal[1, 1] = 0.5
    return [_torch_case(ref, rng.normal(0, 2, size=(3, 5, 7)), rng.integers(7, size=(3, 5)),
                        "a random (3, 5, 7) batch", "sequence_detached_result"),
            _torch_case(ref, far, far_targets, "a float32 (2, 3, 5) batch, one target ~300 below its row (its probability "
                                               "underflows to 0 in float32)", "sequence_detached_result", FLOAT32_LARGE),
            _torch_case(ref, mixed, rng.integers(5, size=(2, 3)), "a (2, 3, 5) batch with positions around 0, 1000 and -1200",
                        "sequence_detached_result", FLOAT32_LARGE),
            _torch_case(ref, rng.normal(0, 2, size=(1, 3, 5)), np.array([[4, 0, 4]]),
                        "a batch of one sequence, (1, 3, 5), targets at the first and last token", "sequence_detached_result"),
            _torch_case(ref, rng.normal(0, 2, size=(2, 3, 1)), np.zeros((2, 3), dtype=np.int64),
                        "a (2, 3, 1) batch: a vocabulary of one (the loss is 0)", "sequence_detached_result"),
            _torch_case(ref, equal, rng.integers(4, size=(2, 3)), "a (2, 3, 4) batch with one position of equal logits",
                        "sequence_detached_result"),
            _torch_case(ref, rng.normal(1e4, 3, size=(2, 3, 5)), rng.integers(5, size=(2, 3)),
                        "a float64 (2, 3, 5) batch around 1e4 (the loss must keep float64's precision)",
                        "sequence_detached_result", Tolerance(), "float64")]


@CHECKS.add("torch_sequence_loss", points=1, hidden=True)
def sequence_gradient_flows(ref: ModuleType, rng: Rng) -> Case:
    return _torch_case(ref, rng.normal(0, 1, size=(2, 3, 6)), rng.integers(6, size=(2, 3)),
                       "a random (2, 3, 6) batch (gradient must flow back to the logits)", "sequence_detached_result")
