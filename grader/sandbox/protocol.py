"""What crosses the trust boundary: JSON messages whose arrays travel as .npy bytes.

What a worker sends is JSON. The trusted side decodes it with ``allow_pickle=False`` and accepts only plain
numeric arrays, so nothing a worker sends can run code or carry behaviour (no subclasses, no objects, no
``__eq__``). What the grader sends a worker (its job: ``encode_job``) comes from the trusted side and is read
whole before any student code runs; it is a pickle of exactly what the JSON form would decode to (lists,
not tuples; plain floats, not numpy scalars), which a worker reads in a fraction of the time.
"""
from __future__ import annotations

import base64
import enum
import io
import itertools
import json
import os
import pickle
import re
import select
import time
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Hashable, Mapping, TypedDict

import numpy as np

ARRAY_KEY = "__ndarray__"
PROBE_KEY = "__probe__"
TENSOR_KEY = "__tensor__"
SCALAR_KEY = "__scalar__"  # a NumPy number argument (np.int64(2)): its dtype's name, the number under "value"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
NUMERIC_KINDS = frozenset("biuf")


class ProtocolError(Exception):
    """A message that is not what the protocol allows."""


# The .npy headers np.save wrote, by (dtype, shape): a worker sends arrays of the same few shapes again and
# again, and np.save spends most of its time on the header. Bounded: cleared when full.
_NPY_HEADERS: dict[tuple[str, tuple[int, ...]], bytes] = {}
_NPY_HEADERS_MAX = 256


def encode_array(array: np.ndarray) -> dict[str, str]:
    """An array as .npy bytes in base64, exactly as np.save writes it. A plain numeric array in C order (the
    order np.save writes all but Fortran-ordered ones in) gets np.save's header from numpy's own header
    functions, kept by dtype and shape, then its bytes: the same file, made in a fraction of the time (a
    worker is a fresh fork: it meets most of its shapes once)."""
    array = np.asarray(array)
    dtype = array.dtype
    plain = (type(array) is np.ndarray and dtype.kind in NUMERIC_KINDS and dtype.names is None
             and not (array.flags.f_contiguous and not array.flags.c_contiguous))
    key = (dtype.str, array.shape)
    header = _NPY_HEADERS.get(key) if plain else None
    if header is None and plain:  # the header np.save writes (format 1.0), made by numpy's own functions
        written = io.BytesIO()
        try:
            np.lib.format.write_array_header_1_0(written, np.lib.format.header_data_from_array_1_0(array))
        except ValueError:  # a header too long for format 1.0: np.save below writes format 2.0
            pass
        else:
            header = written.getvalue()
            if len(_NPY_HEADERS) >= _NPY_HEADERS_MAX:
                _NPY_HEADERS.clear()
            _NPY_HEADERS[key] = header
    if header is not None:
        return {ARRAY_KEY: base64.b64encode(header + array.tobytes()).decode("ascii")}
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return {ARRAY_KEY: base64.b64encode(buffer.getvalue()).decode("ascii")}


# The header np.save writes for a plain numeric array (format 1.0). Anything else goes to np.load.
_NPY_HEADER = re.compile(rb"\x93NUMPY\x01\x00..\{'descr': '([<>|][biuf][0-9]{1,2})', 'fortran_order': (True|False), "
                         rb"'shape': \(((?:[0-9]{1,12}(?:, [0-9]{1,12}){0,31},?)?)\), \} *\n", re.DOTALL)


def _read_npy(raw: bytes) -> np.ndarray:
    """A .npy payload as an array: the common header parsed here (np.load spends most of its time
    evaluating it), the data then read exactly as np.load would; anything unusual goes to np.load."""
    header_end = 10 + int.from_bytes(raw[8:10], "little")
    match = _NPY_HEADER.fullmatch(raw, 0, header_end) if raw[:8] == b"\x93NUMPY\x01\x00" else None
    if match is None:
        return np.load(io.BytesIO(raw), allow_pickle=False)
    dtype = np.dtype(match.group(1).decode("ascii"))
    shape = tuple(int(n) for n in match.group(3).split(b",") if n.strip())
    count = 1
    for n in shape:
        count *= n
    if len(raw) - header_end != count * dtype.itemsize:
        raise ValueError(f"{len(raw) - header_end} bytes of data for {count} numbers of {dtype}")
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=header_end)
    return data.reshape(shape, order="F" if match.group(2) == b"True" else "C").copy(order="K")


