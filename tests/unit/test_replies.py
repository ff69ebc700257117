"""A worker's replies as the trusted side types them (protocol.clean_reply -> CallReply) and the enums
of the sandbox's words: every field a forged message gets wrong is dropped or refused, never trusted."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from grader.sandbox import protocol
from grader.sandbox import collect
from grader.sandbox.collect import Collector, KnownReplies, TaskEnding, TaskOutcome
from grader.sandbox.protocol import (REPLY_STATUSES, CallReply, ExceptionInfo, Frame, ReplyMeta, ReplyStatus,
                                     clean_exception, clean_reply)


def test_an_honest_reply_becomes_a_call_reply():
    value, grad = np.arange(3.0), np.ones(3)
    reply = clean_reply({"id": "0.1", "status": "ok", "outputs": {"value": value, "grad:0": grad, "arg:1": value},
                         "meta": {"type": "torch.Tensor", "requires_grad": True}, "detail": "", "uses": ["helper"]})
    assert reply is not None and reply.status is ReplyStatus.OK
    assert set(reply.outputs) == {"value", "grad:0", "arg:1"} and reply.outputs["grad:0"] is grad
    assert reply.meta == ReplyMeta("torch.Tensor", True)
    assert reply.exception is None and reply.detail == "" and reply.uses == ("helper",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.status = ReplyStatus.RAISED  # type: ignore[misc]


@pytest.mark.parametrize("message", [
    {"status": "ok"},  # no id
    {"id": 7, "status": "ok"},
    {"id": "0.0"},  # no status
    {"id": "0.0", "status": "passed"},  # not a reply status
    {"id": "0.0", "status": "OK"},
    {"id": "0.0", "status": 1},
    {"id": "0.0", "status": ["ok"]},  # unhashable: once a TypeError in the trusted collector
    {"id": "0.0", "status": {"ok": 1}},
    {"id": "0.0", "status": None},
])
def test_a_message_that_is_not_a_reply_is_refused(message):
    assert clean_reply(message) is None


def test_every_field_of_the_wrong_type_is_dropped():
    reply = clean_reply({"id": "0.0", "status": "raised", "outputs": [np.zeros(2)], "meta": "torch.Tensor",
                         "exception": "ValueError", "detail": 5, "uses": "stable_softmax"})
    assert reply == CallReply(ReplyStatus.RAISED)
    assert reply.outputs == {} and reply.meta == ReplyMeta() and reply.exception is None and reply.detail == ""


def test_outputs_keep_only_plain_arrays_under_the_names_the_grader_reads():
    reply = clean_reply({"id": "0.0", "status": "ok", "outputs": {
        "value": np.zeros(2), "grad:0": [1.0, 2.0], "arg:123": np.zeros(2), "junk": np.zeros(2), "value ": np.zeros(2),
        "grad:1": "1.0"}})
    assert reply is not None and list(reply.outputs) == ["value"]
    # A list argument's arrays come back one by one (Case.expect_args, unchanged): "arg:N.P", P a part below 32.
    parts = clean_reply({"id": "0.0", "status": "ok", "outputs": {
        "arg:0.0": np.zeros(2), "arg:0.31": np.zeros(1), "arg:0.32": np.zeros(1), "arg:0.": np.zeros(1)}})
    assert parts is not None and list(parts.outputs) == ["arg:0.0", "arg:0.31"]


def test_meta_fields_are_checked_one_by_one():
    assert clean_reply({"id": "0", "status": "ok", "meta": {"type": 3, "requires_grad": "yes"}}).meta == ReplyMeta()
    meta = clean_reply({"id": "0", "status": "ok", "meta": {"type": "\x1b[31m" + "t" * 200, "requires_grad": 1}}).meta
    assert meta.requires_grad is False and meta.type == "\\x1b[31m" + "t" * 95  # cut at 100, then made inert


def test_an_exception_keeps_its_fields_typed_and_bounded():
    frames = [{"line": n, "code": f"line {n}"} for n in range(1, 9)]
    exception = clean_exception({"type": None, "mro": ["ValueError", 3, "Exception"], "message": ["not text"],
                                 "frames": frames})
    assert exception == ExceptionInfo(type="Exception", mro=("ValueError", "", "Exception"), message="",
                                      frames=(Frame(4, "line 4"), Frame(5, "line 5"), Frame(6, "line 6"),
                                              Frame(7, "line 7"), Frame(8, "line 8")))
    # only the last five are looked at, then the malformed ones among them are dropped
    malformed = [{"line": "9", "code": "x"}, {"line": True, "code": "x"}, {"line": -1}, {"line": 10**9}, "frame"]
    assert clean_exception({"frames": malformed}).frames == ()
    assert clean_exception({"frames": malformed[1:] + [{"line": 2, "code": None}]}).frames == (Frame(2, ""),)
    assert clean_exception({"mro": "ValueError", "frames": {"line": 1}}) == ExceptionInfo()
    assert clean_exception(["ValueError"]) is None


def test_the_statuses_are_the_words_the_worker_sends():
    assert REPLY_STATUSES == {"ok", "raised", "not_implemented", "bad_output"}
    for status in ReplyStatus:
        assert ReplyStatus(status.value) is status
        assert json.loads(json.dumps({"status": status.value})) == {"status": status.value}
    assert [ending.value for ending in TaskEnding] == ["done", "import_error", "missing", "timeout", "crashed",
                                                       "exited", "protocol_error", "sandbox_error"]
    assert all(TaskEnding(ending.value) is ending for ending in TaskEnding)


class _Frames:
    """A worker's results pipe, as frames already written: deterministic, no process."""

    def __init__(self, *messages: dict) -> None:
        self.frames = [protocol.dumps(m) for m in messages]

    def read(self, deadline: float) -> bytes | None:
        return self.frames.pop(0) if self.frames else None


