"""`make bench` (or `python -m benchmarks [--quick]`): every benchmark in one run; prints each
figure as a ratio of two things measured side by side, and writes reports/performance.md, its two
charts and reports/performance.json. --quick (CI) runs fewer rounds, delays and simulated
scenarios (a 25-version stack among them) and writes nothing. Either ends with one verdict line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import cold, costs, economy, report, size, stabilisation, warm

DOC = Path("reports/performance.md")
CHART = Path("reports/performance-stabilisation.png")
COSTS_CHART = Path("reports/performance-costs.png")
JSON = Path("reports/performance.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short run for CI; writes nothing")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    root = Path.cwd()
    results = report.Results(
        warm=warm.measure(rounds=200 if args.quick else 400),
        cold=cold.measure(rounds=7 if args.quick else 11),
        economy=economy.measure(),
        stabilisation=stabilisation.measure(
            stabilisation.QUICK_DELAYS if args.quick else stabilisation.DELAYS
        ),
        size=size.measure(root),
        costs=costs.measure(quick=args.quick, repository=root),
    )
    print(report.summary(results))
    if not args.quick:
        stabilisation.chart(results.stabilisation, CHART)
        costs.chart(results.costs, COSTS_CHART)
        DOC.write_text(report.markdown(results, CHART.name, COSTS_CHART.name))
        figures = costs.as_json(results.costs, results.warm.ratio, results.cold.ratio)
        JSON.write_text(json.dumps(figures, indent=1) + "\n")
        print(f"wrote {DOC}, {CHART}, {COSTS_CHART} and {JSON}")
    print(report.verdict(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
