"""`make audit` and `make bench-quick` each end with one verdict line that names what failed."""

from typing import cast

import pytest

from benchmarks import __main__ as bench_main
from benchmarks import costs, report
from benchmarks.common import Ratio
from benchmarks.costs import CostResult
from benchmarks.economy import EconomyResult
from benchmarks.size import SizeResult
from benchmarks.stabilisation import Point
from make_targets import audit


@pytest.mark.parametrize(
    ("counts", "strict", "failed", "line"),
    [
        ((0, 0, 0, 0), False, False, "audit verdict: pass"),
        ((0, 2, 0, 0), False, False, "audit verdict: pass (2 dependencies not audited)"),
        (
            (0, 2, 0, 0),
            True,
            True,
            "audit verdict: FAIL (2 dependencies not audited (--strict))",
        ),
        (
            (3, 0, 1, 1),
            False,
            True,
            "audit verdict: FAIL (3 vulnerable dependencies; bandit exit 1 with 1 issues)",
        ),
    ],
)
def test_the_audit_verdict_names_every_reason_it_fails(counts, strict, failed, line):
    vulnerable, unaudited, issues, bandit_exit = counts
    assert audit.verdict(vulnerable, unaudited, issues, bandit_exit, strict) == (failed, line)


def test_the_audit_prints_its_verdict_last_and_exits_by_it(monkeypatch, capsys):
    report_entries = [
        {"name": "boto3", "version": "1.0", "vulns": []},
        {"name": "flask", "version": "2.0", "vulns": [{"id": "GHSA-x"}]},
    ]
    monkeypatch.setattr(audit, "pip_audit", lambda python, requirements: report_entries)
    monkeypatch.setattr(
        audit, "bandit", lambda python: {"issues": [], "lines_scanned": 10, "exit_code": 0}
    )
    assert audit.main([]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "VULNERABLE flask 2.0: GHSA-x"
    assert lines[-1] == "audit verdict: FAIL (1 vulnerable dependencies)"


def _results(warm_ms, delays):
    return report.Results(
        warm=Ratio(handler_ms=warm_ms, direct_ms=1.0, rounds=1),
        cold=Ratio(handler_ms=1.0, direct_ms=2.0, rounds=1),
        economy=cast(EconomyResult, None),
        stabilisation=[Point(delay, seconds, 1, 5.0, 1) for delay, seconds in delays],
        size=cast(SizeResult, None),
        costs=cast(CostResult, None),
    )


def test_the_bench_verdict_counts_the_targets_and_names_the_missed(monkeypatch):
    targets = [("all SUCCESS", True, "25/25"), ("calls per version", False, "72.7")]
    monkeypatch.setattr(costs, "targets", lambda result: targets)
    missed = report.verdict(_results(warm_ms=1.5, delays=[(2.0, 2.5), (30.0, 60.0)]))
    assert missed == (
        "bench verdict: 3 of 6 targets hold;"
        " misses: warm ratio, stabilisation X=30, calls per version"
    )
    monkeypatch.setattr(costs, "targets", lambda result: targets[:1])
    held = report.verdict(_results(warm_ms=1.0, delays=[(2.0, 2.5)]))
    assert held == "bench verdict: 4 of 4 targets hold"


def test_bench_quick_prints_the_verdict_last(monkeypatch, capsys):
    results = _results(warm_ms=1.0, delays=[])
    monkeypatch.setattr(report, "Results", lambda **parts: results)
    for module in ("warm", "cold", "economy", "stabilisation", "size", "costs"):
        monkeypatch.setattr(getattr(bench_main, module), "measure", lambda *a, **k: None)
    monkeypatch.setattr(report, "summary", lambda r: "the figures")
    monkeypatch.setattr(costs, "targets", lambda result: [])
    assert bench_main.main(["--quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == ["the figures", "bench verdict: 2 of 2 targets hold"]
