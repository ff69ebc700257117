"""Tiny statistics: the reference solutions."""
import numpy as np


def scale(x, factor):
    return np.asarray(x, dtype=float) * factor


def center(x):
    x = np.asarray(x, dtype=float)
    return x - x.mean()
