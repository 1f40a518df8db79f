"""`make bench` (or `python -m benchmarks [--quick]`): every benchmark in one run; prints each
figure as a ratio of two things measured side by side, and writes reports/performance.md with the
stabilisation chart. --quick (CI) runs fewer rounds and delays and writes nothing."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import cold, economy, report, size, stabilisation, warm

DOC = Path("reports/performance.md")
CHART = Path("reports/performance-stabilisation.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short run for CI; writes nothing")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    root = Path.cwd()
    results = report.Results(
        warm=warm.measure(rounds=60 if args.quick else 400),
        cold=cold.measure(rounds=3 if args.quick else 11),
        economy=economy.measure(),
        stabilisation=stabilisation.measure(
            stabilisation.QUICK_DELAYS if args.quick else stabilisation.DELAYS
        ),
        size=size.measure(root),
    )
    print(report.summary(results))
    if not args.quick:
        stabilisation.chart(results.stabilisation, CHART)
        DOC.write_text(report.markdown(results, CHART.name))
        print(f"wrote {DOC} and {CHART}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
