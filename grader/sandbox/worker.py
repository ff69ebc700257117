"""The untrusted side: runs inside a sandboxed child, imports the student's module, calls it.

Everything it sends back goes through ``protocol`` as plain arrays, numbers and short strings. The
trusted grader treats every byte of it as a claim to verify, never as a verdict.
"""
from __future__ import annotations

import collections
import functools
import importlib.util
import linecache
import os
import sys
from types import FunctionType, ModuleType
from typing import Any, Callable, Mapping, TypedDict

import numpy as np

from grader.sandbox import isolation, limits, probes, protocol, shortcuts, syscall_filter
from grader.sandbox.limits import WorkerLimits
from grader.sandbox.protocol import WireCall, WireException, WireFrame, WireMeta, WireReply, WireTask

MAX_RESULT_ELEMENTS = 5_000_000
MODULE_NAME = "student_submission"


class WireSandbox(TypedDict):
    """How the worker is to isolate itself (``runner._run_worker``)."""

    isolate: bool
    uid: int
    root: str  # the private root's mount point
    hostdir: str  # where the student's file goes where there is no private root
    require_private_root: bool  # refuse to run the student's code without one (a run for credit)
    hide: list[str]  # directories the private root must not show
    cgroups: list[str]  # the cgroup layers the runner set up


class WireJob(TypedDict):
    """The job as the worker reads it from its pipe: trusted (the grader wrote it)."""

    module_name: str
    source: bytes  # the file, as the grader read it
    limits: WorkerLimits
    sandbox: WireSandbox
    tasks: list[WireTask]


class BadOutput(Exception):
    """A value that cannot be turned into a plain numeric array."""


def _torch() -> Any:
    return sys.modules.get("torch")


def describe_type(value: Any) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def result_type(value: Any) -> str:
    """The type the grader judges a result by: an np.ndarray subclass (a masked array, a matrix) is an np.ndarray,
    with its .shape and axis= reductions; its values and shape are checked as any array's."""
    return "numpy.ndarray" if isinstance(value, np.ndarray) else describe_type(value)


def to_plain_array(value: Any) -> np.ndarray:
    torch = _torch()
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if value is None:
        raise BadOutput("returned None (is a `return` missing?)")
    try:
        array = np.asarray(value)
    except Exception as exc:  # the student's object refused conversion
        raise BadOutput(f"returned a {describe_type(value)} that is not an array ({type(exc).__name__})") from None
    if array.dtype.kind not in protocol.NUMERIC_KINDS:
        raise BadOutput(f"returned a {describe_type(value)}, not numbers")
    if array.size > MAX_RESULT_ELEMENTS:
        raise BadOutput(f"returned {array.size} numbers, more than the {MAX_RESULT_ELEMENTS} allowed")
    return np.array(array, dtype=array.dtype, copy=True, subok=False)


SHOWN_FRAMES = 5  # the last frames of the student's file in a traceback


def _frames_in(path: str, tb: Any) -> list[WireFrame]:
    """The traceback's last frames in the student's file, with their lines: what ``traceback.extract_tb`` says of
    them, without its work on every other frame (it looks up each frame's file and columns; a stub's
    NotImplementedError, a hundred a job, cost 0.15 ms each that way)."""
    frames: collections.deque[WireFrame] = collections.deque(maxlen=SHOWN_FRAMES)
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
            code = linecache.getline(path, line) if isinstance(line, int) else ""
            frames.append({"line": line, "code": code.strip()[:protocol.MAX_TEXT]})
        tb = tb.tb_next
    return list(frames)


