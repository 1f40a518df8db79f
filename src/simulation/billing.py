"""What CloudFormation bills a private resource type, from its published prices (pure).

A private or third-party type costs $0.0009 per handler operation, plus $0.00008 per second of an
operation's duration above 30 seconds. Whether one "handler operation" is each invocation or the
whole action with its callbacks the price page does not say, so both readings are reported:
``strict`` counts every invocation, ``lenient`` every action once. Seconds above 30 are counted
per invocation in both (an invocation is what runs; an action with callbacks is not running while
it waits). The monthly free tier (the first 1,000 operations per account) is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PER_OPERATION = 0.0009
PER_SECOND_ABOVE_30 = 0.00008
FREE_SECONDS = 30.0


@dataclass(frozen=True)
class Invocation:
    """One handler invocation: when it started and ended (virtual seconds)."""

    started: float
    ended: float

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def billed_seconds_over_30(self) -> float:
        return max(0.0, self.seconds - FREE_SECONDS)


@dataclass(frozen=True)
class Bill:
    invocations: int
    actions: int
    seconds_over_30: float

    @property
    def strict_dollars(self) -> float:
        return self.invocations * PER_OPERATION + self.seconds_over_30 * PER_SECOND_ABOVE_30

    @property
    def lenient_dollars(self) -> float:
        return self.actions * PER_OPERATION + self.seconds_over_30 * PER_SECOND_ABOVE_30


def bill(actions: Iterable[Iterable[Invocation]]) -> Bill:
    """The bill of ``actions``, each given as its invocations."""
    invocations = actions_count = 0
    over = 0.0
    for action in actions:
        actions_count += 1
        for invocation in action:
            invocations += 1
            over += invocation.billed_seconds_over_30
    return Bill(invocations, actions_count, over)
