"""The engine: the one runner of every action's phases.

An action (:mod:`.actions`) is a set of phases. A phase observes SageMaker through the
:class:`~.sagemaker.SageMaker` calls it is given and decides, returning one of:

- :class:`Done`: the operation succeeded (with its model, or LIST's models);
- :class:`Next`: go on with another phase (the phase moved the context on already);
- :class:`Wait`: run this phase again in ``seconds``, and why;

or raising a CloudFormation exception (the library's HandlerErrors) to fail. The runner is the
only code that:

- sleeps (a Wait, inside the invocation's free window; a retry's backoff);
- hands back to CloudFormation (IN_PROGRESS with the callback context and a callback delay);
- retries a call: a transient failure (:class:`~.errors.Fault`: botocore's own classification,
  or an answer cut short; and an answer that lacks what the handler needs, or a ResourceNotFound
  no phase gave a meaning, :func:`~.errors.unconfirmed`) makes the phase run again, after a
  jittered backoff within the invocation and then after callbacks (timing's one policy per
  class), before the operation fails with the class's error code;
- reads the deadline: each call is admitted only while it fits, its whole answer bounded by the
  time left (:mod:`.wire`), and counted against the invocation's call budget;
- turns every ending into a progress event, a failure nobody expected included, and names the
  version the operation tracks in every event from the moment it has one.

Phases are written to run again from their start at any time (after a retry, a callback, or an
answer lost with the change applied): each observes before it changes anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.interface import OperationStatus, ProgressEvent

from . import log_redaction, wire
from .arns import names_same_image, parse_image_version_arn
from .clients import CallerSession, sagemaker_client
from .context import Context, Tracked
from .errors import (
    Busy,
    Fault,
    HandlerError,
    IncompleteAnswer,
    Missing,
    Refused,
    classify,
    unanswered,
    unconfirmed,
)
from .invocation import Invocation, clock
from .models import ResourceHandlerRequest, ResourceModel
from .sagemaker import SageMaker
from .timing import (
    ATTEMPT_MINIMUM,
    CALL_BUDGET,
    CONNECT_TIMEOUT,
    FAULT_CALLBACKS,
    LAST_POLL_MINIMUM,
    MIN_WAIT,
    PACED_KINDS,
    READ_TIMEOUT,
    STEPS_WITHOUT_PAUSE,
    THROTTLED_SPACING,
    THROTTLING,
    call_kind,
    callback_seconds,
    fault_callback_delay,
    last_poll_worth,
    required_age,
    retry_delay,
    waits_past_free_window,
)
from .translation import identifier_model

if TYPE_CHECKING:
    from cloudformation_cli_python_lib.boto3_proxy import SessionProxy

LOG = logging.getLogger(__name__)
R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class Done:
    """The operation succeeded: ``model`` (None for DELETE), or LIST's ``models``."""

    model: ResourceModel | None = None
    models: list[ResourceModel] | None = None
    next_token: str | None = None


@dataclass(frozen=True)
class Next:
    """Go on with ``phase`` at once."""

    phase: str


@dataclass(frozen=True)
class Wait:
    """Run this phase again in ``seconds``, because ``why``.

    ``since``: the wall-clock start of the change being waited for (its waits may use a last
    poll at the end of the free window, and billed seconds where timing says the invocation bound
    needs them, unless ``billable`` is False); ``hand_back``: hand back to CloudFormation even
    if the invocation could wait; ``otherwise``: what an action that cannot call back (READ,
    LIST) answers when it cannot wait that long."""

    seconds: float
    why: str
    since: float | None = None
    billable: bool = True
    hand_back: bool = False
    otherwise: HandlerError | None = None


Outcome = Done | Next | Wait


@dataclass
class Step:
    """What a phase is given: the operation's context, SageMaker, the request, the wall-clock
    time the phase started, and a random draw in [0, 1) for jitter."""

    context: Context
    sagemaker: SageMaker
    request: ResourceHandlerRequest
    now: float
    draw: Callable[[], float]

    @property
    def desired(self) -> ResourceModel | None:
        return self.request.desiredResourceState

    @property
    def previous(self) -> ResourceModel | None:
        return self.request.previousResourceState

    def tracked(self) -> Tracked:
        """The version the operation tracks, for the phases that follow one that tracks it."""
        return present(self.context.version, "tracked version")

    def wanted(self) -> ResourceModel:
        """The desired model, for the actions whose request carries one."""
        return present(self.desired, "desired model")


def present(value: T | None, what: str) -> T:
    """``value``, which the phase's place in its action guarantees; its absence is a bug
    (InternalFailure naming the version the operation tracks, as any bug)."""
    if value is None:
        raise exceptions.InternalFailure(
            f"A phase found no {what} where its action always has one (a bug: please report it)"
        )
    return value


Phase = Callable[[Step], Outcome]


