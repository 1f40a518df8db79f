"""The figures of one benchmark run, as terminal lines and as reports/performance.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from community_sagemaker_imageversion import timing
from harness.machine import describe
from simulation import scenarios
from simulation.service import DEFAULT_RATE

from . import attendance, cold, costs, economy, size, stabilisation, warm
from .common import Ratio

SCHEMA = Path(__file__).resolve().parents[2] / "community-sagemaker-imageversion.json"
PROMISED_VERSIONS = 100
PROMISED_MINUTES = 6.0
"""The largest stack the README promises fits the timeout: this many versions of one image, left
unordered, each taking up to this many minutes to be created."""


@dataclass(frozen=True)
class Results:
    warm: Ratio
    cold: Ratio
    economy: economy.EconomyResult
    stabilisation: list[stabilisation.Point]
    size: size.SizeResult
    costs: costs.CostResult


def _verdict(ratio: float, target: float) -> str:
    return "meets" if ratio <= target else "MISSES"


def _within(point: stabilisation.Point) -> bool:
    """Within 2 s of a 5 s poll's up to 90 s, 1.05 X + 10 s beyond (as simulated)."""
    return point.ours_seconds <= costs.single_latency_bound(point.delay)


def summary(r: Results) -> str:
    lines = [
        f"warm READ: handler {r.warm.handler_ms:.2f} ms / direct calls {r.warm.direct_ms:.2f} ms"
        f" = {r.warm.ratio:.3f} (target <= {warm.TARGET}: {_verdict(r.warm.ratio, warm.TARGET)})",
        f"cold start: handler process {r.cold.handler_ms:.0f} ms / boto3 process"
        f" {r.cold.direct_ms:.0f} ms = {r.cold.ratio:.3f}"
        f" (target <= {cold.TARGET}: {_verdict(r.cold.ratio, cold.TARGET)})",
    ]
    for action, ours, minimum, _ in r.economy.rows():
        lines.append(f"calls per {action}: {ours} / minimum {minimum} = {ours / minimum:.2f}")
    lines.append(
        f"LIST {economy.LISTED_VERSIONS} versions: {r.economy.list_calls} ListImageVersions calls,"
        f" {r.economy.list_invocations} invocations / default page size:"
        f" {r.economy.default_page_calls} calls and invocations"
        f" = {r.economy.list_calls / r.economy.default_page_calls:.2f}"
    )
    for p in r.stabilisation:
        lines.append(
            f"stabilisation X={p.delay:>4}s: ours {p.ours_seconds:.2f} s in {p.ours_invocations}"
            f" invocation(s) / constant 5 s poll {p.constant_seconds:.2f} s in"
            f" {p.constant_invocations} = {p.ours_seconds / p.constant_seconds:.2f}"
            f" (within {costs.single_latency_bound(p.delay):g} s: {'yes' if _within(p) else 'NO'})"
        )
    s = r.size
    lines.append(
        f"size: zip {s.zip_bytes / 1e6:.1f} MB (handler bundle {s.bundle_bytes / 1e6:.1f} MB,"
        f" {s.bundle_files} files, {s.unpacked_bytes / 1e6:.1f} MB unpacked); import"
        f" {s.import_seconds * 1000:.0f} ms, {s.import_modules} modules,"
        f" {s.import_peak_bytes / 1e6:.1f} MB allocated, resident {s.rss_kb / 1024:.0f} MB"
    )
    for name, holds, figure in costs.targets(r.costs):
        lines.append(f"simulated {name}: {figure} ({'meets' if holds else 'MISSES'})")
    for row in r.costs.parallel:
        lines.append(
            f"simulated {row['versions']} versions, {row['policy']}: {row['success']} SUCCESS,"
            f" makespan {row['makespan_over_floor']:.2f} x floor,"
            f" {row['invocations_per_version']:.1f} invocations and"
            f" {row['calls_per_version']:.1f} calls per version, ${row['dollars']:.4f},"
            f" {row['throttles']} throttles; delete {row['delete']['success']} SUCCESS,"
            f" {row['delete']['versions_left']} left"
        )
    return "\n".join(lines)


def verdict(r: Results) -> str:
    """One line: how many targets of this run hold, and which do not."""
    checks = [
        ("warm ratio", r.warm.ratio <= warm.TARGET),
        ("cold ratio", r.cold.ratio <= cold.TARGET),
        *((f"stabilisation X={p.delay:g}", _within(p)) for p in r.stabilisation),
        *((name, holds) for name, holds, _ in costs.targets(r.costs)),
    ]
    missed = [name for name, holds in checks if not holds]
    held = len(checks) - len(missed)
    tail = "" if not missed else "; misses: " + ", ".join(missed)
    return f"bench verdict: {held} of {len(checks)} targets hold{tail}"