def describe_exception(exc: BaseException, path: str) -> WireException:
    frames = _frames_in(path, exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename == path and exc.lineno:
        frames.append({"line": exc.lineno, "code": (exc.text or "").strip()[:protocol.MAX_TEXT]})
    try:
        message = str(exc)
    except Exception:
        message = "<the exception's message could not be shown>"
    return {
        "type": type(exc).__name__,
        "mro": [cls.__name__ for cls in type(exc).__mro__],
        "message": message[:protocol.MAX_TEXT],
        "frames": frames[-SHOWN_FRAMES:],
    }


def _build_probes(tasks: list[WireTask]) -> None:
    """Turn every probe argument of the job into its function now, before any student code runs (a loss
    defined only near the array it is differentiated at, ``probes.build_probe``); then seal the builders
    away."""
    for task in tasks:
        for call in task["calls"]:
            args = call.get("args", [])
            for index, value in enumerate(args):
                if isinstance(value, dict) and protocol.PROBE_KEY in value:
                    at = next((a for a in args[index + 1:] if isinstance(a, np.ndarray)), None)
                    args[index] = _unwatched(probes.build_probe(value[protocol.PROBE_KEY], value.get("params", {}), at))
    probes.seal()


def _unwatched(probe: probes.ScalarFunction) -> probes.ScalarFunction:
    """The probe, whose own calls (numpy.exp inside the loss the student differentiates) never count as the
    student reaching a forbidden shortcut: only what the student's code calls itself does."""
    def call(x: np.ndarray) -> float:
        global _watching
        watching, _watching = _watching, False
        try:
            return probe(x)
        finally:
            _watching = watching

    return call


FROM_NUMPY = frozenset({"float32", "float64", "int64", "int32", "bool"})  # numpy dtypes torch.from_numpy shares


def _build_argument(value: Any) -> Any:
    if isinstance(value, dict) and protocol.TENSOR_KEY in value:
        torch = _torch() or __import__("torch")
        dtype = getattr(torch, value["dtype"])
        data, requires_grad = value[protocol.TENSOR_KEY], value.get("requires_grad", False)
        if isinstance(data, np.ndarray) and data.dtype.name in FROM_NUMPY and data.dtype.isnative:
            # a copy of its own, then cast as torch.tensor casts: the same tensor in a third of the time
            return torch.from_numpy(np.array(data, order="C", copy=True)).to(dtype).requires_grad_(requires_grad)
        return torch.tensor(data, dtype=dtype, requires_grad=requires_grad)
    if isinstance(value, dict) and protocol.SCALAR_KEY in value:
        dtype = np.dtype(value[protocol.SCALAR_KEY])
        if dtype.kind not in protocol.NUMERIC_KINDS:
            raise ValueError(f"not a NumPy number: {dtype}")
        return dtype.type(value["value"])
    return value


def _dtype_name(value: Any) -> str | None:
    """A torch tensor's dtype as numpy names it ("float32"; "bfloat16", which numpy has not)."""
    torch = _torch()
    if torch is None or not isinstance(value, torch.Tensor):
        return None
    name = str(value.dtype).removeprefix("torch.")
    return name if name in protocol.DTYPE_NAMES else None


def _plain_output(value: Any) -> np.ndarray:
    torch = _torch()
    if torch is not None and isinstance(value, torch.Tensor) and value.dtype == torch.bfloat16:
        value = value.detach().float()  # numpy has no bfloat16: the values as float32, the dtype in meta
    return to_plain_array(value)


def _parts(value: Any, expected: int, verb: str = "returned") -> list[Any] | None:
    """A tuple or list result's parts (a NamedTuple's too), read without calling any method of the result."""
    if not isinstance(value, (tuple, list)):
        return None
    kind = tuple if isinstance(value, tuple) else list
    count = kind.__len__(value)
    if count > protocol.MAX_PARTS:
        raise BadOutput(f"{verb} a {describe_type(value)} of {count} parts, expected {expected}"
                        if verb == "returned" else f"{verb} {count} parts, more than the {expected} allowed")
    return [kind.__getitem__(value, i) for i in range(count)]


def _backward(value: Any, parts: list[Any] | None, call: WireCall) -> None:
    """Backpropagate from the result: a scalar by itself, a tensor from the call's grad_output (a tuple's parts
    from theirs), or, to see whether gradients flow at all (grad_flows), from ones."""
    torch = _torch()
    grad_output = call.get("grad_output")
    pieces = parts if parts is not None else [value]
    if parts is None:  # a tuple's per-part gradients for a result that is no tuple: its value check fails first
        given = [None if isinstance(grad_output, list) else grad_output]
    else:
        given = grad_output if isinstance(grad_output, list) else [None] * len(pieces)
    tensors, gradients = [], []
    for piece, gradient in zip(pieces, given):
        if not (isinstance(piece, torch.Tensor) and piece.requires_grad):
            continue
        if gradient is not None:
            gradient = torch.as_tensor(np.asarray(gradient), dtype=piece.dtype)
            if gradient.shape != piece.shape:
                continue  # a result of the wrong shape: its value check fails first
        elif parts is None and piece.numel() == 1:
            gradient = None  # a scalar: backward() as it is
        elif call.get("grad_flows"):
            gradient = torch.ones_like(piece)
        else:
            continue
        tensors.append(piece)
        gradients.append(gradient)
    if tensors:
        torch.autograd.backward(tensors, gradients)


_reached: set[str] = set()  # the forbidden shortcuts the current call reached (see shortcuts.watch)
_watching = False


def _note_shortcut(name: str) -> None:
    if _watching:
        _reached.add(name)


def _call(function: Callable[..., Any], call: WireCall) -> WireReply:
    global _watching
    args = [_build_argument(v) for v in call.get("args", [])]
    kwargs = {k: _build_argument(v) for k, v in call.get("kwargs", {}).items()}
    _watching = True  # only the student's call counts: the worker's own torch calls below do not
    try:
        value = function(*args, **kwargs)
    finally:
        _watching = False
    outputs: dict[str, np.ndarray] = {}
    meta: WireMeta = {"type": result_type(value)}
    expected_parts = call.get("parts")
    parts = _parts(value, expected_parts) if isinstance(expected_parts, int) else None
    torch = _torch()
    pieces = parts if parts is not None else [value]
    if torch is not None and any(isinstance(p, torch.Tensor) for p in pieces):
        meta["requires_grad"] = any(isinstance(p, torch.Tensor) and bool(p.requires_grad) for p in pieces)
        _backward(value, parts, call)
        for index, arg in enumerate(args):
            if isinstance(arg, torch.Tensor) and arg.grad is not None:
                outputs[f"grad:{index}"] = _plain_output(arg.grad)
    elif call.get("mode") == "torch":
        meta["requires_grad"] = False
    if parts is None:
        outputs["value"] = _plain_output(value)
        names = ["value"]
    else:
        meta["parts"] = len(parts)
        names = [f"value.{i}" for i in range(len(parts))]
        total = 0
        for i, part in enumerate(parts):
            try:
                outputs[names[i]] = _plain_output(part)
            except BadOutput as bad:
                raise BadOutput(f"part {i + 1} of the {describe_type(value)} it returned: {bad}") from None
            total += outputs[names[i]].size
            if total > MAX_RESULT_ELEMENTS:
                raise BadOutput(f"returned more than the {MAX_RESULT_ELEMENTS} numbers allowed")
    dtypes = {n: d for n, p in zip(names, pieces) if (d := _dtype_name(p)) is not None}
    if dtypes:
        meta["dtypes"] = dtypes
    listed = call.get("arg_parts", [])
    for index in call.get("return_args", []):
        try:
            arg_parts = _parts(args[index], protocol.MAX_PARTS, "holds") if index in listed else None
            if arg_parts is None:
                outputs[f"arg:{index}"] = to_plain_array(args[index])
            for i, part in enumerate(arg_parts or ()):
                outputs[f"arg:{index}.{i}"] = to_plain_array(part)
            if sum(a.size for name, a in outputs.items() if name.startswith(f"arg:{index}.")) > MAX_RESULT_ELEMENTS:
                raise BadOutput(f"holds more than the {MAX_RESULT_ELEMENTS} numbers allowed")
        except BadOutput as bad:
            raise BadOutput(f"argument {index + 1} after the call: {bad}") from None
    return {"status": protocol.ReplyStatus.OK.value, "outputs": outputs, "meta": meta}


def run_call(function: Callable[..., Any], call: WireCall, path: str) -> WireReply:
    reply: WireReply
    try:
        reply = _call(function, call)
    except NotImplementedError as exc:
        reply = {"status": protocol.ReplyStatus.NOT_IMPLEMENTED.value, "exception": describe_exception(exc, path)}
    except BadOutput as exc:
        reply = {"status": protocol.ReplyStatus.BAD_OUTPUT.value, "detail": str(exc)[:protocol.MAX_TEXT]}
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code included
        reply = {"status": protocol.ReplyStatus.RAISED.value, "exception": describe_exception(exc, path)}
    reply["id"] = call["id"]
    return reply


_used: set[str] = set()  # the task functions a call reached through the module (see watch_task_functions)


def watch_task_functions(module: ModuleType, names: set[str]) -> None:
    """Note which of the other exercises' functions each call goes through (the stable_softmax a gradient
    calls), so that a failure caused by an earlier exercise can say so. Only the message uses it."""
    for name in names:
        function = getattr(module, name, None)
        if not isinstance(function, FunctionType) or function.__module__ != MODULE_NAME:
            continue

        def noted(*args: Any, __name: str = name, __function: Callable[..., Any] = function, **kwargs: Any) -> Any:
            _used.add(__name)
            return __function(*args, **kwargs)

        setattr(module, name, functools.wraps(function)(noted))


def import_student_module(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    return module


def _read_nothing() -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)


def _redirect_output(output_fd: int) -> None:
    _read_nothing()
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)