@dataclass(frozen=True)
class Action:
    """An action's phases, the first of them, and whether it can call back."""

    name: str
    first: str
    phases: Mapping[str, Phase]
    synchronous: bool = False
    check: Callable[[ResourceHandlerRequest], None] = lambda _request: None
    """Run once, before the first phase of a new operation (input checks)."""
    admits: Callable[[Context], str | None] = lambda _context: None
    """Why a callback context cannot be this action's own (None: it can), beyond its phase
    being one of the action's."""


class _HandBack(Exception):
    """No call fits in this invocation any more (its deadline, or its call budget)."""


@dataclass
class _Calls:
    """The engine's :class:`~.sagemaker.Attempts`: every SageMaker call of one invocation."""

    invocation: Invocation
    made: int = 0
    throttled: int = 0
    """Calls SageMaker throttled."""
    answered: int = 0
    """Calls SageMaker answered with anything but a transient failure."""
    paced: dict[str, float] = field(default_factory=dict)
    """The kinds of call SageMaker throttled in this invocation, and when each last went out."""

    def attempt(self, operation: str, label: str, send: Callable[[], R]) -> R:
        if self.made >= CALL_BUDGET:
            raise _HandBack(f"{self.made} SageMaker calls made in this invocation")
        self._pace(operation, label)
        timeout = self.invocation.attempt_timeout()
        if timeout is None:
            raise _HandBack(f"no time left in this invocation for {operation} on {label}")
        return self._send(operation, label, send, timeout)

    def _pace(self, operation: str, label: str) -> None:
        """After a throttle, a call of that kind no sooner than THROTTLED_SPACING after the last."""
        last = self.paced.get(call_kind(operation))
        if last is None:
            return
        wait = last + THROTTLED_SPACING - clock().monotonic()
        if wait > 0 and not self.invocation.pause(wait):
            raise _HandBack(f"no time left in this invocation to pace {operation} on {label}")

    def fits(self) -> bool:
        return self.made < CALL_BUDGET and self.invocation.attempt_timeout() is not None

    def optional(self, operation: str, label: str, send: Callable[[], R]) -> R | None:
        if self.made >= CALL_BUDGET or self.invocation.waitable() < CONNECT_TIMEOUT + READ_TIMEOUT:
            return None
        if call_kind(operation) in self.paced:  # (SageMaker is throttling that kind: not now)
            return None
        try:
            return self._send(operation, label, send, READ_TIMEOUT)
        except Exception as error:  # noqa: BLE001 (optional: nothing it meets may fail the action)
            LOG.info("%s on %s was not read (%s): going on without it", operation, label, error)
            return None

    def _send(self, operation: str, label: str, send: Callable[[], R], timeout: float) -> R:
        self.made += 1
        kind, sent = call_kind(operation), clock().monotonic()
        if kind in self.paced:
            self.paced[kind] = sent
        try:
            with wire.AnswerBy(timeout):
                answer = send()
        except Exception as error:
            meaning = classify(error, operation, label)
            if meaning is None:
                raise
            if isinstance(meaning, Fault) and meaning.kind == THROTTLING:
                self.throttled += 1
                if kind in PACED_KINDS:
                    self.paced[kind] = sent
            if not isinstance(meaning, Fault):
                self.answered += 1
            raise meaning from error
        self.answered += 1
        return answer


def run(
    action: Action,
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    raw_context: MutableMapping[str, Any] | None,
) -> ProgressEvent:
    """The progress event of one invocation of ``action`` (see the module docstring)."""
    invocation = Invocation.current()
    context: Context | None = None
    try:
        loaded = Context.load(raw_context, action.name, action.first, set(action.phases))
        foreign = action.admits(loaded) or _another_version(loaded, request)
        if foreign is not None:  # (its version is not reported: it is not this operation's)
            raise exceptions.InvalidRequest(
                f"The callback context is not this operation's: {foreign}"
            )
        context = loaded
        if not raw_context:
            action.check(request)
        calls = _Calls(invocation)
        sagemaker = SageMaker(sagemaker_client(session, request.region), calls)
        return _Runner(action, request, context, invocation, sagemaker, calls).run()
    except HandlerError as failure:
        return _failed(failure, context, request)
    except Exception as error:
        # A failure nobody expected is a bug: reported as one, with the version the operation
        # tracks, so CloudFormation never loses it (the runtime library would answer
        # InternalFailure with no model).
        LOG.exception("Unexpected failure in %s", action.name)
        log_redaction.print_traceback()  # and in the Lambda's own log, as the library does
        bug = exceptions.InternalFailure(
            f"Unexpected {type(error).__name__} in the handler (a bug: please report it): {error}"
        )
        return _failed(bug, context, request)