def markdown(r: Results, chart_name: str, costs_chart: str) -> str:
    economy_rows = "\n".join(
        f"| {action} | {ours} | {minimum} | {calls} | {r.economy.reason(action)} |"
        for action, ours, minimum, calls in r.economy.rows()
    )
    stabilisation_rows = "\n".join(
        f"| {p.delay:g} | {p.ours_seconds:.2f} | {p.ours_invocations} | {p.constant_seconds:.2f}"
        f" | {p.constant_invocations} | {'yes' if _within(p) else 'no'} |"
        for p in r.stabilisation
    )
    s = r.size
    costs_section = _costs_markdown(r.costs, costs_chart)
    return f"""# Performance

Written by `make bench` (`python -m benchmarks`); every figure below comes from one run of it,
each a ratio of two things measured side by side in that run, against the emulated SageMaker.
Benchmarks are not tests: no test asserts a time. CI runs `make bench-quick` so they never rot.

Machine: {describe()}.

## 1. Warm invocation overhead (target: at most {warm.TARGET})

A READ through the real Lambda entrypoint (`handlers.resource(event, context)`), against the same
SageMaker calls (DescribeImageVersion, DescribeImage, ListAliases) made directly with one reused
boto3 client; medians of {r.warm.rounds} alternating rounds, emulator in process.

| through the handler | direct calls | ratio |
| --- | --- | --- |
| {r.warm.handler_ms:.2f} ms | {r.warm.direct_ms:.2f} ms | **{r.warm.ratio:.3f}** |

## 2. Cold start (target: at most {cold.TARGET})

A fresh Python process that imports the handler and serves one READ, against a fresh process
that imports boto3, creates a SageMaker client and makes the same calls; both reach the emulator
(served by the benchmark process) through `AWS_ENDPOINT_URL_SAGEMAKER`. Medians of
{r.cold.rounds} alternating runs, each from process start until its calls have answered (a
Lambda cold start: init and invocation; a Lambda process is frozen afterwards, not torn down).

| handler process | boto3 process | ratio |
| --- | --- | --- |
| {r.cold.handler_ms:.0f} ms | {r.cold.direct_ms:.0f} ms | **{r.cold.ratio:.3f}** |

## 3. API economy

SageMaker calls per action (versions turn CREATED and disappear at once here), next to the fewest
the API allows for the same job.

| action | calls | minimum | calls made | the minimum, and why this handler makes more |
| --- | --- | --- | --- | --- |
{economy_rows}

Listing {economy.LISTED_VERSIONS} versions of one image: **{r.economy.list_calls}**
ListImageVersions calls in **{r.economy.list_invocations}** handler invocations (99 per page),
against {r.economy.default_page_calls} calls and invocations at SageMaker's default page size of
10, which AWS's handler uses.

## 4. Stabilisation latency

A create whose version turns CREATED X seconds after CreateImageVersion (emulator time-based
transition), run through the real entrypoint with real callback delays and {stabilisation.LAMBDA_SECONDS:.0f} s of Lambda
time per invocation; next to it, run at the same time, a constant 5 s poll (AWS's handler: a
callback every 5 s and one status read each).

| X (s) | this handler (s) | invocations | constant 5 s poll (s) | invocations | within the bound (2 s after a 5 s poll up to 90 s, then 1.05 X + 10 s) |
| --- | --- | --- | --- | --- | --- |
{stabilisation_rows}

![finish time and invocations against X]({chart_name})

## 5. Size

| | |
| --- | --- |
| registration zip (`cfn submit --dry-run`) | {s.zip_bytes / 1e6:.1f} MB |
| handler bundle (ResourceProvider.zip) | {s.bundle_bytes / 1e6:.1f} MB, {s.bundle_files} files |
| handler bundle unpacked | {s.unpacked_bytes / 1e6:.1f} MB |
| importing the handler in a fresh process | {s.import_seconds * 1000:.0f} ms, {s.import_modules} modules |
| memory of that import | {s.import_peak_bytes / 1e6:.1f} MB allocated, resident {s.rss_kb / 1024:.0f} MB |
| what the handler package adds to the runtime library's import | {s.own_seconds * 1000:.1f} ms, {s.own_modules} modules (its own) |

`make package` and `make submit` build the bundle through a pip of our own
(`src/make_targets/lambda_pip`): wheels only, for the runtime `.rpdk-config` names (CPython 3.11)
on manylinux2014 x86_64, and without `bin/`, package metadata, setuptools, boto3's resource
models, or the botocore data of services other than SageMaker (the handler's client), CloudWatch
Logs and CloudWatch (which the runtime library calls to ship logs and metrics). boto3 and botocore,
which cloudformation-cli-python-lib requires and imports, are the largest part of what is left.
The handler package imports nothing beyond what the library already loads
(`mypy_boto3_sagemaker` only for type checking), and creates SageMaker clients from botocore
directly, once per caller.

{costs_section}"""


