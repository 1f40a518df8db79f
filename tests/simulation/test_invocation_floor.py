"""The floor the performance report gives for invocations per version without DependsOn: what no
handler can beat, even one told its place in the queue."""

import pytest

from benchmarks.costs import invocation_floor


def test_one_version_needs_one_invocation_per_free_window_and_callback_it_outlasts():
    assert invocation_floor(1, 20.0, 600.0, 28.0) == 1.0
    assert invocation_floor(1, 60.0, 600.0, 28.0) == 2.0
    # 28 s in the first invocation, then three of 28 + 60 s each
    assert invocation_floor(1, 28.0 + 3 * 88.0, 60.0, 28.0) == 4.0


def test_a_hundred_versions_of_60_s_need_over_four_invocations_each_with_600_s_callbacks():
    assert invocation_floor(100, 60.0, 600.0, 28.0) == pytest.approx(6.3)
    # longer callbacks lower the floor, towards one invocation and the one that sees CREATED
    assert invocation_floor(100, 60.0, 1200.0, 28.0) < 4.0
    assert invocation_floor(100, 60.0, 1e9, 28.0) == 2.0
    assert [invocation_floor(n, 60.0, 600.0, 28.0) for n in (1, 5, 25)] == sorted(
        invocation_floor(n, 60.0, 600.0, 28.0) for n in (1, 5, 25)
    )