def _another_version(context: Context, request: ResourceHandlerRequest) -> str | None:
    """Why the version ``context`` tracks is not the one the request's model names, if it names
    one (UPDATE, DELETE, READ): a context carried over from another resource's operation would
    otherwise have this one change or delete that version. None when they agree."""
    desired = request.desiredResourceState
    named = desired.ImageVersionArn if desired is not None else None
    if context.version is None or not isinstance(named, str) or not named:
        return None
    parsed = parse_image_version_arn(named)
    tracked = context.version
    if (
        parsed is not None
        and parsed.version == tracked.number
        and names_same_image(tracked.image, parsed.name_lower)
    ):
        return None
    return f"it tracks version {tracked.number} of {tracked.image}, the request names {named:.120}"


@dataclass
class _Runner:
    action: Action
    request: ResourceHandlerRequest
    context: Context
    invocation: Invocation
    sagemaker: SageMaker
    calls: _Calls
    attempts: int = 0
    steps: int = 0
    last_poll_used: bool = False
    answered_before: int = 0
    """The calls SageMaker had answered in this invocation when the phase running began."""

    def run(self) -> ProgressEvent:
        while True:
            phase = self.action.phases[self.context.phase]
            step = Step(self.context, self.sagemaker, self.request, clock().wall(), _draw)
            self.answered_before = self.calls.answered
            try:
                outcome = phase(step)
            except (Fault, IncompleteAnswer, Missing) as failure:
                fault = failure if isinstance(failure, Fault) else unconfirmed(failure)
                wait = self._after_fault(fault)
                if wait is not None:
                    return wait
                continue
            except _HandBack as signal:
                return self._hand_back(MIN_WAIT, str(signal))
            except (Busy, Refused) as refusal:
                raise unanswered(refusal) from refusal
            self.sagemaker.settled()
            self.attempts, self.context.faults, self.context.contended = 0, 0, 0
            if isinstance(outcome, Done):
                return _succeeded(outcome)
            if isinstance(outcome, Next):
                if outcome.phase != self.context.phase:
                    self.context.enter(outcome.phase)
                if not self._paced():
                    return self._hand_back(MIN_WAIT, "phases went round without waiting")
                continue
            event = self._wait(outcome)
            if event is not None:
                return event

    def _paced(self) -> bool:
        """No cycle of phases calls SageMaker without a pause (False: no time for one)."""
        self.steps += 1
        if self.steps <= STEPS_WITHOUT_PAUSE:
            return True
        self.steps = 0
        return self.invocation.pause(MIN_WAIT)

    def _after_fault(self, fault: Fault) -> ProgressEvent | None:
        """Back off and run the phase again (None), or hand back, or fail. A fault the phase
        gave a wait of its own (``backoff``: contention it knows how to wait out) is not retried
        in this invocation: it hands back for that long, never sooner than the fault's own
        callback delay, counted as a fault unless SageMaker answered another call of the same
        run of the phase (so FAULT_CALLBACKS of them still span the hour the retry policy
        promises, however short the phase's wait, and a queue whose every read is throttled
        while its asks are answered is contention, not an outage)."""
        if fault.backoff is not None:
            if self.action.synchronous or self._outlasted(fault):
                raise fault.outlasted() from fault
            if self.calls.answered == self.answered_before:
                self.context.faults += 1
            else:  # contention (see above): spaced as a fault, never failed as an outage
                self.context.contended += 1
            spent = self.context.faults + self.context.contended
            floor = fault_callback_delay(max(0, spent - 1), _draw())
            return self._wait(Wait(max(fault.backoff, floor), str(fault), hand_back=True))
        delay = retry_delay(fault.kind, self.attempts, _draw())
        self.attempts += 1
        LOG.info("Transient failure (attempt %d): %s", self.attempts, fault)
        if delay is not None and self.invocation.pause(delay):
            return None
        if self.action.synchronous or self._outlasted(fault):
            raise fault.outlasted() from fault
        self.context.faults += 1
        return self._hand_back(fault_callback_delay(self.context.faults - 1, _draw()), str(fault))

    def _outlasted(self, fault: Fault) -> bool:
        """Whether transient failures have outlasted the retry policy: FAULT_CALLBACKS hand-backs
        in a row, unless SageMaker is throttling while it answers other calls of this invocation
        (contention, ours or the account's: waited out, CloudFormation's timeout bounding it)."""
        if self.context.faults < FAULT_CALLBACKS:
            return False
        return fault.kind != THROTTLING or self.calls.answered == 0

    def _wait(self, wait: Wait) -> ProgressEvent | None:
        """Sleep and run the phase again (None), or hand back, or (READ, LIST) answer."""
        self.steps = 0
        seconds = max(wait.seconds, MIN_WAIT)
        if not wait.hand_back:
            if self.invocation.wait(seconds):
                return None
            if wait.since is not None and self._wait_for_change(wait, seconds):
                return None
        if self.action.synchronous:
            raise wait.otherwise or exceptions.NetworkFailure(
                f"SageMaker did not answer in time: {wait.why}"
            )
        self.context.handbacks += 1
        return self._hand_back(seconds, wait.why)

    def _wait_for_change(self, wait: Wait, seconds: float) -> bool:
        """Past the free window, a change is waited for only where the invocation bound needs
        it (timing.waits_past_free_window): until the age the bound needs, or, where that age
        lies past the free window anyway, until its next poll when that fits in the invocation (a
        few billed seconds more for a call fewer); else it is polled once more at the window's
        end."""
        elapsed = clock().wall() - float(wait.since or 0.0)
        handbacks = self.context.handbacks
        if wait.billable and waits_past_free_window(handbacks, elapsed):
            room = self.invocation.left() - ATTEMPT_MINIMUM
            needed = required_age(handbacks) - elapsed
            billed_anyway = needed > self.invocation.waitable()
            pause = seconds if billed_anyway and seconds <= room else min(seconds, room, needed)
            if room >= LAST_POLL_MINIMUM and self.invocation.pause(pause):
                return True
        room = self.invocation.waitable()
        if not self.last_poll_used and room >= LAST_POLL_MINIMUM and last_poll_worth(seconds, room):
            self.last_poll_used = True
            return self.invocation.wait(room)
        return False

    def _hand_back(self, seconds: float, why: str) -> ProgressEvent:
        if self.action.synchronous:
            raise exceptions.NetworkFailure(f"SageMaker did not answer in time: {why}")
        return ProgressEvent(
            status=OperationStatus.IN_PROGRESS,
            resourceModel=_model_in_progress(self.request, self.context),
            callbackContext=self.context.dump(),
            callbackDelaySeconds=callback_seconds(seconds),
            message=log_redaction.scrub(why),
        )