def _floors_markdown(c: costs.CostResult) -> str:
    """Why the targets on invocations and on the request rate cannot hold without DependsOn."""
    n = max(row["versions"] for row in c.of("parallel", "ours"))
    x = costs.CREATION_SECONDS
    window = timing.FREE_WINDOW
    floors = "; ".join(
        f"{costs.invocation_floor(n, x, longest, window):.2f} with callbacks of up to {longest:g} s"
        for longest in (timing.MAX_GAP, 2 * timing.MAX_GAP, 6 * timing.MAX_GAP)
    )
    return f"""### What no handler can do without DependsOn

- **Invocations.** Of {n} versions started together, the one in place r (from 0) is CREATED
  {x:g} x (r + 1) s after the start at the earliest. An invocation waits at most {window:g} s
  without billed seconds, then comes back at most one callback later. So even a handler told its
  place in the queue needs, per version, at least: {floors} (`costs.invocation_floor`). This
  handler's callbacks are at most {timing.MAX_GAP:g} s: we found no documented maximum of
  CloudFormation's, nor any statement that it honours longer ones. The target is twice the
  first of these floors.
- **Request rate.** A lone create of a few seconds is seen soon only if its first invocation
  asks SageMaker at once, and no first invocation can tell whether {n - 1} others started with
  it: all {n} ask within their first second, which no bucket of {DEFAULT_RATE:g} requests/s
  admits. The target on the request rate therefore starts after the first minute.
- A `DependsOn` chain (the **ours-dependson** rows; cfn-lint rule `W9305` names the versions a
  template leaves unordered) needs neither: one version is in progress at a time."""


