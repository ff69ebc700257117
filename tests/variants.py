"""Submissions for the engine's tests, built by swapping functions in the reference solution.

``MISTAKES`` holds the realistic wrong implementations the grader must diagnose (read from the
lesson's known_wrong/ folder), ``ALTERNATIVES`` correct ones written differently that must still get
full marks. Each entry is ``id -> (function name, replacement source)``. Replacement sources rely
only on the module-level ``np`` both the reference and the stub import; anything else (torch) is
imported inside the function, so every built file is self-contained.
"""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from grader.authoring.known_wrong import load_known_wrong, splice

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REFERENCE = PROJECT_ROOT / "solutions" / "softmax_cross_entropy.py"
STUB = PROJECT_ROOT / "exercises" / "softmax_cross_entropy.py"
KNOWN_WRONG = PROJECT_ROOT / "grader" / "lessons" / "softmax_cross_entropy" / "known_wrong"


def _function_names(tree: ast.Module) -> set[str]:
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _prelude_line(tree: ast.Module) -> int:
    """0-based line index after the module docstring and ``from __future__`` imports."""
    line = 0
    for index, node in enumerate(tree.body):
        is_docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        is_future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (is_docstring or is_future):
            break
        line = node.end_lineno or node.lineno
    return line


def _checked_source(name: str, source: str) -> list[str]:
    source = textwrap.dedent(source).strip("\n") + "\n"
    defined = {n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if name not in defined:
        raise ValueError(f"the replacement for {name!r} does not define it")
    return source.splitlines(keepends=True)


def build_submission(
    directory: Path,
    replacements: dict[str, str],
    name: str = "softmax_cross_entropy.py",
    base: Path = REFERENCE,
    prelude: str = "",
) -> Path:
    """Write ``base`` with each named top-level function replaced by the given source.

    ``prelude`` is module-level text inserted after the docstring and ``__future__`` imports
    (for instance code that misbehaves at import time). Returns the written file's path.
    """
    text = base.read_text(encoding="utf-8")
    unknown = sorted(set(replacements) - _function_names(ast.parse(text)))
    if unknown:
        raise KeyError(f"{base.name} defines no top-level function {unknown}")
    for function, source in replacements.items():
        text = splice(text, function, "".join(_checked_source(function, source)))
    lines = text.splitlines(keepends=True)
    if prelude:
        at = _prelude_line(ast.parse(text))
        lines[at:at] = ["\n", textwrap.dedent(prelude).strip("\n") + "\n", "\n"]
    path = Path(directory) / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _entry(function: str, source: str) -> tuple[str, str]:
    return function, textwrap.dedent(source).strip("\n") + "\n"


# The known mistakes live with the lesson, one file each, so that `grade validate` and these tests
# share one source of truth: grader/lessons/softmax_cross_entropy/known_wrong/<mistake id>.py.
MISTAKES: dict[str, tuple[str, str]] = {
    mistake: (known.function, known.source) for mistake, known in load_known_wrong(KNOWN_WRONG).items()
}

ALTERNATIVES: dict[str, tuple[str, str]] = {
    "softmax_loops": _entry("stable_softmax", """
        def stable_softmax(logits, axis=-1):
            moved = np.moveaxis(np.asarray(logits, dtype=float), axis, -1)
            result = np.empty_like(moved)
            for index in np.ndindex(moved.shape[:-1]):
                row = moved[index]
                exponentials = np.exp(row - row.max())
                result[index] = exponentials / exponentials.sum()
            return np.moveaxis(result, -1, axis)
    """),
    "softmax_via_torch": _entry("stable_softmax", """
        def stable_softmax(logits, axis=-1):
            import torch
            return torch.softmax(torch.as_tensor(logits), dim=axis).numpy()
    """),
    "logsumexp_other_form": _entry("cross_entropy_from_logits", """
        def cross_entropy_from_logits(logits, target_index):
            m = np.max(logits)
            return float(-(logits[target_index] - m - np.log(np.sum(np.exp(logits - m)))))
    """),
    "gradient_via_torch": _entry("cross_entropy_gradient", """
        def cross_entropy_gradient(logits, target_index):
            import torch
            z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
            loss = torch.logsumexp(z, dim=0) - z[target_index]
            loss.backward()
            return z.grad.numpy()
    """),
    "per_position_loop": _entry("per_position_cross_entropy", """
        def per_position_cross_entropy(logits, targets):
            losses = []
            for row, target in zip(logits, targets):
                m = np.max(row)
                losses.append(m + np.log(np.sum(np.exp(row - m))) - row[target])
            return np.array(losses)
    """),
    "fd_flat_loop": _entry("finite_difference_gradient", """
        def finite_difference_gradient(f, x, epsilon=1e-5):
            shape = np.shape(x)
            flat = np.array(x, dtype=float).reshape(-1)
            gradient = np.empty(flat.size)
            for i, step in enumerate(np.eye(flat.size) * epsilon):
                above = f((flat + step).reshape(shape))
                below = f((flat - step).reshape(shape))
                gradient[i] = (above - below) / (2 * epsilon)
            return gradient.reshape(shape)
    """),
    "torch_functional": _entry("torch_classification_loss", """
        def torch_classification_loss(logits, targets):
            import torch.nn.functional as F
            return F.cross_entropy(logits, targets)
    """),
    "torch_log_softmax_nll": _entry("torch_classification_loss", """
        def torch_classification_loss(logits, targets):
            import torch.nn.functional as F
            return F.nll_loss(F.log_softmax(logits, dim=1), targets)
    """),
    "sequence_transpose": _entry("torch_sequence_loss", """
        def torch_sequence_loss(logits, targets):
            from torch import nn
            return nn.CrossEntropyLoss()(logits.transpose(1, 2), targets)
    """),
}
