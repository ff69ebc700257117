"""Writing output files whole or not at all: an interrupted run never leaves half a file."""
from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Iterable

from grader.core.errors import UsageError


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename; keep an existing file's mode."""
    write_atomic_chunks(path, (text,))


def write_atomic_chunks(path: Path, chunks: Iterable[str]) -> None:
    """write_atomic of the concatenated ``chunks``, written as they come (a large file is never one string)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write it ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        os.unlink(temporary)
        if isinstance(exc, OSError):
            raise UsageError(f"{path}: cannot write it ({exc.strerror or exc})") from None
        raise


def writable_directory(path: Path, option: str = "--out") -> None:
    """Create ``path`` (with its parents) and check a file can be written in it; exit 2 with one line if not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".grade-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from None


_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
RESERVED_STEMS = frozenset({"summary", "gradebook", "report"})  # the batch's own outputs


def document_stem(name: str) -> str:
    """A file name for a submission's document that every file system and CI artifact store accepts:
    ASCII letters, digits, '.', '_' and '-', at most about 110 characters, unique per name. A name that
    is not already such is rewritten to ``_readable-<hash of the name>``: the leading underscore, which
    no kept name has, means no submission's name can be another's rewritten stem."""
    if _SAFE_NAME.fullmatch(name) and name.lower() not in RESERVED_STEMS and not name.endswith("."):
        return name
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:80] or "submission"
    return f"_{readable}-{hashlib.sha256(name.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"
