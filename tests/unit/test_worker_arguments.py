"""A case's tensor argument as the worker builds it: the very tensor ``torch.tensor(data, dtype=...,
requires_grad=...)`` makes (dtype, values, a leaf that requires grad or not, the same errors), never sharing
the job's array with the student's code."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from grader.sandbox import protocol, worker

RNG = np.random.default_rng(0)
DATA = [RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4)).astype(np.float32), np.arange(5), np.arange(5, dtype=np.int32),
        np.array([True, False]), RNG.normal(size=(4, 3)).T, np.ones(()), RNG.normal(size=(2, 2)).astype(">f8"),
        np.arange(4, dtype=np.uint8)]


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bfloat16", "float16", "bool"])
@pytest.mark.parametrize("data", DATA, ids=lambda a: f"{a.dtype.str}{a.shape}")
def test_a_tensor_argument_is_what_torch_tensor_makes(data, dtype, requires_grad):
    def built(make):
        try:
            return make()
        except Exception as exc:  # an int tensor that requires grad: the same refusal
            return type(exc)

    want = built(lambda: torch.tensor(data, dtype=getattr(torch, dtype), requires_grad=requires_grad))
    got = built(lambda: worker._build_argument({protocol.TENSOR_KEY: data, "dtype": dtype,
                                                "requires_grad": requires_grad}))
    if isinstance(want, type) or isinstance(got, type):
        assert got == want
        return
    assert (got.dtype, got.shape, got.requires_grad, got.is_leaf) == (want.dtype, want.shape, want.requires_grad, True)
    assert torch.equal(got.detach(), want.detach()) and got.is_contiguous()
    before = data.copy()
    if got.dtype != torch.bool:
        got.detach().add_(1)  # the student's code may change its tensor in place
    assert np.array_equal(data, before)
