"""The engine's tests run through the entrypoint with the handler tests' fixtures."""

from tests.handlers.conftest import (  # noqa: F401 (fixtures)
    _mocked_aws,
    driver,
    emulator_controls,
    image,
    instant_clock,
    sm,
)
