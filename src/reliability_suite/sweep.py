"""A deterministic fault sweep, in the spirit of simulation testing: each fault kind injected at
each SageMaker call of each action (every combination, not a sample), each run to its end.

For each scenario (:mod:`.sweep_scenarios`) and transport, one fault-free run (the baseline)
counts N, the SageMaker calls the handler makes; then, for every call index k in 0..N-1 and
every kind the transport can inject (in process every kind but ``drop`` and ``trickle``; over
HTTP ``drop`` and ``trickle``), one run with exactly that fault at exactly that call. A run
holds when:

- it ends: no runaway (the driver's ``max_invocations``), no crash;
- it ends as the scenario expects: SUCCESS (a single transient fault never fails an operation),
  or the scenario's own failure (a CREATE_FAILED version cleaned up: NotStabilized); a FAILED
  answer with a retriable code is delivered again, as CloudFormation does, and counted;
- SageMaker holds what the operation asked for: no duplicate version, no orphan (a version no
  resource owns), every resource's version with its aliases and metadata and CREATED, a deleted
  one gone; the final model carries what was asked (CREATE, UPDATE, READ), a LIST exactly the
  versions there are;
- every handler call names a version its resource owns (:func:`harness.inventory.
  wrong_version_calls`), names its Version and is one of its action's permissions
  (:mod:`harness.call_rules`);
- every answer has the contract's shape (:mod:`harness.contract_shape`).

Under the other variants of the emulator's unknown rules (``variants``, which `make reliability`
sweeps): each in-process scenario again under each variant of each rule, where it can change
anything (:func:`sweep_variant`): a run that never reads a rule is the same under all its
variants, as `make test-variants` has it.

The sweep checks its own aim too: the run's calls up to k are the baseline's, and the plan
injected exactly one fault, into the baseline's call k; otherwise the combination is a *miss*
(the sweep did not test what it says), which fails the sweep as a violation does. A fault that
reaches the handler as the baseline's own answer (``truncated`` on an error answer, which passes
whole; ``trickle`` on an answer short enough to arrive in time) ran, and is marked so.

Profiles: ``full`` runs every combination; ``reduced`` every scenario and every kind at fewer
calls (:func:`picks`): the first, a middle and the last.

Run it: ``python -m reliability_suite.sweep [--profile full|reduced] [--transport in_process|http]
[--scenario NAME ...] [--variants] [--output FILE]``; one combination, with its events:
``python -m reliability_suite.sweep --scenario update --at 2 --kind http500
[--variant alias_index=lagging]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from harness.call_rules import outside_permissions, schema_permissions, without_version
from harness.contract_shape import summary
from harness.inventory import Version, ownership_problems, versions_of, wrong_version_calls
from harness.recorder import MUTATING
from sagemaker_emulator import rule_reads
from sagemaker_emulator.faults import DROP, HTTP, IN_PROCESS, IN_PROCESS_KINDS, TRICKLE, Transport
from sagemaker_emulator.rules import IMPOSSIBLE, VARIANTS, Rules

from .sweep_scenarios import (
    BY_NAME,
    IMAGE,
    IMAGES,
    SCENARIOS,
    Expected,
    Fault,
    Scenario,
    Variant,
    Want,
    World,
    one_server,
    world,
)

Profile = Literal["full", "reduced"]
FULL: Profile = "full"
REDUCED: Profile = "reduced"
KINDS: Mapping[Transport, tuple[str, ...]] = {
    IN_PROCESS: tuple(IN_PROCESS_KINDS),
    HTTP: (DROP, TRICKLE),
}
"""The kinds swept over each transport: in process every kind that needs no socket, over HTTP
the two that do."""
TRANSPORTS: tuple[Transport, ...] = (IN_PROCESS, HTTP)


def _first_middle_last(items: Sequence[int]) -> list[int]:
    return sorted({items[0], items[len(items) // 2], items[-1]}) if items else []


def picks(operations: Sequence[str], kind: str, profile: Profile) -> list[int]:
    """The call indices where ``kind`` is injected, in a scenario whose handler makes
    ``operations``: every one in the full sweep. The reduced sweep: the first, a middle and the
    last call; over HTTP, of the calls that change something (an answer lost matters most
    where the request was applied), and for ``trickle``, whose every run costs a second of real
    time, only the first of them."""
    every = list(range(len(operations)))
    if profile == FULL:
        return every
    if kind not in KINDS[HTTP]:
        return _first_middle_last(every)
    changing = [i for i in every if operations[i] in MUTATING] or every
    chosen = _first_middle_last(changing)
    return chosen[:1] if kind == TRICKLE else chosen


@dataclass(frozen=True)
class Baseline:
    """A scenario's fault-free run: the operation of each handler call, and the error code each
    got (None: an answer), as the faulted runs are aimed and compared."""

    operations: tuple[str, ...]
    errors: tuple[str | None, ...]
    problems: tuple[str, ...]
    seconds: float
    rules_read: frozenset[str] = frozenset()


@dataclass
class Run:
    """The run of one combination: ``kind`` injected at the handler's call ``at`` (from 0),
    aimed at the baseline's ``operation`` there."""

    scenario: str
    transport: str
    at: int
    kind: str
    operation: str
    seen: str | None
    """What the handler got at call ``at``: an error code, or ``answer``."""
    hit: bool
    effect: bool
    """Whether the handler got anything but the baseline's own answer there."""
    status: str | None
    error_code: str | None
    invocations: int
    redeliveries: int
    calls: int
    seconds: float
    problems: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    """The handler's calls, one line each (kept with the events)."""
    variant: str = ""
    """The emulator's variants the run followed (:func:`label`; empty: the environment's)."""
    rules_read: list[str] = field(default_factory=list)

    @property
    def violated(self) -> bool:
        return bool(self.problems) or not self.hit

    def cell(self) -> str:
        """The run in one cell of the report's table."""
        if not self.hit:
            return "MISS"
        if self.problems:
            return "**VIOLATION**"
        text = "ok" if self.effect else "ok (no effect)"
        return f"{text}, redelivered {self.redeliveries}" if self.redeliveries else text