def _attendance_markdown(c: costs.CostResult) -> str:
    """What the attendance model says a handler blind to its place can reach without DependsOn."""
    sizes = sorted(
        {row["versions"] for row in c.of("parallel", "ours")} & set(costs.UNORDERED_SIZES)
    )
    if not sizes:
        return ""
    x = costs.CREATION_SECONDS
    blind = {n: costs.blind_attendance(n) for n in sizes}
    rows = []
    for n in sizes:
        share, asks = blind[n]
        target = costs.invocations_target(n, x)
        rows.append(
            f"| {n} | {costs.queue_aware_attendance(n):.2f} | {share:.3f} | {asks:.2f} |"
            f" {target:.2f} |"
        )
    widest = max(sizes)
    strictest = max(share for share, _ in blind.values())
    at_widest = costs.blind_asks(strictest, widest)
    target_widest = costs.invocations_target(widest, x)
    verdict = (
        f"One share for every stack size here must be {strictest:.3f} at least, and then"
        f" {widest} versions ask {at_widest:.1f} times per version while they wait, against a"
        f" target of {target_widest:.2f} invocations for everything (waiting, creating, seeing"
        " it created): no handler of this kind meets both."
        if at_widest > target_widest
        else "One share meets every size listed here."
    )
    rules: tuple[tuple[str, attendance.Rule], ...] = (
        (f"one share of {strictest:.3f}", attendance.Fixed(strictest)),
        ("told how many wait: 2.5 / k (k waiting)", attendance.Told(2.5)),
        *(
            (f"{low:g}, then {high:g} once an end went unasked", attendance.Rising(low, high))
            for low, high in RISING
        ),
    )
    targets = {n: (costs.MAKESPAN_TARGET, costs.invocations_target(n, x)) for n in sizes}
    simulated, meeting = [], []
    rates: dict[str, dict[int, attendance.Outcome]] = {}
    for name, rule in rules:
        outcomes = rates[name] = {n: attendance.outcome(n, rule) for n in sizes}
        simulated.append(_rule_row(name, outcomes))
        if isinstance(rule, attendance.Rising) and not any(
            _misses(outcomes, targets, rate=False).values()
        ):
            meeting.append(name)
    simulated.append(
        "| targets | " + " | ".join(f"{m:.2f} / {i:.2f}" for m, i in targets.values()) + " |"
    )
    rising = (
        f"The rule {meeting[0]!r} meets every size's makespan and invocation targets in the model:"
        " the bound above holds for one fixed share, not for every handler blind to its place."
        if meeting
        else "No rising share tried here meets every size's targets in the model either."
    )
    rate_rows = [_rule_row(name, by_size, _rate_cell) for name, by_size in rates.items()]
    within = [
        name
        for name, by_size in rates.items()
        if all(o.within > RATE_RUNS for o in by_size.values())
    ]
    wide = attendance.Asking(WIDE_SPREAD, looks=True)
    spread = {
        name: {
            n: attendance.outcome(n, _spread_over(rule, WIDE_SPREAD), asking=wide) for n in sizes
        }
        for name, rule in (rules[1], rules[-1])  # told how many wait, and the last rising share
    }
    spread_rows = [_rule_row(name, by_size, _full_cell) for name, by_size in spread.items()]
    misses = {name: _said(_misses(by_size, targets)) for name, by_size in spread.items()}
    whole = [name for name, missed in misses.items() if not missed]
    spread_verdict = (
        "Asking so, "
        + " and ".join(map(repr, whole))
        + (" meet" if len(whole) > 1 else " meets")
        + " every target named here"
        if whole
        else "Asking so, neither rule meets the makespan, invocation and request-rate targets"
        f" together at {' and '.join(map(str, sizes))} versions in the model"
    )
    missing = "; ".join(f"{name!r} misses {missed}" for name, missed in misses.items() if missed)
    spread_verdict += (f"; {missing}." if whole else f": {missing}.") if missing else "."
    rate_verdict = (
        "Within the bucket in most runs at every size: " + ", ".join(map(repr, within)) + "."
        if within
        else f"None of these rules keeps the request rate within {DEFAULT_RATE:g}/s at"
        f" {' and '.join(map(str, sizes))} versions in most runs of the model"
        + (f", {meeting[0]!r} included" if meeting else "")
        + ". Two things crowd one second there: the asks for an end, which all come within"
        f" {attendance.SPREAD:g} s of it (and the reads of the refused), and the waiters that let"
        " every end within a callback pass, which all ask at the last one."
    )
    small = {name: {n: attendance.outcome(n, rule) for n in SMALL_SIZES} for name, rule in rules}
    small_rows = [_rule_row(name, by_size) for name, by_size in small.items()]
    kept = [
        name
        for name, by_size in small.items()
        if all(o.makespan <= costs.MAKESPAN_TARGET for o in by_size.values())
    ]
    small_verdict = (
        "Of these rules, only "
        + " and ".join(repr(name) for name in kept)
        + f" keep{'s' if len(kept) == 1 else ''} every small stack within"
        f" {costs.MAKESPAN_TARGET:.2f} x its floor"
        if kept
        else f"None of these rules keeps every small stack within {costs.MAKESPAN_TARGET:.2f} x its"
        " floor"
    )
    for name in meeting:
        worst_n, worst = max(small[name].items(), key=lambda item: item[1].makespan)
        small_verdict += (
            f"; {name!r}, which meets the makespan and invocation targets at"
            f" {' and '.join(map(str, sizes))} versions,"
            f" takes {worst.makespan:.2f} x the floor at {worst_n}: it lets ends pass until the"
            " image's history shows one went unasked, and where few wait, the ends they let pass"
            " are the image's idle time"
        )
    measured = {row["versions"]: row for row in c.of("parallel", "ours")}
    own = min((n for n in measured if 1 < n < min(sizes)), default=None)
    handler_note = ""
    if own is not None and "makespan_over_floor" in measured[own]:
        runs = costs.over_seeds(c, own) or [measured[own]]
        handler_note = (
            f": at {own} versions, {costs.mean(runs, 'makespan_over_floor'):.2f} x the floor"
            + costs.spread(runs, "makespan_over_floor", "{:.2f}")
        )
        if meeting and own in small[meeting[0]]:
            handler_note += f" (the rising rule's model: {small[meeting[0]][own].makespan:.2f})"
    return f"""### What a handler blind to its place can reach without DependsOn (a model)

A model of the best case (`costs.queue_aware_attendance`, `costs.blind_attendance`): every
waiting create knows when the change in progress ends (the image's history says), an ask just
after an end wins the image, the k waiting creates each ask at an end with some probability, on
their own (they leave no trace in SageMaker, so none can know who goes next), and an end nobody
asks at leaves the image idle a change long at least, so the makespan target allows
{costs.IDLE_SHARE:.2f} N such ends. Each ask is a call and, ends being a change apart, in
practice an invocation of its own.

| N | asks per version, knowing how many wait | one share for all: least share | its asks per version | invocations target |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Knowing how many wait (not which goes next), about two asks per version would do: the makespan and
invocation targets are not out of reach for a handler told the queue's length (the request rate is
not counted here: see below). This one is told neither.
{verdict}

That count is of asks alone, and an end nobody asks at costs more than one change (the waiting
creates wake later than it). The same model run event by event (`benchmarks.attendance`: every
create's invocations, from its first to seeing its change done; means of
{attendance.SEEDS} seeded runs, ± their standard errors; a figure meets its target here only by
{MARGIN:g} standard errors or more), makespan over its floor / invocations per version:

| rule for the share of ends asked at | {" | ".join(f"{n} versions" for n in sizes)} |
| --- | {" | ".join("---" for _ in sizes)} |
{chr(10).join(simulated)}

A share blind to the queue can still follow what the image's history shows: an end nobody asked
at (a change that began {attendance.SPREAD:g} s or more after the one before it ended) says few
are left waiting. {rising} The model's creations all take the same time and its asks all come
within {attendance.SPREAD:g} s of an end, so it never takes a slow creation for an end nobody
asked at, as a handler reading SageMaker's history could. It leaves out what the measured rows
pay besides: every first invocation meets the throttling of the first second, a new image's
history tells no period until it has versions, and throttled asks.

The request rate after the first minute in the same runs (the most calls in any second, the
mean over runs, and the share of runs within {DEFAULT_RATE:g}/s; a call is an ask, the read each
invocation that wakes for an end makes to learn when it comes, the read a refused ask makes to
pick again, and the poll that sees a change done):

| rule for the share of ends asked at | {" | ".join(f"{n} versions" for n in sizes)} |
| --- | {" | ".join("---" for _ in sizes)} |
{chr(10).join(rate_rows)}

{rate_verdict} Two of the rules again, asking over {WIDE_SPREAD:g} s after each end (the rising
share reading an end as unasked from a gap of that much), and looking at the image at a random
moment of the change before the last end within a callback rather than asking at that end (a look
is an invocation and a read; asking then if the image is idle), makespan over its floor /
invocations per version / request rate:

| rule, asking over {WIDE_SPREAD:g} s and looking | {" | ".join(f"{n} versions" for n in sizes)} |
| --- | {" | ".join("---" for _ in sizes)} |
{chr(10).join(spread_rows)}

{spread_verdict}

The targets name 25 and 100 versions; a user's stack is as often 2 to 10. The same rules there
(the same runs, makespan over its floor / invocations per version):

| rule for the share of ends asked at | {" | ".join(f"{n} versions" for n in SMALL_SIZES)} |
| --- | {" | ".join("---" for _ in SMALL_SIZES)} |
{chr(10).join(small_rows)}

{small_verdict}. The measured rows below are not a rising share: this handler brings each
waiting version back at about every end at first and less often as it keeps losing, which
pays in invocations at 25 and 100 versions and keeps small stacks quicker than the rising
shares above{handler_note}; not within 1.10 x their floor either (below, "Over seeds")."""


