"""A create that makes its version at the first try polls it as an image with no history would
(at once, at 2 s, then on a 5 s grid) unless it learns how long a change of the image takes: in a
DependsOn chain of 60 s versions that is 13 calls a version where 9 do. It learns it from
the image's latest versions (one ListImageVersions), only where those say a change is long, and
the look never fails, slows or bills the create."""

import math

import pytest
from botocore.exceptions import BotoCoreError, ReadTimeoutError

from community_sagemaker_imageversion import timing
from tests.botocore_errors import client_error
from tests.review.fake import Durations, props, world

SECONDS = 55.0
CALL_TIME = 0.5


def seen_by(seconds: float) -> float:
    """The promise for a change of ``seconds`` polled on the grid: within 2 s of the 5 s poll of
    AWS's own handler (the calls' own time aside)."""
    return 5.0 * math.ceil(seconds / 5.0) + 2.0 + CALL_TIME


def _created_after(sm, gaps: list[float], last_ago: float = 60.0) -> None:
    """Versions 1..n, CREATED, each created ``gaps`` seconds after the one before it, the last one
    ``last_ago`` seconds ago (SageMaker makes one version of an image at a time: a gap is at
    least the change it follows)."""
    ago = last_ago + sum(gaps)
    for number, gap in enumerate([0.0, *gaps], start=1):
        ago -= gap
        sm.add(number, "CREATED", created_ago=ago)


def test_a_version_made_after_a_chain_of_its_image_polls_sparsely_and_is_seen_in_time(
    monkeypatch,
):
    with world(monkeypatch, create_seconds=SECONDS) as (clock, sm, driver):
        _created_after(sm, [60.0, 61.0, 60.5])
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert out.final["resourceModel"]["Version"] == 5
        assert sm.count("ListImageVersions") == 1
        # seen within the latency bound for a long change, whatever was expected
        assert clock.t <= 1.05 * SECONDS + 10.0
        # polled a few times, fewer than on the grid (13 polls by 55 s)
        assert sm.count("DescribeImageVersion") <= 10


@pytest.mark.parametrize(
    ("history", "last_ago"),
    [
        pytest.param([], 0.0, id="the image's first version"),
        pytest.param([2 * 3600.0, 3 * 3600.0], 3 * 3600.0, id="versions hours apart"),
        pytest.param([30.0, 30.0, 30.0], 30.0, id="versions under a minute apart"),
    ],
)
def test_where_the_history_says_no_long_change_a_quick_version_is_seen_on_the_grid(
    monkeypatch, history, last_ago
):
    with world(monkeypatch, create_seconds=5.0) as (clock, sm, driver):
        if history:
            _created_after(sm, history, last_ago=last_ago)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert clock.t <= seen_by(5.0)
        # the image's first version is not asked about its predecessors
        assert sm.count("ListImageVersions") == (1 if history else 0)


@pytest.mark.parametrize(("seconds", "dispatch"), [(3.0, 2.0), (8.0, 3.0), (20.0, 10.0)])
def test_a_chain_of_quick_versions_stays_quick(monkeypatch, seconds, dispatch):
    """Each version of a DependsOn chain starts ``dispatch`` seconds after the one before it
    succeeded (CloudFormation starting the next resource): the gaps between creations count that
    and the last poll's lag, so a sparse poll would widen the next gap, and so on."""
    with world(monkeypatch, create_seconds=seconds) as (clock, sm, driver):
        for _ in range(20):
            clock.t += dispatch
            start = clock.t
            out = driver.run("CREATE", props())
            assert out.status == "SUCCESS", out.final
            assert clock.t - start <= seen_by(seconds)
        assert sorted(sm.versions) == list(range(1, 21))  # each made once


def test_a_chain_whose_next_resource_starts_late_costs_at_most_the_documented_price(monkeypatch):
    """With 30 s between one version's end and the next one's start, the gaps of a chain of 20 s
    versions pass LONG_CHANGE: each is then seen up to about 9 s late, no later."""
    with world(monkeypatch, create_seconds=20.0) as (clock, sm, driver):
        for _ in range(10):
            clock.t += 30.0
            start = clock.t
            out = driver.run("CREATE", props())
            assert out.status == "SUCCESS", out.final
            assert len(out.events) == 1
            assert clock.t - start <= 20.0 + 1.0 + 9.5
        assert sorted(sm.versions) == list(range(1, 11))  # each made once


def test_a_version_that_fails_is_deleted_without_the_creations_expectation(monkeypatch):
    with world(monkeypatch, create_seconds=5.0) as (clock, sm, driver):
        _created_after(sm, [60.0, 60.0, 60.0])
        sent: list[float] = []

        def fail_when_done(operation: str) -> None:
            version = sm.versions.get(5)
            if version and version["status"] == "CREATED":
                version["status"] = "CREATE_FAILED"
            if operation == "DeleteImageVersion":
                sent.append(clock.t)

        sm.hook = fail_when_done
        out = driver.run("CREATE", props())
        assert out.error_code == "NotStabilized", out.final
        assert 5 not in sm.versions
        assert len(sent) == 1
        # the delete takes 5 s (as a create here): seen gone on the grid, and made sure of with
        # one more read (timing.ABSENT_SPACING later)
        assert clock.t - sent[0] <= seen_by(5.0) + timing.ABSENT_SPACING


def test_an_answer_it_cannot_read_fails_nothing(monkeypatch):
    with world(monkeypatch, create_seconds=5.0) as (clock, sm, driver):
        _created_after(sm, [60.0, 60.0])
        listed = sm.list_image_versions

        def without_times(**kw):
            answer = listed(**kw)
            for item in answer["ImageVersions"]:
                item["CreationTime"] = None
            return answer

        sm.list_image_versions = without_times  # type: ignore[method-assign]
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert clock.t <= seen_by(5.0)


@pytest.mark.parametrize(
    "code",
    [
        "ResourceInUse",
        "SomeNewError",
        "ExpiredTokenException",
        "ThrottlingException",
        "BotoCoreError",
    ],
)
def test_a_failed_look_at_the_history_fails_nothing_and_is_not_asked_again(monkeypatch, code):
    with world(monkeypatch, create_seconds=5.0) as (clock, sm, driver):
        _created_after(sm, [60.0, 60.0])
        failure = BotoCoreError() if code == "BotoCoreError" else None
        error = failure or client_error(code, "ListImageVersions", message="no")
        sm.fail["ListImageVersions"] = [error] * 5
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert len(out.events) == 1  # one invocation: nothing was handed back
        assert sm.count("ListImageVersions") == 1
        # it polls as for an image with no history
        assert clock.t <= seen_by(5.0)


def test_a_look_at_the_history_that_times_out_bills_no_second(monkeypatch):
    with world(monkeypatch, create_seconds=5.0) as (clock, sm, driver):
        _created_after(sm, [60.0, 60.0])
        durations = Durations(driver, clock)

        def time_out(operation: str) -> None:
            if operation == "ListImageVersions":
                clock.t += 10.0  # the call's read timeout
                timeout = ReadTimeoutError(endpoint_url="https://api.sagemaker")
                sm.fail.setdefault(operation, []).insert(0, timeout)

        sm.hook = time_out
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert sm.count("ListImageVersions") == 1
        assert max(durations.spans) <= 28.0
