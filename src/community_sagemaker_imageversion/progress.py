"""What a handler keeps between invocations (the callback context) and the events it returns."""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from cloudformation_cli_python_lib.interface import OperationStatus, ProgressEvent

from .arns import parse_image_version_arn
from .models import ResourceModel
from .translation import identifier_model
from .waiting import usable_period


@dataclass
class CallbackState:
    """The callback context: everything a re-invoked handler needs to carry on where it stopped.

    ``arn`` names the version as soon as CreateImageVersion answers (or UPDATE and DELETE find
    it): every later call names that version, and every ending names it. ``imageName`` is the
    image's real name (the ARN lower-cases it). ``createdAt`` is when CreateImageVersion answered
    (wall clock), for the read-after-write grace. ``createFailure`` is set when a create failed
    and its version is being cleaned up. ``deleteSentAt`` is when DeleteImageVersion answered.
    ``handbacks`` counts the invocations that handed back while waiting for the current change,
    and ``waitingSince`` is when waiting for a change began that started no clock of its own
    (an update or delete waiting for a version still being created).

    While the image is busy: ``busySince`` is when the image was last seen making progress (a
    version changing state), ``busyChange`` is what the image's latest versions were at the
    last look (their numbers and statuses), ``busyChangeAt`` when the change then in progress
    started, and ``period`` is the time one change of the image takes, as
    learned from consecutive changes (wall-clock seconds throughout).
    """

    arn: str | None = None
    imageName: str | None = None
    createdAt: float | None = None
    deleteSent: bool = False
    deleteSentAt: float | None = None
    createFailure: str | None = None
    handbacks: int = 0
    waitingSince: float | None = None
    busySince: float | None = None
    busyRetries: int = 0
    busyChange: str | None = None
    busyChangeAt: float | None = None
    period: float | None = None
    transientRetries: int = 0

    @classmethod
    def load(cls, context: Mapping[str, Any] | None) -> CallbackState:
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in (context or {}).items() if k in known})
        # What only steers waiting is reset when it is not plausible (an old or corrupt context).
        state.period = usable_period(state.period if _is_number(state.period) else None)
        state.handbacks = (
            min(max(int(state.handbacks), 0), MAX_COUNT) if _is_number(state.handbacks) else 0
        )
        state.waitingSince = state.waitingSince if _is_number(state.waitingSince) else None
        return state

    def dump(self) -> MutableMapping[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


MAX_COUNT = 10_000


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def tracked_model(state: CallbackState) -> ResourceModel | None:
    """The identifiers of the version the callback context tracks (None: it tracks none)."""
    parsed = parse_image_version_arn(state.arn) if isinstance(state.arn, str) else None
    if parsed is None:
        return None
    name = state.imageName if isinstance(state.imageName, str) else parsed.name_lower
    return identifier_model(name, {"ImageVersionArn": state.arn, "Version": parsed.version})


def success(model: ResourceModel | None) -> ProgressEvent:
    return ProgressEvent(status=OperationStatus.SUCCESS, resourceModel=model)


def listed(models: list[ResourceModel], next_token: str | None) -> ProgressEvent:
    return ProgressEvent(
        status=OperationStatus.SUCCESS, resourceModels=list(models), nextToken=next_token
    )


def in_progress(model: ResourceModel | None, state: CallbackState, delay: int) -> ProgressEvent:
    return ProgressEvent(
        status=OperationStatus.IN_PROGRESS,
        resourceModel=model,
        callbackContext=state.dump(),
        callbackDelaySeconds=delay,
    )
