"""The deadline of one invocation, its call admission, and the clock seam."""

import pytest

from community_sagemaker_imageversion import invocation, timing
from community_sagemaker_imageversion.invocation import Invocation
from community_sagemaker_imageversion.timing import (
    ATTEMPT_MINIMUM,
    CONNECT_TIMEOUT,
    CONTRACT_SECONDS,
    MIN_STEP,
    READ_TIMEOUT,
    SAFETY_MARGIN,
    attempt_timeout,
    budget,
)


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def monotonic(self):
        return self.now

    def wall(self):
        return 1_700_000_000.0 + self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def random(self):
        return 0.5


@pytest.fixture
def clock():
    fake = FakeClock()
    previous = invocation.use_clock(fake)
    yield fake
    invocation.use_clock(previous)


@pytest.mark.parametrize(
    ("remaining", "seconds"),
    [
        (120.0, CONTRACT_SECONDS - SAFETY_MARGIN),  # never past the 60 s of the contract
        (60.0, 60.0 - SAFETY_MARGIN),
        (20.0, 20.0 - SAFETY_MARGIN),
        (SAFETY_MARGIN + MIN_STEP + 1, MIN_STEP + 1),
        (SAFETY_MARGIN, MIN_STEP),  # less than the margin: still one step
        (0.0, MIN_STEP),
        (-3.0, MIN_STEP),
        (None, timing.DEFAULT_REMAINING - SAFETY_MARGIN),
    ],
)
def test_budget_is_the_time_left_less_the_margin_and_never_less_than_one_step(remaining, seconds):
    assert budget(remaining) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("left", "timeout"),
    [
        (60.0, READ_TIMEOUT),
        (CONNECT_TIMEOUT + 4.0, 4.0),
        (ATTEMPT_MINIMUM, ATTEMPT_MINIMUM - CONNECT_TIMEOUT),
        (ATTEMPT_MINIMUM - 0.01, None),
        (0.0, None),
        (-5.0, None),
    ],
)
def test_an_attempt_reads_no_longer_than_the_time_left_allows(left, timeout):
    assert attempt_timeout(left) == (pytest.approx(timeout) if timeout else None)


def test_pauses_only_while_an_attempt_still_fits_after_them(clock):
    call = Invocation(started=100.0, deadline=100.0 + ATTEMPT_MINIMUM + 2.0)
    assert call.pause(1.5)
    assert not call.pause(1.0), "no attempt would fit after it"
    assert call.pause(0.5)
    assert not call.pause(0.01)
    assert clock.slept == [1.5, 0.5]
    assert call.has_time(0.0)
    assert not call.has_time(0.01)
    assert call.attempt_timeout() == pytest.approx(ATTEMPT_MINIMUM - CONNECT_TIMEOUT)
    clock.now += 0.01
    assert call.attempt_timeout() is None


def test_the_entrypoint_starts_the_invocation_with_the_lambda_time_left(clock):
    class Context:
        def get_remaining_time_in_millis(self):
            return 30_000

    token = invocation.begin(Context())
    try:
        current = Invocation.current()
        assert current.started == clock.now
        assert current.deadline == pytest.approx(clock.now + 30.0 - SAFETY_MARGIN)
        clock.now += 2.0
        assert Invocation.current() is current, "one invocation, started when the event came"
    finally:
        invocation.end(token)
    unbound = Invocation.current()
    assert unbound.deadline == pytest.approx(clock.now + budget(None))


def test_the_clock_seam_is_the_only_time_the_package_reads(clock):
    call = Invocation.starting(0.0)
    assert call.started == clock.now
    assert call.pause(0.25)
    assert clock.slept == [0.25]
