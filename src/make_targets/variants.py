"""`make test-variants`: every test through the Lambda entrypoint (:data:`SUITES`: the handler,
reliability, guarantee, engine and review suites) under each variant of the emulator's unknown
rules (:mod:`sagemaker_emulator.rules`), every other rule at its default; for each variant, only
the tests whose run reads its rule (:mod:`make_targets.variant_selection`).

First the rule trace: the one ``make test`` wrote (``build/rule-trace.json``) when it ran this
very source tree and every test needed here; otherwise one run of the suites at the default
rules, traced (``build/variants/trace.log``). Then each variant is a pytest process with
``SAGEMAKER_EMULATOR_VARIANTS=<rule>=<variant>``, so every emulator backend it creates (in
process and the server threads alike) follows that variant, running the tests the trace saw
reading that rule (listed in ``build/variants/<rule>=<variant>.tests``, given to pytest as
``@file``). Runs go ``--jobs`` at a time, the longest first (the tests mostly wait on the
emulator's transitions); each writes ``build/variants/<rule>=<variant>.log``. Prints one line per
variant and exits non-zero when any run failed, and when a variant has no test reading its rule
(that variant would go untested). Variants under which no handler can be correct
(``rules.IMPOSSIBLE``) are left out: their clearest failure has a test of its own; so are the
tests marked ``rules_independent`` (input refused before any SageMaker call, a SageMaker that
never answers), whose outcome no variant can change.

``python -m make_targets.variants [--jobs N] [--only rule=variant ...] [--retrace]
[-- pytest args]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from make_targets.variant_selection import (
    ROOT,
    Trace,
    longest_first,
    most_specific,
    read_trace,
    selection_for,
    source_hash,
    usable,
)
from sagemaker_emulator.rules import ENVIRONMENT_VARIABLE, every_variant

LOGS = ROOT / "build" / "variants"
TRACE = ROOT / "build" / "rule-trace.json"
SUITES = ("tests/handlers", "tests/reliability", "tests/guarantees", "tests/engine", "tests/review")
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:randomly")
SELECTION = ("-m", "not rules_independent")


@dataclass(frozen=True)
class Run:
    variant: str
    exit_code: int
    seconds: float
    summary: str
    tests: int


def run_pytest(arguments: Sequence[str], log: Path, environment: dict[str, str]) -> int:
    """One pytest process, its output to ``log``; its exit code."""
    with log.open("w") as output:
        done = subprocess.run(  # noqa: S603 (this interpreter, running pytest)
            [*PYTEST, *arguments],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    return done.returncode


def last_line(log: Path) -> str:
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def collect(pytest_args: Sequence[str]) -> list[str]:
    """The node ids of the tests a variant may run (the suites, rules_independent left out)."""
    log = LOGS / "collect.log"
    code = run_pytest(
        ["--collect-only", *SUITES, *SELECTION, *pytest_args], log, _without_variants()
    )
    if code != 0:
        raise SystemExit(f"collecting the tests failed; see {log.relative_to(ROOT)}")
    return [line for line in log.read_text().splitlines() if "::" in line]


def traced(candidates: Sequence[str], retrace: bool) -> Trace:
    """The rule trace of this source tree: ``make test``'s, or a new traced run."""
    current = source_hash(ROOT)
    trace = None if retrace else read_trace(TRACE)
    if usable(trace, current, candidates):
        assert trace is not None
        print(f"rule trace: {TRACE.relative_to(ROOT)} (same source tree), reused")
        return trace
    log = LOGS / "trace.log"
    print(f"rule trace: the suites once at the default rules, traced; log {log.relative_to(ROOT)}")
    started = time.monotonic()
    tracing = ["-p", "make_targets.rule_trace", f"--rule-trace={TRACE}"]
    code = run_pytest([*tracing, *candidates], log, _without_variants())
    trace = read_trace(TRACE)
    if code != 0 or trace is None:
        raise SystemExit(f"the traced run failed ({last_line(log)}); see {log.relative_to(ROOT)}")
    if not usable(trace, current, candidates):
        raise SystemExit("src/ or tests/ changed during the traced run: run it again")
    print(f"  traced in {time.monotonic() - started:.0f} s: {last_line(log)}")
    return trace


def run_one(variant: str, tests: Sequence[str], pytest_args: Sequence[str]) -> Run:
    """One pytest process running ``tests`` with the emulator following ``variant``."""
    listing = LOGS / f"{variant}.tests"
    listing.write_text("".join(f"{test}\n" for test in tests))
    log = LOGS / f"{variant}.log"
    environment = {**os.environ, ENVIRONMENT_VARIABLE: variant}
    started = time.monotonic()
    code = run_pytest([*SELECTION, *pytest_args, f"@{listing}"], log, environment)
    return Run(variant, code, time.monotonic() - started, last_line(log), len(tests))


def _without_variants() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name != ENVIRONMENT_VARIABLE}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m make_targets.variants")
    parser.add_argument("--jobs", type=int, default=4, help="runs at once (default 4)")
    parser.add_argument("--only", action="append", default=[], help="rule=variant (repeatable)")
    parser.add_argument("--retrace", action="store_true", help="trace again even if up to date")
    parser.add_argument(
        "--per-variant",
        type=int,
        default=0,
        help="at most this many tests per variant, those most about its rule (CI; 0: all)",
    )
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)
    variants = args.only or [f"{rule}={variant}" for rule, variant in every_variant()]
    LOGS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    candidates = collect(args.pytest_args)
    trace = traced(candidates, args.retrace)
    selections = {
        v: most_specific(
            trace, selection_for(trace, v.partition("=")[0], candidates), args.per_variant
        )
        for v in variants
    }
    untested = [variant for variant, tests in selections.items() if not tests]
    for variant in untested:
        print(f"  FAILED  {variant:<40} no test reads {variant.partition('=')[0]}: UNTESTED")
    planned = longest_first(selections)
    print(
        f"{len(planned)} variants, {args.jobs} at a time, each running the tests that read its"
        f" rule (of {len(candidates)}); logs in {LOGS.relative_to(ROOT)}/"
    )
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, v, selections[v], args.pytest_args) for v in planned]
        runs = []
        for future in futures:
            run = future.result()
            runs.append(run)
            verdict = "PASSED" if run.exit_code == 0 else "FAILED"
            print(
                f"  {verdict}  {run.variant:<40} {run.seconds:5.0f} s"
                f"  {run.tests:3} tests  {run.summary}",
                flush=True,
            )
    failed = [run.variant for run in runs if run.exit_code != 0] + untested
    print(
        f"{len(variants) - len(failed)} of {len(variants)} variants passed"
        f" in {time.monotonic() - started:.0f} s"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
