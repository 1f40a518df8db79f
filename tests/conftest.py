"""Fixtures every test shares: an AWS environment that reaches only moto; clean transitions;
and the rules every handler call must follow, checked on every test of the suite."""

import importlib
from collections.abc import Generator, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from moto.moto_api import state_manager

from harness import contract_shape, parsed_data
from harness.call_rules import (
    outside_permissions,
    schema_permissions,
    used_permissions,
    version_scoped,
    without_version,
)
from harness.clocks import InstantClock, instant
from harness.recorder import Call, Recorder, recording
from offline_aws.defaults import ENDPOINT_VARIABLES, PROCESS_CREDENTIALS, REGION
from reliability_suite import figures
from reliability_suite.report import REQUIREMENTS
from sagemaker_emulator import install
from sagemaker_emulator.models import TRANSITION_MODELS

install()
parsed_data.share()


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real profile, endpoint or key can leak into a test."""
    for name in ("AWS_PROFILE", *ENDPOINT_VARIABLES, "MOTO_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in PROCESS_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture(autouse=True)
def instant_time(request: pytest.FixtureRequest) -> Iterator[InstantClock | None]:
    """Sleeps take no time, in the handler package and the emulator alike
    (:mod:`harness.clocks`), except in a test marked ``real_time`` (``real_time(when=False)``:
    instant after all, for a test whose threads run at once only at full size)."""
    marker = request.node.get_closest_marker("real_time")
    if marker is not None and marker.kwargs.get("when", True):
        yield None
        return
    with instant() as clock:
        yield clock


@pytest.fixture(autouse=True)
def default_transitions() -> Iterator[None]:
    """Transitions are process-global and survive resets: restore the defaults after a test."""
    yield
    for model_name in TRANSITION_MODELS:
        state_manager.unset_transition(model_name)


@dataclass
class SuiteCalls:
    """What the handler calls of the whole run did, test after test."""

    permissions: dict[str, frozenset[str]] = field(default_factory=schema_permissions)
    tests: int = 0
    handler_calls: int = 0
    version_scoped: int = 0
    without_version: int = 0
    outside_permissions: int = 0
    used: dict[str, set[str]] = field(default_factory=dict)

    def add(self, calls: list[Call]) -> tuple[list[Call], list[Call]]:
        """Account for one test's calls; the without_version and unpermitted ones."""
        handler_calls = [c for c in calls if c.by_handler]
        unnamed = without_version(handler_calls)
        bad_permissions = outside_permissions(handler_calls, self.permissions)
        self.tests += 1
        self.handler_calls += len(handler_calls)
        self.version_scoped += version_scoped(handler_calls)
        self.without_version += len(unnamed)
        self.outside_permissions += len(bad_permissions)
        for action, names in used_permissions(handler_calls).items():
            self.used.setdefault(action, set()).update(names)
        return unnamed, bad_permissions

    def merge(self, figures: Mapping[str, Any]) -> None:
        """Add the :meth:`figures` of another process's run (a pytest-xdist worker's)."""
        self.tests += int(figures["tests"])
        self.handler_calls += int(figures["handler_calls"])
        self.version_scoped += int(figures["version_scoped"])
        self.without_version += int(figures["without_version"])
        self.outside_permissions += int(figures["outside_permissions"])
        for action, names in figures["used"].items():
            self.used.setdefault(action, set()).update(names)

    def figures(self) -> dict[str, object]:
        return {
            "tests": self.tests,
            "handler_calls": self.handler_calls,
            "version_scoped": self.version_scoped,
            "without_version": self.without_version,
            "outside_permissions": self.outside_permissions,
            "used": {action: sorted(names) for action, names in sorted(self.used.items())},
        }


SUITE_CALLS = SuiteCalls()


@pytest.fixture(scope="session")
def suite_recorder() -> Iterator[Recorder]:
    """Every AWS call of the run; handler calls are told apart by their invocation scope."""
    with recording() as recorder:
        yield recorder
    figures.keep("suite_calls", SUITE_CALLS.figures())