def _finish() -> None:
    """Leave at once: non-daemon threads and atexit hooks of student code must not hold us."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(0)


def _job_file_on_host(job: WireJob) -> str:
    """Without a private root, the student's file goes into the grader's temporary directory for the job."""
    directory = job["sandbox"]["hostdir"]
    with open(os.path.join(directory, job["module_name"]), "wb") as handle:
        handle.write(job["source"])
    return directory


def _isolate(job: WireJob, mark: Callable[[str], None] = lambda step: None,
             start: isolation.Start = isolation.Start()) -> tuple[list[str], str]:
    """Enter the isolation layers this machine allows; return them and the job directory as seen inside.

    ``start``: how the fork server started this worker (``isolation.fork_confined``): in which namespaces,
    whether in a user namespace of its own whose id maps it wrote, or why it could not write them. A worker
    made the PID 1 of its namespace builds the root, then runs the student's code itself (no process is
    forked for it: see ``isolation``).
    ``mark`` hears each step's name as it is done (benchmarks/layers.py times them).
    """
    sandbox, uid = job["sandbox"], int(job["sandbox"]["uid"])
    if not sandbox.get("isolate"):
        return [], _job_file_on_host(job)
    if start.error is not None:
        raise isolation.IsolationError(0, start.error)
    in_user_namespace = start.user_namespace
    isolation.die_with_parent()
    mark("user namespace")
    if not in_user_namespace and os.geteuid() != 0:
        return [], _job_file_on_host(job)  # no namespace can be had here: limits only
    layers = ["user namespace"] if in_user_namespace else []
    if in_user_namespace and isolation.forbid_more_user_namespaces():
        layers.append("no namespaces of its own")
    namespaces = list(start.namespaces) or isolation.unshare_namespaces()
    layers += [f"{name} namespace" for name in namespaces]
    mark("other namespaces")
    job_dir = None
    if start.init:
        if "mount" in namespaces:
            try:
                own_uid = uid if isolation.privileged_in_host() else None
                isolation.build_root(sandbox["root"], job["source"], job["module_name"], own_uid,
                                     [str(h) for h in sandbox.get("hide", []) if isinstance(h, str)])
                layers.append("minimal read-only file system")
                job_dir = isolation.SANDBOX_JOB_DIR
                _read_nothing()  # the root's own /dev/null: not one of the old root, which is detached now
            except OSError as exc:
                layers.append(f"no private file system ({exc})")
            mark("private root")
    if job_dir is None:
        if sandbox.get("require_private_root"):  # credit: no student code where the host's files are in view
            detail = next((layer for layer in layers if layer.startswith("no private file system")), "no mount namespace")
            raise isolation.IsolationError(0, f"the job's private root could not be made ({detail})")
        job_dir = _job_file_on_host(job)
    isolation.become_job_user(uid, in_user_namespace)
    isolation.die_with_parent()
    layers.append(f"unprivileged user {uid}")
    filtered = syscall_filter.install()  # after the job's user and keyring, which need unshare and keyctl
    if filtered is not None:
        layers.append(filtered)
    if isolation.privileged_in_host():
        layers.append("own host user per job")
    layers += [limits.limit_processes(job["limits"]), *sandbox["cgroups"]]
    return layers, job_dir


def _mark_task(index: int) -> None:
    """Tell the output drain that what follows was printed during this task."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    try:
        os.write(1, b"\x00grade-task:%d\x00" % index)
    except OSError:
        pass  # the student's code closed or replaced its stdout: its output is no longer split per task


