import pytest

from community_sagemaker_imageversion import waiting
from community_sagemaker_imageversion.waiting import Next

GRACE = waiting.READ_AFTER_WRITE_GRACE


@pytest.mark.parametrize(
    ("status", "since_create", "step"),
    [
        ("CREATED", 0.0, Next.FINISHED),
        ("CREATING", 0.0, Next.WAIT),
        ("CREATING", 10 * GRACE, Next.WAIT),
        ("CREATE_FAILED", 0.0, Next.FAILED),
        ("DELETING", 0.0, Next.FAILED),
        ("DELETE_FAILED", 0.0, Next.FAILED),
        (None, 0.0, Next.WAIT),  # not found right after the create: read-after-write lag
        (None, GRACE - 0.1, Next.WAIT),
        (None, GRACE, Next.GONE),
    ],
)
def test_after_create(status, since_create, step):
    assert waiting.after_create(status, since_create) is step


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


@pytest.mark.parametrize("requested", [False, True])
def test_a_version_missing_while_its_image_is_deleted_is_waited_for(requested):
    assert waiting.after_delete(None, requested, image_deleting=True) is Next.WAIT
    assert waiting.after_delete(None, requested, image_deleting=False) is Next.FINISHED


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("CREATED", Next.FINISHED),
        ("CREATING", Next.WAIT),
        ("DELETING", Next.GONE),
        (None, Next.GONE),
        ("CREATE_FAILED", Next.FAILED),
        ("DELETE_FAILED", Next.FAILED),
    ],
)
def test_before_update(status, step):
    assert waiting.before_update(status) is step


@pytest.mark.parametrize(
    ("status", "readable"),
    [
        ("CREATED", True),
        ("CREATING", True),
        ("CREATE_FAILED", True),
        ("DELETE_FAILED", True),
        ("DELETING", False),
        (None, False),
    ],
)
def test_read_reports_every_version_but_one_being_deleted(status, readable):
    assert waiting.is_readable(status) is readable


@pytest.mark.parametrize(
    ("image_status", "goes"),
    [(None, True), ("DELETING", True), ("CREATED", False), ("DELETE_FAILED", False)],
)
def test_versions_go_with_an_image_being_deleted(image_status, goes):
    assert waiting.versions_go_with_image(image_status) is goes


def test_a_call_is_attempted_a_bounded_number_of_times_with_growing_jittered_delays():
    delays = [waiting.retry_delay(n, draw=0.999) for n in range(waiting.CALL_ATTEMPTS)]
    assert delays[-1] is None, "the last attempt is not retried"
    assert all(d is not None for d in delays[:-1])
    retried = [d for d in delays[:-1] if d is not None]  # delays[:-1], as the floats they are
    assert retried == sorted(retried)
    assert all(d <= waiting.RETRY_CAP for d in retried)
    assert waiting.retry_delay(0, draw=0.0) == 0.05


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


@pytest.mark.parametrize(
    ("image_status", "not_found", "step"),
    [
        ("CREATING", False, Next.WAIT),
        ("UPDATING", False, Next.WAIT),
        ("CREATING", True, Next.WAIT),
        ("CREATED", True, Next.WAIT),
        ("CREATED", False, Next.AGAIN),
        ("DELETING", False, Next.FAILED),
        ("DELETING", True, Next.FAILED),
        ("CREATE_FAILED", False, Next.FAILED),
        ("UPDATE_FAILED", False, Next.FAILED),
        (None, True, Next.FAILED),
    ],
)
def test_a_refused_create_waits_only_for_an_image_that_will_take_it(image_status, not_found, step):
    assert waiting.after_image_refused(image_status, not_found=not_found) is step


@pytest.mark.parametrize("attempt", [4, 5, 1023, 1024, 10**6])
def test_busy_delays_stay_at_the_cap_however_many_retries(attempt):
    assert waiting.busy_delay(attempt, draw=0.999999) == pytest.approx(waiting.BUSY_CAP, rel=1e-5)
