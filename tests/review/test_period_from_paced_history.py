"""An image whose versions were made half an hour apart (a pipeline adding one per run), and
another version being created now: the 'period' the creation gaps suggest is 30 minutes, while
the change in progress ends in 9 s. A refused create must not sleep through that on the word of
the history alone."""

from tests.review.fake import Durations, props, world

HALF_HOUR = 1800.0


def test_a_create_behind_an_image_whose_versions_came_half_an_hour_apart_is_not_delayed(
    monkeypatch,
):
    with world(monkeypatch, create_seconds=10.0) as (clock, sm, driver):
        sm.add(1, "CREATED", created_ago=3 * HALF_HOUR)
        sm.add(2, "CREATED", created_ago=2 * HALF_HOUR)
        sm.add(3, "CREATED", created_ago=HALF_HOUR)
        sm.add(4, "CREATING", created_ago=1.0, done_in=9.0)  # another resource's create
        Durations(driver, clock)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert clock.t < 120.0, f"create took {clock.t:.0f} s"


def test_a_delete_behind_an_unlisted_deletion_on_such_an_image_is_not_delayed(monkeypatch):
    """The same history, twelve versions: another resource deletes the oldest (not among the
    latest versions a refused change reads), ours the second oldest."""
    with world(monkeypatch, create_seconds=10.0) as (clock, sm, driver):
        for number in range(1, 13):
            sm.add(number, "CREATED", created_ago=(13 - number) * HALF_HOUR)
        sm.delete_image_version(ImageName="TrainingImage", Version=1)  # the other resource's
        out = driver.run("DELETE", props(ImageVersionArn=sm.arn(2), Version=2))
        assert out.status == "SUCCESS", out.final
        assert clock.t < 120.0, f"delete took {clock.t:.0f} s"