def _draw() -> float:
    return clock().random()


def _succeeded(done: Done) -> ProgressEvent:
    if done.models is not None:
        return ProgressEvent(
            status=OperationStatus.SUCCESS,
            resourceModels=list(done.models),
            nextToken=done.next_token,
        )
    return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=done.model)


def tracked_model(tracked: Tracked, spelled: str | None = None) -> ResourceModel:
    """The identifiers of a tracked version, its BaseImage and (once shown) its ContainerImage;
    ImageName as ``spelled`` when that names the same image."""
    name = spelled if spelled and spelled.lower() == tracked.image.lower() else tracked.image
    model = identifier_model(name, {"ImageVersionArn": tracked.arn, "Version": tracked.number})
    model.BaseImage = tracked.base
    model.ContainerImage = tracked.container
    return model


def _spelled(request: ResourceHandlerRequest) -> str | None:
    for model in (request.desiredResourceState, request.previousResourceState):
        if model is not None and isinstance(model.ImageName, str):
            return model.ImageName
    return None


def _model_in_progress(request: ResourceHandlerRequest, context: Context) -> ResourceModel | None:
    """The desired model, naming the tracked version (its identifiers and BaseImage)."""
    desired = request.desiredResourceState
    tracked = context.version
    if tracked is None:
        return desired
    if desired is None:
        return tracked_model(tracked, _spelled(request))
    desired.ImageVersionArn = tracked.arn
    desired.Version = tracked.number
    desired.BaseImage = desired.BaseImage or tracked.base
    desired.ImageName = desired.ImageName or tracked.image
    return desired


def _failed(
    failure: HandlerError, context: Context | None, request: ResourceHandlerRequest
) -> ProgressEvent:
    """The FAILED event, naming the version the operation tracks; a failed create whose clean-up
    did not finish says why the create failed too."""
    if context is not None and context.failure and context.failure not in str(failure):
        failure = exceptions.NotStabilized(
            f"{context.failure}. Deleting the failed version did not finish: {failure}"
        )
    event = failure.to_progress_event()
    # (shown in the stack's events: SageMaker's refusal may quote the request, token and all)
    event.message = log_redaction.scrub(event.message or "")
    desired = request.desiredResourceState
    tracked = context.version if context is not None else None
    if (
        tracked is None
        and desired is not None
        and isinstance(desired.ImageVersionArn, str)
        and desired.ImageVersionArn
    ):
        # (UPDATE, DELETE) the version CloudFormation named, as it named it (an empty identifier
        # names none: the event then carries no model, as the contract asks of its models)
        named = identifier_model("", {"ImageVersionArn": desired.ImageVersionArn})
        named.ImageName, named.Version = desired.ImageName, desired.Version
        named.BaseImage = desired.BaseImage
        event.resourceModel = named
    elif tracked is not None:
        model = tracked_model(tracked, _spelled(request))
        model.BaseImage = model.BaseImage or (desired.BaseImage if desired else None)
        event.resourceModel = model
    return event