SMALL_SIZES = (2, 3, 5, 10)
"""Stack sizes the attendance model's rules are also run at: a user's stack is often small."""

RISING = ((0.1, 0.6), (0.16, 0.7))
"""The rising shares the report runs through the attendance model (low, then high)."""


RATE_RUNS = 0.5
"""A rule keeps the request rate when more than this share of the model's runs stay within the
bucket: a target that holds in half the runs of the best case or fewer is not met."""


def _spread_over(rule: attendance.Rule, seconds: float) -> attendance.Rule:
    """``rule`` with its asks made over ``seconds``: a rising share reads an end as unasked from
    a gap that much past a change (one nobody asked at), not from the model's SPREAD."""
    if isinstance(rule, attendance.Rising):
        return attendance.Rising(rule.low, rule.high, seconds)
    return rule


MARGIN = 2.0
"""Standard errors a model's figure must be within its target by to count as meeting it: a mean
at the target within its noise (1.098 +/- 0.003 against 1.10) is not called a pass."""


def _misses(
    by_size: dict[int, attendance.Outcome],
    targets: dict[int, tuple[float, float]],
    rate: bool = True,
) -> dict[str, list[int]]:
    """The sizes at which a rule does not meet each of the makespan and invocation targets (by
    MARGIN standard errors) and (``rate``) the request rate (in more than RATE_RUNS of runs)."""
    named = {
        "the makespan": [
            n for n, o in by_size.items() if o.makespan + MARGIN * o.spread[0] > targets[n][0]
        ],
        "the invocations": [
            n for n, o in by_size.items() if o.invocations + MARGIN * o.spread[1] > targets[n][1]
        ],
    }
    if rate:
        named["the request rate"] = [n for n, o in by_size.items() if o.within <= RATE_RUNS]
    return named