def label(variant: Variant | None) -> str:
    """``rule=variant,...``, or empty for none."""
    return ",".join(f"{rule}={value}" for rule, value in sorted((variant or {}).items()))


def run_one(
    scenario: Scenario, transport: Transport, fault: Fault | None, variant: Variant | None = None
) -> tuple[World, list[str]]:
    """One run of ``scenario`` with ``fault`` (None: none) under ``variant``: the world it left
    (with the rules its set-up and operation read), and what broke."""
    with world(scenario.name, transport, fault, variant) as made:
        with rule_reads.observed() as read:
            expected = scenario.play(made)
        made.rules_read = frozenset(read)
        return made, judge(made, expected)


def baseline(scenario: Scenario, transport: Transport, variant: Variant | None = None) -> Baseline:
    started = time.monotonic()
    made, problems = run_one(scenario, transport, None, variant)
    return Baseline(
        tuple(c.operation for c in made.calls),
        tuple(c.error for c in made.calls),
        tuple(problems),
        time.monotonic() - started,
        made.rules_read,
    )


def run_combination(
    scenario: Scenario,
    transport: Transport,
    base: Baseline,
    fault: Fault,
    *,
    variant: Variant | None = None,
    keep_events: bool = False,
) -> Run:
    """One run with ``fault`` under ``variant``, judged and aimed (its events kept when it broke
    something, or ``keep_events``)."""
    started = time.monotonic()
    made, problems = run_one(scenario, transport, fault, variant)
    seconds = time.monotonic() - started
    aimed = base.operations[fault.at]
    calls = made.calls
    reached = calls[fault.at] if len(calls) > fault.at else None
    injected = made.plan.injected if made.plan is not None else {}
    same_path = tuple(c.operation for c in calls[: fault.at + 1]) == base.operations[: fault.at + 1]
    hit = same_path and injected == {fault.kind: {aimed: 1}}
    seen = None if reached is None else (reached.error or "answer")
    outcome = made.outcome
    run = Run(
        scenario=scenario.name,
        transport=transport,
        at=fault.at,
        kind=fault.kind,
        operation=aimed,
        seen=seen,
        hit=hit,
        effect=seen != (base.errors[fault.at] or "answer"),
        status=outcome.status if outcome else None,
        error_code=outcome.error_code if outcome else None,
        invocations=len(made.answers),
        redeliveries=outcome.redeliveries if outcome else 0,
        calls=len(calls),
        seconds=round(seconds, 3),
        problems=problems,
        variant=label(variant),
        rules_read=sorted(made.rules_read),
    )
    if not hit:
        run.problems.append(
            f"miss: the fault was aimed at call {fault.at} ({aimed}); the plan injected"
            f" {injected}, the calls up to it were {[c.operation for c in calls[: fault.at + 1]]}"
        )
    if run.violated or keep_events:
        run.events = events(made)
        run.trace = trace(made)
    return run


