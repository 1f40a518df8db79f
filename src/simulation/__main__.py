"""``python -m simulation single|parallel|suite ...``: scenarios, their figures as JSON on stdout.

``--policy before`` is meant for a process whose path finds the package from before first
(:mod:`simulation.before` starts it so); the run refuses to call today's package ``before``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import community_sagemaker_imageversion as package
from sagemaker_emulator.rules import parse

from . import scenarios
from .service import DEFAULT_RATE


def _numbers(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulation", description=__doc__)
    parser.add_argument("scenario", choices=("single", "parallel", "suite"))
    parser.add_argument("--policy", choices=scenarios.POLICIES, default="ours")
    parser.add_argument("--creation-seconds", type=float, default=60.0)
    parser.add_argument("--versions", type=int, default=25)
    parser.add_argument("--singles", default="1,5,25,60,300,1800", help="suite: creation seconds")
    parser.add_argument("--parallels", default="1,5,25,100", help="suite: stack sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE)
    parser.add_argument("--rules", default="", help="emulator variants: rule=variant,...")
    args = parser.parse_args(argv)
    today = Path(__file__).resolve().parent.parent / "community_sagemaker_imageversion"
    if args.policy == "before" and Path(package.__file__ or "").resolve().parent == today:
        parser.error("--policy before needs the package from before first on the path")
    settings = scenarios.Settings(
        policy=args.policy, seed=args.seed, rate=args.rate, burst=args.rate, rules=parse(args.rules)
    )
    figures: object
    if args.scenario == "single":
        figures = scenarios.single(settings, args.creation_seconds)
    elif args.scenario == "parallel":
        figures = scenarios.parallel(settings, args.versions, args.creation_seconds)
    else:
        singles = _numbers(args.singles)
        parallels = [int(n) for n in _numbers(args.parallels)]
        figures = scenarios.suite(settings, singles, parallels, args.creation_seconds)
    json.dump(figures, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