def decode_array(payload: dict[str, Any]) -> np.ndarray:
    try:
        raw = base64.b64decode(payload[ARRAY_KEY], validate=True)
        array = _read_npy(raw)
    except Exception as exc:  # any malformed payload is a protocol error, never a crash
        raise ProtocolError(f"unreadable array: {exc}") from None
    if type(array) is not np.ndarray or array.dtype.kind not in NUMERIC_KINDS:
        raise ProtocolError(f"not a plain numeric array (dtype {array.dtype})")
    return array


def _wire_value(value: Any) -> Any:
    """What JSON cannot hold as it is: an array as its .npy payload, a numpy number as a Python one. The JSON
    encoder (C) walks the message and asks for these only: a worker sends a hundred replies a job, and a walk of
    every reply in Python first cost it more than the encoding."""
    if isinstance(value, np.ndarray):
        return encode_array(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a {type(value).__name__} cannot be sent")


# Object keys must be text: the encoder would write True or None as "true" or "null" (and refuse a tuple).
_ENCODER = json.JSONEncoder(default=_wire_value, allow_nan=True, check_circular=False)


# Objects and arrays within one another in a message: a worker's are a few levels deep. json.loads (C) accepts
# about a thousand; _from_wire (Python, two frames a level) would overflow the interpreter's stack first, so a
# frame of a few hundred nested lists raised RecursionError out of loads, past every caller's ProtocolError.
MAX_DEPTH = 64


def _from_wire(value: Any, depth: int = 0) -> Any:
    if isinstance(value, dict):
        if ARRAY_KEY in value:
            return decode_array(value)
        if depth >= MAX_DEPTH:
            raise ProtocolError(f"a message nested more than {MAX_DEPTH} levels deep")
        return {k: _from_wire(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            raise ProtocolError(f"a message nested more than {MAX_DEPTH} levels deep")
        return [_from_wire(v, depth + 1) for v in value]
    return value


def dumps(message: Mapping[str, object]) -> bytes:
    """A message as JSON text (ASCII: anything else as \\u escapes), its arrays as .npy payloads."""
    return _ENCODER.encode(message).encode("ascii")


def as_sent(task: Mapping[str, object]) -> bytes:
    """One task as a worker reads it (``decode_job``): exactly what the task's JSON form would decode to,
    pickled. Made once per task however many submissions it is sent to."""
    return pickle.dumps(_from_wire(json.loads(dumps(task))), protocol=pickle.HIGHEST_PROTOCOL)


def encode_job(settings: Mapping[str, object], tasks: list[bytes]) -> bytes:
    """A worker's job: its settings, then its tasks (each made by ``as_sent``)."""
    return pickle.dumps((dict(settings), tasks), protocol=pickle.HIGHEST_PROTOCOL)


def decode_job(data: bytes) -> dict[str, Any]:
    """In the worker, before any student code runs: the job the grader sent (``encode_job``). Trusted input:
    it comes from the grader through a pipe only this worker holds."""
    settings, tasks = pickle.loads(data)
    return {**settings, "tasks": [pickle.loads(task) for task in tasks]}


MAX_JSON_VALUES = 100_000  # objects, arrays and items in one message; arrays travel as single strings


def loads(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(data)} bytes is over the limit")
    # Decoding costs memory per JSON value, not per byte: a frame of empty objects would cost the grader
    # fifty times its size. Count the punctuation that can start a value (an upper bound) first.
    if data.count(b"{") + data.count(b"[") + data.count(b",") > MAX_JSON_VALUES:
        raise ProtocolError(f"a message of more than {MAX_JSON_VALUES} JSON values")
    # dumps writes ASCII only (non-ASCII text as \u escapes). One character beyond Latin-1 would make Python
    # hold the decoded message, and every string in it, at 4 bytes a character: 64 MiB frame, 0.5 GiB.
    if not data.isascii():
        raise ProtocolError("a message that is not ASCII JSON")
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: a number of a million digits
        raise ProtocolError(f"not a JSON message: {exc}") from None
    if not isinstance(message, dict) or ARRAY_KEY in message:
        raise ProtocolError("a message must be a JSON object (not an array)")
    return _from_wire(message)


# --- framing on pipes: a 4-byte big-endian length, then the message ---------------------------

_HEADER = 4


def write_frame(fd: int, payload: bytes) -> None:
    data = len(payload).to_bytes(_HEADER, "big") + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class FrameReader:
    """Reads length-prefixed frames from a pipe, with a deadline, never trusting the lengths."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

    def _frame(self) -> bytes | None:
        if len(self._buffer) < _HEADER:
            return None
        length = int.from_bytes(self._buffer[:_HEADER], "big")
        if length > MAX_MESSAGE_BYTES:
            raise ProtocolError(f"a message of {length} bytes is over the limit")
        if len(self._buffer) < _HEADER + length:
            return None
        frame = bytes(self._buffer[_HEADER:_HEADER + length])
        del self._buffer[:_HEADER + length]
        return frame

    def read(self, deadline: float) -> bytes | None:
        """The next frame; None at end of stream; TimeoutError when the deadline passes first."""
        while True:
            frame = self._frame()
            if frame is not None:
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(remaining * 1000):
                raise TimeoutError
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                if self._buffer:
                    raise ProtocolError("the stream ended inside a message")
                return None
            self._buffer += chunk


def read_all(fd: int, limit: int = MAX_MESSAGE_BYTES) -> bytes:
    chunks, size = [], 0
    while chunk := os.read(fd, 1 << 16):
        size += len(chunk)
        if size > limit:
            raise ProtocolError("input over the limit")
        chunks.append(chunk)
    return b"".join(chunks)


# --- the shapes of the messages a worker gets and sends (JSON objects: checked on arrival, never trusted) ---


class _CallId(TypedDict):
    id: str


class WireCall(_CallId, total=False):
    """One call of the student's function as the worker gets it (``checks.Case.call``)."""

    mode: str  # "torch" or "numpy"
    args: list[Any]  # plain values, arrays, the tensor, probe and NumPy-number forms (TENSOR_, PROBE_, SCALAR_KEY)
    kwargs: Mapping[str, Any]
    return_args: list[int]  # arguments sent back after the call (to see whether it changed them)
    arg_parts: list[int]  # of those, the lists of arrays: sent back one array at a time ("arg:1.0", "arg:1.1"...)
    parts: int  # a tuple result is due: send its parts one by one ("value.0", "value.1"...)
    grad_output: Any  # torch: the gradient to backpropagate from a non-scalar result (a list per part)
    grad_flows: bool  # torch: backpropagate (from ones) to see whether gradients flow at all


class _WireTask(TypedDict):
    function: str
    calls: list[WireCall]


class WireTask(_WireTask, total=False):
    forbidden: list[str]  # library functions the calls must not reach (sandbox.shortcuts)


class WireFrame(TypedDict):
    line: int
    code: str


class WireException(TypedDict):
    type: str
    mro: list[str]
    message: str
    frames: list[WireFrame]


class WireMeta(TypedDict, total=False):
    type: str
    requires_grad: bool
    parts: int
    dtypes: dict[str, str]


class WireReply(TypedDict, total=False):
    """A reply as the worker sends it; ``clean_reply`` turns it into a ``CallReply``."""

    id: str
    status: str  # a ReplyStatus value
    outputs: dict[str, np.ndarray]  # by output name: "value", "grad:0", "arg:1", "arg:1.0"
    meta: WireMeta
    exception: WireException
    detail: str
    uses: list[str]
    forbidden: list[str]


# --- typed views of a worker's messages ---------------------------------------------------------
# Everything a worker sends is a claim from untrusted code: keep only the fields the grader reads,
# with the types it expects, so that no message can make the trusted side fail or misread it.

OUTPUT_CUT_MARK = "[... output cut:"  # starts the line that says how much of what a task printed was kept
MAX_PARTS = 32  # of a tuple result
OUTPUT_NAME = re.compile(r"value(\.([12]?[0-9]|3[01]))?|grad:\d{1,2}|arg:\d{1,2}(\.([12]?[0-9]|3[01]))?")  # the outputs the grader reads; others are dropped
# The dtype names a result may be declared or reported with (torch's are numpy's, plus bfloat16).
DTYPE_NAMES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                         "float16", "bfloat16", "float32", "float64"})
MAX_FORBIDDEN = 32  # shortcut names reported for one call
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}(\.[A-Za-z_][A-Za-z0-9_]{0,99}){0,9}")
MAX_TEXT = 500


