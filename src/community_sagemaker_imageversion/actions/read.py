"""READ: the version the model names, as SageMaker holds it, with its aliases (one invocation:
READ cannot call back).

NotFound once the version is confirmed not there (within this invocation, ``locate``), is being
deleted, goes with its image being deleted, or is made from another BaseImage than the model's.
``ImageName`` is reported as the model spells it; the model's write-only ``Alias`` is left out of
``Aliases`` (``translation.reported_aliases``).
"""

from __future__ import annotations

from ..decisions import is_readable, versions_go_with_image
from ..engine import Action, Done, Step, Wait
from ..sagemaker import ImageGoing
from ..translation import model_from_api
from .locate import locate, not_found


def reading(step: Step) -> Done | Wait:
    model = step.desired
    found = locate(step, model)
    if isinstance(found, Wait):
        return found
    if isinstance(found, ImageGoing):
        raise not_found(f"{model.ImageVersionArn if model else None} (its image is being deleted)")
    gone = not is_readable(found.status) or versions_go_with_image(
        step.sagemaker.image_status(found.name)
    )
    if gone:
        raise not_found(found.arn)
    aliases = step.sagemaker.version_aliases(found.name, found.number)
    return Done(model_from_api(found.spelled, found.shown.description, aliases, model))


ACTION = Action("READ", "read", {"read": reading}, synchronous=True)
