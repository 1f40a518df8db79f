"""A pytest plugin for ``make test``: in a pytest-xdist worker, only the worker's own coverage
measurement, so that a test marked ``no_cover`` is not traced.

pytest-cov decides how to measure from the command line as soon as its plugin is created. A
worker of pytest-xdist is started with the same command line (``-n 3`` and all), so pytest-cov
also starts the controller's measurement in each worker, then the worker's own at session
start, on top of it. The first is never stopped nor saved. While the worker's measurement runs,
the first waits beneath it; but when pytest-cov pauses the worker's measurement for a test
marked ``no_cover``, coverage resumes the first, which traces that test after all. Measured on 2
cores, one worker: a test of the attendance model marked ``no_cover`` took 14 s with it, 4 s
without.

``pytest -p make_targets.worker_coverage`` stops that first measurement in a worker once
pytest-cov has started it (and the worker has loaded its conftests). A process is taken for a
worker only when pytest-xdist named it one and the controller that loaded this plugin started it
(its parent): a pytest run a test starts inherits the first, not the second, and keeps its own
measurement. The coverage report is unchanged: the stopped measurement's data were never
written.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from typing import Any

import pytest

WORKER_VARIABLE = "PYTEST_XDIST_WORKER"
"""Set by pytest-xdist in a worker before its configuration is read."""

CONTROLLER_VARIABLE = "MAKE_TARGETS_XDIST_CONTROLLER"
"""The process id of the pytest-xdist controller that loaded this plugin, set before it starts
its workers."""


def is_worker(environment: Mapping[str, str], parent: int) -> bool:
    """Whether this process is a worker the controller that loaded this plugin started."""
    controller = environment.get(CONTROLLER_VARIABLE)
    return bool(environment.get(WORKER_VARIABLE)) and controller == str(parent)


def stray_measurement(
    config: pytest.Config, environment: Mapping[str, str], parent: int
) -> Any | None:
    """The coverage measurement pytest-cov started for the controller in this process, when
    this process is one of the controller's pytest-xdist workers (``None`` otherwise: in the
    controller, or in a run of one process, that measurement is the one that counts)."""
    if not is_worker(environment, parent):
        return None
    plugin = config.pluginmanager.getplugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    return getattr(controller, "cov", None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config: pytest.Config, specs: object) -> None:
    """In the controller, before it starts its workers: say who their parent is."""
    os.environ[CONTROLLER_VARIABLE] = str(os.getpid())


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[None, object, object]:
    """pytest-cov starts its measurement in its own implementation of this hook: stop it when
    the hook ends (the worker's own measurement starts at session start)."""
    result = yield
    measurement = stray_measurement(early_config, os.environ, os.getppid())
    if measurement is not None:
        measurement.stop()
    return result
