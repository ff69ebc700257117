"""Imported once by the warm fork server: the heavy libraries, and nothing of the grader's secrets.

``torch.set_num_threads(1)`` must run before any torch operation: a child forked after an
OpenMP-parallel op hangs in libgomp's barrier.
"""
import numpy  # noqa: F401
import torch

torch.set_num_threads(1)

import grader.sandbox.worker  # noqa: E402,F401  (so each child starts with the worker loaded)