def trace(made: World) -> list[str]:
    """The handler's SageMaker calls of the swept operation: parameters (ImageName and the
    ClientToken left out) and the error each got."""
    lines = []
    for index, call in enumerate(made.calls):
        shown = {k: v for k, v in call.params.items() if k not in ("ImageName", "ClientToken")}
        lines.append(
            f"{index} {call.operation} {shown}" + (f" -> {call.error}" if call.error else "")
        )
    return lines


def events(made: World) -> list[str]:
    """Every answer of the swept operation, one line each: its action, status, error code and
    model's identifiers, the phase a callback resumes at, and its message."""
    lines = []
    for sent, answer in made.answers:
        line = summary(sent, answer)
        context = answer.get("callbackContext")
        if isinstance(context, dict) and context.get("phase"):
            line += f" phase={context['phase']}"
        message = str(answer.get("message") or "")
        lines.append(line + (f" message={message[:300]!r}" if message else ""))
    return lines


# Judging --------------------------------------------------------------------------------------


def judge(made: World, expected: Expected) -> list[str]:
    """Every invariant the run broke (see the module docstring), one line each."""
    problems = []
    if made.crash is not None:
        problems.append(f"the operation did not end: {made.crash}")
    if made.outcome is not None:
        problems += _ending(made, expected)
    problems += [f"contract shape: {problem}" for problem in made.shape]
    problems += _holdings(made, expected)
    problems += _calls(made)
    return problems


def _ending(made: World, expected: Expected) -> list[str]:
    outcome = made.outcome
    assert outcome is not None
    problems = []
    message = str(outcome.final.get("message") or "")
    if (outcome.status, outcome.error_code) != (expected.status, expected.error_code):
        ending = " ".join(filter(None, (expected.status, expected.error_code)))
        problems.append(
            f"ended {outcome.status} {outcome.error_code or ''} ({message[:300]!r}) after"
            f" {outcome.invocations} invocations and {outcome.redeliveries} redeliveries, not"
            f" {ending}"
        )
    elif expected.message is not None and expected.message not in message:
        problems.append(f"the final message {message!r} does not say {expected.message!r}")
    if outcome.status == "SUCCESS" and expected.model is not None:
        got = outcome.model or {}
        for key, asked in expected.model.items():
            mine, wanted = got.get(key), asked
            if key == "Aliases":
                mine, wanted = sorted(mine or []), sorted(asked)
            if mine != wanted:
                problems.append(f"the final model's {key} is {mine!r}, not {wanted!r}")
    if expected.listed is not None:
        arns = [str(m.get("ImageVersionArn")) for m in outcome.listed]
        if len(arns) != len(set(arns)):
            problems.append(f"LIST returned a version twice: {sorted(arns)}")
        if set(arns) != expected.listed:
            problems.append(f"LIST returned {sorted(set(arns))}, not {sorted(expected.listed)}")
    return problems


def _number(model: Mapping[str, Any]) -> int | None:
    version = model.get("Version")
    if isinstance(version, int) and not isinstance(version, bool):
        return version
    arn = str(model.get("ImageVersionArn") or "")
    tail = arn.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _owners(models: Mapping[str, Mapping[str, Any]], image: str) -> dict[str, int]:
    """The version each resource owns (by its model) in ``image``."""
    owners = {}
    for logical_id, model in models.items():
        number = _number(model)
        if number is not None and str(model.get("ImageName") or image).lower() == image.lower():
            owners[logical_id] = number
    return owners


def _holdings(made: World, expected: Expected) -> list[str]:
    """What SageMaker holds against what the stack owns and the scenario expects."""
    problems = []
    for image in IMAGES:
        owners = _owners(made.models, image)
        bases = {lid: str(made.models[lid].get("BaseImage")) for lid in owners}
        existing = {v.number: v for v in versions_of(made.sagemaker, image)}
        problems += [f"{image}: {p}" for p in ownership_problems(owners, bases, existing.values())]
        for logical_id, number in sorted(owners.items()):
            version = existing.get(number)
            if logical_id in expected.held:
                problems += _holds(made, image, logical_id, version, expected.held[logical_id])
            elif version is not None:
                problems.append(
                    f"{image}: version {number} of {logical_id} is left ({version.status}): it"
                    " should be gone"
                )
    for logical_id in sorted(set(expected.held) - set(made.models)):
        problems.append(f"{logical_id} owns no version (CloudFormation keeps no model of it)")
    return problems


