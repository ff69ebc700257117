"""Softmax, Cross-Entropy & Optimization."""
from grader.lessons.softmax_cross_entropy.checks import CHECKS
from grader.lessons.softmax_cross_entropy.predictions import PREDICTIONS

__all__ = ["CHECKS", "PREDICTIONS"]
