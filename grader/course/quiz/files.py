"""Reading the quiz's YAML files with one-line errors."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from grader.core.errors import UsageError


def read_yaml(path: Path, expected: str) -> Any:
    """The parsed file; expected says what the file should hold, for the message when it is not YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read it ({error})") from None
    return parse_yaml(text, path, expected)


def parse_yaml(text: str, shown: Path | str, expected: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """YAML text parsed with ``loader``; a one-line error naming ``shown`` when it is not valid."""
    path = shown
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 (loader is SafeLoader or a stricter subclass)
    except RecursionError:
        raise UsageError(f"{path}: nested too deeply; expected {expected}") from None
    except (ValueError, OverflowError) as error:  # a number of over 4300 digits, a date out of range
        raise UsageError(f"{path}: holds a value that cannot be read ({str(error)[:80]}); expected {expected}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "cannot be parsed"
        raise UsageError(f"{path}: not valid YAML{where} ({problem}); expected {expected}") from None