def _said(named: dict[str, list[int]]) -> str:
    """What :func:`_misses` found, as words ("" when nothing)."""
    return ", ".join(
        f"{what} at {' and '.join(map(str, sizes))}" for what, sizes in named.items() if sizes
    )


WIDE_SPREAD = 12.0
"""Seconds after an end the report's second run of the rules spreads their asks over: four times
the model's, about as many seconds as the makespan target allows idle at each end (6 s)
twice over."""


def _full_cell(o: attendance.Outcome) -> str:
    return f"{o.makespan:.3f} / {o.invocations:.2f} / {_rate_cell(o)}"


def _rate_cell(o: attendance.Outcome) -> str:
    return f"{o.peak:.1f}/s ({o.within:.0%} of runs)"


def _model_cell(o: attendance.Outcome) -> str:
    return f"{o.makespan:.3f} ± {o.spread[0]:.3f} / {o.invocations:.2f} ± {o.spread[1]:.2f}"


def _rule_row(
    name: str,
    outcomes: dict[int, attendance.Outcome],
    cell: Callable[[attendance.Outcome], str] = _model_cell,
) -> str:
    """A rule's row of a model table: its outcome at each size, in the table's order, as ``cell``
    writes it (by default its makespan and invocations, with their standard errors)."""
    return f"| {name} | " + " | ".join(cell(o) for o in outcomes.values()) + " |"


def _blind_floor_markdown(c: costs.CostResult) -> str:
    """The fewest calls a long create can cost while both latency promises hold."""
    aws = {row["creation_seconds"]: row for row in c.of("single", "aws-like")}
    ours = {row["creation_seconds"]: row["calls"] for row in c.of("single", "ours")}
    lines = [
        f"- {x:g} s: at least {costs.blind_calls_floor(row['request_seconds'], x)} calls"
        f" (this handler: {ours.get(x, '-')}; aws-like: {row['calls']}; the target,"
        f" {costs.LONG_CALLS_SHARE:g} x theirs:"
        f" {costs.LONG_CALLS_SHARE * row['calls']:g})"
        for x, row in sorted(aws.items())
        if x > costs.REALISTIC_UNTIL and "request_seconds" in row
    ]
    return f"""### What a long create costs at the least

A handler cannot know how long a creation will take. To see every creation of up to
{costs.REALISTIC_UNTIL:g} s within aws-like's latency + {costs.SECONDS_ALLOWANCE:g} s, it needs a
poll within {costs.SECONDS_ALLOWANCE:g} s after each of aws-like's polls up to then (aws-like polls
every 5 s); to see every longer one by 1.05 X + 10 s (the README's promise), polls no further
apart than that after. So a long create costs at least (`costs.blind_calls_floor`, from
aws-like's poll times in this run):

{chr(10).join(lines)}

The floor is met only by polls in step with aws-like's, each within {costs.SECONDS_ALLOWANCE:g} s
after one of theirs, and no other poll in the first {costs.REALISTIC_UNTIL:g} s: no poll in the
first 5 s (a creation of a second or two is then seen after 5 s, as aws-like sees it)."""


def _timeout_markdown(c: costs.CostResult) -> str:
    """Why each action's timeoutInMinutes fits the largest stack the README promises."""
    handlers = json.loads(SCHEMA.read_text())["handlers"]
    minutes = min(h["timeoutInMinutes"] for h in handlers.values() if "timeoutInMinutes" in h)
    largest = max(c.of("parallel", "ours"), key=lambda r: r["versions"])
    runs = costs.over_seeds(c, largest["versions"]) or [largest]
    overhead = max(float(r["makespan_over_floor"]) for r in runs)
    which = costs.seeds_note(runs, "the highest")
    needed = PROMISED_VERSIONS * PROMISED_MINUTES * overhead
    fits = "fits" if needed <= minutes else "**does not fit**"
    return f"""### The timeout

Each action's `timeoutInMinutes` is {minutes} (the least of the schema's handlers). Without
`DependsOn`, the last of N versions of one image started together is CREATED after every version
ahead of it: N x X at the least, times the queue's overhead, {overhead:.3f} x the floor for
{largest["versions"]} versions of {costs.CREATION_SECONDS:g} s above{which}. The largest stack the README
promises, {PROMISED_VERSIONS} versions of up to {PROMISED_MINUTES:g} minutes each, so needs
{PROMISED_VERSIONS} x {PROMISED_MINUTES:g} x {overhead:.3f} = {needed:.0f} minutes: it {fits}
within {minutes}. A `DependsOn` chain starts each version after the one before it, so each
version's own operation is about X long, whatever N."""


