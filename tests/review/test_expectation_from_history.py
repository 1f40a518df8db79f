"""A create that makes its version at the first try polls it as often as an image with no history
would (0.25 s, 0.5 s, then every 0.75 s) unless it learns how long a change of the image takes:
in a DependsOn chain of 60 s versions that was 37 calls a version where 9 do. It learns it from
the image's latest versions (one ListImageVersions), and only where those are a usable guide."""

import pytest

from tests.botocore_errors import client_error
from tests.review.fake import props, world

SECONDS = 55.0


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
        # polled a few times, not every 0.75 s for its first 25 s (over 30 polls)
        assert sm.count("DescribeImageVersion") <= 10


@pytest.mark.parametrize(
    "history",
    [
        pytest.param([], id="the image's first version"),
        pytest.param([2 * 3600.0, 3 * 3600.0], id="versions hours apart"),
    ],
)
def test_with_nothing_to_learn_from_a_quick_version_is_seen_within_a_second(monkeypatch, history):
    with world(monkeypatch, create_seconds=5.0) as (clock, sm, driver):
        if history:
            _created_after(sm, history, last_ago=history[-1])
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert clock.t <= 5.0 + 1.0
        # the image's first version is not asked about its predecessors
        assert sm.count("ListImageVersions") == (1 if history else 0)


def test_a_throttled_look_at_the_history_costs_no_callback_and_no_failure(monkeypatch):
    with world(monkeypatch, create_seconds=5.0) as (clock, sm, driver):
        _created_after(sm, [60.0, 60.0])
        throttled = client_error("ThrottlingException", "ListImageVersions", message="slow down")
        sm.fail["ListImageVersions"] = [throttled] * 10
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert len(out.events) == 1  # one invocation: the throttling was not handed back
        assert sm.count("ListImageVersions") >= 2  # asked again, inside the invocation
        # then it polls as for an image with no history
        assert clock.t <= 5.0 + 1.0
