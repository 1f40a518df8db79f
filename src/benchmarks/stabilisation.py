"""Stabilisation latency (reports/performance.md, section 4): a create whose version turns
CREATED X seconds after the call (emulator time-based transition), through the real entrypoint
with real callback delays, against a constant 5 s poll (what AWS's handler does: a callback
every 5 s, one status read each)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.moto_api import state_manager

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from sagemaker_emulator.models import VERSION_CREATE_MODEL

from .common import BASE, ROLE, sagemaker_in_process

# The Lambda time each invocation gets (CloudFormation's handler invocations are a minute long).
LAMBDA_SECONDS = 60.0
CONSTANT_POLL_SECONDS = 5.0
DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0)
QUICK_DELAYS = (0.5, 2.0)


@dataclass(frozen=True)
class Point:
    delay: float
    ours_seconds: float
    ours_invocations: int
    constant_seconds: float
    constant_invocations: int


def _ours(image: str) -> tuple[float, int]:
    started = time.monotonic()
    outcome = Driver(resource, time_limit=LAMBDA_SECONDS, delay_scale=1.0).run(
        "CREATE", {"ImageName": image, "BaseImage": BASE}
    )
    if outcome.status != "SUCCESS":
        raise RuntimeError(f"create failed: {outcome.final}")
    return time.monotonic() - started, outcome.invocations


def _constant_poll(sagemaker: Any, image: str) -> tuple[float, int]:
    started = time.monotonic()
    sagemaker.create_image_version(ImageName=image, BaseImage=BASE, ClientToken=f"poll-{image}")
    invocations = 1
    while True:
        time.sleep(CONSTANT_POLL_SECONDS)
        invocations += 1
        status = sagemaker.describe_image_version(ImageName=image, Version=1)
        if status["ImageVersionStatus"] == "CREATED":
            return time.monotonic() - started, invocations


def measure(delays: Sequence[float]) -> list[Point]:
    points = []
    with sagemaker_in_process() as sagemaker:
        for n, delay in enumerate(delays):
            state_manager.set_transition(
                VERSION_CREATE_MODEL, {"progression": "time", "seconds": delay}
            )
            ours_image, poll_image = f"Ours{n}", f"Poll{n}"
            sagemaker.create_image(ImageName=ours_image, RoleArn=ROLE)
            sagemaker.create_image(ImageName=poll_image, RoleArn=ROLE)
            with ThreadPoolExecutor(max_workers=1) as pool:
                constant = pool.submit(_constant_poll, sagemaker, poll_image)
                ours = _ours(ours_image)
                points.append(Point(delay, *ours, *constant.result()))
        state_manager.unset_transition(VERSION_CREATE_MODEL)
    return points


def chart(points: Sequence[Point], path: Path) -> None:
    """Finish time and invocations against X, ours and the constant poll's."""
    import matplotlib  # noqa: PLC0415 (only `make bench` draws)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    delays = [p.delay for p in points]
    figure, (times, counts) = plt.subplots(1, 2, figsize=(11, 4.2))
    times.plot(delays, [p.ours_seconds for p in points], "o-", label="this handler")
    times.plot(delays, [p.constant_seconds for p in points], "s--", label="constant 5 s poll")
    times.plot(delays, [d + 1 for d in delays], ":", color="grey", label="X + 1 s")
    times.set(xlabel="X: seconds until CREATED", ylabel="create finished after (s)")
    times.legend()
    counts.plot(delays, [p.ours_invocations for p in points], "o-", label="this handler")
    counts.plot(delays, [p.constant_invocations for p in points], "s--", label="constant 5 s poll")
    counts.set(xlabel="X: seconds until CREATED", ylabel="handler invocations")
    counts.legend()
    figure.suptitle("Create stabilisation: finish time and invocations")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
