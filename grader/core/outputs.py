"""Writing output files whole or not at all: an interrupted run never leaves half a file."""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from json.encoder import INFINITY, encode_basestring_ascii
from pathlib import Path
from typing import Any, Iterable

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


class _NotPlainJson(Exception):
    """A value json_text leaves to json.dumps: a key that is not text, a value of no JSON type, a cycle."""


def json_text(value: Any) -> str:
    """``json.dumps(value, indent=2)``, character for character, in about a third of its time: json's indented
    encoder is pure Python (its C encoder writes only compact JSON), and a class's documents are written one
    by one. Anything but dicts with text keys, lists, tuples, text, numbers, booleans and None is left to
    json.dumps, which says what is wrong with it."""
    out: list[str] = []
    try:
        _write_json(value, out, "")
    except (_NotPlainJson, RecursionError):
        return json.dumps(value, indent=2)
    return "".join(out)


def _json_float(value: float) -> str:
    """A float as json writes it (allow_nan: NaN and the infinities as JavaScript names them)."""
    if value != value:
        return "NaN"
    if value == INFINITY:
        return "Infinity"
    if value == -INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _write_json(value: Any, out: list[str], indent: str) -> None:
    """json's own order of checks (an int that is a bool is a bool; a str or int subclass is written as one)."""
    if isinstance(value, str):
        out.append(encode_basestring_ascii(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_json_float(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        separator = ",\n" + inner
        out.append("[\n" + inner)
        for index, item in enumerate(value):
            if index:
                out.append(separator)
            _write_json(item, out, inner)
        out.append("\n" + indent + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        separator = ",\n" + inner
        out.append("{\n" + inner)
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _NotPlainJson
            if index:
                out.append(separator)
            out.append(encode_basestring_ascii(key) + ": ")
            _write_json(item, out, inner)
        out.append("\n" + indent + "}")
    else:
        raise _NotPlainJson


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
