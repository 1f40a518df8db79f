"""The simulated scenarios: one create, and N versions of one image in one stack, then its
delete; each under one policy, on a fresh virtual clock and a fresh emulator.

Policies: ``ours`` and ``before`` run the handler package through its Lambda entrypoint (which
package is imported decides which code runs: :mod:`.before` puts the code from before the cost
work first on the path of a subprocess); ``aws-like`` runs :mod:`.aws_like`, with the versions
chained by DependsOn; ``ours-dependson`` is ours with the versions chained as for aws-like (what
a template can do to pay less).
"""

from __future__ import annotations

import contextlib
import importlib
import math
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
from moto import mock_aws

from community_sagemaker_imageversion import invocation
from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver, Handler
from harness.inventory import ownership_problems, versions_of
from offline_aws.defaults import ACCOUNT, REGION, base_image, use_offline_account
from offline_aws.services import timed_transitions
from sagemaker_emulator import clock as emulator_clock
from sagemaker_emulator import install
from sagemaker_emulator.control import controls
from sagemaker_emulator.rate_limits import RateLimits, operation_class

from . import aws_like
from .billing import bill
from .cloudformation import CloudFormation, Operation, Resource
from .service import DEFAULT_RATE, Service, peak_rate
from .virtual_time import VirtualTime

POLICIES = ("ours", "before", "aws-like", "ours-dependson")
CHAINED = frozenset({"aws-like", "ours-dependson"})
IMAGE = "SimulatedImage"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SimulatedImageRole"


@dataclass(frozen=True)
class Settings:
    """What a scenario runs under."""

    policy: str = "ours"
    seed: int = 1
    rate: float = DEFAULT_RATE
    burst: float = DEFAULT_RATE
    latency: float = 0.1
    rules: Mapping[str, Any] = field(default_factory=dict)
    """Emulator rule variants (sagemaker_emulator.rules), e.g. {"concurrency": "never"}."""
    limits: RateLimits | None = None
    """The emulator's per-operation request rates (``sagemaker_emulator.rate_limits``), which
    the shared-account scenario sets once its account is set up (``rate``: the account-wide
    bucket in front of them)."""


