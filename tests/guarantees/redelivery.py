"""CloudFormation re-delivering a FAILED answer whose error code its documentation marks
retriable (ResourceConflict, Throttling, NetworkFailure, ServiceInternalError): the same request
again, with the same bearer token and the same model, and no callback context."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from harness.driver import Driver, Outcome

RETRIABLE = frozenset({"ResourceConflict", "Throttling", "NetworkFailure", "ServiceInternalError"})


def redelivered(
    driver: Driver,
    action: str,
    properties: Mapping[str, Any],
    *,
    previous: Mapping[str, Any] | None = None,
    times: int = 3,
) -> list[Outcome]:
    """Run the operation; while it ends FAILED with a retriable code, deliver it again (at most
    ``times`` more times). Every outcome, in order."""
    token = str(uuid.uuid4())
    outcomes = [driver.run(action, properties, previous=previous, token=token)]
    while outcomes[-1].error_code in RETRIABLE and len(outcomes) <= times:
        outcomes.append(driver.run(action, properties, previous=previous, token=token))
    return outcomes


def codes(outcomes: list[Outcome]) -> list[str | None]:
    return [outcome.error_code for outcome in outcomes]
