"""UPDATE: locate the version CloudFormation knows the resource by, then converge its metadata
and aliases (``aliases``).

``update.locate`` finds the version the previous model names (``locate``; the desired model's
copy of the identifier may be stale): NotFound once it is confirmed not there, is being deleted,
or is made from another BaseImage than the previous model's. A change of ImageName (other than
in case) or BaseImage is NotUpdatable. A version still being created is waited for. A
CREATE_FAILED or DELETE_FAILED version, which SageMaker changes no more, passes an update that
asks for nothing new (so a rollback never sticks on it) and fails any other NotStabilized.
"""

from __future__ import annotations

from cloudformation_cli_python_lib import exceptions

from ..context import Watch
from ..decisions import Next as Decision
from ..decisions import before_update
from ..engine import Action, Done, Next, Step, Wait
from ..models import ResourceHandlerRequest, ResourceModel
from ..sagemaker import ImageGoing, version_label
from ..timing import poll_delay
from ..translation import update_plan
from ..validation import check_update
from . import aliases
from .locate import Found, locate, not_found


def locating(step: Step) -> Done | Next | Wait:
    """Phase ``update.locate`` (see the module docstring)."""
    desired, previous = step.wanted(), step.previous
    if previous is not None and previous.ImageVersionArn:
        found = locate(step, previous, desired.ImageName)
    else:
        # No stored model naming the version: no resource CloudFormation created (it keeps the
        # model its create returned), so no create's read-after-write lag to doubt through. A
        # BaseImage change is refused below as create-only.
        found = locate(step, desired, owned=False, shown=True)
    if isinstance(found, Wait):
        return found
    if isinstance(found, ImageGoing):
        raise not_found(f"{(previous or desired).ImageVersionArn} (its image is being deleted)")
    step.context.version = found.tracked()
    desired.ImageVersionArn = found.arn
    _refuse_create_only_changes(desired, previous, found)
    label = version_label(found.name, found.number)
    decision = before_update(found.status)
    if decision is Decision.GONE:
        raise not_found(f"{found.arn} (it is being deleted)")
    if decision is Decision.WAIT:
        watch = step.context.watch or Watch(since=step.now)
        watch.since = step.now if watch.since is None else watch.since
        step.context.watch = watch
        elapsed = step.now - watch.since
        return Wait(
            poll_delay(elapsed),
            f"{label} is still being created: updating it once it is",
            watch.since,
        )
    description = found.shown.description
    current = step.sagemaker.version_aliases(found.name, found.number)
    if decision is Decision.FAILED:
        if not update_plan(desired, description, current).is_empty():
            reason = description.get("FailureReason")
            raise exceptions.NotStabilized(
                f"{label} is {found.status}"
                + (f": {reason}" if reason else " (SageMaker gave no reason)")
                + "; SageMaker cannot change it: replace it (change BaseImage) or delete it"
            )
        return aliases.final_model(step, description, current)
    return aliases.converge(step, description, current)


def _refuse_create_only_changes(
    desired: ResourceModel, previous: ResourceModel | None, found: Found
) -> None:
    """NotUpdatable when ImageName (other than in case) or BaseImage change: compared with the
    previous model, or with the version itself when CloudFormation sent no previous model."""
    description = found.shown.description
    before_name = previous.ImageName if previous and previous.ImageName else found.name
    before_base = (
        previous.BaseImage if previous and previous.BaseImage else description.get("BaseImage")
    )
    changed = []
    if str(desired.ImageName).lower() != str(before_name).lower():
        changed.append(f"ImageName ({before_name!r} -> {desired.ImageName!r})")
    if desired.BaseImage != before_base:
        changed.append(f"BaseImage ({before_base!r} -> {desired.BaseImage!r})")
    if changed:
        raise exceptions.NotUpdatable(
            "Create-only properties cannot change in place (CloudFormation replaces the version"
            f" instead): {', '.join(changed)}"
        )


def _check(request: ResourceHandlerRequest) -> None:
    check_update(request.desiredResourceState)


ACTION = Action(
    "UPDATE", "update.locate", {"update.locate": locating, **aliases.PHASES}, check=_check
)
