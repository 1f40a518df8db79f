"""The time one handler invocation may spend waiting, taken from the Lambda context."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Seconds kept back at the end of an invocation for the final calls and the response.
SAFETY_MARGIN = 5.0
# Waiting budget when no Lambda context is known (test entrypoint, direct calls).
DEFAULT_BUDGET = 20.0

_lambda_context: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "lambda_context", default=None
)


def bind_lambda_context(context: Any) -> contextvars.Token[Any]:
    return _lambda_context.set(context)


def unbind_lambda_context(token: contextvars.Token[Any]) -> None:
    _lambda_context.reset(token)


def _remaining_seconds(context: Any) -> float:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        return float(remaining()) / 1000.0
    return DEFAULT_BUDGET + SAFETY_MARGIN


@dataclass
class Invocation:
    """Waiting inside the current invocation, bounded by its deadline."""

    deadline: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def current(cls) -> Invocation:
        """The invocation being served, with the time its Lambda context says is left."""
        return cls(deadline=time.monotonic() + _remaining_seconds(_lambda_context.get()))

    def has_time(self, seconds: float = 0.0) -> bool:
        """Whether ``seconds`` more fit before the safety margin at the end of the invocation."""
        return self.deadline - self.clock() - seconds >= SAFETY_MARGIN

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` when the invocation has time for it; False (no sleep) otherwise."""
        if not self.has_time(seconds):
            return False
        self.sleep(seconds)
        return True