class ReplyStatus(str, enum.Enum):
    """How a call ended, as the worker says (its reply's "status")."""

    OK = "ok"  # returned; the outputs hold what came back
    RAISED = "raised"
    NOT_IMPLEMENTED = "not_implemented"  # raised NotImplementedError: the exercise is still a stub
    BAD_OUTPUT = "bad_output"  # returned something that is not numbers (or too much of it)


REPLY_STATUSES = frozenset(status.value for status in ReplyStatus)


_SURROGATE = re.compile("[\ud800-\udfff]")


# Control characters (terminal escapes, NUL, bells), and the invisible ones that reorder or hide text
# (bidi overrides such as U+202E, zero-width characters): shown as their escape, never passed on.
# U+2028 and U+2029 end a line for str.splitlines, like \r, \x0b, \x0c, \x1c-\x1e and \x85 here.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
# Whatever ends a line for a GitHub runner (\n, \r\n, \r) or for str.splitlines; the blanks before a
# command on its line are any other whitespace (the runner trims them), never a line end: `\s*` would
# run across an empty line and mark it instead of the command after it.
LINE_ENDS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# A line of student text that starts with `::` is read as a command by GitHub Actions; one that starts with
# a single `:` is marked too, so that no renderer completes it into one (an exception type named ":" is
# shown ":: message").
_WORKFLOW_COMMAND = re.compile(f"(?:^|(?<=[{LINE_ENDS}]))([^\\S{LINE_ENDS}]*):")
# The runner's older form, ``##[command]data``, is a command wherever it is in a line
# (actions/runner ActionCommand.TryParse: ``message.IndexOf("##[")``).
LEGACY_WORKFLOW_COMMAND, LEGACY_SHOWN = "##[", "#|#["