def _holds(
    made: World, image: str, logical_id: str, version: Version | None, want: Want
) -> list[str]:
    """What ``logical_id``'s version holds against what it must hold."""
    number = _number(made.models[logical_id])
    if version is None:
        return [f"{image}: version {number} of {logical_id} does not exist"]
    problems = []
    if version.status != "CREATED":
        problems.append(f"{image}: version {number} of {logical_id} is {version.status}")
    aliases = made.aliases_of(image, version.number)
    if aliases != want.aliases:
        problems.append(
            f"{image}: version {number} of {logical_id} holds aliases {sorted(aliases)}, not"
            f" {sorted(want.aliases)}"
        )
    described = made.described(image, version.number)
    for key, value in want.metadata.items():
        if described.get(key) != value:
            problems.append(
                f"{image}: version {number} of {logical_id} has {key} {described.get(key)!r},"
                f" not {value!r}"
            )
    return problems


def _calls(made: World) -> list[str]:
    """The handler calls of the swept operation against the rules every call follows."""
    during = {**_owners(made.before, IMAGE), **_owners(made.models, IMAGE)}
    problems = [f"wrong version: {p}" for p in wrong_version_calls(made.calls, during, IMAGE)]
    problems += [
        f"{c.operation} names no Version: {dict(c.params)}" for c in without_version(made.calls)
    ]
    problems += [
        f"{c.operation} is not a permission of {c.scope.action if c.scope else '?'}"
        for c in outside_permissions(made.calls, _PERMISSIONS)
    ]
    return problems


_PERMISSIONS = schema_permissions()


# The sweep ------------------------------------------------------------------------------------


@dataclass
class ScenarioSweep:
    """One scenario over one transport under one variant: its baseline and every run."""

    scenario: Scenario
    transport: Transport
    baseline: Baseline
    kinds: tuple[str, ...]
    variant: Variant = field(default_factory=dict)
    every: bool = True
    """Whether every combination the profile picks ran (else only those :func:`sweep_variant`
    had to run again)."""
    runs: list[Run] = field(default_factory=list)
    seconds: float = 0.0

    def figures(self) -> dict[str, Any]:
        by_call: dict[int, dict[str, str]] = {}
        for run in self.runs:
            by_call.setdefault(run.at, {})[run.kind] = run.cell()
        return {
            "scenario": self.scenario.name,
            "action": self.scenario.action,
            "summary": self.scenario.summary,
            "transport": self.transport,
            "variant": label(self.variant),
            "every": self.every,
            "calls": len(self.baseline.operations),
            "operations": list(self.baseline.operations),
            "baseline_problems": list(self.baseline.problems),
            "kinds": list(self.kinds),
            "combinations": len(self.runs),
            "violations": sum(1 for r in self.runs if r.violated),
            "seconds": round(self.seconds, 1),
            "run_seconds_max": max((r.seconds for r in self.runs), default=0.0),
            "cells": {str(k): cells for k, cells in sorted(by_call.items())},
        }


Progress = Callable[[str], None]


def sweep_scenario(
    scenario: Scenario,
    transport: Transport,
    profile: Profile,
    kinds: Sequence[str] | None = None,
    variant: Variant | None = None,
) -> ScenarioSweep:
    """The baseline of ``scenario``, then every combination the profile picks."""
    started = time.monotonic()
    base = baseline(scenario, transport, variant)
    chosen = tuple(kinds or KINDS[transport])
    swept = ScenarioSweep(scenario, transport, base, chosen, dict(variant or {}))
    where = {kind: set(picks(base.operations, kind, profile)) for kind in chosen}
    for at in range(len(base.operations)):
        for kind in chosen:
            if at in where[kind]:
                fault = Fault(at, kind)
                swept.runs.append(
                    run_combination(scenario, transport, base, fault, variant=variant)
                )
    swept.seconds = time.monotonic() - started
    return swept


def other_variants() -> list[Variant]:
    """Every variant of every unknown rule but the one the environment chooses (and those no
    handler can be correct under, :data:`~sagemaker_emulator.rules.IMPOSSIBLE`)."""
    # (through vars(): looking at the rules is not a read of their behaviour, rule_reads)
    chosen = vars(Rules.from_environment())
    return [
        {rule: value}
        for rule, values in VARIANTS.items()
        for value in values
        if value != chosen[rule] and (rule, value) not in IMPOSSIBLE
    ]


