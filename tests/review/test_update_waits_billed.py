"""UPDATE (and DELETE before its DeleteImageVersion) settle with since=None: every invocation
counts the change's age from its own start, while handbacks grows, so from the second invocation
on waits_past_free_window always holds and each invocation polls until its deadline (55 s):
~25 billed seconds of waiting per invocation, every 0.75 s a DescribeImageVersion."""

from tests.review.fake import Durations, props, world


def _billed(spans):
    return sum(max(0.0, s - 30.0) for s in spans)


CHANGE_SECONDS = 300.0


def _create_billed(monkeypatch) -> float:
    """The billed seconds of a create whose version takes as long (the invocation bound's own
    price: README "some invocations wait past their 30 s so that a creation of X seconds takes
    at most ceil(X / 60) + 1 invocations"); waiting until each deadline bills about twice that."""
    with world(monkeypatch, create_seconds=CHANGE_SECONDS) as (clock, _sm, driver):
        d = Durations(driver, clock)
        assert driver.run("CREATE", props()).status == "SUCCESS"
        return _billed(d.spans)


def test_an_update_of_a_version_still_being_created_bills_no_waiting(monkeypatch):
    create = _create_billed(monkeypatch)
    with world(monkeypatch) as (clock, sm, driver):
        sm.add(1, "CREATING", created_ago=5.0, done_in=CHANGE_SECONDS)
        model = props(ImageVersionArn=sm.arn(1), Version=1)
        d = Durations(driver, clock)
        out = driver.run("UPDATE", props(Aliases=[]), previous=model)
        assert out.status == "SUCCESS", out.final
        assert _billed(d.spans) <= create + 1.0, (
            f"{_billed(d.spans):.0f} billed, create {create:.0f}"
        )


def test_a_delete_of_a_version_still_being_created_bills_no_waiting(monkeypatch):
    create = _create_billed(monkeypatch)
    with world(monkeypatch) as (clock, sm, driver):
        sm.add(1, "CREATING", created_ago=5.0, done_in=CHANGE_SECONDS)
        model = props(ImageVersionArn=sm.arn(1), Version=1)
        d = Durations(driver, clock)
        out = driver.run("DELETE", model)
        assert out.status == "SUCCESS", out.final
        assert _billed(d.spans) <= create + 1.0, (
            f"{_billed(d.spans):.0f} billed, create {create:.0f}"
        )
