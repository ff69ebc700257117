"""Tiny statistics (a fixture lesson)."""
from .checks import CHECKS
from .predictions import PREDICTIONS
from .stress import STRESS

__all__ = ["CHECKS", "PREDICTIONS", "STRESS"]