def sweep_variant(swept: ScenarioSweep, variant: Variant, profile: Profile) -> ScenarioSweep | None:
    """``swept`` again under ``variant`` (one rule's variant), where it can change anything: a
    run that never reads the rule is the same under each of its variants (the premise of
    `make test-variants`). So: every combination again, from a baseline of its own, when the
    fault-free run reads the rule; else only the combinations whose run read it (their calls
    up to the fault are the baseline's, which reads it not); None when no run read it."""
    (rule,) = variant
    if rule in swept.baseline.rules_read:
        return sweep_scenario(swept.scenario, swept.transport, profile, swept.kinds, variant)
    reading = [run for run in swept.runs if rule in run.rules_read]
    if not reading:
        return None
    started = time.monotonic()
    again = ScenarioSweep(
        swept.scenario, swept.transport, swept.baseline, swept.kinds, dict(variant), every=False
    )
    for run in reading:
        fault = Fault(run.at, run.kind)
        again.runs.append(
            run_combination(swept.scenario, swept.transport, swept.baseline, fault, variant=variant)
        )
    again.seconds = time.monotonic() - started
    return again


def sweep(
    profile: Profile,
    *,
    transports: Iterable[Transport] = TRANSPORTS,
    scenarios: Iterable[Scenario] = SCENARIOS,
    variants: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Sweep every scenario over every transport it names (of ``transports``); with
    ``variants``, each in-process sweep again under every other variant of the emulator's
    unknown rules (:func:`sweep_variant`). The figures."""
    started = time.monotonic()
    chosen = list(scenarios)
    swept: list[ScenarioSweep] = []
    for transport in transports:
        mine = [scenario for scenario in chosen if transport in scenario.transports]
        with one_server() if transport == HTTP and mine else contextlib.nullcontext():
            for scenario in mine:
                swept.append(sweep_scenario(scenario, transport, profile))
                _tell(progress, swept[-1])
    seconds = time.monotonic() - started
    under: list[ScenarioSweep] = []
    if variants:
        for done in [s for s in swept if s.transport == IN_PROCESS]:
            for variant in other_variants():
                again = sweep_variant(done, variant, profile)
                if again is not None:
                    under.append(again)
                    _tell(progress, again)
    return figures_of(profile, swept, seconds, under if variants else None)


def _tell(progress: Progress | None, done: ScenarioSweep) -> None:
    if progress is None:
        return
    figures = done.figures()
    under = f" under {figures['variant']}" if figures["variant"] else ""
    progress(
        f"{figures['scenario']} ({figures['transport']}){under}: {figures['calls']} calls,"
        f" {figures['combinations']} combinations, {figures['violations']} violations in"
        f" {figures['seconds']} s"
    )


def _baseline_problems(swept: Iterable[ScenarioSweep]) -> list[str]:
    return [
        f"{s.scenario.name} ({s.transport}{', ' + label(s.variant) if s.variant else ''})"
        f" without a fault: {p}"
        for s in swept
        if s.every
        for p in s.baseline.problems
    ]


def figures_of(
    profile: Profile,
    swept: list[ScenarioSweep],
    seconds: float,
    under: list[ScenarioSweep] | None = None,
) -> dict[str, Any]:
    """The sweep's figures: the combinations of ``swept`` (the environment's variants) and,
    apart, the runs again under other variants (``under``; None: not swept)."""
    runs = [run for s in swept for run in s.runs]
    baseline_problems = _baseline_problems(swept)
    by_transport = {}
    for transport in TRANSPORTS:
        mine = [s for s in swept if s.transport == transport]
        if not mine:
            continue
        theirs = [r for s in mine for r in s.runs]
        by_transport[transport] = {
            "kinds": list(KINDS[transport]),
            "scenarios": len(mine),
            "calls": sum(len(s.baseline.operations) for s in mine),
            "combinations": len(theirs),
            "runs": len(theirs) + len(mine),
            "violations": sum(1 for r in theirs if r.violated),
            "no_effect": sum(1 for r in theirs if r.hit and not r.effect),
            "redelivered": sum(1 for r in theirs if r.redeliveries),
            "seconds": round(sum(s.seconds for s in mine), 1),
        }
    return {
        "profile": profile,
        "seconds": round(seconds, 1),
        "combinations": len(runs),
        "runs": len(runs) + len(swept),
        "violations": sum(1 for r in runs if r.violated) + len(baseline_problems),
        "misses": sum(1 for r in runs if not r.hit),
        "baseline_problems": baseline_problems,
        "by_transport": by_transport,
        "scenarios": [s.figures() for s in swept],
        "violating": [asdict(r) for r in runs if r.violated],
        "variants": None if under is None else _variant_figures(under),
    }


def _variant_figures(under: list[ScenarioSweep]) -> dict[str, Any]:
    runs = [run for s in under for run in s.runs]
    baseline_problems = _baseline_problems(under)
    return {
        "variants": len(other_variants()),
        "swept": [
            {
                k: v
                for k, v in s.figures().items()
                if k not in ("cells", "operations", "summary", "kinds")
            }
            for s in under
        ],
        "runs": len(runs) + sum(1 for s in under if s.every),
        "violations": sum(1 for r in runs if r.violated) + len(baseline_problems),
        "misses": sum(1 for r in runs if not r.hit),
        "baseline_problems": baseline_problems,
        "seconds": round(sum(s.seconds for s in under), 1),
        "violating": [asdict(r) for r in runs if r.violated],
    }


def problems_of(figures: Mapping[str, Any]) -> list[str]:
    """Every violation of a sweep's figures, one line each (scenario, transport, variant, call,
    kind), under the environment's variants and under the others."""
    parts = [figures, *([figures["variants"]] if figures.get("variants") else [])]
    lines = []
    for part in parts:
        lines += part["baseline_problems"]
        for run in part["violating"]:
            where = f"{run['scenario']} ({run['transport']}"
            where += f", {run['variant']})" if run["variant"] else ")"
            where += f", call {run['at']} ({run['operation']}), {run['kind']}"
            lines += [f"{where}: {problem}" for problem in run["problems"]]
    return lines