def _shared_markdown(c: costs.CostResult) -> str:
    shared = c.shared
    if shared is None:
        return ""
    limits = shared["limits"]
    stack_rows = "\n".join(
        f"| {name} | {row['versions']} | {row['success']} | {row['makespan_seconds']:.0f} s"
        f" | {row['makespan_over_floor']:.2f} |"
        for name, row in shared["stacks"].items()
    )
    class_rows = "\n".join(
        f"| {kind} | {limits[kind]:g}/s | {row['calls']} | {row['throttles']} |"
        for kind, row in sorted(shared["operations"].items())
    )
    walk = shared["list"]
    return f"""### One account, per-operation limits

`scenarios.shared_account`, this code: token buckets per class of operation for the account
(the emulator's `RateLimits`: List calls {limits["list"]:g}/s, Describe calls
{limits["describe"]:g}/s, writes {limits["mutate"]:g}/s; no account-wide bucket), and at once a
stack of {scenarios.SHARED_STACK} versions of one image without DependsOn, two other stacks of
{" and ".join(map(str, scenarios.OTHER_STACKS))} versions of their own images, and a LIST of
every version across {scenarios.LISTED_IMAGES} more images (each page asked for again
{scenarios.LIST_REDELIVER_SECONDS:g} s after a retriable failure, up to
{scenarios.LIST_REDELIVERIES} times). Versions take {costs.CREATION_SECONDS:g} s.

| stack | versions | SUCCESS | makespan | over N x {costs.CREATION_SECONDS:g} s |
| --- | --- | --- | --- | --- |
{stack_rows}

| calls | limit | calls made | throttled |
| --- | --- | --- | --- |
{class_rows}

The LIST: {walk["status"]} in {walk["pages"]} pages ({walk["redeliveries"]} asked again),
{walk["seconds"]:.0f} s, {walk["versions_listed"]} versions listed, {walk["repeated"]} listed twice,
{walk["listed_images_missed"]} of the {scenarios.LISTED_IMAGES} images missed. Writes are the
bottleneck: every create waiting for its image asks CreateImageVersion again, and at 1/s those
asks are most of the throttled calls."""


def _seeded_markdown(c: costs.CostResult) -> str:
    """``ours`` without DependsOn over costs.SEEDS: what the targets at 25 and 100 are judged on,
    and the small stacks."""
    sizes = sorted({row["versions"] for row in c.seeded})
    if not sizes:
        return ""
    rows = []
    for n in sizes:
        runs = costs.over_seeds(c, n)
        makespans = " ".join(f"{r['makespan_over_floor']:.2f}" for r in runs)
        rows.append(
            f"| {n} | {costs.mean(runs, 'makespan_over_floor'):.3f} | {makespans}"
            f" | {costs.mean(runs, 'invocations_per_version'):.2f}"
            f" | {costs.mean(runs, 'calls_per_version'):.1f}"
            f" | {max(r['peak_requests_per_second_after_first_minute'] for r in runs):g}"
            f" | {sum(r['throttles'] for r in runs) / len(runs):.0f}"
            f" | {min(r['success'] for r in runs)}/{n}"
            f" | {min(r['delete']['success'] for r in runs)}/{n} |"
        )
    seeds = ", ".join(map(str, costs.SEEDS))
    return f"""### Over seeds: N versions without DependsOn, each taking {costs.CREATION_SECONDS:g} s

A run's figures hang on its draws (which waiting version asks at which end), so **ours** runs
each of these stacks under seeds {seeds}, and the targets at
{" and ".join(map(str, costs.UNORDERED_SIZES))} versions above are judged on these runs: the means,
and the highest request rate. Makespan over the floor N x {costs.CREATION_SECONDS:g} s; the
rate is the most requests in any second after the first minute, the highest of the runs.

| N | makespan / floor, mean | each run | invocations / version | calls / version | req/s after the first minute | throttles | SUCCESS, every run | deleted, every run |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}
"""


