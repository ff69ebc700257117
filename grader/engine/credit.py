"""The gate in front of every command whose grades count: full confinement, or an explicit --unconfined."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from grader.engine.doctor import HOW_TO_COMPLETE, Diagnosis, diagnose, missing_line
from grader.core.errors import UsageError
from grader.engine.grading import DEFAULT_SEED
from grader.sandbox.runner import Limits


def require_confinement(command: str, limits: Limits, unconfined: bool) -> Diagnosis:
    """Refuse (exit 2, one line) where the sandbox is incomplete, unless ``unconfined``; then the command warns once."""
    diagnosis = diagnose(limits)
    if diagnosis.complete:
        return diagnosis
    if not unconfined:
        raise UsageError(f"{command} produces grades for credit and needs full confinement; missing here: "
                         f"{missing_line(diagnosis)}. To fix: {HOW_TO_COMPLETE}; or pass --unconfined to grade "
                         "anyway (the outputs will say so). See grade doctor.")
    return diagnosis


def unconfined_warning(command: str, diagnosis: Diagnosis) -> str:
    """The one line a command grading without full confinement (``--unconfined``) shows on stderr."""
    return (f"warning: {command} is grading WITHOUT full confinement ({missing_line(diagnosis)}), as "
            "--unconfined asks; the outputs record it.")


SEED_VARIABLE = "GRADE_SEED"
PRACTICE_SEED = DEFAULT_SEED  # students' default, and the one seed whose answers the student release holds


def credit_seed(given: int | None, previous: Path | None = None) -> tuple[int, str]:
    """The seed of a run whose grades count, and where it came from: --seed, else $GRADE_SEED (a CI
    secret, the same for every shard), else the seed of the results being resumed, else a fresh random
    one. Never the practice seed: the student release replays the reference's answers at that seed."""
    seed, source = given, "--seed"
    if seed is None and os.environ.get(SEED_VARIABLE, "").strip():
        source, text = f"${SEED_VARIABLE}", os.environ[SEED_VARIABLE].strip()
        try:
            seed = int(text)
        except ValueError:
            raise UsageError(f"{SEED_VARIABLE}={text!r}: not a whole number") from None
    if seed is None and previous is not None:
        try:
            recorded = json.loads(previous.read_text(encoding="utf-8")).get("seed")
        except (OSError, ValueError, AttributeError):
            recorded = None
        if isinstance(recorded, int) and recorded != PRACTICE_SEED:
            seed, source = recorded, "kept from the results resumed"
    if seed is None:
        while seed is None or seed == PRACTICE_SEED:
            seed = secrets.randbelow(2**31 - 1) + 1
        return seed, "drawn for this run"
    if not 0 <= seed < 2**63:
        raise UsageError(f"{source} {seed}: a seed is a whole number from 0 to 2**63 - 1")
    if seed == PRACTICE_SEED:
        raise UsageError(f"{source} {seed}: this is the practice seed, whose reference answers ship in the student "
                         "release; grades for credit use another (leave it out for a fresh random seed)")
    return seed, "given" if source == "--seed" else source


def seed_line(seed: int, how: str) -> str:
    return f"Seed: {seed} ({how}; --seed {seed} reproduces these inputs)"
