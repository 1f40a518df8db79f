"""A pytest plugin for `make contract`: a line per contract test as it starts and as it ends,
the failure's details, and a count per input set. `make contract` turns pytest's own terminal
reporter off and speaks instead.

`cfn test` runs one pytest session per input set, in one process; the set number counts them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import pytest

_input_sets = itertools.count(1)


class ContractReport:
    def __init__(self, keyword: str = "") -> None:
        self.input_set = next(_input_sets)
        self.outcomes: Counter[str] = Counter()
        # The CLI deselects the tests of hooks; `make contract ARGS="-k ..."` deselects more.
        self.deselected = "deselected by the CLI" + (f" and -k {keyword!r}" if keyword else "")

    @staticmethod
    def _say(line: str) -> None:
        print(line, flush=True)

    def pytest_sessionstart(self) -> None:
        self._say(f"== contract tests, input set {self.input_set} ==")

    def pytest_deselected(self, items: Sequence[pytest.Item]) -> None:
        self.outcomes[self.deselected] += len(items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.rsplit("::", 1)[-1]
        if report.when == "setup" and report.skipped:
            reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else ""
            self.outcomes["skipped by the CLI"] += 1
            self._say(f"   SKIPPED  {name}  ({reason})")
        elif report.when == "setup" and report.passed:
            self._say(f"   running  {name}")
        elif report.when == "call":
            self.outcomes[report.outcome] += 1
            self._say(f"   {report.outcome.upper():<8} {name}  ({report.duration:.1f} s)")
        if report.failed:
            if report.when != "call":
                self.outcomes[f"error in {report.when}"] += 1
                self._say(f"   ERROR    {name} (in {report.when})")
            for line in report.longreprtext.splitlines():
                self._say(f"      | {line}")

    def pytest_sessionfinish(self) -> None:
        counts = ", ".join(f"{n} {what}" for what, n in sorted(self.outcomes.items()))
        self._say(f"== input set {self.input_set}: {counts} ==")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        config.pluginmanager.unregister(reporter)
    keyword = config.getoption("keyword", default="")
    config.pluginmanager.register(ContractReport(str(keyword or "")), "contract-report")
