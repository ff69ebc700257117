"""Attention basics (a fixture lesson: every kind of output)."""
from .checks import CHECKS
from .predictions import PREDICTIONS
from .stress import STRESS

__all__ = ["CHECKS", "PREDICTIONS", "STRESS"]