def _module(name: str) -> Any:
    """The module ``name``, or None when the package on the path has none."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@contextlib.contextmanager
def _world(
    settings: Settings, creation_seconds: float
) -> Iterator[tuple[VirtualTime, Service, Any]]:
    """A fresh virtual clock, emulator and request rate; yields them and a SageMaker client."""

    time = VirtualTime(settings.seed)
    use_offline_account(os.environ)
    install()
    previous_handler_clock = invocation.use_clock(time)
    previous_emulator_clock = emulator_clock.use_clock(time)
    # The code before the cost work drew its jitter from waiting._random, not from the clock
    # (the ``before`` policy's package; today's has no such module).
    waiting = _module("community_sagemaker_imageversion.waiting")
    previous_draws = getattr(waiting, "_random", None)
    if previous_draws is not None:
        waiting._random = time.draws
    try:
        with mock_aws(), timed_transitions(creation_seconds):
            controls().rules = controls().rules.changed(settings.rules)
            client = boto3.client("sagemaker", region_name=REGION)
            client.create_image(ImageName=IMAGE, RoleArn=ROLE)
            service = Service(time, settings.rate, settings.burst, settings.latency)
            with service.serving():
                yield time, service, client
    finally:
        invocation.use_clock(previous_handler_clock)
        emulator_clock.use_clock(previous_emulator_clock)
        if previous_draws is not None:
            waiting._random = previous_draws


def _handler(settings: Settings, time: VirtualTime, client: Any) -> Handler:
    if settings.policy == "aws-like":
        return aws_like.handler(time, client)  # type: ignore[no-any-return]
    return resource


FIRST_MINUTE = 60.0
"""The start of a stack operation, when every version's first invocation asks SageMaker at once
(no handler blind to its place in the queue can spread those): its request rate is reported apart
from the rest."""


def _makespan(ops: list[Operation]) -> float:
    """From the first operation's start to the last one's end."""
    started = min((op.started for op in ops), default=0.0)
    return max((op.ended for op in ops), default=0.0) - started


def _figures(operations: Mapping[str, Operation], service: Service, since: int) -> dict[str, Any]:
    """The figures of one stack operation (requests from index ``since`` of the service's log)."""
    ops = list(operations.values())
    requests = service.requests[since:]
    charge = bill(op.invocations for op in ops)
    started = min((op.started for op in ops), default=0.0)
    count = max(1, len(ops))
    return {
        "success": sum(1 for op in ops if op.status == "SUCCESS"),
        "outcomes": dict(sorted(Counter(op.outcome for op in ops).items())),
        "makespan_seconds": round(_makespan(ops), 3),
        "invocations": charge.invocations,
        "invocations_per_version": round(charge.invocations / count, 3),
        "calls": len(requests),
        "calls_per_version": round(len(requests) / count, 3),
        "billed_seconds_over_30": round(charge.seconds_over_30, 3),
        "operations_billed_over_30": sum(
            1 for op in ops if any(i.billed_seconds_over_30 > 0 for i in op.invocations)
        ),
        "dollars": round(charge.strict_dollars, 6),
        "dollars_lenient": round(charge.lenient_dollars, 6),
        "peak_requests_per_second": peak_rate([r.at for r in requests]),
        "peak_requests_per_second_after_first_minute": peak_rate(
            [r.at for r in requests if r.at >= started + FIRST_MINUTE]
        ),
        "throttles": sum(1 for r in requests if r.throttled),
        "contract_breaches": sum(op.breaches for op in ops),
    }


def single(settings: Settings, creation_seconds: float) -> dict[str, Any]:
    """One version created alone: its latency, invocations, calls and cost."""
    with _world(settings, creation_seconds) as (time, service, client):
        cloudformation = CloudFormation(time, _handler(settings, time, client))
        resource = Resource("Version", {"ImageName": IMAGE, "BaseImage": base_image("single:1")})
        operation = cloudformation.run("CREATE", [resource])["Version"]
        figures = _figures({"Version": operation}, service, 0)
    return {
        "creation_seconds": creation_seconds,
        "policy": settings.policy,
        "status": operation.outcome,
        "latency_seconds": round(operation.seconds, 3),
        "invocations": figures["invocations"],
        "calls": figures["calls"],
        "billed_seconds_over_30": figures["billed_seconds_over_30"],
        "dollars": figures["dollars"],
        "dollars_lenient": figures["dollars_lenient"],
        "invocation_limit": math.ceil(creation_seconds / 60) + 1,
        "request_seconds": [round(r.at - operation.started, 3) for r in service.requests],
    }


def parallel(settings: Settings, versions: int, creation_seconds: float) -> dict[str, Any]:
    """``versions`` versions of one image in one stack (chained by DependsOn for aws-like, else
    none), created, checked, then deleted."""
    chained = settings.policy in CHAINED
    resources = [
        Resource(
            f"Version{n:03d}",
            {"ImageName": IMAGE, "BaseImage": base_image(f"parallel:{n}")},
            (f"Version{n - 1:03d}",) if chained and n > 1 else (),
        )
        for n in range(1, versions + 1)
    ]
    with _world(settings, creation_seconds) as (time, service, client):
        cloudformation = CloudFormation(time, _handler(settings, time, client))
        created = cloudformation.run("CREATE", resources)
        create = _figures(created, service, 0)
        owners = {
            lid: int(m["ImageVersionArn"].rsplit("/", 1)[-1])
            for lid, m in cloudformation.models.items()
        }
        bases = {r.logical_id: str(r.properties["BaseImage"]) for r in resources}
        problems = ownership_problems(owners, bases, versions_of(client, IMAGE))
        since = len(service.requests)
        made = [r for r in resources if r.logical_id in cloudformation.models]
        deleted = cloudformation.run("DELETE", made)
        delete = _figures(deleted, service, since)
        left = len(versions_of(client, IMAGE))
    floor = versions * creation_seconds
    return {
        "versions": versions,
        "creation_seconds": creation_seconds,
        "policy": settings.policy,
        "success": create["success"],
        "makespan_over_floor": round(create["makespan_seconds"] / floor, 4),
        **{k: v for k, v in create.items() if k != "success"},
        "ownership_problems": problems,
        "delete": {**delete, "versions_left": left},
    }


SHARED_STACK = 25
"""Versions of one image in the stack under study of the shared-account scenario."""
OTHER_STACKS = (10, 10)
"""Versions of the other stacks deploying in the same account meanwhile (each its own image)."""
LISTED_IMAGES = 300
"""Images, one version each, that a LIST (Cloud Control's ListResources) walks meanwhile."""
LIST_REDELIVERIES = 10
LIST_REDELIVER_SECONDS = 10.0
"""A LIST page that FAILED with a retriable code is asked for again this many times, this long
after (a caller of ListResources retrying, as the AWS SDKs retry a throttled call)."""


SHARED_LIMITS = RateLimits(list_per_second=2, describe_per_second=5, mutate_per_second=1)
"""Per-operation limits of one account (SageMaker documents ListTrainingJobs at 2 requests/s, not
adjustable; none for the image operations): List calls 2/s, Describe calls 5/s, writes 1/s."""
UNLIMITED = 1e9
"""An account-wide rate that never throttles (the per-operation limits do)."""


def shared_account(settings: Settings, creation_seconds: float = 60.0) -> dict[str, Any]:
    """The account's per-operation limits shared (``settings.limits``): a stack of SHARED_STACK
    versions of one image without DependsOn, two other stacks of OTHER_STACKS versions (of their
    own images), and a LIST of every version across LISTED_IMAGES images, all started at once.
    Each stack's outcome and makespan, the LIST's pages and what it listed, and each class of
    operation's calls and throttles."""
    stacks = {
        "stack": (IMAGE, SHARED_STACK),
        **{f"other-{n}": (f"OtherImage{n}", size) for n, size in enumerate(OTHER_STACKS, 1)},
    }
    with _world(settings, creation_seconds) as (time, service, client):
        for image, _ in list(stacks.values())[1:]:
            client.create_image(ImageName=image, RoleArn=ROLE)
        listed_images = [f"ListedImage{n:03d}" for n in range(LISTED_IMAGES)]
        for image in listed_images:
            client.create_image(ImageName=image, RoleArn=ROLE)
            client.create_image_version(ImageName=image, BaseImage=base_image(f"{image}:1"))
        controls().rate_limits = replace(settings.limits or SHARED_LIMITS, throttles={})
        operations: dict[str, dict[str, Operation]] = {}
        for name, (image, size) in stacks.items():
            resources = [
                Resource(
                    f"Version{n:03d}", {"ImageName": image, "BaseImage": base_image(f"{name}:{n}")}
                )
                for n in range(1, size + 1)
            ]
            cloudformation = CloudFormation(time, _handler(settings, time, client), stack=name)
            operations[name] = cloudformation.start("CREATE", resources)
        walk: dict[str, Any] = {}

        def list_everything() -> None:
            driver = Driver(
                resource,
                delay_scale=1.0,
                redeliver_retriable=LIST_REDELIVERIES,
                redeliver_delay=LIST_REDELIVER_SECONDS,
                max_invocations=100_000,
                wait=time.sleep,
                clock=time.monotonic,
            )
            started = time.now
            outcome = driver.run_list({})
            walk.update(
                status=outcome.final["status"],
                error=outcome.final.get("errorCode"),
                message=outcome.final.get("message"),
                pages=len(outcome.events),
                redeliveries=outcome.redeliveries,
                seconds=round(time.now - started, 3),
                listed=outcome.listed,
            )

        time.spawn("list", list_everything)
        time.run()
        owners = {
            name: {lid: op.final.get("resourceModel", {}) for lid, op in ops.items()}
            for name, ops in operations.items()
        }
    listed = walk.pop("listed")
    listed_arns = [m.get("ImageVersionArn") for m in listed]
    listed_images_seen = {m.get("ImageName") for m in listed}
    by_class: dict[str, dict[str, int]] = {}
    for request in service.requests:
        row = by_class.setdefault(operation_class(request.operation), {"calls": 0, "throttles": 0})
        row["calls"] += 1
        row["throttles"] += int(request.throttled)
    return {
        "limits": {
            kind: getattr(settings.limits or SHARED_LIMITS, f"{kind}_per_second")
            for kind in ("list", "describe", "mutate")
        },
        "stacks": {
            name: {
                "versions": len(ops),
                "success": sum(1 for op in ops.values() if op.status == "SUCCESS"),
                "makespan_seconds": round(_makespan(list(ops.values())), 3),
                "makespan_over_floor": round(
                    _makespan(list(ops.values())) / (len(ops) * creation_seconds), 4
                ),
                "versions_made": len({m.get("ImageVersionArn") for m in owners[name].values()}),
            }
            for name, ops in operations.items()
        },
        "list": {
            **walk,
            "versions_listed": len(listed_arns),
            "repeated": len(listed_arns) - len(set(listed_arns)),
            "listed_images_missed": len(set(listed_images) - listed_images_seen),
        },
        "operations": by_class,
        "throttles": service.throttles,
    }


def suite(
    settings: Settings, singles: list[float], parallels: list[int], creation_seconds: float = 60.0
) -> dict[str, list[dict[str, Any]]]:
    """One create for each of ``singles`` (creation seconds), and a stack of each of
    ``parallels`` versions taking ``creation_seconds`` each, under ``settings``."""
    return {
        "single": [single(settings, x) for x in singles],
        "parallel": [parallel(settings, n, creation_seconds) for n in parallels],
    }
