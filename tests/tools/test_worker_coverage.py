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
from make_targets.worker_coverage import WORKER_VARIABLE, stray_measurement

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


def _run_probe(folder: Path, *plugin: str) -> dict[str, dict[str, object]]:
    (folder / "test_probe.py").write_text(PROBE)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "1"]
    command += ["--cov", str(folder), "--cov-report=", *plugin, "test_probe.py"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    environment.pop(WORKER_VARIABLE, None)  # this suite may itself run in a worker
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
    assert _run_hook(_Config(measurement)) == "result"
    assert measurement.stopped == 1


def test_outside_a_worker_nothing_is_stopped(monkeypatch, pytestconfig):
    measurement = _Measurement()
    monkeypatch.delenv(WORKER_VARIABLE, raising=False)
    assert _run_hook(_Config(measurement)) == "result"
    assert measurement.stopped == 0
    assert stray_measurement(pytestconfig, {}) is None
    assert stray_measurement(_Config(None), {WORKER_VARIABLE: "gw1"}) is None  # type: ignore[arg-type]
