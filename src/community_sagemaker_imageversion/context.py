"""The callback context: one versioned, typed record of where an operation stands.

It holds the phase the operation is in (:mod:`.engine` runs it), the version the operation
tracks once it knows one, and only the state that phase needs:

- ``version`` (:class:`Tracked`): the version's ARN, number, the image's real name (the ARN
  lower-cases it), its BaseImage and, once SageMaker has shown it, its ContainerImage and
  CreationTime (a version made later under the same number, where SageMaker reuses numbers, is
  another one). Every event from then on carries them, whatever the ending.
- ``queue`` (:class:`Queue`): waiting for a busy image (ResourceInUse).
- ``watch`` (:class:`Watch`): waiting for a change of the version, and doubting its absence.
- ``moves`` (:class:`Moves`): aliases being taken from the versions that hold them.
- ``failure``: why a create failed, while its version is being deleted.
- ``unnamed``, ``asked_again`` and ``image`` (CREATE): CreateImageVersion's answers that named no
  version so far, whether a refusal was asked again, and the image's real name when the model
  spells it in another case.
- ``handbacks``, ``faults`` and ``contended``: the engine's counts of hand-backs while waiting
  in this phase, of hand-backs in a row on transient failures, and of those among them on
  throttling while SageMaker answered the phase's other calls (contention: they space the next
  callback as faults do, but never fail the operation).

:meth:`Context.load` also reads the flat contexts the handler wrote before this record existed
(``"v"`` absent), so an operation in flight during an upgrade carries on; anything it cannot
read is InvalidRequest naming the callback context. Values that only steer waiting are reset
when they are not plausible (a crafted or corrupt context).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping, Set
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from cloudformation_cli_python_lib.exceptions import InvalidRequest

from .arns import parse_image_version_arn
from .timing import FAULT_CALLBACKS, usable_period

VERSION = 2
MAX_COUNT = 10_000


@dataclass
class Tracked:
    """The version an operation acts on."""

    arn: str
    image: str
    number: int
    base: str | None = None
    container: str | None = None
    created: float | None = None


@dataclass
class Queue:
    """Waiting for a busy image: refusals so far; when the image was last seen making progress,
    what its latest versions and statuses were then, and when the change then in progress
    started (wall-clock seconds); the time one change of the image takes; counting all of its
    versions since: when the last count began, whether one is under way, how many versions it has
    counted, the NextToken it goes on from, and its looks in a row that read nothing; the lowest
    whole count, a lower one left to confirm and when it began; since when the latest versions
    have stayed the same (``quiet_since``: progress a count saw moves ``progress_at`` only);
    the refusals since the image last showed an end nobody asked at (``streak``: what widens the
    spread), when this change began to wait (``joined_at``), and the invocations in a row
    SageMaker throttled (``congestion``)."""

    refusals: int = 0
    progress_at: float | None = None
    signature: str | None = None
    change_at: float | None = None
    period: float | None = None
    census_at: float | None = None
    counting: bool = False
    census_count: int = 0
    census_token: str | None = None
    census_misses: int = 0
    census_low: int | None = None
    census_pending: int | None = None
    pending_at: float | None = None
    quiet_since: float | None = None
    streak: int = 0
    joined_at: float | None = None
    congestion: int = 0


@dataclass
class Watch:
    """Waiting for a change of the version: when it began (wall clock), how long it is expected
    to take, whether the operation queued for the image first (then no billed second is spent
    waiting), whether SageMaker has shown the version, and since when (and how many reads in a
    row) it has not."""

    since: float | None = None
    expected: float | None = None
    queued: bool = False
    shown: bool = False
    missing_since: float | None = None
    misses: int = 0


@dataclass
class Moves:
    """Aliases being moved to the version: which ones are being taken from which holder, which
    have been taken, how often another version took them back, how often giving one was refused
    while SageMaker's alias index still named its old holder, and why moving them failed (they
    then go back to their holders)."""

    taking: dict[str, int] = field(default_factory=dict)
    taken: list[str] = field(default_factory=list)
    fights: int = 0
    lagging: int = 0
    failure: str | None = None


@dataclass
class Context:
    """Where an operation stands (see the module docstring)."""

    phase: str
    version: Tracked | None = None
    queue: Queue | None = None
    watch: Watch | None = None
    moves: Moves | None = None
    failure: str | None = None
    unnamed: int = 0
    asked_again: bool = False
    image: str | None = None
    handbacks: int = 0
    faults: int = 0
    contended: int = 0

    def enter(
        self,
        phase: str,
        *,
        queue: Queue | None = None,
        watch: Watch | None = None,
        moves: Moves | None = None,
    ) -> None:
        """Move on to ``phase``, keeping only the state given for it (and what the operation
        keeps throughout: the version, a create's failure, the image's real name)."""
        self.phase = phase
        self.queue, self.watch, self.moves = queue, watch, moves
        self.unnamed, self.handbacks = 0, 0

    def dump(self) -> MutableMapping[str, Any]:
        return {"v": VERSION, **_without_defaults(asdict(self))}

    @classmethod
    def load(
        cls, raw: Mapping[str, Any] | None, action: str, first: str, phases: Set[str]
    ) -> Context:
        """The context CloudFormation sent back (``first``: the action's first phase, for an
        empty one; ``phases``: the action's); InvalidRequest when it cannot be read."""
        if not raw:
            return cls(first)
        try:
            if raw.get("v") == VERSION:
                context: Context = _typed(cls, {k: v for k, v in raw.items() if k != "v"})
            elif "v" in raw:
                raise TypeError(f"version {raw['v']!r} is not one this handler writes")
            else:
                context = _from_flat(raw, action, first)
            if context.phase not in phases:
                raise ValueError(f"{action} has no phase {context.phase!r}")
            return context.sanitized()
        except (TypeError, ValueError, KeyError) as error:
            raise InvalidRequest(f"The callback context cannot be read: {error}") from error

    def sanitized(self) -> Context:
        """This context, when it names a version consistently (ValueError else), with what only
        steers waiting reset where it is not plausible."""
        if self.version is not None:
            parsed = parse_image_version_arn(self.version.arn)
            if (
                parsed is None
                or parsed.version != self.version.number
                or parsed.name_lower != self.version.image.lower()
            ):
                raise ValueError(f"the version it names is not one ARN: {self.version.arn!r:.80}")
        if self.queue is not None:
            self.queue.period = usable_period(self.queue.period)
            self.queue.refusals = _count(self.queue.refusals)
            self.queue.streak = _count(self.queue.streak)
            self.queue.congestion = _count(self.queue.congestion)
            counts = (self.queue.census_low, self.queue.census_pending, self.queue.census_count)
            if any(n is not None and not 0 <= n <= MAX_COUNT for n in counts):  # begin again
                self.queue.census_low = self.queue.census_pending = None
                self.queue.counting, self.queue.census_count = False, 0
            self.queue.census_misses = _count(self.queue.census_misses)
        if self.watch is not None:
            self.watch.expected = usable_period(self.watch.expected)
            self.watch.misses = _count(self.watch.misses)
        if self.moves is not None:
            self.moves.fights = _count(self.moves.fights)
            self.moves.lagging = _count(self.moves.lagging)
        self.handbacks = _count(self.handbacks)
        self.faults = min(_count(self.faults), FAULT_CALLBACKS)
        self.contended = _count(self.contended)
        self.unnamed = _count(self.unnamed)
        return self


def _count(value: int) -> int:
    return min(max(int(value), 0), MAX_COUNT)


def _without_defaults(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_defaults(v) for k, v in value.items() if v not in (None, 0, [], {})}
    return value


_RECORDS: dict[str, type[Any]] = {
    "version": Tracked,
    "queue": Queue,
    "watch": Watch,
    "moves": Moves,
}


def _typed(record: type[Any], raw: Mapping[str, Any]) -> Any:
    """``record`` from its JSON form, each value checked against the field's type."""
    if not isinstance(raw, Mapping):
        raise TypeError(f"{record.__name__} must be an object, got {type(raw).__name__}")
    known = {f.name: f for f in fields(record)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        kind = str(known[name].type)
        if name in _RECORDS and record is Context:
            values[name] = None if value is None else _typed(_RECORDS[name], value)
        else:
            values[name] = _checked(name, value, kind)
    return record(**values)


def _checked(name: str, value: Any, kind: str) -> Any:
    if value is None:
        if "None" not in kind:
            raise TypeError(f"{name} must not be null")
        return None
    if kind.startswith("int"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind.startswith("float"):
        ok = _is_number(value)
    elif kind.startswith("str"):
        ok = isinstance(value, str)
    elif kind.startswith("bool"):
        ok = isinstance(value, bool)
    elif kind.startswith("dict"):
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
            for k, v in value.items()
        )
    elif kind.startswith("list"):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:  # pragma: no cover (every field's type is one of the above)
        raise TypeError(f"{name}: unknown type {kind}")
    if not ok:
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__}")
    return float(value) if kind.startswith("float") else value  # (checked a number above)


def _is_number(value: object) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float (JSON allows any)
        return False


def _number(raw: Mapping[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return float(value) if isinstance(value, int | float) and _is_number(value) else None


def _from_flat(raw: Mapping[str, Any], action: str, first: str) -> Context:
    """A context as the handler wrote it before :data:`VERSION` (one flat record of 14 fields):
    the same place in the operation, in this record."""
    arn = raw.get("arn")
    tracked = None
    if arn is not None:
        parsed = parse_image_version_arn(arn) if isinstance(arn, str) else None
        if parsed is None:
            raise ValueError(f"the callback context names no version: {arn!r:.80}")
        image = raw.get("imageName")
        name = image if isinstance(image, str) and image else parsed.name_lower
        tracked = Tracked(arn, name, parsed.version)
    faults = raw.get("transientRetries", 0)
    context = Context(first, version=tracked, faults=faults if _is_number(faults) else 0)
    period = _number(raw, "period")
    handbacks = raw.get("handbacks", 0)
    context.handbacks = int(handbacks) if _is_number(handbacks) else 0
    failure = raw.get("createFailure")
    if action == "CREATE" and tracked is not None and isinstance(failure, str):
        context.failure = failure
        sent = bool(raw.get("deleteSent"))
        context.phase = "delete.await" if sent else "delete.submit"
        context.watch = Watch(since=_number(raw, "deleteSentAt")) if sent else None
    elif action == "CREATE" and tracked is not None:
        context.phase = "create.await"
        queued = _is_number(raw.get("busyRetries")) and raw["busyRetries"] > 0
        context.watch = Watch(since=_number(raw, "createdAt"), expected=period, queued=queued)
    elif action == "CREATE":
        context.phase = "create.submit"
        retries = raw.get("busyRetries", 0)
        context.queue = Queue(
            refusals=int(retries) if _is_number(retries) else 0,
            progress_at=_number(raw, "busySince"),
            signature=raw.get("busyChange") if isinstance(raw.get("busyChange"), str) else None,
            change_at=_number(raw, "busyChangeAt"),
            period=period,
        )
    elif action == "DELETE" and tracked is not None and raw.get("deleteSent"):
        context.phase = "delete.await"
        context.watch = Watch(since=_number(raw, "deleteSentAt"), shown=True)
    return context
