"""Tiny statistics: a fixture lesson of the grader's own tests (two exercises, one known mistake)."""
import numpy as np


def scale(x, factor):
    """Return x * factor as a float array. Example: scale([1, 2], 3) -> array([3., 6.])."""
    raise NotImplementedError


def center(x):
    """Return x minus its mean. Example: center([1, 2, 3]) -> array([-1., 0., 1.])."""
    raise NotImplementedError
