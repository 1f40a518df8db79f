"""`make test-variants`: the handler and reliability tests once per variant of the emulator's
unknown rules (:mod:`sagemaker_emulator.rules`), every other rule at its default.

Each run is a pytest process with ``SAGEMAKER_EMULATOR_VARIANTS=<rule>=<variant>``, so every
emulator backend it creates (in process and the server threads alike) follows that variant.
Runs go ``--jobs`` at a time (the tests mostly wait on the emulator's transitions); each writes
``build/variants/<rule>=<variant>.log``. Prints one line per variant and exits non-zero when any
run failed. Variants under which no handler can be correct (``rules.IMPOSSIBLE``) are left out:
their clearest failure has a test of its own; so are the tests marked ``rules_independent``
(input refused before any SageMaker call, a SageMaker that never answers), whose outcome no
variant can change.

``python -m make_targets.variants [--jobs N] [--only rule=variant ...] [-- pytest args]``
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

from sagemaker_emulator.rules import ENVIRONMENT_VARIABLE, every_variant

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "build" / "variants"
SUITES = ("tests/handlers", "tests/reliability")


@dataclass(frozen=True)
class Run:
    variant: str
    exit_code: int
    seconds: float
    summary: str


def run_one(variant: str, pytest_args: Sequence[str]) -> Run:
    """One pytest process with the emulator following ``variant`` (``rule=variant``)."""
    log = LOGS / f"{variant}.log"
    environment = {**os.environ, ENVIRONMENT_VARIABLE: variant}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *SUITES]
    command += ["-m", "not rules_independent", *pytest_args]
    started = time.monotonic()
    with log.open("w") as output:
        done = subprocess.run(  # noqa: S603 (this interpreter, running pytest)
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, check=False
        )
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    return Run(variant, done.returncode, time.monotonic() - started, lines[-1] if lines else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m make_targets.variants")
    parser.add_argument("--jobs", type=int, default=4, help="runs at once (default 4)")
    parser.add_argument("--only", action="append", default=[], help="rule=variant (repeatable)")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)
    variants = args.only or [f"{rule}={variant}" for rule, variant in every_variant()]
    LOGS.mkdir(parents=True, exist_ok=True)
    print(f"{len(variants)} variants, {args.jobs} at a time; logs in {LOGS.relative_to(ROOT)}/")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, variant, args.pytest_args) for variant in variants]
        runs = []
        for future in futures:
            run = future.result()
            runs.append(run)
            verdict = "PASSED" if run.exit_code == 0 else "FAILED"
            print(f"  {verdict}  {run.variant:<40} {run.seconds:5.0f} s  {run.summary}", flush=True)
    failed = [run.variant for run in runs if run.exit_code != 0]
    print(
        f"{len(runs) - len(failed)} of {len(runs)} variants passed"
        f" in {time.monotonic() - started:.0f} s"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
