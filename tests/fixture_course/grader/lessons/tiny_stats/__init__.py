"""Tiny statistics (a fixture lesson)."""
from .checks import CHECKS
from .predictions import PREDICTIONS

__all__ = ["CHECKS", "PREDICTIONS"]
