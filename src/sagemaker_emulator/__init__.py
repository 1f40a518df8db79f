"""A moto add-on emulating SageMaker's Image, ImageVersion and alias operations.

moto 5.2.5 implements none of CreateImage, DescribeImage, DeleteImage, ListImages,
CreateImageVersion, DescribeImageVersion, UpdateImageVersion, DeleteImageVersion,
ListImageVersions and ListAliases. :func:`install` adds them, in process (``mock_aws``) and in
moto's server alike: moto dispatches a SageMaker action by name to the snake_case method of
``moto.sagemaker.responses.SageMakerResponse``, looked up on the class at request time, so
install() sets those methods on the class. The domain and its rules are :mod:`.models`, the
variants of the unknown rules :mod:`.rules`, validation :mod:`.validation`, test controls
:mod:`.control` (planned failures :mod:`.failures`, injected faults :mod:`.faults`, request rate
limits :mod:`.rate_limits`), the server :mod:`.server`. install() also puts the rate limits and
faults in front of moto's in-process answers (:mod:`.in_process`); the server puts them in front
of its HTTP answers.
"""

import functools

import moto
import moto.core.responses as moto_responses
from moto.core.utils import method_names_from_class
from moto.moto_api import state_manager
from moto.sagemaker.responses import SageMakerResponse

from . import in_process
from .models import DEFAULT_TRANSITIONS
from .responses import ACTIONS, ImageResponses

MOTO_VERSION = "5.2.5"
"""The moto release this add-on is written against; install() refuses any other."""


# moto lists a response class's methods (inspect.getmembers) for every request it answers: a
# twentieth of a handler test's time. They change only when install() adds the image actions.
_method_names = functools.cache(method_names_from_class)


class InstallError(RuntimeError):
    """moto is not the release, or no longer has the shape, this add-on was written for."""


def install() -> None:
    """Attach the image actions to moto's SageMakerResponse, and the controls' rate limits and
    faults to moto's in-process answers. Idempotent."""
    if moto.__version__ != MOTO_VERSION:
        raise InstallError(
            f"sagemaker_emulator is written for moto {MOTO_VERSION}, found {moto.__version__}: "
            "check whether moto now implements the image operations and how it dispatches "
            "SageMaker actions, then update MOTO_VERSION."
        )
    for action in ACTIONS:
        handler = ImageResponses.__dict__[action]
        existing = getattr(SageMakerResponse, action, None)
        if existing is handler:
            continue
        if existing is not None:
            raise InstallError(
                f"moto's SageMakerResponse already defines {action!r}: moto implements it "
                "natively now, so sagemaker_emulator would hide it."
            )
        setattr(SageMakerResponse, action, handler)
    for model_name, transition in DEFAULT_TRANSITIONS.items():
        state_manager.register_default_transition(model_name, transition)
    _method_names.cache_clear()
    moto_responses.method_names_from_class = _method_names  # type: ignore[attr-defined]
    in_process.install()