def main(job_fd: int, results_fd: int, output_fd: int, start: isolation.Start = isolation.Start()) -> None:
    """Entry point of a forked child: one submission file, its tasks one after the other (``start``: see
    ``_isolate``)."""
    os.setsid()
    _redirect_output(output_fd)
    with os.fdopen(job_fd, "rb", buffering=0) as job_stream:
        job: WireJob = protocol.decode_job(protocol.read_all(job_stream.fileno()))  # type: ignore[assignment]

    def send(message: Mapping[str, object]) -> None:
        protocol.write_frame(results_fd, protocol.dumps(message))

    try:
        limits.enter(job["limits"])
        layers, job_dir = _isolate(job, start=start)
        os.chdir(job_dir)
    except Exception as exc:  # no student code has run yet: this message can be trusted
        send({"event": "sandbox_error", "detail": f"{type(exc).__name__}: {exc}"})
        _finish()
    path = os.path.join(job_dir, job["module_name"])
    send({"event": "sandbox", "protections": ["private copy of the submission", *layers, *limits.DESCRIPTIONS]})
    sys.path.insert(0, job_dir)
    _build_probes(job["tasks"])
    shortcuts.watch({str(n) for task in job["tasks"] for n in task.get("forbidden", [])}, _note_shortcut)
    try:
        module = import_student_module(path)
    except BaseException as exc:
        send({"event": "import_error", "exception": describe_exception(exc, path)})
        _finish()
    watch_task_functions(module, {task["function"] for task in job["tasks"]})
    for index, task in enumerate(job["tasks"]):
        if index:
            _mark_task(index)
        send({"event": "task", "index": index})
        function = getattr(module, task["function"], None)
        if not callable(function):
            send({"event": "missing", "detail": f"{task['function']} is not defined"})
            continue
        forbidden = set(task.get("forbidden", []))
        for call in task["calls"]:
            _used.clear()
            _reached.clear()
            reply = run_call(function, call, path)
            reply["uses"] = sorted(_used - {task["function"]})
            reply["forbidden"] = sorted(_reached & forbidden)
            send(reply)
        send({"event": "task_done"})
    _mark_task(len(job["tasks"]))  # the end of the output: the grader need not wait for the pipe to close
    send({"event": "done"})
    _finish()
