"""Finding and reading a student's files, as an attacker could have laid them out.

The directory the user names (a submission, or the class's folder in a batch) is trusted as a
starting point; everything inside it is not. Files inside it are opened one path component at a
time with ``O_NOFOLLOW`` relative to the trusted directory, so a symbolic link anywhere below it (to
the reference, a classmate's file, a root-only file, an endless file under /proc) is refused rather
than followed. Only a regular file of bounded size is read; FIFOs and devices are refused without
blocking. Hard links are read for what they hold.
"""
from __future__ import annotations

import ast
import enum
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.core.errors import UsageError
from grader.core.model import FileChoice
from grader.core.notebook_program import MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, NotebookError, is_notebook, notebook_program

MAX_ANSWERS_BYTES = 64 * 1024  # quiz_answers.yaml
EXERCISES_DIR = "exercises"


class Refused(Exception):
    """A file of a submission that is not read: why, in words a student can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SubmissionFile:
    """Where a student's file is: a trusted directory and a path inside it that is not trusted."""

    base: Path
    relative: str  # '/'-separated, never empty, never '..'
    choice: FileChoice | None = field(default=None, compare=False)  # set where a .py and a notebook were both there

    @property
    def path(self) -> Path:
        return self.base / self.relative

    @classmethod
    def of(cls, path: Path) -> SubmissionFile:
        """A file the user named directly: its directory is trusted, the file itself is not followed."""
        return cls(path.parent, path.name)

    def read(self, limit: int = MAX_SOURCE_BYTES) -> bytes:
        return read_inside(self.base, self.relative, limit)


def _refusal(shown: str, error: OSError) -> Refused:
    if error.errno == errno.ELOOP:
        return Refused(f"{shown} is a symbolic link; submit the file itself")
    if error.errno == errno.ENOTDIR:
        return Refused(f"{shown}: a part of this path is not a directory")
    if error.errno == errno.ENOENT:
        return Refused(f"{shown}: no such file")
    return Refused(f"{shown}: cannot read it ({error.strerror or error})")


def read_inside(base: Path, relative: str, limit: int) -> bytes:
    """The bytes of ``base/relative``, never following a link below ``base``; Refused otherwise."""
    parts = PurePosixPath(relative).parts
    if not parts or any(part in ("", ".", "..", "/") for part in parts):
        raise Refused(f"{relative}: not a path inside the submission")
    try:
        directory = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise _refusal(str(base), error) from None
    descriptors = [directory]
    try:
        for index, part in enumerate(parts[:-1]):
            try:
                directory = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=directory)
            except OSError as error:
                shown = "/".join(parts[: index + 1])
                if error.errno == errno.ENOTDIR and os.path.islink(base / shown):  # O_DIRECTORY wins over ELOOP
                    error = OSError(errno.ELOOP, "is a symbolic link")
                raise _refusal(shown, error) from None
            descriptors.append(directory)
        try:
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=directory)
        except OSError as error:
            raise _refusal(relative, error) from None
        descriptors.append(fd)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise Refused(f"{relative} is {kind}; submit the file itself")
        if info.st_size > limit:
            raise Refused(f"{relative} is {info.st_size} bytes, over the {limit} allowed")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 16, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise Refused(f"{relative} is over the {limit} bytes allowed")
        return b"".join(chunks)
    finally:
        for descriptor in reversed(descriptors):
            os.close(descriptor)


class EntryKind(str, enum.Enum):
    """What an entry of a submission is, as ``entry_kind`` sees it (never following a link)."""

    FILE = "file"
    DIR = "dir"
    LINK = "link"
    OTHER = "other"  # a pipe, a socket, a device


def entry_kind(base: Path, relative: str) -> EntryKind | None:
    """What a path inside ``base`` is (never following links); None if absent."""
    parts = PurePosixPath(relative).parts
    inner = os.fspath(base)
    try:
        for part in parts[:-1]:  # every folder on the way: a folder itself, not a link to one (one lstat each)
            inner = os.path.join(inner, part)
            if not stat.S_ISDIR(os.lstat(inner).st_mode):
                return None
        info = os.lstat(os.path.join(inner, parts[-1]) if parts else inner)
    except (OSError, ValueError):  # absent; a name with a NUL
        return None
    if stat.S_ISLNK(info.st_mode):
        return EntryKind.LINK
    if stat.S_ISREG(info.st_mode):
        return EntryKind.FILE
    return EntryKind.DIR if stat.S_ISDIR(info.st_mode) else EntryKind.OTHER


def notebook_name(student_file: str) -> str:
    """The notebook a student may hand in instead of the .py file: same name, .ipynb."""
    return str(PurePosixPath(student_file).with_suffix(".ipynb"))


class Prefer(str, enum.Enum):
    """Which file to grade where a submission holds both the .py file and the notebook of the same name."""

    STARTED = "started"  # the one that is not the untouched stub, when the other one is; else the newest
    NEWEST = "newest"  # the one saved last (the .py on a tie)
    PY = "py"
    IPYNB = "ipynb"


PREFER_HELP = ("Where both the .py file and the .ipynb notebook are there, which to grade: started (the one that "
               "is not the untouched stub, when the other is; else the newest), newest (saved last), py or ipynb.")
