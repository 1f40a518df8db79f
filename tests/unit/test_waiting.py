import pytest

from community_sagemaker_imageversion import waiting
from community_sagemaker_imageversion.waiting import Next


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("CREATED", Next.FINISHED),
        ("CREATING", Next.WAIT),
        ("CREATE_FAILED", Next.FAILED),
        ("DELETING", Next.FAILED),
        ("DELETE_FAILED", Next.FAILED),
        (None, Next.GONE),
    ],
)
def test_after_create(status, step):
    assert waiting.after_create(status) is step


@pytest.mark.parametrize(
    ("status", "requested", "step"),
    [
        (None, False, Next.FINISHED),
        (None, True, Next.FINISHED),
        ("DELETING", False, Next.WAIT),
        ("DELETING", True, Next.WAIT),
        ("CREATING", False, Next.WAIT),
        ("CREATED", False, Next.DELETE),
        ("CREATE_FAILED", False, Next.DELETE),
        ("DELETE_FAILED", False, Next.DELETE),
        ("DELETE_FAILED", True, Next.FAILED),
    ],
)
def test_after_delete(status, requested, step):
    assert waiting.after_delete(status, requested) is step


def test_polls_start_quick_and_settle_under_one_second():
    delays = [waiting.poll_delay(n) for n in range(6)]
    assert delays == [0.25, 0.5, 0.75, 0.75, 0.75, 0.75]


def test_callback_delays_grow_to_a_cap():
    assert [waiting.callback_delay(n) for n in range(5)] == [5, 10, 20, 30, 30]


def test_busy_delay_is_full_jitter_under_a_growing_cap():
    assert waiting.busy_delay(0, draw=0.999) == pytest.approx(0.4995)
    assert waiting.busy_delay(3, draw=0.5) == pytest.approx(2.0)
    assert waiting.busy_delay(20, draw=0.999) == pytest.approx(waiting.BUSY_CAP * 0.999)
    assert waiting.busy_delay(5, draw=0.0) == 0.05
    draws = {waiting.busy_delay(4) for _ in range(50)}
    assert len(draws) > 1
    assert all(0.05 <= d <= waiting.BUSY_CAP for d in draws)


def test_busy_callback_delay_is_jittered_within_bounds():
    assert waiting.busy_callback_delay(0.0) == 1
    assert waiting.busy_callback_delay(0.999) == waiting.BUSY_CALLBACK_MAX
    assert {waiting.busy_callback_delay() for _ in range(100)} <= set(
        range(1, waiting.BUSY_CALLBACK_MAX + 1)
    )


def test_busy_budget():
    assert waiting.busy_budget_left(1000.0, 1000.0 + waiting.BUSY_BUDGET_SECONDS - 1)
    assert not waiting.busy_budget_left(1000.0, 1000.0 + waiting.BUSY_BUDGET_SECONDS)
