"""Whole lifecycles (create with aliases, update, delete) while SageMaker misbehaves.

The emulator (server mode) injects faults (:mod:`sagemaker_emulator.faults`) at ``rate`` on every
operation: every refusal botocore's own rules retry (throttling codes, 429, 500, 503, 509,
request timeouts) and a 200 answer cut short, on all of them, and on every mutating operation
(CreateImageVersion, UpdateImageVersion, DeleteImageVersion) also a connection dropped after
SageMaker applied the request. The handlers retry each call within the invocation's deadline,
then call back; CloudFormation re-invokes a handler only after IN_PROGRESS: a FAILED event ends
the operation, whatever its error code.

``parallel`` runs the lifecycles as one stack (all creates at once, then all updates, then all
deletes, with versions taking ``transition_seconds``); otherwise one lifecycle after another,
with immediate transitions, so the request stream, and with the seed every fault, is the same
on every run. ``own_credentials`` gives each lifecycle caller credentials of its own (see
:mod:`.stack`: without them, every lifecycle shares one cached client and its retry quota).

Holds when: every lifecycle completes; no version is duplicated or left without an owner (an
orphan: CloudFormation would never delete it); each update leaves exactly the aliases and
metadata asked for; no handler call names a version its resource does not own.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver, Outcome
from harness.inventory import aliases_of, ownership_problems, versions_of, wrong_version_calls
from harness.recorder import Call, Recorder, recording
from harness.stack import Stack
from offline_aws.services import sagemaker_server, timed_transitions
from sagemaker_emulator.control import controls
from sagemaker_emulator.faults import DROP, REFUSALS, TRUNCATED, FaultPlan, FaultRule

from .phases import failures, phase_figures

IMAGE = "FaultyImage"
BASE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/faulty"
PHASES = ("create", "update", "delete")
# What an injected fault looks like to a handler once botocore has given up retrying it (an
# answer cut short is the handler's own IncompleteAnswer).
FAULT_ERRORS = frozenset(
    {
        "ThrottlingException",
        "InternalFailure",
        "ServiceUnavailable",
        "ConnectionClosedError",
        "TooManyRequestsException",
        "RequestTimeoutException",
        "ThrottledException",
        "PriorRequestNotComplete",
        "BandwidthLimitExceeded",
        "IncompleteAnswer",
    }
)


@dataclass(frozen=True)
class Settings:
    lifecycles: int = 20
    rate: float = 0.2
    seed: int = 1
    parallel: bool = True
    own_credentials: bool = True
    transition_seconds: float = 1.0
    time_limit: float = 8.0
    delay_scale: float = 0.1


MUTATING = ("CreateImageVersion", "UpdateImageVersion", "DeleteImageVersion")


def fault_rules(rate: float) -> list[FaultRule]:
    """Every refusal botocore's rules retry (throttling codes, 429, 5xx, 509, request timeouts)
    and an answer cut short on every operation; on every mutating operation also an answer lost
    after the change was applied. (An answer that trickles in is swept call by call by the
    fault sweep, where its seconds are few.)"""
    # An answer lost after the change was applied is the fault that matters most for a change:
    # on a mutating operation it is as likely as every other kind together.
    others = (*REFUSALS, TRUNCATED)
    changing = (*others, *[DROP] * len(others))
    return [FaultRule(rate, operation, changing) for operation in MUTATING] + [
        FaultRule(rate, None, others)
    ]


def created(n: int) -> dict[str, Any]:
    """Lifecycle ``n``'s properties on create (its BaseImage is unique to it)."""
    return {
        "ImageName": IMAGE,
        "BaseImage": f"{BASE}:{n}",
        "Aliases": [f"v{n}", f"v{n}-candidate"],
        "JobType": "TRAINING",
        "Processor": "CPU",
    }


def updated(n: int) -> dict[str, Any]:
    """Lifecycle ``n``'s properties on update: aliases and metadata changed."""
    return {
        **created(n),
        "Aliases": [f"v{n}", f"v{n}-stable"],
        "JobType": "INFERENCE",
        "VendorGuidance": "STABLE",
    }


def number(logical_id: str) -> int:
    return int(logical_id.removeprefix("Lifecycle"))


@contextlib.contextmanager
def paused(plan: FaultPlan) -> Iterator[None]:
    """No faults while the scenario itself looks at the emulator."""
    controls().faults = None
    try:
        yield
    finally:
        controls().faults = plan


