"""Bring one version to the metadata and aliases its model asks for.

Used by UPDATE, and by CREATE once the new version is CREATED (a version is created without
aliases). One UpdateImageVersion sends only the difference (``translation.update_plan``). Then:

- An alias the version should get is *taken* from the sibling that holds it, the way a tag moves
  in a container registry: SageMaker may refuse an alias another version holds (with
  ValidationException, or with ResourceInUse) or move it itself. When it refuses, the holders
  are found (DescribeImageVersion by alias), and everything else in the update is sent first,
  without the held aliases: only once SageMaker has accepted it are the held aliases deleted
  from their holders and added here. So an update refused for any other reason (a value
  SageMaker does not accept) takes nothing from another version. A ResourceInUse that no alias
  explains is a busy image, retried with backoff.
- A refused update may have been applied already (its first answer was lost and the repeated
  request found the aliases gone): the version is read again and only what is still missing is
  sent. A refusal that reading again does not explain is InvalidRequest with SageMaker's reason.

Safe to run twice: a second run finds nothing left to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from cloudformation_cli_python_lib import exceptions

from . import TYPE_NAME
from . import sagemaker_calls as calls
from .errors import ImageBusy
from .invocation import Invocation
from .models import ResourceModel
from .progress import CallbackState
from .stabilisation import retry_while_busy, wait_out_busy
from .translation import UpdatePlan, applied, update_plan, update_request

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

LOG = logging.getLogger(__name__)
Description = dict[str, Any]
# Refused updates (and aliases taken back from siblings) one convergence sits out before it
# gives up: two resources claiming one alias would otherwise take it from each other forever.
MAX_REFUSALS = 4


def converge(
    client: SageMakerClient,
    name: str,
    version: int,
    desired: ResourceModel,
    seen: tuple[Description, frozenset[str]],
    *,
    state: CallbackState,
    invocation: Invocation,
) -> tuple[Description, frozenset[str]]:
    """The version's description and aliases once they are what ``desired`` asks for.

    ``seen`` is the description and the aliases as last read."""
    description, aliases = seen
    refusals = 0
    while True:
        plan = update_plan(desired, description, aliases)
        if plan.is_empty():
            return description, aliases
        refusal = _refusal(client, name, version, plan)
        if refusal is None:
            state.busySince = None
            return applied(description, plan, aliases)
        holders = _holders(client, name, version, plan.aliases_to_add)
        held = [alias for taken in holders.values() for alias in taken]
        if held:
            # Everything but the held aliases first: a refusal of that is not about aliases,
            # and takes nothing from another version.
            plan = plan.without_adding(held)
            refusal = None if plan.is_empty() else _refusal(client, name, version, plan)
            if refusal is None:
                description, aliases = applied(description, plan, aliases)
                _take(client, name, holders, state=state, invocation=invocation)
                refusals += 1
                if refusals > MAX_REFUSALS:
                    raise exceptions.ResourceConflict(
                        f"Aliases {held} of image {name} keep going back to other versions"
                        f" after being taken for version {version}: does another resource"
                        " claim them?"
                    )
                continue
        if isinstance(refusal, ImageBusy):
            wait_out_busy(refusal, state, invocation, _queue(client, name))
            continue
        refusals += 1
        description, aliases = observe(client, name, version)
        still = update_plan(desired, description, aliases).without_adding(held)
        if refusals > MAX_REFUSALS or still == plan:
            raise refusal


def observe(client: SageMakerClient, name: str, version: int) -> tuple[Description, frozenset[str]]:
    """The version's description and aliases as SageMaker holds them now."""
    description = calls.describe_version(client, name, version)
    if description is None:
        raise exceptions.NotFound(TYPE_NAME, calls.version_label(name, version))
    return description, calls.version_aliases(client, name, version)


def _refusal(
    client: SageMakerClient, name: str, version: int, plan: UpdatePlan
) -> ImageBusy | exceptions.InvalidRequest | None:
    """Send ``plan``; SageMaker's refusal, or None once it is applied."""
    try:
        calls.update_version(client, update_request(name, version, plan))
    except (ImageBusy, exceptions.InvalidRequest) as refusal:
        return refusal
    return None


def _queue(client: SageMakerClient, name: str) -> Callable[[], list[Description]]:
    return lambda: calls.recent_versions(client, name)


def _updating(client: SageMakerClient, request: dict[str, Any]) -> Callable[[], None]:
    return lambda: calls.update_version(client, request)


def _holders(
    client: SageMakerClient, name: str, version: int, aliases: Iterable[str]
) -> dict[int, list[str]]:
    """The siblings of ``version`` holding any of ``aliases``, and which ones each holds."""
    holders: dict[int, list[str]] = {}
    for alias in aliases:
        holder = calls.alias_holder(client, name, alias)
        if holder is not None and holder != version:
            holders.setdefault(holder, []).append(alias)
    return holders


def _take(
    client: SageMakerClient,
    name: str,
    holders: dict[int, list[str]],
    *,
    state: CallbackState,
    invocation: Invocation,
) -> None:
    """Delete from each holder the aliases it holds (a holder gone meanwhile lets go anyway)."""
    for holder, taken in sorted(holders.items()):
        request: dict[str, Any] = {"ImageName": name, "Version": holder, "AliasesToDelete": taken}
        try:
            retry_while_busy(_updating(client, request), state, invocation, _queue(client, name))
        except (exceptions.NotFound, exceptions.InvalidRequest) as gone:
            # The holder is gone or no longer holds them: the aliases are free either way.
            LOG.info("Version %d let go of %s meanwhile: %s", holder, taken, gone)
            continue
        LOG.info("Took aliases %s of image %s from version %d", taken, name, holder)
