"""``python -m simulation single|parallel ...``: one scenario, its figures as JSON on stdout.

``--policy before`` is meant for a process whose path finds the package from before first
(:mod:`simulation.before` starts it so); the run refuses to call today's package ``before``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import scenarios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulation", description=__doc__)
    parser.add_argument("scenario", choices=("single", "parallel"))
    parser.add_argument("--policy", choices=scenarios.POLICIES, default="ours")
    parser.add_argument("--creation-seconds", type=float, default=60.0)
    parser.add_argument("--versions", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=scenarios.DEFAULT_RATE)
    parser.add_argument("--rules", default="", help="emulator variants: rule=variant,...")
    args = parser.parse_args(argv)
    if args.policy == "before":
        import community_sagemaker_imageversion as package

        today = Path(__file__).resolve().parent.parent / "community_sagemaker_imageversion"
        if Path(package.__file__ or "").resolve().parent == today:
            parser.error("--policy before needs the package from before first on the path")
    from sagemaker_emulator.rules import parse

    settings = scenarios.Settings(
        policy=args.policy,
        seed=args.seed,
        rate=args.rate,
        burst=args.rate,
        rules=parse(args.rules),
    )
    if args.scenario == "single":
        figures = scenarios.single(settings, args.creation_seconds)
    else:
        figures = scenarios.parallel(settings, args.versions, args.creation_seconds)
    json.dump(figures, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
