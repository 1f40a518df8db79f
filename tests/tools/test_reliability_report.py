"""make reliability's verdicts come from the requirement markers on tests, never their names."""

import re
from pathlib import Path
from typing import Any

from reliability_suite.report import (
    REQUIREMENTS,
    SUITE_WIDE,
    _requirement_rows,
    _sweep,
    _verdicts,
)

TESTS = Path(__file__).resolve().parents[1]
SUITE_HELD = {"without_version": 0, "outside_permissions": 0, "tests": 3}


def _junit(tmp_path: Path, cases: str) -> Path:
    path = tmp_path / "junit.xml"
    path.write_text(f'<?xml version="1.0"?><testsuites><testsuite>{cases}</testsuite></testsuites>')
    return path


def _case(name: str, requirement: str | None = None, body: str = "") -> str:
    props = (
        f'<properties><property name="requirement" value="{requirement}"/></properties>'
        if requirement
        else ""
    )
    return f'<testcase classname="tests.reliability.test_x" name="{name}">{props}{body}</testcase>'


def _row(rows: list[Any], key: str) -> tuple[str, str, str]:
    title = dict(REQUIREMENTS)[key]
    return next(row for row in rows if row[0] == title)


def test_a_renamed_test_keeps_deciding_its_requirement(tmp_path):
    junit = _junit(tmp_path, _case("test_any_name_at_all", "faults"))
    rows = _requirement_rows(_verdicts(junit), SUITE_HELD)
    assert _row(rows, "faults")[1:] == ("holds", "1 tests passed")


def test_a_test_named_like_the_old_prefix_but_unmarked_decides_nothing(tmp_path):
    junit = _junit(tmp_path, _case("test_lifecycles_under_twenty_percent_faults"))
    rows = _requirement_rows(_verdicts(junit), SUITE_HELD)
    assert _row(rows, "faults")[1:] == ("FAILS", "no test carries this marker")


def test_a_failing_marked_test_fails_its_requirement(tmp_path):
    failure = '<failure message="boom">trace</failure>'
    cases = _case("test_a", "replay") + _case("test_b", "replay", failure)
    rows = _requirement_rows(_verdicts(_junit(tmp_path, cases)), SUITE_HELD)
    assert _row(rows, "replay")[1:] == ("FAILS", "failed: test_b")


def test_a_skipped_marked_test_decides_nothing(tmp_path):
    skipped = '<skipped type="pytest.skip" message="not here">skip</skipped>'
    only_skipped = _case("test_a", "faults", skipped)
    rows = _requirement_rows(_verdicts(_junit(tmp_path, only_skipped)), SUITE_HELD)
    assert _row(rows, "faults")[1:] == ("FAILS", "skipped: test_a")
    with_a_pass = only_skipped + _case("test_b", "faults")
    rows = _requirement_rows(_verdicts(_junit(tmp_path, with_a_pass)), SUITE_HELD)
    assert _row(rows, "faults")[1:] == ("FAILS", "skipped: test_a")


def test_only_expected_failures_decide_nothing(tmp_path):
    xfailed = '<skipped type="pytest.xfail" message="known bug">x</skipped>'
    rows = _requirement_rows(
        _verdicts(_junit(tmp_path, _case("test_a", "replay", xfailed))), SUITE_HELD
    )
    assert _row(rows, "replay")[1:] == ("FAILS", "no marked test passed")


def test_the_suite_wide_requirement_comes_from_the_suites_figures(tmp_path):
    junit = _junit(tmp_path, "")
    assert _row(_requirement_rows(_verdicts(junit), SUITE_HELD), SUITE_WIDE)[1] == "holds"
    broken = {**SUITE_HELD, "without_version": 1}
    assert _row(_requirement_rows(_verdicts(junit), broken), SUITE_WIDE)[1] == "FAILS"


def test_every_requirement_is_carried_by_a_test_of_the_suite():
    marked = {
        key
        for path in TESTS.rglob("test_*.py")
        for key in re.findall(r'mark\.requirement\("([^"]+)"\)', path.read_text())
    }
    keys = {key for key, _ in REQUIREMENTS} - {SUITE_WIDE}
    assert keys <= marked, f"requirements no test carries: {sorted(keys - marked)}"
    assert marked <= keys, f"markers no requirement reads: {sorted(marked - keys)}"


def _swept_run(**changes: Any) -> dict[str, Any]:
    run = {
        "scenario": "update",
        "transport": "in_process",
        "at": 2,
        "kind": "truncated",
        "operation": "UpdateImageVersion",
        "variant": "",
        "problems": ["ended FAILED InvalidRequest, not SUCCESS"],
        "trace": ["0 DescribeImageVersion {'Version': 1}"],
        "events": ["UPDATE -> FAILED InvalidRequest model=None"],
    }
    return {**run, **changes}


def test_the_fault_sweep_section_lists_every_violation_with_its_calls_and_events():
    row = {
        "kinds": ["truncated"],
        "scenarios": 1,
        "calls": 3,
        "combinations": 3,
        "runs": 4,
        "violations": 1,
        "no_effect": 0,
        "redelivered": 0,
        "seconds": 1.0,
    }
    scenario = {
        "scenario": "update",
        "transport": "in_process",
        "summary": "UPDATE.",
        "calls": 3,
        "operations": ["DescribeImageVersion", "ListAliases", "UpdateImageVersion"],
        "kinds": ["truncated"],
        "combinations": 3,
        "violations": 1,
        "seconds": 1.0,
        "run_seconds_max": 0.5,
        "cells": {"0": {"truncated": "ok"}, "2": {"truncated": "**VIOLATION**"}},
    }
    lagging = _swept_run(variant="alias_index=lagging", at=5)
    under = {
        "variants": 21,
        "swept": [
            {
                "variant": "alias_index=lagging",
                "scenario": "update",
                "every": True,
                "combinations": 9,
                "violations": 1,
            }
        ],
        "runs": 10,
        "violations": 1,
        "seconds": 2.0,
        "baseline_problems": [],
        "violating": [lagging],
    }
    figures = {
        "profile": "full",
        "combinations": 3,
        "violations": 1,
        "by_transport": {"in_process": row},
        "baseline_problems": [],
        "violating": [_swept_run()],
        "scenarios": [scenario],
        "variants": under,
    }
    text = _sweep([figures])
    assert "**3 combinations, 1 violations**" in text
    assert "again under the emulator's other variants: **10 runs, 1 violations**" in text
    assert "- `update` (in_process), call 2 (UpdateImageVersion), truncated: ended FAILED" in text
    assert "- `update` (in_process, under `alias_index=lagging`), call 5" in text
    assert "  - call 0 DescribeImageVersion {'Version': 1}\n" in text
    assert "  - event: `UPDATE -> FAILED InvalidRequest model=None`\n" in text
    assert "| 2 | UpdateImageVersion | **VIOLATION** |" in text
    assert "| 1 | ListAliases" not in text, "a call no fault was injected at has no row"
