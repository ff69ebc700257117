"""Reading the header of a corpus file (tests/corpus/ and tests/corpus_wild/).

tests/corpus/ files open with ``# expect: correct`` or ``# expect: <mistake id>``. tests/corpus_wild/ files
open with ``# expect: correct`` or ``# expect: buggy: <what is wrong>`` (continued on ``#   `` lines),
optionally ``# mistake: <mistake id> [<mistake id> ...]`` when the bug is exactly one of the lesson's known
mistakes (several ids when their outputs cannot be told apart, e.g. -log(p + eps) and -log(max(p, eps)) for
eps = 2.2e-16: naming any of them is right), then
``# behaviour of: <repository>, <path>, <function> (written here from scratch; no code copied)``: the public
function whose behaviour the file reproduces in its own code.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OLD_CORPUS = HERE / "corpus"
WILD_CORPUS = HERE / "corpus_wild"

_FIELD = re.compile(r"# (expect|mistake|behaviour of): ?(.*)")
_WRITTEN_HERE = "(written here from scratch; no code copied)"


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    function: str  # the exercise it implements
    source: str  # the whole file (comments included): the function's replacement text
    correct: bool
    bug: str  # what is wrong, "" when correct
    mistakes: tuple[str, ...]  # the lesson's mistake ids this bug is exactly (any of them is a right name)
    origin: str  # "repo, path, function" whose behaviour a wild file reproduces, "" for the old corpus

    @property
    def name(self) -> str:
        return self.path.stem


def read(path: Path) -> CorpusFile:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _FIELD.match(line)
        if match:
            last = match.group(1)
            fields[last] = match.group(2).strip()
        elif last and line.startswith("#   "):
            fields[last] += " " + line[1:].strip()
    functions = [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]
    if "expect" not in fields or len(functions) != 1:
        raise ValueError(f"{path.name}: needs an '# expect:' first line and exactly one function")
    expect = fields["expect"]
    if path.parent.name == WILD_CORPUS.name:
        correct = expect == "correct"
        bug = "" if correct else expect.removeprefix("buggy:").strip()
        if not correct and not expect.startswith("buggy:"):
            raise ValueError(f"{path.name}: '# expect: correct' or '# expect: buggy: <what is wrong>'")
        mistakes = tuple(fields.get("mistake", "").split())
    else:  # the old corpus names the mistake itself
        correct = expect == "correct"
        bug = "" if correct else expect
        mistakes = () if correct else (expect,)
    origin = fields.get("behaviour of", "").removesuffix(_WRITTEN_HERE).strip()
    return CorpusFile(path, functions[0], text, correct, bug, mistakes, origin)


def corpus(directory: Path) -> list[CorpusFile]:
    return [read(path) for path in sorted(directory.glob("*.py"))]
