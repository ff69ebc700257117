"""Arrays on the wire: encode_array writes exactly what np.save writes, however often a shape comes back."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest

from grader.sandbox import protocol


def _np_save(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


ARRAYS = [
    np.arange(20.0).reshape(4, 5),
    np.ones(3, dtype=np.float32),
    np.array(2.5),
    np.zeros((2, 3, 4), dtype=np.int64),
    np.array([True, False, True]),
    np.zeros((0, 3)),
    np.arange(10)[::3],  # strided: np.save writes it in C order
    np.asfortranarray(np.arange(6.0).reshape(2, 3)),  # Fortran order: np.save says so in its header
    np.arange(12, dtype=">f8").reshape(3, 4),  # big-endian
    np.arange(6, dtype=np.uint8).reshape(2, 3).T,  # a transposed view
    np.float16([1.5, -2.0]),
    np.zeros((1,) * 12),
    np.arange(4.0).reshape(2, 2)[:, :1],
    np.array(["a", "b"]),  # not numeric: np.save's own path
]


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype.str}{a.shape}")
def test_an_array_is_encoded_as_np_save_writes_it_every_time(array):
    protocol._NPY_HEADERS.clear()
    for _ in range(3):  # the first time its header is made by numpy's header functions; then it is reused
        encoded = protocol.encode_array(array)
        assert base64.b64decode(encoded[protocol.ARRAY_KEY]) == _np_save(array)


def test_arrays_of_one_dtype_and_shape_keep_their_own_values():
    protocol._NPY_HEADERS.clear()
    first, second = np.arange(6.0).reshape(2, 3), -np.arange(6.0).reshape(2, 3)
    protocol.encode_array(first)
    decoded = protocol.decode_array(protocol.encode_array(second))
    assert decoded.tolist() == second.tolist()


def test_the_header_store_is_bounded():
    protocol._NPY_HEADERS.clear()
    for n in range(protocol._NPY_HEADERS_MAX + 10):
        array = np.zeros(n)
        assert base64.b64decode(protocol.encode_array(array)[protocol.ARRAY_KEY]) == _np_save(array)
    assert len(protocol._NPY_HEADERS) <= protocol._NPY_HEADERS_MAX