def _costs_markdown(c: costs.CostResult, chart_name: str) -> str:
    target_rows = "\n".join(
        f"| {name} | {figure} | {'holds' if holds else '**misses**'} |"
        for name, holds, figure in costs.targets(c)
    )
    parallel_rows = "\n".join(
        f"| {row['versions']} | {row['policy']} | {row['success']} | {row['makespan_over_floor']:.2f}"
        f" | {row['invocations_per_version']:.1f} | {row['calls_per_version']:.1f}"
        f" | {row['peak_requests_per_second']:g} | {row['throttles']}"
        f" | {row['billed_seconds_over_30']:.0f} | {costs.money(row['dollars'])}"
        f" | {costs.money(row['dollars_lenient'])} | {row['delete']['success']}"
        f" ({row['delete']['versions_left']} left) | {costs.money(row['delete']['dollars'])} |"
        for n in sorted({row["versions"] for row in c.parallel})
        for row in c.parallel
        if row["versions"] == n
    )
    single_rows = "\n".join(
        f"| {row['creation_seconds']:g} | {row['policy']} | {row['latency_seconds']:.1f}"
        f" | {row['invocations']} | {row['calls']} | {row['billed_seconds_over_30']:.0f}"
        f" | {costs.money(row['dollars'])} |"
        for x in sorted({row["creation_seconds"] for row in c.single})
        for row in c.single
        if row["creation_seconds"] == x
    )
    return f"""## 6. Cost and scale on a virtual clock

The real handler through its Lambda entrypoint, the emulator and a CloudFormation-like scheduler
run on one simulated clock (`src/simulation/`): resources without dependencies run in parallel,
each re-invoked `callbackDelaySeconds` after an IN_PROGRESS answer, each invocation with 60 s of
Lambda time; every SageMaker call takes {0.1:g} s and meets a token bucket of
{DEFAULT_RATE:g} requests/s per account (a refused call is `ThrottlingException`); versions
take X seconds to be created or deleted, one at a time per image. Policies, side by side in this
run: **ours** (this code), **before** (the handler package before the cost work, taken from git),
**aws-like** (a constant 5 s poll, waiting in the invocation as the Java plugin does, versions
chained by DependsOn), **ours-dependson** (this code, chained the same way).

Billing: $0.0009 per handler operation plus $0.00008 per second of an invocation above 30 s.
"dollars" counts every invocation as an operation (the strict reading); "lenient" counts each
action once. The AWS type itself is free; its row is priced as if it were private.

### Targets (ours)

Each against the aws-like row of this run where it names aws-like. One create of X seconds: up
to {costs.REALISTIC_UNTIL:g} s, calls at most aws-like's + {costs.CALLS_ALLOWANCE} and latency at
most aws-like's + {costs.SECONDS_ALLOWANCE:g} s; beyond, calls at most
{costs.LONG_CALLS_SHARE:g} x aws-like's and latency at most 1.05 X + 10 s; dollars at most
aws-like's (invocations are not compared: aws-like waits inside one billed invocation where this
handler hands back, and dollars weigh both). Without DependsOn ({costs.CREATION_SECONDS:g} s
creations): makespan, invocations against the floor below, calls against invocations, and the
request rate after the first minute. A DependsOn chain: no worse than before this work. Under
per-operation request limits, with other stacks and a LIST in the account at once: everything
succeeds (below, "One account, per-operation limits").

| target | figure | |
| --- | --- | --- |
{target_rows}

{_shared_markdown(c)}

{_floors_markdown(c)}

{_attendance_markdown(c)}

{_blind_floor_markdown(c)}

{_timeout_markdown(c)}

### N versions of one image in one stack, each taking {costs.CREATION_SECONDS:g} s

Makespan is the create's, over the floor N x {costs.CREATION_SECONDS:g} s. Calls include throttled
ones. The delete of the same stack follows.

| N | policy | SUCCESS | makespan / floor | invocations / version | calls / version | peak req/s | throttles | billed s > 30 | dollars | lenient | delete SUCCESS | delete dollars |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{parallel_rows}

{_seeded_markdown(c)}

### One create taking X seconds

| X (s) | policy | latency (s) | invocations | calls | billed s > 30 | dollars |
| --- | --- | --- | --- | --- | --- | --- |
{single_rows}

![makespan and dollars against N, latency and dollars against X]({chart_name})
"""
