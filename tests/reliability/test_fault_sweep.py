"""One fault, of every kind, at every SageMaker call of every action: the deterministic sweep
(:mod:`reliability_suite.sweep`), each run to its end through the real entrypoint.

`make reliability` (``RELIABILITY_PROFILE=full``) runs every combination, and in process again
under every other variant of the emulator's unknown rules where it can change anything; the
suite a reduced sweep that still runs every scenario and every kind, at fewer calls (the first, a
middle and the last: ``sweep.picks``), under the rules' variants the environment chooses (`make
test-variants` chooses each in turn).
"""

from typing import Any

import pytest

from reliability_suite import figures, sweep
from reliability_suite.sweep_scenarios import (
    BY_NAME,
    IMAGE,
    OPERATED,
    SCENARIOS,
    Expected,
    Fault,
    Scenario,
    Want,
    World,
    base,
)
from sagemaker_emulator.faults import HTTP, IN_PROCESS, Transport
from sagemaker_emulator.rules import VARIANTS

from .conftest import FULL

PROFILE = sweep.FULL if FULL else sweep.REDUCED


def swept_everything(result: dict[str, Any], transport: Transport) -> None:
    """Every scenario of the transport ran, with every kind of it, at the calls the profile
    picks (every call in the full sweep), each hitting the call it was aimed at."""
    mine = [s for s in SCENARIOS if transport in s.transports]
    assert [s["scenario"] for s in result["scenarios"]] == [s.name for s in mine]
    expected = 0
    for swept in result["scenarios"]:
        assert swept["calls"] > 0, f"{swept['scenario']} made no SageMaker call: nothing swept"
        for kind in sweep.KINDS[transport]:
            wanted = sweep.picks(swept["operations"], kind, PROFILE)
            assert wanted, (swept["scenario"], kind)
            ran = [int(at) for at, cells in swept["cells"].items() if kind in cells]
            assert ran == wanted, (swept["scenario"], kind)
            expected += len(wanted)
    assert result["combinations"] == expected
    if FULL:
        calls = sum(s["calls"] for s in result["scenarios"])
        assert expected == calls * len(sweep.KINDS[transport]), "every combination"
    assert result["misses"] == 0


@pytest.mark.no_cover
@pytest.mark.requirement("fault-sweep")
def test_one_fault_of_any_kind_at_any_call_of_any_action_breaks_no_invariant():
    result = sweep.sweep(PROFILE, transports=(IN_PROCESS,), variants=FULL)
    figures.keep("fault_sweep_in_process", result)
    swept_everything(result, IN_PROCESS)
    if FULL:
        assert result["variants"]["runs"] > 0
        assert result["variants"]["misses"] == 0
    assert sweep.problems_of(result) == []


@pytest.mark.server
@pytest.mark.requirement("fault-sweep")
def test_an_answer_lost_or_trickled_at_any_call_of_a_change_breaks_no_invariant():
    result = sweep.sweep(PROFILE, transports=(HTTP,))
    figures.keep("fault_sweep_http", result)
    swept_everything(result, HTTP)
    assert sweep.problems_of(result) == []


# What the sweep found, fixed: an alias taken from its holder, the answer lost, while the alias
# index lags (the holder was then asked "who holds it?" by alias, and the index named the holder).

# Every rule at its default variant but the alias index, lagging: whatever variants the
# environment chooses (make test-variants), this is the case the sweep found.
LAGGING_ALIAS_INDEX = {rule: values[0] for rule, values in VARIANTS.items()}
LAGGING_ALIAS_INDEX["alias_index"] = "lagging"


@pytest.mark.rules_independent
@pytest.mark.parametrize("name", ["create-replacement", "update-alias-move"])
def test_an_alias_taken_whose_answer_is_lost_moves_while_the_alias_index_lags(name):
    scenario = BY_NAME[name]
    made, problems = sweep.run_one(scenario, IN_PROCESS, None, LAGGING_ALIAS_INDEX)
    assert problems == []
    taking = next(i for i, c in enumerate(made.calls) if "AliasesToDelete" in c.params)
    base = sweep.baseline(scenario, IN_PROCESS, LAGGING_ALIAS_INDEX)
    fault = Fault(taking, "truncated")
    run = sweep.run_combination(scenario, IN_PROCESS, base, fault, variant=LAGGING_ALIAS_INDEX)
    assert run.hit, run.problems
    assert run.problems == []


# The sweep's own checks: it sees what breaks, and it knows when it missed.


def _leaves_a_version_nobody_owns(w: World) -> Expected:
    """CREATE, with a version made out of band beforehand that no resource owns."""
    w.sagemaker.create_image_version(ImageName=IMAGE, BaseImage=base("stray"), ClientToken="x")
    w.operate("CREATE", {"ImageName": IMAGE, "BaseImage": base("1"), "Aliases": ["a"]})
    return Expected({OPERATED: Want(frozenset({"a"}))})


def test_a_version_no_resource_owns_is_a_violation():
    stray = Scenario("stray", "CREATE", _leaves_a_version_nobody_owns)
    _, problems = sweep.run_one(stray, IN_PROCESS, None)
    assert any("orphan: version 1" in p for p in problems), problems


def test_a_final_state_other_than_the_one_asked_for_is_a_violation():
    def asks_for_more(w: World) -> Expected:
        w.operate("CREATE", {"ImageName": IMAGE, "BaseImage": base("1"), "Aliases": ["a"]})
        return Expected({OPERATED: Want(frozenset({"a", "b"}))}, model={"Aliases": ["a", "b"]})

    _, problems = sweep.run_one(Scenario("more", "CREATE", asks_for_more), IN_PROCESS, None)
    assert any("holds aliases ['a'], not ['a', 'b']" in p for p in problems), problems
    assert any("final model's Aliases" in p for p in problems), problems


def test_a_fault_that_misses_the_call_it_was_aimed_at_is_a_violation_of_the_sweep():
    update = next(s for s in SCENARIOS if s.name == "update")
    real = sweep.baseline(update, IN_PROCESS)
    assert real.operations[0] == "DescribeImageVersion"
    wrong = sweep.Baseline(("ListAliases", *real.operations[1:]), real.errors, (), 0.0)
    run = sweep.run_combination(update, IN_PROCESS, wrong, Fault(0, "http500"))
    assert not run.hit
    assert run.violated
    assert run.cell() == "MISS"


def test_the_reduced_sweep_picks_the_first_a_middle_and_the_last_call():
    reads = ["DescribeImageVersion"] * 9
    assert sweep.picks(reads[:1], "http500", sweep.REDUCED) == [0]
    assert sweep.picks(reads[:2], "http500", sweep.REDUCED) == [0, 1]
    assert sweep.picks(reads, "http500", sweep.REDUCED) == [0, 4, 8]
    assert sweep.picks(reads[:4], "trickle", sweep.FULL) == [0, 1, 2, 3]


def test_over_http_the_reduced_sweep_picks_the_calls_that_change_something():
    calls = ["DescribeImageVersion", "CreateImageVersion", "ListAliases"]
    calls += ["UpdateImageVersion", "DescribeImageVersion", "UpdateImageVersion"]
    assert sweep.picks(calls, "drop", sweep.REDUCED) == [1, 3, 5]
    assert sweep.picks(calls, "trickle", sweep.REDUCED) == [1]
    assert sweep.picks(calls, "drop", sweep.FULL) == list(range(6))
