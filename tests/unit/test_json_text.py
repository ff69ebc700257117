"""outputs.json_text: json.dumps(value, indent=2) character for character, for every value a batch writes and more."""
from __future__ import annotations

import enum
import json
import math
import random

import pytest

from grader.core.outputs import json_text


class Colour(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


VALUES = [
    {}, [], (), "", 0, -0.0, 1.0, 70, 2.5, 1e16, 1e-7, 123456789012345678901234567890, True, False, None,
    math.nan, math.inf, -math.inf, "plain", "quote \" backslash \\ tab \t newline \n", "\x00\x1b[31m\x7f",
    "été ✓ 𝄞", "\ud800 lone surrogate", "\u2028\u202e",
    {"a": {}, "b": [], "c": [{}], "d": [[]], "e": {"f": {"g": [1, [2, [3, {}]]]}}},
    [None, True, 1, 1.5, "x", [1, 2], {"k": "v"}], (1, (2, 3)), {"tuple": (1.0, "two")},
    {"enum": Colour.RED, "int enum": Level.HIGH, Colour.RED: 1},
    {"nan": math.nan, "scores": [0.0, 35.0, 33.0]},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_the_same_text_as_json_dumps(value: object) -> None:
    assert json_text(value) == json.dumps(value, indent=2)


def test_random_documents() -> None:
    """Nested dicts, lists and leaves of every kind, at random (a fixed seed: the same documents every run)."""
    chooser = random.Random(7)
    leaves = [None, True, False, 0, -3, 2**70, 0.1, -2.5e-300, math.nan, "", "text", "ü\n\x01"]

    def make(depth: int) -> object:
        kind = chooser.randrange(4) if depth < 5 else 0
        if kind == 0:
            return chooser.choice(leaves)
        if kind == 1:
            return [make(depth + 1) for _ in range(chooser.randrange(4))]
        if kind == 2:
            return tuple(make(depth + 1) for _ in range(chooser.randrange(3)))
        return {f"k{chooser.randrange(100)}\t": make(depth + 1) for _ in range(chooser.randrange(4))}

    for _ in range(300):
        value = make(0)
        assert json_text(value) == json.dumps(value, indent=2)


def test_keys_of_other_types_are_written_as_json_writes_them() -> None:
    value = {1: "one", 2.5: [], None: {}, True: "yes"}
    assert json_text(value) == json.dumps(value, indent=2)


def test_what_json_cannot_write_fails_as_json_fails() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_text({"set": {1, 2}})
    with pytest.raises(TypeError):
        json_text({("a", "b"): 1})
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        json_text(cycle)
