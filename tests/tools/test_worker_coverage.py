"""`make test`'s plugin for coverage under pytest-xdist (make_targets.worker_coverage): a worker
traces with its own measurement only, and a test marked ``no_cover`` is not traced at all."""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from make_targets import worker_coverage
from make_targets.worker_coverage import (
    CONTROLLER_VARIABLE,
    WORKER_VARIABLE,
    is_worker,
    stray_measurement,
)

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import pytest
from coverage.collector import Collector

def _seen(name):
    with open("seen.jsonl", "a") as out:
        out.write(json.dumps({"test": name, "traced": sys.gettrace() is not None,
                              "collectors": len(Collector._collectors)}) + "\\n")

@pytest.mark.no_cover
def test_untraced():
    _seen("no_cover")

def test_traced():
    _seen("traced")
"""


def _run_probe(
    folder: Path, *plugin: str, workers: tuple[str, ...] = ("-n", "1"), inherited: bool = False
) -> dict[str, dict[str, object]]:
    """The probe's two tests run by pytest with coverage (``inherited``: with this suite's
    pytest-xdist variables, as a pytest run started by a test in a worker has them)."""
    (folder / "test_probe.py").write_text(PROBE)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers]
    command += ["--cov", str(folder), "--cov-report=", *plugin, "test_probe.py"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for name in (WORKER_VARIABLE, CONTROLLER_VARIABLE):
        environment.pop(name, None)  # this suite may itself run in a worker
    if inherited:
        environment |= {WORKER_VARIABLE: "gw0", CONTROLLER_VARIABLE: str(os.getpid())}
    done = subprocess.run(
        command, cwd=folder, env=environment, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (folder / "seen.jsonl").read_text().splitlines()
    return {row["test"]: row for row in map(json.loads, lines)}


def test_with_the_plugin_a_worker_traces_once_and_not_at_all_in_a_no_cover_test(tmp_path):
    seen = _run_probe(tmp_path, "-p", "make_targets.worker_coverage")
    assert seen["traced"] == {"test": "traced", "traced": True, "collectors": 1}
    assert seen["no_cover"] == {"test": "no_cover", "traced": False, "collectors": 0}


def test_a_pytest_run_that_only_inherits_a_workers_variables_keeps_its_measurement(tmp_path):
    seen = _run_probe(
        tmp_path, "-p", "make_targets.worker_coverage", workers=("-p", "no:xdist"), inherited=True
    )
    assert seen["traced"] == {"test": "traced", "traced": True, "collectors": 1}


def test_without_it_pytest_cov_leaves_a_second_measurement_running_in_each_worker(tmp_path):
    """What the plugin is for (pytest-cov 7.1.0 with pytest-xdist 3.8.0): when this fails, the
    pinned pytest-cov no longer starts the controller's measurement in a worker, and the plugin
    can go."""
    seen = _run_probe(tmp_path)
    assert seen["traced"]["collectors"] == 2
    assert seen["no_cover"]["traced"] is True


class _Measurement:
    stopped = 0

    def stop(self) -> None:
        self.stopped += 1


class _Config:
    """What the hook reads of pytest's configuration: the plugin pytest-cov registered."""

    def __init__(self, measurement: _Measurement | None) -> None:
        controller = SimpleNamespace(cov=measurement)
        plugin = SimpleNamespace(cov_controller=controller)
        self.pluginmanager = SimpleNamespace(getplugin=lambda name: plugin)


def _run_hook(config: _Config) -> object:
    hook = worker_coverage.pytest_load_initial_conftests(config, None, [])  # type: ignore[arg-type]
    next(hook)
    with pytest.raises(StopIteration) as ended:
        hook.send("result")
    return ended.value.value


def test_in_a_worker_the_hook_stops_the_measurement_pytest_cov_started(monkeypatch):
    measurement = _Measurement()
    monkeypatch.setenv(WORKER_VARIABLE, "gw0")
    monkeypatch.setenv(CONTROLLER_VARIABLE, str(os.getppid()))
    assert _run_hook(_Config(measurement)) == "result"
    assert measurement.stopped == 1


def test_outside_a_worker_of_this_controller_nothing_is_stopped(monkeypatch):
    measurement = _Measurement()
    monkeypatch.delenv(WORKER_VARIABLE, raising=False)
    monkeypatch.setenv(CONTROLLER_VARIABLE, str(os.getppid()))
    assert _run_hook(_Config(measurement)) == "result"
    monkeypatch.setenv(WORKER_VARIABLE, "gw0")
    monkeypatch.setenv(CONTROLLER_VARIABLE, str(os.getpid()))  # the worker's test started it
    assert _run_hook(_Config(measurement)) == "result"
    assert measurement.stopped == 0
    assert not is_worker({WORKER_VARIABLE: "gw0"}, 1234)
    assert is_worker({WORKER_VARIABLE: "gw0", CONTROLLER_VARIABLE: "1234"}, 1234)
    config = _Config(None)
    worker = {WORKER_VARIABLE: "gw1", CONTROLLER_VARIABLE: "1234"}
    assert stray_measurement(config, worker, 1234) is None  # type: ignore[arg-type]
