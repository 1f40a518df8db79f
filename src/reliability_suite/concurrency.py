"""Many versions of one image created at once, then deleted at once, as one stack would.

The handlers run through the real Lambda entrypoint against the emulator in server mode, with
versions taking ``transition_seconds`` to be created and deleted (SageMaker takes minutes), and
SageMaker's rule that an image changes one version at a time. CloudFormation's callback delays
are scaled by ``delay_scale`` and each invocation gets ``time_limit`` seconds of Lambda time.

Holds when: every create succeeds; the versions are 1..N, each owned by exactly one resource and
made from that resource's properties; no version exists that no resource owns; every delete
succeeds and the image has no version left; no handler call names a version its resource does
not own.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from harness.inventory import ownership_problems, versions_of, wrong_version_calls
from harness.recorder import recording
from harness.stack import Stack
from offline_aws.services import sagemaker_server, timed_transitions

from .phases import failures, phase_figures

IMAGE = "ParallelImage"
BASE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/parallel"


@dataclass(frozen=True)
class Settings:
    versions: int = 25
    transition_seconds: float = 2.0
    time_limit: float = 8.0
    delay_scale: float = 0.1


def run(settings: Settings) -> dict[str, Any]:
    """Run the scenario; its figures, with ``problems`` empty when everything held."""
    resources = {
        f"Version{n:02d}": {"ImageName": IMAGE, "BaseImage": f"{BASE}:{n}"}
        for n in range(1, settings.versions + 1)
    }
    bases = {logical_id: props["BaseImage"] for logical_id, props in resources.items()}
    driver = Driver(resource, time_limit=settings.time_limit, delay_scale=settings.delay_scale)
    stack = Stack(driver, name="concurrency")
    problems: list[str] = []
    with (
        sagemaker_server([IMAGE]) as sagemaker,
        timed_transitions(settings.transition_seconds),
        recording() as recorder,
    ):
        started = time.monotonic()
        created = stack.create(resources)
        create_seconds = time.monotonic() - started
        create_calls = recorder.snapshot()
        owners = {lid: int(model["Version"]) for lid, model in stack.models.items()}
        problems += [f"create of {lid} failed: {why}" for lid, why in failures(created).items()]
        if sorted(owners.values()) != list(range(1, settings.versions + 1)):
            problems.append(f"versions owned are {sorted(owners.values())}, not 1..N")
        problems += ownership_problems(owners, bases, versions_of(sagemaker, IMAGE))
        recorder.clear()

        started = time.monotonic()
        deleted = stack.delete()
        delete_seconds = time.monotonic() - started
        delete_calls = recorder.snapshot()
        problems += [f"delete of {lid} failed: {why}" for lid, why in failures(deleted).items()]
        left = versions_of(sagemaker, IMAGE)
        problems += [f"left after delete: version {v.number} ({v.status})" for v in left]
    problems += wrong_version_calls(create_calls + delete_calls, owners, IMAGE)
    return {
        "settings": asdict(settings),
        "create": {**phase_figures(created, create_calls), "seconds": round(create_seconds, 1)},
        "delete": {**phase_figures(deleted, delete_calls), "seconds": round(delete_seconds, 1)},
        "versions_created": sorted(owners.values()),
        "versions_left": [v.number for v in left],
        "problems": problems,
    }
