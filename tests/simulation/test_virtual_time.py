"""The virtual clock: tasks run one at a time, in wake-up order, and waits take no real time."""

import time

import pytest

from simulation.virtual_time import EPOCH, VirtualTime


def test_tasks_run_in_wake_up_order_on_virtual_time():
    clock = VirtualTime()
    seen: list[tuple[str, float]] = []

    def task(name: str, pause: float) -> None:
        for _ in range(3):
            clock.sleep(pause)
            seen.append((name, clock.now))

    clock.spawn("slow", lambda: task("slow", 10.0))
    clock.spawn("quick", lambda: task("quick", 4.0))
    started = time.monotonic()
    clock.run()
    assert time.monotonic() - started < 5.0, "virtual waits took real time"
    assert seen == [
        ("quick", 4.0),
        ("quick", 8.0),
        ("slow", 10.0),
        ("quick", 12.0),
        ("slow", 20.0),
        ("slow", 30.0),
    ]
    assert clock.wall() == EPOCH + 30.0


def test_ties_go_to_the_task_scheduled_first_and_spawned_tasks_start_later():
    clock = VirtualTime()
    order: list[str] = []

    def parent() -> None:
        clock.sleep(1.0)
        order.append("parent")
        clock.spawn("child", lambda: order.append(f"child at {clock.now:g}"), after=2.0)

    clock.spawn("a", lambda: order.append("a"))
    clock.spawn("b", lambda: order.append("b"))
    clock.spawn("parent", parent)
    clock.run()
    assert order == ["a", "b", "parent", "child at 3"]


def test_the_same_seed_draws_the_same_jitter():
    assert [VirtualTime(7).random() for _ in range(3)] == [VirtualTime(7).random()] * 3
    first, second = VirtualTime(7), VirtualTime(7)
    assert [first.random() for _ in range(5)] == [second.random() for _ in range(5)]
    assert [VirtualTime(8).random() for _ in range(5)] != [first.random() for _ in range(5)]


def test_an_error_in_a_task_is_raised_by_run():
    clock = VirtualTime()

    def failing() -> None:
        clock.sleep(5.0)
        raise ValueError("boom")

    clock.spawn("failing", failing)
    with pytest.raises(RuntimeError, match=r"task failing failed at t=5\.000") as caught:
        clock.run()
    assert isinstance(caught.value.__cause__, ValueError)


def test_outside_any_task_the_clock_simply_moves_on():
    clock = VirtualTime()
    clock.sleep(2.5)
    assert clock.now == 2.5
    assert not clock.in_task()
