"""The real handler, through its Lambda entrypoint, on the virtual clock: the promises the
benchmarks measure the cost of hold whatever the policy pays."""

import math
import os
import subprocess
import sys

import pytest

from benchmarks.costs import invocation_floor
from simulation import before, scenarios
from simulation.scenarios import Settings


@pytest.fixture(scope="module")
def stack_of_25():
    return scenarios.parallel(Settings(), 25, 60.0)


@pytest.mark.no_cover
def test_a_stack_of_25_versions_of_one_image_all_succeed_and_are_all_deleted(stack_of_25):
    run = stack_of_25
    assert run["outcomes"] == {"SUCCESS": 25}
    assert run["ownership_problems"] == []
    assert run["contract_breaches"] == 0
    assert run["delete"]["outcomes"] == {"SUCCESS": 25}
    assert run["delete"]["versions_left"] == 0
    # SageMaker makes one version at a time: the stack cannot beat the floor, and should be near
    assert 1.0 <= run["makespan_over_floor"] <= 1.5


@pytest.mark.no_cover
def test_the_stack_costs_no_fewer_invocations_than_the_reports_floor(stack_of_25):
    floor = invocation_floor(25, 60.0)  # with this handler's longest callback and free window
    assert stack_of_25["invocations_per_version"] >= floor


@pytest.mark.no_cover
def test_waiting_in_a_busy_queue_pays_for_no_second_above_30(stack_of_25):
    """Waits behind other versions are never billed. A delete SageMaker takes at its first
    request waits as a lone delete does (billed seconds where the invocation bound needs them,
    cheaper than one more invocation): at most the first in line, which met no queue."""
    assert stack_of_25["billed_seconds_over_30"] == 0
    assert stack_of_25["delete"]["operations_billed_over_30"] <= 1
    assert stack_of_25["delete"]["billed_seconds_over_30"] < 30


@pytest.mark.parametrize("creation_seconds", [1, 25, 60, 300, 1800])
def test_one_create_meets_its_latency_and_invocation_bounds(creation_seconds):
    run = scenarios.single(Settings(), creation_seconds)
    assert run["status"] == "SUCCESS"
    if creation_seconds <= 25:
        # within 2 s of AWS's 5 s poll (and the calls' own time), in the one invocation
        assert run["latency_seconds"] <= 5 * math.ceil(creation_seconds / 5) + 2 + 0.5
        assert run["invocations"] == 1
    else:
        assert run["latency_seconds"] <= 1.05 * creation_seconds + 10
        assert run["invocations"] <= math.ceil(creation_seconds / 60) + 1
    if creation_seconds <= 60:
        assert run["billed_seconds_over_30"] == 0, "waiting paid for seconds above 30"


@pytest.mark.no_cover
def test_a_simulation_is_reproducible_for_a_seed():
    first = scenarios.parallel(Settings(seed=3), 5, 60.0)
    again = scenarios.parallel(Settings(seed=3), 5, 60.0)
    assert first == again


@pytest.mark.parametrize(
    "rules",
    [
        {"concurrency": "overlapping_calls", "overlap_seconds": 2.0},
        {"concurrency": "never"},
        {"read_after_write": "lagging", "lag_seconds": 5.0},
        {"idempotency": "expires", "token_seconds": 30.0},
    ],
    ids=lambda rules: ",".join(f"{k}={v}" for k, v in rules.items()),
)
def test_a_stack_of_versions_succeeds_under_each_unknown_rule(rules):
    run = scenarios.parallel(Settings(rules=rules), 6, 60.0)
    assert run["outcomes"] == {"SUCCESS": 6}
    assert run["ownership_problems"] == []
    assert run["delete"]["outcomes"] == {"SUCCESS": 6}
    assert run["delete"]["versions_left"] == 0


def test_a_chained_stack_costs_about_two_invocations_per_version():
    run = scenarios.parallel(Settings(policy="ours-dependson"), 5, 60.0)
    assert run["outcomes"] == {"SUCCESS": 5}
    assert run["invocations_per_version"] <= 2.5
    assert run["throttles"] == 0
    assert run["makespan_over_floor"] <= 1.25


def test_a_chained_version_after_the_first_polls_sparsely_and_no_slower():
    """Each version of a chain but the first learns how long a change of the image takes (one
    ListImageVersions): about 9 calls where polling as for a new image takes 37."""
    run = scenarios.parallel(Settings(policy="ours-dependson"), 10, 60.0)
    assert run["outcomes"] == {"SUCCESS": 10}
    # (37 + 9 x 9) / 10 = 11.8; 37 if no version learned anything
    assert run["calls_per_version"] <= 13
    assert run["invocations_per_version"] <= 2.0
    assert run["makespan_over_floor"] <= 1.05


def test_the_before_policy_runs_the_package_from_before_and_only_that():
    run = before.run(["single", "--creation-seconds", "60"])
    assert (run["policy"], run["status"]) == ("before", "SUCCESS")
    # the code before this work waited in the invocation until 5 s before its deadline
    assert run["billed_seconds_over_30"] > 0
    today = subprocess.run(
        [sys.executable, "-m", "simulation", "single", "--policy", "before"],
        env={**os.environ, "PYTHONPATH": "src"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert today.returncode != 0
    assert "needs the package from before first on the path" in today.stderr


def test_under_per_operation_limits_every_stack_and_the_list_succeed():
    """Three stacks (25, 10 and 10 versions, no DependsOn) and a LIST of 300 more images at once,
    under 2 List, 5 Describe and 1 write calls/s for the account: before the invocation paced a
    throttled kind of call, the LIST's page restarted at full speed after every throttle and
    failed Throttling every time."""
    run = scenarios.shared_account(Settings(rate=scenarios.UNLIMITED, burst=scenarios.UNLIMITED))
    for name, stack in run["stacks"].items():
        assert stack["success"] == stack["versions"] == stack["versions_made"], name
    walk = run["list"]
    assert walk["status"] == "SUCCESS", walk
    assert walk["listed_images_missed"] == 0
    assert walk["repeated"] == 0
    assert run["operations"]["list"]["throttles"] > 0, "no List call was throttled: untested"