# ast.parse costs memory and time per byte; a stub is a few KiB, and a file far larger is someone's work.
MAX_STUB_BYTES = 256 * 1024


def _only_raises_not_implemented(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def untouched_stub(file: SubmissionFile) -> bool:
    """Whether the file is still a stub nobody has started: it parses (never runs), defines functions at
    its top level, and each of them only raises NotImplementedError (after its docstring). A file that
    cannot be read or parsed is not a stub: it is graded for what it is."""
    notebook = is_notebook(file.relative)
    try:
        source = file.read(MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES)
        if notebook:
            source = notebook_program(source).source
    except (Refused, NotebookError):
        return False
    if len(source) > MAX_STUB_BYTES:
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return bool(functions) and all(_only_raises_not_implemented(f) for f in functions)


def choose_file(base: Path, python: str, notebook: str, prefer: Prefer = Prefer.STARTED) -> SubmissionFile:
    """Of a .py file and a notebook both in ``base``, the one to grade, with the choice and its reason."""
    def chosen(graded: str, reason: str) -> SubmissionFile:
        left_out = notebook if graded == python else python
        return SubmissionFile(base, graded, FileChoice(graded, left_out, reason))

    if prefer is Prefer.PY:
        return chosen(python, "--prefer py")
    if prefer is Prefer.IPYNB:
        return chosen(notebook, "--prefer ipynb")
    if prefer is Prefer.STARTED:
        stubs = [name for name in (python, notebook) if untouched_stub(SubmissionFile(base, name))]
        if len(stubs) == 1:
            return chosen(notebook if stubs == [python] else python,
                          "it is the untouched stub (every function still raises NotImplementedError)")
        if len(stubs) == 2:  # a fresh copy: either grades the same
            return chosen(python, "both are still the untouched stub, and the .py file is graded then")
    try:
        python_time, notebook_time = (base / python).lstat().st_mtime, (base / notebook).lstat().st_mtime
    except OSError:
        return chosen(python, "their times of saving could not be read")
    choose = "--prefer py or --prefer ipynb chooses"
    if notebook_time > python_time:
        return chosen(notebook, f"it was saved earlier ({choose})")
    if python_time > notebook_time:
        return chosen(python, f"it was saved earlier ({choose})")
    return chosen(python, f"both were saved at the same moment, and the .py file is graded then ({choose})")


def submission_file_in(directory: Path, student_file: str, prefer: Prefer = Prefer.STARTED) -> SubmissionFile | None:
    """The student's file in a submission directory: at its root, else under exercises/ (links included,
    so that reading them says why they are refused). The notebook of the same name counts too; where
    both are found, ``prefer`` says which is graded (``choose_file``) and the result says why."""
    def first(name: str) -> str | None:
        for relative in (name, f"{EXERCISES_DIR}/{name}"):
            if entry_kind(directory, relative) not in (None, EntryKind.DIR):
                return relative
        return None

    python, notebook = first(student_file), first(notebook_name(student_file))
    if python is not None and notebook is not None:
        return choose_file(directory, python, notebook, prefer)
    if python is not None or notebook is not None:
        return SubmissionFile(directory, python or notebook)  # type: ignore[arg-type]
    if entry_kind(directory, EXERCISES_DIR) is EntryKind.LINK:
        return SubmissionFile(directory, f"{EXERCISES_DIR}/{student_file}")
    return None


def project_exercise_file(root: Path, student_file: str, prefer: Prefer = Prefer.STARTED) -> SubmissionFile:
    """The file a student works in, in their project: exercises/<file>.py, or its notebook as ``prefer`` says
    (so bare ``grade``, ``grade list`` and ``grade watch`` grade what ``grade check exercises/`` does)."""
    python, notebook = f"{EXERCISES_DIR}/{student_file}", f"{EXERCISES_DIR}/{notebook_name(student_file)}"
    if entry_kind(root, notebook) not in (None, EntryKind.DIR) and entry_kind(root, python) not in (None, EntryKind.DIR):
        return choose_file(root, python, notebook, prefer)
    return SubmissionFile(root, python)


def ignored_copy_note(directory: Path, found: SubmissionFile, student_file: str) -> str | None:
    """When a directory holds the student's file both at its root and under exercises/, which one is
    graded (the root's) and which is not; None otherwise. Looks at the entries only, reads nothing."""
    other = f"{EXERCISES_DIR}/{student_file}"
    if found.relative != student_file or entry_kind(directory, other) in (None, EntryKind.DIR):
        return None
    return (f"note: {directory} holds both {student_file} and {other}: grading {student_file} (the one at "
            f"its root); {other} is not graded")


def resolve_submission(path: Path, student_file: str, prefer: Prefer = Prefer.STARTED) -> SubmissionFile:
    """PATH is the .py file or notebook itself, or a directory with it at its root or under exercises/."""
    if not os.path.lexists(path):
        raise UsageError(f"{path}: no such file or directory")
    if path.is_dir():
        found = submission_file_in(path, student_file, prefer)
        if found is None:
            raise UsageError(f"{path}: no {student_file} at its root or under exercises/")
        return found
    if path.suffix not in (".py", ".ipynb"):
        raise UsageError(f"{path}: not a Python file or notebook; give the .py file, the .ipynb notebook "
                         f"or the directory holding {student_file}")
    return SubmissionFile.of(path)
