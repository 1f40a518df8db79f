"""Fixtures of the guarantee tests: the handler tests' own (the real Lambda entrypoint against
the emulator in process), SageMaker answers faked on the wire (:mod:`.wire`), and one virtual
clock for the handler, the emulator and CloudFormation (:mod:`.timeline`)."""

from collections.abc import Iterator

import pytest

from tests.handlers.conftest import (
    _mocked_aws,
    driver,
    emulator_controls,
    image,
    instant_clock,
    recorder,
    sm,
)

from .timeline import Timeline, on_virtual_time
from .wire import ENDPOINT, WireFaults, patch_endpoint

__all__ = [
    "_mocked_aws",
    "driver",
    "emulator_controls",
    "image",
    "instant_clock",
    "recorder",
    "sm",
    "wire_faults",
]


@pytest.fixture
def wire_faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireFaults]:
    """SageMaker's answers to planned attempts replaced on the wire (see :mod:`.wire`)."""
    faults = WireFaults()
    monkeypatch.setattr(ENDPOINT, "_do_get_response", patch_endpoint(faults))
    yield faults
    faults.clear()


@pytest.fixture
def timeline() -> Iterator[Timeline]:
    """One virtual clock for the handler, the emulator and CloudFormation's callback delays,
    and every SageMaker call on it (see :mod:`.timeline`)."""
    with on_virtual_time(Timeline()) as line:
        yield line
