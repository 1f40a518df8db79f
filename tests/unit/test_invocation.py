from community_sagemaker_imageversion.invocation import SAFETY_MARGIN, Invocation


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_waits_only_while_the_safety_margin_stays_free():
    clock = FakeClock()
    invocation = Invocation(deadline=100.0 + SAFETY_MARGIN + 2.0, clock=clock, sleep=clock.sleep)
    assert invocation.wait(1.5)
    assert not invocation.wait(1.0), "would eat into the safety margin"
    assert invocation.wait(0.5)
    assert not invocation.wait(0.01)
    assert clock.slept == [1.5, 0.5]
    assert invocation.has_time(0.0), "exactly the safety margin is left"
    assert not invocation.has_time(0.01)


def test_has_time_counts_the_seconds_asked_for():
    clock = FakeClock()
    invocation = Invocation(deadline=100.0 + SAFETY_MARGIN + 1.0, clock=clock, sleep=clock.sleep)
    assert invocation.has_time()
    assert invocation.has_time(1.0)
    assert not invocation.has_time(1.01)


def test_an_invocation_without_time_never_sleeps():
    clock = FakeClock()
    invocation = Invocation(deadline=100.0 + SAFETY_MARGIN - 1, clock=clock, sleep=clock.sleep)
    assert not invocation.wait(0.25)
    assert clock.slept == []
