"""Fixtures of the adversarial review tests: the guarantee tests' own (the real Lambda
entrypoint against the emulator in process, answers faked on the wire, one virtual clock)."""

from tests.guarantees.conftest import (
    _mocked_aws,
    driver,
    emulator_controls,
    image,
    instant_clock,
    recorder,
    sm,
    timeline,
    wire_faults,
)

__all__ = [
    "_mocked_aws",
    "driver",
    "emulator_controls",
    "image",
    "instant_clock",
    "recorder",
    "sm",
    "timeline",
    "wire_faults",
]
