"""The callback context: the versioned record round-trips, the flat contexts of the handler
before it load at the same place, and anything else is InvalidRequest naming the context."""

import dataclasses

import pytest
from cloudformation_cli_python_lib.exceptions import InvalidRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from community_sagemaker_imageversion.context import VERSION, Context, Moves, Queue, Tracked, Watch

ARN = "arn:aws:sagemaker:us-east-1:123456789012:image-version/trainingimage/3"
PHASES = {
    "create.submit",
    "create.await",
    "delete.locate",
    "delete.submit",
    "delete.await",
    "aliases.take",
    "update.locate",
}


def load(raw, action="CREATE", first="create.submit"):
    return Context.load(raw, action, first, PHASES)


def test_a_context_round_trips_holding_only_what_is_set():
    context = Context(
        "aliases.take",
        version=Tracked(ARN, "TrainingImage", 3, "base:1", "registry/x@sha256:1"),
        moves=Moves(taking={"stable": 1}, taken=["stable"], fights=1),
        faults=2,
    )
    dumped = context.dump()
    assert dumped["v"] == VERSION
    assert set(dumped) == {"v", "phase", "version", "moves", "faults"}
    assert load(dumped) == context


def test_an_empty_context_starts_at_the_first_phase():
    assert load(None) == Context("create.submit")
    assert load({}) == Context("create.submit")


@pytest.mark.parametrize(
    ("raw", "action", "phase"),
    [
        ({"arn": ARN, "imageName": "TrainingImage", "createdAt": 5.0}, "CREATE", "create.await"),
        (
            {"arn": ARN, "createFailure": "ended CREATE_FAILED", "deleteSent": False},
            "CREATE",
            "delete.submit",
        ),
        (
            {"arn": ARN, "createFailure": "x", "deleteSent": True, "deleteSentAt": 7.0},
            "CREATE",
            "delete.await",
        ),
        ({"busySince": 1.0, "busyRetries": 3, "busyChange": "1:CREATING"}, "CREATE", None),
        ({"arn": ARN, "deleteSent": True, "deleteSentAt": 9.0}, "DELETE", "delete.await"),
        ({"arn": ARN, "deleteSent": False}, "DELETE", None),
        ({"arn": ARN, "waitingSince": 3.0}, "UPDATE", None),
    ],
)
def test_a_flat_context_of_the_handler_before_loads_at_the_same_place(raw, action, phase):
    first = {"CREATE": "create.submit", "DELETE": "delete.locate", "UPDATE": "update.locate"}
    context = load(raw, action, first[action])
    assert context.phase == (phase or first[action])
    if "arn" in raw:
        assert context.version is not None
        assert (context.version.arn, context.version.number) == (ARN, 3)
    if raw.get("createFailure"):
        assert context.failure == raw["createFailure"]
    if "busyRetries" in raw:
        assert context.queue == Queue(3, 1.0, "1:CREATING", None, None)
    if phase == "delete.await":
        assert context.watch is not None
        assert context.watch.since == raw["deleteSentAt"]


@pytest.mark.parametrize(
    "raw",
    [
        {"v": 99, "phase": "create.await"},
        {"v": VERSION, "phase": "no.such.phase"},
        {"v": VERSION, "phase": "create.await", "surprise": 1},
        {"v": VERSION, "phase": "create.await", "faults": "many"},
        {"v": VERSION, "phase": "create.await", "version": "arn"},
        {"v": VERSION, "phase": "create.await", "version": {"arn": ARN, "image": "x", "number": 4}},
        {
            "v": VERSION,
            "phase": "create.await",
            "version": {"arn": "nope", "image": "x", "number": 1},
        },
        {"v": VERSION, "phase": "aliases.take", "moves": {"taking": {"a": "1"}}},
        {"v": VERSION, "phase": "aliases.take", "moves": {"taken": [1]}},
        {"v": VERSION, "phase": "create.await", "watch": {"shown": "yes"}},
        {"v": VERSION, "phase": None},
        {"arn": 5},
        {"arn": "not an arn"},
    ],
)
def test_anything_else_is_an_invalid_request_naming_the_callback_context(raw):
    with pytest.raises(InvalidRequest, match="callback context"):
        load(raw)


def test_what_only_steers_waiting_is_reset_when_it_is_not_plausible():
    context = load(
        {
            "v": VERSION,
            "phase": "create.await",
            "version": {"arn": ARN, "image": "TrainingImage", "number": 3},
            "watch": {"since": 1.0, "expected": 0.0, "misses": -4},
            "handbacks": 10**9,
        }
    )
    assert context.watch == Watch(since=1.0, expected=None, misses=0)
    assert context.handbacks <= 10_000
    queue = {"refusals": 1, "streak": 10**9, "congestion": -7}
    context = load({"v": VERSION, "phase": "create.submit", "queue": queue, "contended": -3})
    assert context.queue is not None
    assert (context.queue.streak, context.queue.congestion) == (10_000, 0)
    assert context.contended == 0


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
_RECORDS = {"": Context, "version": Tracked, "queue": Queue, "watch": Watch, "moves": Moves}
_FIELDS = sorted(
    (record, field.name)
    for record, kind in _RECORDS.items()
    for field in dataclasses.fields(kind)
    if (record, field.name) not in {("", "v"), ("", "phase")}
)
_FLAT = (
    "arn",
    "busyRetries",
    "busySince",
    "busyChange",
    "busyChangeAt",
    "period",
    "createdAt",
    "createFailure",
    "deleteSent",
    "deleteSentAt",
    "handbacks",
    "faults",
)
_ACTIONS = {
    "CREATE": "create.submit",
    "READ": "create.submit",
    "UPDATE": "update.locate",
    "DELETE": "delete.locate",
    "LIST": "create.submit",
}


@settings(max_examples=300, deadline=None)
@given(
    action=st.sampled_from(sorted(_ACTIONS)),
    where=st.sampled_from(_FIELDS),
    flat=st.sampled_from(_FLAT),
    value=_JSON,
)
def test_any_json_value_in_any_field_loads_or_is_an_invalid_request(action, where, flat, value):
    """Whatever JSON value a field of the record, or of a flat context of the handler before,
    holds, for every action: the context loads, or it is InvalidRequest naming the callback
    context, never another exception (an integer too large for a float was an OverflowError)."""
    record, name = where
    raw = {"v": VERSION, "phase": _ACTIONS[action]}
    if record:
        raw[record] = {name: value}
    else:
        raw[name] = value
    for context in (raw, {flat: value}):
        try:
            Context.load(context, action, _ACTIONS[action], PHASES)
        except InvalidRequest as error:
            assert "callback context" in str(error)
