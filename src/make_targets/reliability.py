"""`make reliability`: measure every reliability and security figure; write reports/reliability.md.

1. The whole test suite at full size (``RELIABILITY_PROFILE=full``: 25 versions at once, 20
   lifecycles at once under faults, thousands of hypothesis examples, the full fault sweep of
   :mod:`reliability_suite.sweep`: every fault kind at every SageMaker call of every action, and
   in process again under every other variant of the emulator's unknown rules),
   each test keeping its figures in ``build/reliability/`` (see :mod:`reliability_suite.figures`)
   and pytest its verdicts in JUnit XML.
2. The fault scenario again: with other seeds, and with every lifecycle sharing one client.
3. The dependency audit and bandit (:mod:`make_targets.audit`).
4. reports/reliability.md from all of it (:mod:`reliability_suite.report`), with the machine
   described.

Exits non-zero when a test failed or the audit did; the report is written either way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from reliability_suite import fault_lifecycles, figures
from reliability_suite.report import SWEEP_FIGURES, render

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "reliability"
REPORT = ROOT / "reports" / "reliability.md"
EXTRA_SEEDS = (2, 3, 4)


def run_suite() -> int:
    environment = {
        **os.environ,
        "RELIABILITY_PROFILE": "full",
        figures.ENVIRONMENT_VARIABLE: str(BUILD),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests"]
    command += ["--junitxml", str(BUILD / "junit.xml")]
    with (BUILD / "pytest.log").open("w") as log:
        done = subprocess.run(command, cwd=ROOT, env=environment, stdout=log, check=False)  # noqa: S603
    return done.returncode


def run_extra_fault_runs() -> None:
    """The fault scenario with other seeds, and with one client shared by every lifecycle."""
    runs = {}
    for seed in EXTRA_SEEDS:
        runs[f"seed {seed}"] = fault_lifecycles.run(fault_lifecycles.Settings(seed=seed))
    shared = fault_lifecycles.Settings(seed=1, own_credentials=False)
    runs["seed 1, one shared client"] = fault_lifecycles.run(shared)
    (BUILD / "fault_runs.json").write_text(json.dumps(runs, indent=2) + "\n")


def sweep_summary() -> str:
    """The fault sweep's counts, as the suite measured them (tests/reliability/
    test_fault_sweep.py), in one line."""
    found = figures.load_all(BUILD)
    sweeps = [found[name] for name in SWEEP_FIGURES if name in found]
    if not sweeps:
        return "fault sweep: no figures (its tests did not run)"
    counts = {key: sum(s[key] for s in sweeps) for key in ("combinations", "runs", "violations")}
    seconds = sum(s["seconds"] for s in sweeps)
    return (
        f"fault sweep ({', '.join(sorted({s['profile'] for s in sweeps}))}):"
        f" {counts['combinations']} combinations, {counts['runs']} runs,"
        f" {counts['violations']} violations in {seconds:.0f} s"
    )


def run_audit() -> int:
    command = [sys.executable, "-m", "make_targets.audit", "--output", str(BUILD / "audit.json")]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with (BUILD / "audit.log").open("w") as log:
        done = subprocess.run(command, cwd=ROOT, env=environment, stdout=log, check=False)  # noqa: S603
    return done.returncode


def main() -> int:
    shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(parents=True)
    started = time.monotonic()
    steps = {}
    for name, step in (("suite", run_suite), ("audit", run_audit)):
        begun = time.monotonic()
        steps[name] = {"exit": step(), "seconds": round(time.monotonic() - begun)}
        print(f"{name}: exit {steps[name]['exit']} in {steps[name]['seconds']} s", flush=True)
        if name == "suite":
            print(sweep_summary(), flush=True)
    begun = time.monotonic()
    run_extra_fault_runs()
    steps["fault runs"] = {"exit": 0, "seconds": round(time.monotonic() - begun)}
    steps["total"] = {"exit": 0, "seconds": round(time.monotonic() - started)}
    REPORT.write_text(render(BUILD, steps))
    print(f"wrote {REPORT.relative_to(ROOT)}")
    return 1 if steps["suite"]["exit"] or steps["audit"]["exit"] else 0


if __name__ == "__main__":
    sys.exit(main())
