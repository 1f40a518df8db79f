"""A pytest plugin for ``make test``: one coverage tracer per pytest-xdist worker, not two.

pytest-cov decides how to measure from the command line as soon as its plugin is created. A
worker of pytest-xdist is started with the same command line (``-n 3`` and all), so pytest-cov
creates and starts a coverage measurement for the controller in each worker, then starts the
worker's own at session start. The first is never stopped nor saved: every line a worker runs
was traced twice, and a test marked ``no_cover`` (pytest-cov pauses the worker's measurement
while it runs) was still traced by it. Measured on 2 cores, one worker: a test of the attendance
model marked ``no_cover`` took 14 s with it, 4 s without.

``pytest -p make_targets.worker_coverage`` stops that first measurement in a worker once
pytest-cov has started it (and the worker has loaded its conftests). The coverage report is
unchanged: the stopped measurement's data were never written.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

WORKER_VARIABLE = "PYTEST_XDIST_WORKER"
"""Set by pytest-xdist in a worker before its configuration is read."""


def stray_measurement(config: pytest.Config, environment: dict[str, str]) -> Any | None:
    """The coverage measurement pytest-cov started for the controller in this process, when
    this process is a pytest-xdist worker (``None`` otherwise: in the controller, or in a run
    of one process, that measurement is the one that counts)."""
    if not environment.get(WORKER_VARIABLE):
        return None
    plugin = config.pluginmanager.getplugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    return getattr(controller, "cov", None)


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[None, object, object]:
    """pytest-cov starts its measurement in its own implementation of this hook: stop it when
    the hook ends (the worker's own measurement starts at session start)."""
    result = yield
    measurement = stray_measurement(early_config, dict(os.environ))
    if measurement is not None:
        measurement.stop()
    return result
