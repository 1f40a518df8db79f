"""Properties of timing.busy_wait over every period a history or a context may give: a short
change is never waited for as if it lasted the period, and a long one is asked about a
geometric number of times, whatever the period."""

import math
import random

import hypothesis
from hypothesis import strategies as st

from community_sagemaker_imageversion import timing

PERIODS = st.floats(*timing.PERIOD_RANGE)
DRAWS = st.floats(0.0, 1.0, exclude_max=True)


@hypothesis.given(period=PERIODS, age=st.floats(0.0, 15.0), refusals=st.integers(1, 50), draw=DRAWS)
def test_a_young_change_is_waited_for_as_a_young_change_whatever_the_period(
    period, age, refusals, draw
):
    # a change 15 s old or less may last 30 s: back by then, spread over periods of 60 s at most
    wait = timing.busy_wait(1000.0, 1000.0 - age, period, refusals, draw)
    longest = timing.UNKNOWN_PERIOD - age + timing.BUSY_SPREAD_MAX * 2 * timing.UNKNOWN_PERIOD
    assert wait <= max(longest, timing.MIN_BUSY_WAIT)
    if refusals == 1:  # the first refusal: within a minute and a half
        assert wait <= 1.5 * 2 * timing.UNKNOWN_PERIOD


@hypothesis.given(period=PERIODS, draw=DRAWS)
def test_a_change_not_seen_is_waited_for_at_most_a_share_of_two_minutes_at_first(period, draw):
    wait = timing.busy_wait(1000.0, None, period, 1, draw)
    assert wait <= timing.UNSEEN_PERIOD * (timing.OVERDUE_SHARE + timing.BUSY_SPREAD)


@hypothesis.given(
    period=PERIODS,
    length=st.floats(60.0, 4 * 3600.0),
    seed=st.integers(0, 2**32 - 1),
)
@hypothesis.example(period=5.0, length=14398.0, seed=32961)  # (44 looks: the bound's first form)
def test_a_long_change_is_asked_about_a_geometric_number_of_times_whatever_the_period(
    period, length, seed
):
    draws = random.Random(seed)
    now, refusals = 1.0, 0
    while now < length:
        refusals += 1
        now += timing.busy_wait(now, 0.0, period, refusals, draws.random())
    # before the change is overdue: a few looks (at most one per spread period); after: each
    # look a quarter later than the last, counted from the shortest wait (MIN_BUSY_WAIT: with a
    # period of 5 s the first overdue looks are a second apart; counted from the shortest period,
    # as first written, a change of 4 hours behind a period of 5 s came out one look over)
    growth = math.log(1 + timing.OVERDUE_GROWTH)
    overdue_looks = math.log(length / timing.MIN_BUSY_WAIT) / growth
    assert refusals <= 8 + overdue_looks, f"{refusals} asks through a change of {length:.0f} s"