@pytest.fixture(autouse=True)
def handler_call_rules(suite_recorder: Recorder) -> Iterator[None]:
    """After every test: each handler call named its version and was permitted by the schema."""
    suite_recorder.clear()
    yield
    calls = suite_recorder.snapshot()
    suite_recorder.clear()
    unnamed, bad_permissions = SUITE_CALLS.add(calls)
    assert not unnamed, f"handler calls that do not name a Version: {unnamed}"
    assert not bad_permissions, f"handler calls the schema does not permit: {bad_permissions}"


@pytest.fixture(autouse=True)
def contract_shape_of_every_event(
    suite_recorder: Recorder, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[None]:
    """Every event the Lambda entrypoint answers in a test has the contract's shape, as the
    contract suite's own assertions check it (:mod:`harness.contract_shape`); after the test,
    every event that breaks it is listed."""
    module, _, name = contract_shape.ENTRYPOINT.rpartition(".")
    entrypoint = getattr(importlib.import_module(module), name)
    resource_class = type(entrypoint)
    original = resource_class.__call__
    creates = contract_shape.CreateAnswers(suite_recorder)
    found: list[str] = []

    def checked(self: Any, event: Any, context: Any) -> MutableMapping[str, Any]:
        creates.delivered(event)
        answer: MutableMapping[str, Any] = original(self, event, context)
        for problem in contract_shape.violations(event, answer, creates.answered):
            found.append(f"{contract_shape.summary(event, answer)}: {problem}")
        return answer

    monkeypatch.setattr(resource_class, "__call__", checked)
    yield
    if request.node.get_closest_marker("impossible_to_track") is not None:
        return
    assert not found, "events that break the contract's shape:\n" + "\n".join(found)


# The tests that take seconds each (subprocesses, servers, real time, many runs of the handler) run
# first, so that with several workers (pytest-xdist hands tests out in this order) none of them is
# left running alone at the end while the other workers idle.
_LONG_FIRST = ("server", "real_time", "no_cover")
_LONG_FOLDERS = ("tools",)


def _long(item: pytest.Item) -> bool:
    return (
        any(item.get_closest_marker(name) for name in _LONG_FIRST)
        or item.path.parent.name in _LONG_FOLDERS
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """A test marked ``no_cover`` runs the handler many times over lines the rest of the suite
    covers: coverage is not traced while it runs (pytest-cov pauses it for the test's body; this
    pauses it for its fixtures' setup too; their teardown stays traced): traced, such a test took
    up to three times as long in one process (less under pytest-xdist). Paused through
    pytest-cov's own controller, which then knows it is paused (``--cov-context=test`` switches
    no context meanwhile)."""
    controller = getattr(item.config.pluginmanager.getplugin("_cov"), "cov_controller", None)
    if controller is None or not controller.started or item.get_closest_marker("no_cover") is None:
        yield
        return
    controller.pause()
    try:
        yield
    finally:
        controller.resume()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first (_LONG_FIRST); each test's requirement markers go into its JUnit
    properties, where make reliability's report reads the verdict of each requirement from."""
    items.sort(key=lambda item: not _long(item))
    keys = {key for key, _ in REQUIREMENTS}
    for item in items:
        for mark in item.iter_markers("requirement"):
            key = str(mark.args[0])
            if key not in keys:
                raise pytest.UsageError(f"{item.nodeid}: no reliability requirement {key!r}")
            item.user_properties.append(("requirement", key))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its figures to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["suite_calls"] = SUITE_CALLS.figures()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller of a pytest-xdist run adds up its workers' figures."""
    figures = getattr(node, "workeroutput", {}).get("suite_calls")
    if figures is not None:
        SUITE_CALLS.merge(figures)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    suite = SUITE_CALLS
    if suite.tests:
        terminalreporter.write_line(
            f"handler calls: {suite.handler_calls} in {suite.tests} tests; Version named in"
            f" {suite.version_scoped - suite.without_version} of {suite.version_scoped}"
            " Describe/Update/"
            f"DeleteImageVersion and ListAliases calls; {suite.outside_permissions} outside the"
            " schema's permissions"
        )
