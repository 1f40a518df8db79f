"""Canaries: fail loudly when moto changes under the add-on (version, native support, dispatch)."""

from typing import Any

import moto
import pytest
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

import sagemaker_emulator
from sagemaker_emulator import MOTO_VERSION, InstallError, install
from sagemaker_emulator.responses import ACTIONS, ImageResponses

from .helpers import error_of


def test_moto_is_the_release_the_emulator_was_written_for() -> None:
    assert moto.__version__ == MOTO_VERSION, (
        f"moto is {moto.__version__}, the emulator targets {MOTO_VERSION}: check whether moto "
        "implements the SageMaker image operations now and whether SageMakerResponse still "
        "dispatches actions by snake_case method, then update sagemaker_emulator.MOTO_VERSION."
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_moto_does_not_implement_the_action_natively(action: str) -> None:
    # install() refuses to replace a native method, so after it every action must be ours.
    assert SageMakerResponse.__dict__.get(action) is ImageResponses.__dict__[action], (
        f"SageMakerResponse.{action} is not the emulator's: moto may implement it natively now"
    )
    assert not hasattr(SageMakerModelBackend, action), (
        f"moto's SageMaker backend now has {action}(): moto may implement the operation natively"
    )


def test_requests_are_dispatched_to_the_installed_methods(sm: Any) -> None:
    error = error_of(lambda: sm.describe_image(ImageName="absent"))
    assert (
        error["Message"]
        == "Image with ARN arn:aws:sagemaker:us-east-1:123456789012:image/absent does not exist."
    ), (
        "DescribeImage did not reach the emulator: moto no longer dispatches SageMaker actions "
        "to SageMakerResponse methods looked up at request time; install() must change."
    )


def test_install_is_idempotent() -> None:
    install()
    install()
    assert all(SageMakerResponse.__dict__[a] is ImageResponses.__dict__[a] for a in ACTIONS)


def test_install_refuses_another_moto_release(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto, "__version__", "9.9.9")
    with pytest.raises(InstallError, match=r"written for moto 5\.2\.5, found 9\.9\.9"):
        sagemaker_emulator.install()


def test_install_refuses_to_hide_a_native_method(monkeypatch: pytest.MonkeyPatch) -> None:
    def native(self: SageMakerResponse) -> None:
        raise AssertionError("never called")

    monkeypatch.setattr(SageMakerResponse, "list_aliases", native)
    with pytest.raises(InstallError, match="already defines 'list_aliases'"):
        install()
