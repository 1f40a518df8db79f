"""Images whose creation gaps are idle time, not how long a change takes, and another version
being changed now: one version made a week ago (the 'period' learned from creation gaps is a
week, so a create refused once waited MAX_GAP (600 s) for a change that ends in 9 s, then polled
its own 10 s create only after another 600 s), or versions made half an hour apart by a pipeline
(a period of 30 minutes: a lone create spread its next try over half of it)."""

import pytest

from tests.review.fake import Durations, props, world

WEEK = 7 * 24 * 3600.0
HALF_HOUR = 1800.0
HISTORIES = {
    "one version a week ago": (WEEK,),
    "versions half an hour apart": (3 * HALF_HOUR, 2 * HALF_HOUR, HALF_HOUR),
}
"""How long ago each of the image's versions was made, oldest first."""


def add_history(sm, ages):
    """The image's versions, CREATED ``ages`` seconds ago (oldest first, numbered from 1)."""
    for number, ago in enumerate(ages, start=1):
        sm.add(number, "CREATED", created_ago=ago)


@pytest.mark.parametrize("ages", HISTORIES.values(), ids=HISTORIES.keys())
def test_a_create_that_waited_its_turn_on_an_image_with_old_versions_is_not_delayed(
    monkeypatch, ages
):
    with world(monkeypatch, create_seconds=10.0) as (clock, sm, driver):
        add_history(sm, ages)
        sm.add(len(ages) + 1, "CREATING", created_ago=1.0, done_in=9.0)  # another resource's
        Durations(driver, clock)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        # the other create ends at 9 s, ours takes 10 s: finishing within 2 minutes is generous
        assert clock.t < 120.0, f"create took {clock.t:.0f} s"


def test_a_60s_create_after_waiting_its_turn_is_seen_within_its_latency_bound(monkeypatch):
    with world(monkeypatch, create_seconds=60.0) as (clock, sm, driver):
        sm.add(1, "CREATED", created_ago=WEEK)
        sm.add(2, "CREATING", created_ago=1.0, done_in=9.0)
        created_at = []
        sm.hook = lambda op: created_at.append(clock.t) if op == "CreateImageVersion" else None
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        seen_after = clock.t - created_at[-1]
        assert seen_after <= 1.05 * 60 + 10, f"a 60 s create was seen after {seen_after:.0f} s"


def test_deleting_two_versions_made_a_day_apart_does_not_wait_ten_minutes(monkeypatch):
    """A stack delete of versions added by stack updates on different days: the second delete,
    refused while the first version is DELETING (10 s), learns a 'period' of a day and waits
    the 600 s cap."""
    with world(monkeypatch, create_seconds=10.0) as (clock, sm, driver):
        sm.add(1, "CREATED", created_ago=2 * 86400.0)
        sm.add(2, "CREATED", created_ago=86400.0)
        sm.delete_image_version(ImageName="TrainingImage", Version=2)  # the other resource's
        out = driver.run("DELETE", props(ImageVersionArn=sm.arn(1), Version=1))
        assert out.status == "SUCCESS", out.final
        assert clock.t < 120.0, f"delete took {clock.t:.0f} s"


def test_a_delete_behind_an_unlisted_deletion_on_a_paced_image_is_not_delayed(monkeypatch):
    """Twelve versions made half an hour apart: another resource deletes the oldest (not among
    the latest versions a refused change reads), ours the second oldest; a delete spread its
    next try over half the 30-minute 'period'."""
    with world(monkeypatch, create_seconds=10.0) as (clock, sm, driver):
        add_history(sm, [(13 - number) * HALF_HOUR for number in range(1, 13)])
        sm.delete_image_version(ImageName="TrainingImage", Version=1)  # the other resource's
        out = driver.run("DELETE", props(ImageVersionArn=sm.arn(2), Version=2))
        assert out.status == "SUCCESS", out.final
        assert clock.t < 120.0, f"delete took {clock.t:.0f} s"