def inert_commands(text: str) -> str:
    """Workflow commands of both forms made plain text."""
    if ":" in text:  # the pattern's last character: without one, nothing to make plain
        text = _WORKFLOW_COMMAND.sub(r"|\1:", text)
    return text.replace(LEGACY_WORKFLOW_COMMAND, LEGACY_SHOWN)


def clean_text(text: str) -> str:
    """Untrusted text made inert for every renderer: lone surrogates become U+FFFD, control and
    invisible characters their escapes (``\x1b``, ``\u202e``; line separators too), and a line that
    starts with ``:`` (after blanks, never across a line end) gets a ``|`` in front (``##[``, anywhere,
    becomes ``#|#[``) so that CI logs never run it as a workflow command."""
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
    text = _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return inert_commands(text)


def text_field(value: Any, limit: int = MAX_TEXT) -> str:
    return clean_text(value[:limit]) if isinstance(value, str) else ""


@dataclass(frozen=True)
class Frame:
    """One line of the student's file in a traceback: its number, its code, and (a notebook) the cell."""

    line: int
    code: str = ""
    where: str | None = None  # "cell 7, line 3" when the file was a notebook; set by the trusted side


@dataclass(frozen=True)
class ExceptionInfo:
    """An exception the worker reports: its type and base class names, its message, the student's frames."""

    type: str = "Exception"
    mro: tuple[str, ...] = ()
    message: str = ""
    frames: tuple[Frame, ...] = ()


_NO_DTYPES: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class ReplyMeta:
    """What the worker says about the returned value besides its numbers."""

    type: str = ""  # the returned value's type, e.g. "torch.Tensor"
    requires_grad: bool = False
    parts: int | None = None  # a tuple result: how many parts it had (sent as outputs "value.0", "value.1"...)
    dtypes: Mapping[str, str] = field(default_factory=lambda: _NO_DTYPES)  # output name -> torch dtype ("bfloat16")


