"""Softmax, Cross-Entropy & Optimization."""
from grader.lessons.softmax_cross_entropy.checks import CHECKS
from grader.lessons.softmax_cross_entropy.predictions import PREDICTIONS
from grader.lessons.softmax_cross_entropy.stress import STRESS

__all__ = ["CHECKS", "PREDICTIONS", "STRESS"]
