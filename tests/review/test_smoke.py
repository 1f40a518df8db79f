from tests.review.fake import Durations, props, world


def test_plain_create(monkeypatch):
    with world(monkeypatch, create_seconds=10.0) as (clock, _sm, driver):
        Durations(driver, clock)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert clock.t < 1.05 * 10 + 10
