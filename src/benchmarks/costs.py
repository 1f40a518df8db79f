"""Cost and scale (reports/performance.md, section 6): the real handler, the emulator and a
CloudFormation-like scheduler on a virtual clock (:mod:`simulation`), under four policies side by
side in one run: ``ours`` (this code), ``before`` (the code before the cost work, from git),
``aws-like`` (a constant 5 s poll, versions chained by DependsOn) and ``ours-dependson`` (this
code with the same chain). Prices: :mod:`simulation.billing`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from community_sagemaker_imageversion import timing
from simulation import before, scenarios
from simulation.service import DEFAULT_RATE

SINGLES = (1, 5, 25, 60, 300, 1800)
PARALLELS = (1, 5, 25, 100)
QUICK_SINGLES = (1, 25, 60)
QUICK_PARALLELS = (25,)
CREATION_SECONDS = 60.0
POLICIES = ("ours", "before", "aws-like", "ours-dependson")
MAKESPAN_TARGET = 1.10
INVOCATIONS_TARGET = 4.0
CALLS_TARGET = 12.0


@dataclass(frozen=True)
class CostResult:
    single: list[dict[str, Any]]
    parallel: list[dict[str, Any]]

    def of(self, kind: str, policy: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = getattr(self, kind)
        return [row for row in rows if row["policy"] == policy]


def measure(quick: bool, repository: Path = Path()) -> CostResult:
    singles = QUICK_SINGLES if quick else SINGLES
    parallels = QUICK_PARALLELS if quick else PARALLELS
    single: list[dict[str, Any]] = []
    parallel: list[dict[str, Any]] = []
    for policy in POLICIES:
        if policy == "before":
            ran = before.run(
                [
                    "suite",
                    "--singles",
                    ",".join(map(str, singles)),
                    "--parallels",
                    ",".join(map(str, parallels)),
                ],
                repository,
            )
        else:
            ran = scenarios.suite(scenarios.Settings(policy=policy), list(singles), list(parallels))
        single += ran["single"]
        parallel += ran["parallel"]
    result = CostResult(single, parallel)
    problems = correctness_problems(result)
    if problems:
        raise RuntimeError("the simulation broke a promise: " + "; ".join(problems))
    return result


def correctness_problems(result: CostResult) -> list[str]:
    """What this handler must never do, whatever it costs: a create or delete that does not
    succeed, a duplicated, orphaned or wrong version, a version left behind, a late answer."""
    problems = []
    for policy in ("ours", "ours-dependson"):
        for row in result.of("parallel", policy):
            where = f"{policy}, {row['versions']} versions"
            delete = row["delete"]
            if row["success"] != row["versions"] or delete["success"] != row["versions"]:
                problems.append(f"{where}: {row['outcomes']} then {delete['outcomes']}")
            if row["ownership_problems"] or delete["versions_left"]:
                problems.append(
                    f"{where}: {row['ownership_problems']}, {delete['versions_left']} left"
                )
            if row["contract_breaches"] or delete["contract_breaches"]:
                problems.append(f"{where}: an invocation answered after 60 s")
        for row in result.of("single", policy):
            if row["status"] != "SUCCESS":
                problems.append(
                    f"{policy}, one create of {row['creation_seconds']} s: {row['status']}"
                )
    return problems


def single_latency_bound(creation_seconds: float) -> float:
    x = creation_seconds
    return x + 1.0 if x <= 25 else 1.05 * x + 10.0


def single_invocation_bound(creation_seconds: float) -> int | None:
    return None if creation_seconds <= 25 else math.ceil(creation_seconds / 60) + 1


def invocation_floor(
    versions: int,
    creation_seconds: float,
    longest_callback: float = timing.MAX_GAP,
    free_window: float = timing.FREE_WINDOW,
) -> float:
    """The fewest invocations per version that any handler needs for ``versions`` versions of
    one image that CloudFormation starts together, each taking ``creation_seconds``, even one
    told its place in the queue, when callbacks come at most ``longest_callback`` seconds after
    an answer (this handler's longest) and an invocation waits at most ``free_window`` seconds
    (no billed second).

    The version in place r (from 0) is CREATED (r + 1) X seconds after the start at the
    earliest, as SageMaker makes one version of an image at a time; its first invocation starts
    at 0, and each next one at most free_window + longest_callback seconds after the one before,
    so a chain of invocations that sees it CREATED is 1 + ceil(((r + 1) X - free_window) /
    (free_window + longest_callback)) long at least."""
    reach = free_window + longest_callback
    counts = [
        1 + math.ceil(max(0.0, (place + 1) * creation_seconds - free_window) / reach)
        for place in range(versions)
    ]
    return sum(counts) / versions


def targets(result: CostResult) -> list[tuple[str, bool, str]]:
    """Each target of ours, whether it holds in ``result``, and the figure."""
    checks: list[tuple[str, bool, str]] = []
    largest = max(result.of("parallel", "ours"), key=lambda r: r["versions"])
    n = largest["versions"]
    delete = largest["delete"]
    checks += [
        (f"{n} versions: all SUCCESS", largest["success"] == n, f"{largest['success']}/{n}"),
        (
            f"{n} versions: makespan <= {MAKESPAN_TARGET} x floor",
            largest["makespan_over_floor"] <= MAKESPAN_TARGET,
            f"{largest['makespan_over_floor']:.3f}",
        ),
        (
            f"{n} versions: <= {INVOCATIONS_TARGET:g} invocations per version",
            largest["invocations_per_version"] <= INVOCATIONS_TARGET,
            f"{largest['invocations_per_version']:.2f}",
        ),
        (
            f"{n} versions: <= {CALLS_TARGET:g} SageMaker calls per version",
            largest["calls_per_version"] <= CALLS_TARGET,
            f"{largest['calls_per_version']:.2f}",
        ),
        (
            f"{n} versions: peak request rate <= {DEFAULT_RATE:g}/s",
            largest["peak_requests_per_second"] <= DEFAULT_RATE,
            f"{largest['peak_requests_per_second']:g}/s, {largest['throttles']} throttles",
        ),
        (
            f"{n} versions: no billed seconds above 30 s",
            largest["billed_seconds_over_30"] == 0,
            f"{largest['billed_seconds_over_30']:.1f} s",
        ),
        (
            f"{n} versions: delete all SUCCESS, nothing left",
            delete["success"] == n and delete["versions_left"] == 0,
            f"{delete['success']}/{n}, {delete['versions_left']} left",
        ),
    ]
    for row in result.of("single", "ours"):
        x = row["creation_seconds"]
        bound = single_latency_bound(x)
        limit = single_invocation_bound(x)
        holds = row["latency_seconds"] <= bound and (limit is None or row["invocations"] <= limit)
        rule = f"<= {bound:g} s" + ("" if limit is None else f", <= {limit} invocations")
        checks.append(
            (
                f"one create of {x:g} s: latency {rule}",
                holds,
                f"{row['latency_seconds']:.1f} s, {row['invocations']} invocations",
            )
        )
    return checks


def as_json(result: CostResult, warm_ratio: float, cold_ratio: float) -> dict[str, Any]:
    return {
        "warm_ratio": round(warm_ratio, 3),
        "cold_ratio": round(cold_ratio, 3),
        "parallel": result.parallel,
        "single": result.single,
    }


def chart(result: CostResult, path: Path) -> None:
    """Makespan and dollars against N; latency and dollars against X; one line per policy."""
    import matplotlib  # noqa: PLC0415 (only `make bench` draws)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(2, 2, figsize=(11, 8))
    for policy in POLICIES:
        rows = result.of("parallel", policy)
        sizes = [r["versions"] for r in rows]
        axes[0][0].plot(sizes, [r["makespan_over_floor"] for r in rows], "o-", label=policy)
        axes[0][1].plot(sizes, [r["dollars"] for r in rows], "o-", label=policy)
        singles = result.of("single", policy)
        xs = [r["creation_seconds"] for r in singles]
        axes[1][0].plot(xs, [r["latency_seconds"] for r in singles], "o-", label=policy)
        axes[1][1].plot(xs, [r["dollars"] for r in singles], "o-", label=policy)
    axes[0][0].set(
        xscale="log", xlabel="N versions of one image (60 s each)", ylabel="makespan / (N x 60 s)"
    )
    axes[0][1].set(xscale="log", yscale="log", xlabel="N versions", ylabel="dollars (create)")
    axes[1][0].set(
        xscale="log", yscale="log", xlabel="X: seconds one create takes", ylabel="latency (s)"
    )
    axes[1][1].set(xscale="log", yscale="log", xlabel="X (s)", ylabel="dollars (one create)")
    for row in axes:
        for ax in row:
            ax.legend(fontsize=8)
    figure.suptitle("Cost and scale on a virtual clock (strict reading: every invocation billed)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