def _collected(*messages: dict, ids: frozenset[str] = frozenset({"0.0", "0.1"}), budget_bytes: int | None = None):
    collector = Collector(1, 10.0, expected_ids=[ids])
    if budget_bytes is not None:
        collector.budget.limit = budget_bytes
    collector.collect(_Frames({"event": "sandbox", "protections": ["user namespace", 3]}, {"event": "task"},
                              *messages))  # type: ignore[arg-type]
    return collector.outcomes()


def test_the_collector_keeps_typed_replies_for_the_calls_it_gave():
    [outcome] = _collected({"id": "0.0", "status": "ok", "outputs": {"value": np.ones(2)}},
                           {"id": "0.1", "status": "not_implemented", "exception": {"type": "NotImplementedError"}},
                           {"event": "task_done"}, {"event": "done"})
    assert isinstance(outcome, TaskOutcome) and outcome.ending is TaskEnding.DONE
    assert outcome.protections == ("user namespace",)
    assert outcome.replies["0.0"].status is ReplyStatus.OK and outcome.replies["0.0"].outputs["value"].tolist() == [1, 1]
    assert outcome.replies["0.1"] == CallReply(ReplyStatus.NOT_IMPLEMENTED, exception=ExceptionInfo("NotImplementedError"))


def test_a_reply_over_the_budget_is_kept_as_bad_output_without_its_arrays():
    [outcome] = _collected({"id": "0.0", "status": "ok", "outputs": {"value": np.ones(1000)}},
                           {"event": "task_done"}, {"event": "done"}, budget_bytes=100)
    reply = outcome.replies["0.0"]
    assert reply.status is ReplyStatus.BAD_OUTPUT and reply.outputs == {} and "MiB of results" in reply.detail


@pytest.mark.parametrize("forged", [
    {"id": "9.9", "status": "ok"},  # a call it was not given
    {"id": "0.0", "status": ["ok"]},
    {"id": "0.0", "status": "passed"},
])
def test_a_forged_reply_ends_the_task_as_a_protocol_error(forged):
    [outcome] = _collected(forged, {"event": "task_done"}, {"event": "done"})
    assert outcome.ending is TaskEnding.PROTOCOL_ERROR and outcome.replies == {}
    assert "not part of the protocol" in outcome.detail


def test_a_worker_that_stops_before_any_task_ends_every_task_so():
    collector = Collector(3, 10.0)
    collector.collect(_Frames({"event": "sandbox"}, {"event": "import_error", "exception": {"type": "SyntaxError"}}))
    outcomes = collector.outcomes()
    assert [o.ending for o in outcomes] == [TaskEnding.IMPORT_ERROR] * 3
    assert outcomes[0].exception == ExceptionInfo("SyntaxError")
    collector = Collector(2, 10.0)
    collector.collect(_Frames({"event": "sandbox"}))  # the pipe ends: the worker exited
    collector.describe_exit(TaskEnding.CRASHED, "killed")
    assert [(o.ending, o.detail) for o in collector.outcomes()] == [(TaskEnding.CRASHED, "killed")] * 2


def test_a_frame_read_again_gives_the_reply_read_the_first_time():
    """collect.KnownReplies: the same bytes are decoded and cleaned once; the reply is shared, its arrays read-only."""
    reply = {"id": "0.0", "status": "ok", "outputs": {"value": np.arange(3.0)}, "meta": {"type": "ndarray"},
             "detail": "known-replies test"}
    [first] = _collected(reply, {"event": "task_done"}, {"event": "done"})
    [second] = _collected(reply, {"event": "task_done"}, {"event": "done"})
    assert second.replies["0.0"] is first.replies["0.0"]
    assert first.replies["0.0"].outputs["value"].tolist() == [0, 1, 2]
    assert not first.replies["0.0"].outputs["value"].flags.writeable
    # The same bytes are still checked against the calls of this task: a known reply to a call not given is refused.
    [forged] = _collected(reply, {"event": "task_done"}, {"event": "done"}, ids=frozenset({"0.1"}))
    assert forged.ending is TaskEnding.PROTOCOL_ERROR and forged.replies == {}


def test_only_small_replies_without_an_event_are_known():
    known = KnownReplies()
    reply = CallReply(ReplyStatus.OK, outputs={"value": np.ones(2)})
    known.add(b"x" * (KnownReplies.MAX_FRAME_BYTES + 1), "0.0", reply)
    assert known.get(b"x" * (KnownReplies.MAX_FRAME_BYTES + 1)) is None
    for index in range(KnownReplies.SIZE + 10):
        known.add(b"frame %d" % index, "0.0", reply)
    assert known.get(b"frame 0") is None and known.get(b"frame %d" % (KnownReplies.SIZE + 9)) == ("0.0", reply)
    # A message with an "event" that is also shaped as a reply is read afresh every time (never known).
    message = {"event": "unheard-of", "id": "0.0", "status": "ok", "detail": "an event and a reply"}
    before = dict(collect.KNOWN_REPLIES._replies)
    [outcome] = _collected(message, {"event": "task_done"}, {"event": "done"})
    assert outcome.replies["0.0"].detail == "an event and a reply" and collect.KNOWN_REPLIES._replies == before
