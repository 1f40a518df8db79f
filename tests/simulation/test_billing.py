"""The billing model and the request rate, pure."""

import pytest

from simulation.billing import Invocation, bill
from simulation.service import TokenBucket, peak_rate


def test_each_invocation_is_billed_and_seconds_above_30_are_extra():
    create = [Invocation(0.0, 28.0), Invocation(40.0, 95.0)]  # the second runs 55 s
    delete = [Invocation(100.0, 101.0)]
    charge = bill([create, delete])
    assert (charge.invocations, charge.actions) == (3, 2)
    assert charge.seconds_over_30 == pytest.approx(25.0)
    assert charge.strict_dollars == pytest.approx(3 * 0.0009 + 25 * 0.00008)
    assert charge.lenient_dollars == pytest.approx(2 * 0.0009 + 25 * 0.00008)


def test_a_callback_costs_about_eleven_seconds_of_waiting_past_30():
    one_long = bill([[Invocation(0.0, 41.25)]])
    two_short = bill([[Invocation(0.0, 20.0), Invocation(30.0, 50.0)]])
    assert one_long.strict_dollars == pytest.approx(two_short.strict_dollars)


def test_the_token_bucket_admits_its_burst_then_its_rate():
    bucket = TokenBucket(rate=5.0, burst=5.0)
    assert [bucket.take(0.0) for _ in range(6)] == [True] * 5 + [False]
    assert bucket.take(0.2)  # one token back after 1/5 s
    assert not bucket.take(0.2)
    assert [bucket.take(10.0) for _ in range(6)] == [True] * 5 + [False]


def test_the_peak_rate_is_the_busiest_second():
    assert peak_rate([]) == 0
    assert peak_rate([0.0, 0.5, 0.99, 1.0, 3.0]) == 3
    assert peak_rate([0.1 * n for n in range(20)]) == 10
