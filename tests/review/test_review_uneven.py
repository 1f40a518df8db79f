"""Adversarial review of d92639d (busy_wait's ``lengths``: a waiting change that has seen the
queue move and outlasts the period is expected at the next recent gap between the image's
creations; ``timing.joined_plausibly``), withdrawn after it: these tests keep any rule that takes
a gap between creations for a change's length from leaving the image idle. Through the Lambda
entrypoint, on tests/review/fake.py."""

from __future__ import annotations

import pytest

from tests.review.fake import FakeSageMaker, props, scripted, world


def _asks(sm: FakeSageMaker) -> list[float]:
    return [t for t, op in sm.calls if op == "CreateImageVersion"]


def _idle_before_success(
    monkeypatch: pytest.MonkeyPatch, schedule: list[tuple[float, float]], draw: float
) -> tuple[float, list[float]]:
    """Seconds the image stood free after the schedule's last change ended before the create
    (the only one waiting) asked and got it, and its asks; every draw is ``draw``."""
    with world(monkeypatch, create_seconds=40.0) as (clock, sm, driver):
        monkeypatch.setattr(clock, "random", lambda: draw)
        scripted(sm, schedule)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        asks = _asks(sm)
        began, length = schedule[-1]
        return asks[-1] - (began + length), asks


@pytest.mark.parametrize(("draw", "bound"), [(0.1, 20.0), (0.5, 60.0)])
def test_a_change_just_over_the_period_is_not_expected_at_a_pipelines_idle_gap(
    monkeypatch: pytest.MonkeyPatch, draw: float, bound: float
) -> None:
    """A pipeline made the image's versions 115 s apart (40 s creations, then idle); then a
    stack's three versions queue on it, 40 s, 40 s and 48 s (creations take 40 to 90 s), and
    one more create waits behind them. By the 48 s change it has seen the queue move and
    learned the period (40 s); at 40 s the change is overdue, and the new rule expects it at
    the next recent gap longer than its age, 115 s: the pipeline's idle time. The change ends
    at 48 s and the image stands free for over a minute (106 s at draw 0.5, 69 s at 0.1)
    before the create asks; on the parent (d92639d^) the overdue change is looked at again a
    few seconds on (idle 2 s at draw 0.1; 34 s at draw 0.5, where the spread skips an end).
    The rule was withdrawn: gaps are not taken as lengths (nor will be, while this holds)."""
    schedule = [(-345.0, 40.0), (-230.0, 40.0), (-115.0, 40.0), (-1.0, 40.0), (39.0, 40.0)]
    schedule.append((79.0, 48.0))
    idle, asks = _idle_before_success(monkeypatch, schedule, draw)
    assert idle <= bound, f"image free {idle:.0f} s before the create asked: {asks}"


def test_a_change_just_over_the_period_is_not_expected_at_a_missed_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A queue of 40 s creations in which one end went unasked (the image idle 49 s, two
    creations 89 s apart); the create that waits behind the next two sees the queue move, and
    the second (46 s) outlasts the period at its ask: it is expected at 89 s, and the image
    stands free 45 s before the create asks (3 s on the parent, which looks again a few
    seconds on). Passes since the rule was withdrawn, as the test above."""
    schedule = [(-130.0, 40.0), (-90.0, 40.0), (-1.0, 40.0), (39.0, 46.0)]
    idle, asks = _idle_before_success(monkeypatch, schedule, 0.1)
    assert idle <= 20.0, f"image free {idle:.0f} s before the create asked: {asks}"