@dataclass
class _Run:
    """What one run did: each phase's outcomes and calls, who owns which version, problems."""

    stack: Stack
    sagemaker: Any
    plan: FaultPlan
    recorder: Recorder
    outcomes: dict[str, dict[str, Outcome]] = field(default_factory=dict)
    calls: dict[str, list[Call]] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)
    problems: dict[str, None] = field(default_factory=dict)

    def phase(self, name: str, ids: list[str]) -> list[str]:
        """Run one phase for ``ids`` at once; the ids that succeeded."""
        self.recorder.clear()
        if name == "create":
            outcomes = self.stack.create({i: created(number(i)) for i in ids})
        elif name == "update":
            outcomes = self.stack.update({i: updated(number(i)) for i in ids})
        else:
            outcomes = self.stack.delete(ids)
        self.outcomes.setdefault(name, {}).update(outcomes)
        self.calls.setdefault(name, []).extend(self.recorder.snapshot())
        self.owners.update({i: int(m["Version"]) for i, m in self.stack.models.items()})
        return [i for i in ids if outcomes[i].status == "SUCCESS"]

    def note(self, problems: list[str]) -> None:
        self.problems.update(dict.fromkeys(problems))

    def check_versions(self, ids: list[str]) -> None:
        """Duplicates, orphans and mismatches among the versions made for ``ids``."""
        bases = {i: created(number(i))["BaseImage"] for i in ids}
        with paused(self.plan):
            mine = [v for v in versions_of(self.sagemaker, IMAGE) if v.base_image in bases.values()]
        owned = {i: v for i, v in self.owners.items() if i in ids and i in self.stack.models}
        self.note(ownership_problems(owned, bases, mine))

    def check_updates(self, ids: list[str]) -> None:
        """Each updated version holds exactly the aliases and metadata its update asked for."""
        with paused(self.plan):
            for logical_id in ids:
                wanted, version = updated(number(logical_id)), self.owners[logical_id]
                got = self.sagemaker.describe_image_version(ImageName=IMAGE, Version=version)
                got["Aliases"] = aliases_of(self.sagemaker, IMAGE, version)
                wanted = {**wanted, "Aliases": sorted(wanted["Aliases"])}
                self.note(
                    [
                        f"update of {logical_id}: {key} is {got.get(key)!r}, not {wanted[key]!r}"
                        for key in ("Aliases", "JobType", "VendorGuidance")
                        if got.get(key) != wanted[key]
                    ]
                )

    def lifecycle(self, ids: list[str]) -> None:
        """Create, update and delete ``ids`` as one stack: each phase for all of them at once."""
        made = self.phase("create", ids)
        self.check_versions(ids)
        changed = self.phase("update", made)
        self.check_updates(changed)
        self.phase("delete", [i for i in ids if i in self.stack.models])
        self.check_versions(ids)


def run(settings: Settings) -> dict[str, Any]:
    """Run the scenario; its figures, with ``problems`` empty when everything held."""
    driver = Driver(resource, time_limit=settings.time_limit, delay_scale=settings.delay_scale)
    ids = [f"Lifecycle{n:02d}" for n in range(1, settings.lifecycles + 1)]
    transitions = (
        timed_transitions(settings.transition_seconds)
        if settings.parallel
        else contextlib.nullcontext()
    )
    with sagemaker_server([IMAGE]) as sagemaker, transitions, recording() as recorder:
        plan = controls().inject_faults(fault_rules(settings.rate), seed=settings.seed)
        stack = Stack(driver, f"faults-{settings.seed}", settings.own_credentials)
        scenario = _Run(stack, sagemaker, plan, recorder)
        for group in [ids] if settings.parallel else [[i] for i in ids]:
            scenario.lifecycle(group)
        controls().faults = None
        left = [v.number for v in versions_of(sagemaker, IMAGE)]
    return _figures(settings, scenario, ids, left)


def _figures(settings: Settings, run: _Run, ids: list[str], left: list[int]) -> dict[str, Any]:
    handler_calls = [c for phase in PHASES for c in run.calls.get(phase, []) if c.by_handler]
    wrong = wrong_version_calls(handler_calls, run.owners, IMAGE)
    failed = [
        f"{phase} of {i} failed: {why}"
        for phase in PHASES
        for i, why in failures(run.outcomes.get(phase, {})).items()
    ]
    completed = [
        i
        for i in ids
        if all(getattr(run.outcomes.get(p, {}).get(i), "status", None) == "SUCCESS" for p in PHASES)
    ]
    problems = [*run.problems, *failed, *wrong]
    return {
        "settings": asdict(settings),
        "lifecycles_completed": len(completed),
        "faults_injected": run.plan.injected,
        "faults_total": run.plan.total_injected(),
        "http_requests": sum(run.plan.requests.values()),
        "sagemaker_calls": len(handler_calls),
        "faults_reaching_handlers": dict(
            Counter(c.error for c in handler_calls if c.error in FAULT_ERRORS)
        ),
        "phases": {p: phase_figures(run.outcomes.get(p, {}), run.calls.get(p, [])) for p in PHASES},
        "duplicates": sum(1 for p in problems if p.startswith("duplicate")),
        "orphans": sum(1 for p in problems if p.startswith("orphan")),
        "wrong_version_calls": len(wrong),
        "versions_left": left,
        "problems": problems,
    }
