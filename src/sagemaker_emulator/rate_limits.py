"""Request rate limits: token buckets per class of operation, per account and region.

SageMaker documents its management API throttling limits as per account and region and not
adjustable, with no figure for the image operations. The emulator has none unless a test sets
them, in the :class:`~.control.Controls` of one account and region (cleared by every reset)::

    controls().rate_limits = RateLimits(list_per_second=2, describe_per_second=5,
                                        mutate_per_second=1, burst=2)

or over HTTP, ``POST /_emulator/controls`` with ``{"rate_limits": {"list_per_second": 2,
"describe_per_second": 5, "mutate_per_second": 1, "burst": 2}}`` (``null`` removes them).

Operations are classed by their name: ``List...`` are *list*, ``Describe...`` and ``Get...``
*describe*, every other one (Create, Update, Delete, ...) *mutate*. Each class with a rate has
one bucket of ``burst`` tokens (default: one second's worth, at least one), full at first and
refilled at its rate per second of the emulator's clock (:mod:`.clock`); a class without a rate
is not limited. A request takes one token of its class's bucket; when there is none it is
refused before anything else sees it, HTTP 400 ``{"__type": "ThrottlingException", "message":
"Rate exceeded"}``, not applied, and counted in :attr:`RateLimits.throttles` (per operation).
The limits act where the injected faults do (:mod:`.faults`), over HTTP and in process alike,
before them: a refused request never reaches the fault plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import clock

CLASSES = ("list", "describe", "mutate")


def operation_class(operation: str) -> str:
    """The class of an operation (``list``, ``describe`` or ``mutate``), by its name."""
    if operation.startswith("List"):
        return "list"
    if operation.startswith(("Describe", "Get")):
        return "describe"
    return "mutate"


@dataclass
class RateLimits:
    """Requests per second each class of operation may make (None: no limit), the bucket size,
    and the requests refused so far, per operation."""

    list_per_second: float | None = None
    describe_per_second: float | None = None
    mutate_per_second: float | None = None
    burst: float | None = None
    throttles: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in (*(f"{c}_per_second" for c in CLASSES), "burst"):
            value = self.__dict__[name]
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{name} must be a positive number or null, not {value!r}")
        if self.burst is not None and self.burst < 1:
            raise ValueError(f"burst must be at least 1, not {self.burst!r}")
        # class -> (tokens left, when last counted): not a field, so not in the JSON
        self._buckets: dict[str, tuple[float, float]] = {}

    def rate_of(self, operation: str) -> float | None:
        rate: float | None = self.__dict__[f"{operation_class(operation)}_per_second"]
        return rate

    def take(self, operation: str) -> bool:
        """Take a token for one request of ``operation``: False (and counted) when there is
        none, so the request must be refused."""
        rate = self.rate_of(operation)
        if rate is None:
            return True
        capacity = self.burst if self.burst is not None else max(1.0, rate)
        kind, moment = operation_class(operation), clock.now()
        tokens, then = self._buckets.get(kind, (capacity, moment))
        tokens = min(capacity, tokens + (moment - then) * rate)
        if tokens < 1:
            self._buckets[kind] = (tokens, moment)
            self.throttles[operation] = self.throttles.get(operation, 0) + 1
            return False
        self._buckets[kind] = (tokens - 1, moment)
        return True

    def total_throttles(self) -> int:
        return sum(self.throttles.values())


def limits_from_document(document: Mapping[str, Any]) -> RateLimits:
    """Rate limits from their JSON form (see the module docstring); ValueError if malformed."""
    allowed = {*(f"{c}_per_second" for c in CLASSES), "burst"}
    unknown = set(document) - allowed
    if unknown:
        raise ValueError(f"unknown rate limit settings: {sorted(unknown)}")
    return RateLimits(**document)
