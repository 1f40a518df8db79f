"""Figures of one phase of a stack run: how its operations ended and what they cost."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from harness.driver import Outcome
from harness.recorder import Call


def phase_figures(outcomes: Mapping[str, Outcome], calls: Iterable[Call]) -> dict[str, Any]:
    """Outcomes, invocations, and the handler calls of one phase (create, update or delete)."""
    handler_calls = [c for c in calls if c.by_handler]
    invocations = [o.invocations for o in outcomes.values()]
    return {
        "resources": len(outcomes),
        "outcomes": dict(Counter(o.error_code or o.status for o in outcomes.values())),
        "invocations": sum(invocations),
        "max_invocations": max(invocations, default=0),
        "sagemaker_calls": len(handler_calls),
        "calls_by_operation": dict(sorted(Counter(c.operation for c in handler_calls).items())),
        "resource_in_use": sum(1 for c in handler_calls if c.error == "ResourceInUse"),
        "errors_seen": dict(Counter(c.error for c in handler_calls if c.error)),
    }


def failures(outcomes: Mapping[str, Outcome]) -> dict[str, str]:
    """``error code: message`` of each operation that did not succeed, by logical id."""
    return {
        logical_id: f"{outcome.error_code}: {outcome.final.get('message')}"
        for logical_id, outcome in sorted(outcomes.items())
        if outcome.status != "SUCCESS"
    }
