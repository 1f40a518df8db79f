"""Bring one version to the metadata and aliases its model asks for.

Used by UPDATE, and by CREATE once the new version is CREATED (a version is created without
aliases). One UpdateImageVersion sends only the difference (``translation.update_plan``). Then:

- An alias the version should get is *taken* from the sibling that holds it, the way a tag moves
  in a container registry: SageMaker may refuse an alias another version holds (with
  ValidationException, or with ResourceInUse) or move it itself; when it refuses, the holder is
  found (DescribeImageVersion by alias), the alias is deleted from it and the update sent again.
  A ResourceInUse that no alias explains is a busy image, retried with backoff.
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
from .translation import applied, update_plan, update_request

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
        refusal: ImageBusy | exceptions.InvalidRequest
        try:
            calls.update_version(client, update_request(name, version, plan))
        except ImageBusy as busy:
            refusal = busy
        except exceptions.InvalidRequest as invalid:
            refusal = invalid
        else:
            state.busySince = None
            return applied(description, plan, aliases)
        if _took(client, name, version, plan.aliases_to_add, state=state, invocation=invocation):
            refusals += 1
            if refusals > MAX_REFUSALS:
                raise exceptions.ResourceConflict(
                    f"Aliases {list(plan.aliases_to_add)} of image {name} keep going back to"
                    f" other versions after being taken for version {version}: does another"
                    " resource claim them?"
                )
            continue
        if isinstance(refusal, ImageBusy):
            wait_out_busy(refusal, state, invocation)
            continue
        refusals += 1
        description, aliases = observe(client, name, version)
        if refusals > MAX_REFUSALS or update_plan(desired, description, aliases) == plan:
            raise refusal


def observe(client: SageMakerClient, name: str, version: int) -> tuple[Description, frozenset[str]]:
    """The version's description and aliases as SageMaker holds them now."""
    description = calls.describe_version(client, name, version)
    if description is None:
        raise exceptions.NotFound(TYPE_NAME, calls.version_label(name, version))
    return description, calls.version_aliases(client, name, version)


def _updating(client: SageMakerClient, request: dict[str, Any]) -> Callable[[], None]:
    return lambda: calls.update_version(client, request)


def _took(
    client: SageMakerClient,
    name: str,
    version: int,
    aliases: Iterable[str],
    *,
    state: CallbackState,
    invocation: Invocation,
) -> bool:
    """Take ``aliases`` from the siblings holding them; whether any sibling held one."""
    holders: dict[int, list[str]] = {}
    for alias in aliases:
        holder = calls.alias_holder(client, name, alias)
        if holder is not None and holder != version:
            holders.setdefault(holder, []).append(alias)
    for holder, taken in sorted(holders.items()):
        request: dict[str, Any] = {"ImageName": name, "Version": holder, "AliasesToDelete": taken}
        try:
            retry_while_busy(_updating(client, request), state, invocation)
        except (exceptions.NotFound, exceptions.InvalidRequest) as gone:
            # The holder is gone or no longer holds them: the aliases are free either way.
            LOG.info("Version %d let go of %s meanwhile: %s", holder, taken, gone)
            continue
        LOG.info("Took aliases %s of image %s from version %d for %d", taken, name, holder, version)
    return bool(holders)
