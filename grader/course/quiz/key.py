"""The answer key, stored so that reading the quiz file does not reveal it.

Each question holds a random `salt` and `key = sha256(salt + question id + ":" + correct choice id)`
in hex. Correctness is checked by hashing the given choice the same way. This hides the key from a
glance, not from a determined student: four choices are four hashes to try.
"""
from __future__ import annotations

import hashlib
import secrets


def digest(salt: str, question_id: str, choice_id: str) -> str:
    return hashlib.sha256(f"{salt}{question_id}:{choice_id}".encode()).hexdigest()


def seal(question_id: str, choice_id: str) -> tuple[str, str]:
    """A fresh (salt, key) pair marking choice_id as the correct answer to question_id."""
    salt = secrets.token_hex(8)
    return salt, digest(salt, question_id, choice_id)
