"""Fixtures every test shares: an AWS environment that reaches only moto; clean transitions."""

from collections.abc import Iterator

import pytest
from moto.moto_api import state_manager

from sagemaker_emulator import install
from sagemaker_emulator.models import TRANSITION_MODELS

REGION = "us-east-1"

install()


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real profile, endpoint or key can leak into a test."""
    for name in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SAGEMAKER",
        "MOTO_ACCOUNT_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture(autouse=True)
def default_transitions() -> Iterator[None]:
    """Transitions are process-global and survive resets: restore the defaults after a test."""
    yield
    for model_name in TRANSITION_MODELS:
        state_manager.unset_transition(model_name)
