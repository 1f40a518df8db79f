"""UPDATE (and DELETE before its DeleteImageVersion) settle with since=None: every invocation
counts the change's age from its own start, while handbacks grows, so from the second invocation
on waits_past_free_window always holds and each invocation polls until its deadline (55 s):
~25 billed seconds of waiting per invocation, every 0.75 s a DescribeImageVersion."""

from tests.review.fake import Durations, props, world


def _billed(spans):
    return sum(max(0.0, s - 30.0) for s in spans)


def test_an_update_of_a_version_still_being_created_bills_no_waiting(monkeypatch):
    with world(monkeypatch) as (clock, sm, driver):
        sm.add(1, "CREATING", created_ago=5.0, done_in=300.0)
        model = props(ImageVersionArn=sm.arn(1), Version=1)
        d = Durations(driver, clock)
        out = driver.run("UPDATE", props(Aliases=[]), previous=model)
        assert out.status == "SUCCESS", out.final
        # the create's README figure: a 300 s change costs about 48 billed seconds
        assert _billed(d.spans) < 60, f"{_billed(d.spans):.0f} billed seconds"


def test_a_delete_of_a_version_still_being_created_bills_no_waiting(monkeypatch):
    with world(monkeypatch) as (clock, sm, driver):
        sm.add(1, "CREATING", created_ago=5.0, done_in=300.0)
        model = props(ImageVersionArn=sm.arn(1), Version=1)
        d = Durations(driver, clock)
        out = driver.run("DELETE", model)
        assert out.status == "SUCCESS", out.final
        assert _billed(d.spans) < 60, f"{_billed(d.spans):.0f} billed seconds"