# The command ----------------------------------------------------------------------------------


def _one(
    scenario: Scenario, transport: Transport, at: int, kind: str, variant: Variant | None
) -> int:
    """Run one combination and print it: its problems and every event."""
    base = baseline(scenario, transport, variant)
    if at >= len(base.operations):
        print(f"{scenario.name} makes {len(base.operations)} calls: {list(base.operations)}")
        return 2
    fault = Fault(at, kind)
    run = run_combination(scenario, transport, base, fault, variant=variant, keep_events=True)
    print(
        json.dumps({k: v for k, v in asdict(run).items() if k not in ("events", "trace")}, indent=2)
    )
    for title, lines in (("calls", run.trace), ("events", run.events)):
        print(f"{title}:")
        for line in lines:
            print(f"  {line}")
    return 1 if run.violated else 0


def _variant(text: str) -> dict[str, str]:
    rule, _, value = text.partition("=")
    if value not in VARIANTS.get(rule, ()):
        raise argparse.ArgumentTypeError(f"not a rule=variant of sagemaker_emulator.rules: {text}")
    return {rule: value}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=(FULL, REDUCED), default=FULL)
    parser.add_argument("--transport", choices=TRANSPORTS, action="append")
    parser.add_argument("--scenario", choices=sorted(BY_NAME), action="append")
    parser.add_argument(
        "--variants", action="store_true", help="again under every other variant of the rules"
    )
    parser.add_argument("--at", type=int, help="one combination: the call index (from 0)")
    parser.add_argument("--kind", help="one combination: the fault kind")
    parser.add_argument("--variant", type=_variant, help="one combination: under rule=variant")
    parser.add_argument("--output", help="write the figures (JSON) there")
    args = parser.parse_args(argv)
    scenarios = [BY_NAME[name] for name in args.scenario or [s.name for s in SCENARIOS]]
    if args.at is not None or args.kind is not None:
        if args.at is None or args.kind is None or len(scenarios) != 1:
            parser.error("one combination needs --scenario, --at and --kind")
        transport = (args.transport or [HTTP if args.kind in KINDS[HTTP] else IN_PROCESS])[0]
        return _one(scenarios[0], transport, args.at, args.kind, args.variant)
    figures = sweep(
        args.profile,
        transports=args.transport or TRANSPORTS,
        scenarios=scenarios,
        variants=args.variants,
        progress=lambda line: print(line, flush=True),
    )
    if args.output:
        with open(args.output, "w", encoding="utf-8") as output:
            json.dump(figures, output, indent=2)
    print(
        f"{figures['combinations']} combinations, {figures['runs']} runs,"
        f" {figures['violations']} violations in {figures['seconds']} s"
    )
    if figures["variants"] is not None:
        under = figures["variants"]
        print(
            f"under {under['variants']} other variants: {under['runs']} runs,"
            f" {under['violations']} violations in {under['seconds']} s"
        )
    for line in problems_of(figures):
        print(line)
    return 1 if problems_of(figures) else 0


if __name__ == "__main__":
    sys.exit(main())
