"""The time of one handler invocation, and the one seam through which the package reads the time.

Every invocation returns within 60 s of its start (the handler contract) and before its Lambda
runs out of time. An :class:`Invocation` starts when the entrypoint receives the event; its
deadline is when every SageMaker call must have ended (:func:`budget`)::

    deadline = start + max(min(time left, 60 s) - SAFETY_MARGIN, MIN_STEP)

``SAFETY_MARGIN`` is kept back for the answer. ``MIN_STEP`` guarantees forward progress: an
invocation that starts with less time than the margin, none, or a negative amount, still has
``MIN_STEP`` seconds for one step of work (a few calls on a healthy service).

Each call attempt is admitted only while it fits before the deadline, with its read timeout cut
to the time left (:func:`attempt_timeout`); a retry's backoff (:meth:`Invocation.pause`) only
happens when a call still fits after it. Waiting for SageMaker to finish a change
(:meth:`Invocation.wait`) also ends ``free_window`` seconds after the start, as CloudFormation
bills every second of an operation above 30 s (:data:`FREE_WINDOW`).

The clock (monotonic time, wall time, sleep, and the draws of jittered delays) is a seam:
everything in the package that reads the time, sleeps or jitters goes through :func:`clock`,
which a simulation replaces with :func:`use_clock` (and so runs reproducibly for a seed).
"""

from __future__ import annotations

import contextvars
import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol

from .timing import (
    ATTEMPT_MINIMUM,
    FREE_WINDOW,
    attempt_timeout,
    budget,
)


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def wall(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def random(self) -> float:
        """A draw in [0, 1) for a jittered delay."""
        ...


class SystemClock:
    """The real time."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def random(self) -> float:
        return _random.random()


_random = secrets.SystemRandom()
_clock: Clock = SystemClock()


def clock() -> Clock:
    """The clock every time reading and every sleep of the package goes through."""
    return _clock


def use_clock(replacement: Clock) -> Clock:
    """Make ``replacement`` the package's clock; returns the previous one (to restore it)."""
    global _clock
    previous, _clock = _clock, replacement
    return previous


@dataclass
class Invocation:
    """One handler invocation: when it started and when its calls must have ended."""

    started: float
    deadline: float
    free_window: float = float("inf")

    @classmethod
    def starting(cls, remaining: float | None, free_window: float = float("inf")) -> Invocation:
        """An invocation starting now, with ``remaining`` seconds of Lambda time (None: unknown),
        that waits for at most ``free_window`` seconds from its start."""
        now = clock().monotonic()
        return cls(started=now, deadline=now + budget(remaining), free_window=free_window)

    @classmethod
    def current(cls) -> Invocation:
        """The invocation being served (bound by the entrypoint), or one starting now."""
        bound = _current.get()
        return bound if bound is not None else cls.starting(None)

    def left(self) -> float:
        return self.deadline - clock().monotonic()

    def has_time(self, seconds: float = 0.0) -> bool:
        """Whether a call attempt still fits after ``seconds`` more."""
        return self.left() - seconds >= ATTEMPT_MINIMUM

    def attempt_timeout(self) -> float | None:
        """The read timeout of a call attempt starting now; None when none fits."""
        return attempt_timeout(self.left())

    def pause(self, seconds: float) -> bool:
        """Sleep ``seconds`` when a call still fits after them; False (no sleep) otherwise."""
        if not self.has_time(seconds):
            return False
        clock().sleep(seconds)
        return True

    def waitable(self) -> float:
        """Seconds this invocation may still wait for a change and then make a call: before
        the deadline and within the free window."""
        free_left = self.started + self.free_window - clock().monotonic()
        return min(free_left, self.left()) - ATTEMPT_MINIMUM

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` while waiting for a change, when a call still fits after them both
        before the deadline and within the free window; False (no sleep) otherwise."""
        if self.waitable() - seconds < 0:
            return False
        clock().sleep(seconds)
        return True


_current: contextvars.ContextVar[Invocation | None] = contextvars.ContextVar(
    "invocation", default=None
)


def remaining_seconds(lambda_context: Any) -> float | None:
    """The time the Lambda context says is left (None when there is no such context)."""
    remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
    return float(remaining()) / 1000.0 if callable(remaining) else None


def begin(lambda_context: Any) -> contextvars.Token[Invocation | None]:
    """Start the invocation the entrypoint is serving; ``end`` it with the token returned."""
    return _current.set(Invocation.starting(remaining_seconds(lambda_context), FREE_WINDOW))


def end(token: contextvars.Token[Invocation | None]) -> None:
    _current.reset(token)