_NO_OUTPUTS: Mapping[str, np.ndarray] = MappingProxyType({})


@dataclass(frozen=True)
class CallReply:
    """A worker's reply to one call, reduced to what the grader reads, every field of the type it expects.

    ``outputs`` is keyed by output name ("value", "grad:0", "arg:1")."""

    status: ReplyStatus
    outputs: Mapping[str, np.ndarray] = field(default_factory=lambda: _NO_OUTPUTS)
    meta: ReplyMeta = ReplyMeta()
    exception: ExceptionInfo | None = None
    detail: str = ""
    uses: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()  # the exercise's forbidden shortcuts the call reached, as the worker says

    @cached_property
    def key(self) -> Hashable:
        """All of the reply, hashable and equal exactly when the replies are: the outputs bit for bit (a NaN
        equals itself), with their dtypes and shapes. Found once per reply (a known reply is read again and
        again: ``collect.KnownReplies``)."""
        meta = self.meta
        return (self.status, self.detail, self.exception, self.uses, self.forbidden,
                (meta.type, meta.requires_grad, meta.parts, tuple(sorted(meta.dtypes.items()))),
                tuple((name, value.dtype.str, value.shape, value.tobytes()) if isinstance(value, np.ndarray)
                      else (name, value) for name, value in sorted(self.outputs.items())))


def clean_exception(value: Any) -> ExceptionInfo | None:
    if not isinstance(value, dict):
        return None
    mro = value.get("mro")
    frames = value.get("frames")
    return ExceptionInfo(
        type=text_field(value.get("type"), 100) or "Exception",
        mro=tuple(text_field(name, 100) for name in mro[:50]) if isinstance(mro, list) else (),
        message=text_field(value.get("message")),
        frames=tuple(
            Frame(frame["line"], text_field(frame.get("code")))
            for frame in (frames[-5:] if isinstance(frames, list) else [])
            if isinstance(frame, dict) and type(frame.get("line")) is int and 0 <= frame["line"] < 10**9
        ),
    )


def clean_reply(message: Mapping[str, Any]) -> CallReply | None:
    """A call's reply reduced to what the grader reads, or None when it is not a reply at all."""
    status = message.get("status")
    if not isinstance(message.get("id"), str) or not isinstance(status, str) or status not in REPLY_STATUSES:
        return None
    outputs = message.get("outputs")
    meta = message.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    return CallReply(
        status=ReplyStatus(status),
        outputs={k: v for k, v in outputs.items() if isinstance(v, np.ndarray) and OUTPUT_NAME.fullmatch(k)}
        if isinstance(outputs, dict) else {},
        meta=ReplyMeta(type=text_field(meta.get("type"), 100), requires_grad=meta.get("requires_grad") is True,
                       parts=_part_count(meta.get("parts")),
                       dtypes=MappingProxyType(_dtypes(meta.get("dtypes")))),
        exception=clean_exception(message.get("exception")),
        detail=text_field(message.get("detail")),
        uses=_names(message.get("uses")),
        forbidden=_dotted_names(message.get("forbidden")),
    )


def _part_count(value: Any) -> int | None:
    """How many parts a tuple result had (None: not a tuple, or a count no worker sends)."""
    return value if type(value) is int and 0 <= value <= MAX_PARTS else None


def _dtypes(value: Any) -> dict[str, str]:
    """The dtype a torch output had (output name -> dtype name), where the array cannot say (bfloat16)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in itertools.islice(value.items(), 2 * MAX_PARTS + 64)
            if isinstance(k, str) and OUTPUT_NAME.fullmatch(k) and isinstance(v, str) and v in DTYPE_NAMES}


def _dotted_names(value: Any) -> tuple[str, ...]:
    """The forbidden shortcuts a call reached, as the worker says: dotted identifiers only, a few."""
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(v for v in value[:MAX_FORBIDDEN] if isinstance(v, str) and _DOTTED.fullmatch(v)))


def _names(value: Any) -> tuple[str, ...]:
    """Function names a call went through, as the worker says: identifiers only, a few (for messages)."""
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value[:32] if isinstance(v, str) and len(v) <= 100 and v.isidentifier())
