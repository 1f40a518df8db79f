"""How a ResourceModel maps to SageMaker requests and back (pure functions)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .models import ResourceModel
from .schema_rules import METADATA_FIELDS as METADATA_FIELDS  # noqa: PLC0414 (exported)

# What removing a metadata property from the template sets. SageMaker has no way to clear the
# other fields (their minimum length is 1 and there is no "unset"), so they keep their value.
RESET_ON_REMOVAL: Mapping[str, Any] = {"VendorGuidance": "NOT_PROVIDED", "Horovod": False}

_CLIENT_TOKEN_NAMESPACE = uuid.UUID("8a6f3a1e-59c4-4c47-9c0e-2a54b1d3b7de")


def client_token(request_token: str, logical_id: str | None, image_name: str) -> str:
    """A ClientToken (36 characters, ``[a-zA-Z0-9-]``) stable across re-invocations of one create.

    CloudFormation keeps ``request_token`` for every retry of one resource operation, so a create
    replayed after a timeout or a lost answer gets back the version the first attempt made.
    """
    seed = "\n".join((request_token, logical_id or "", image_name))
    return str(uuid.uuid5(_CLIENT_TOKEN_NAMESPACE, seed))


def desired_aliases(model: ResourceModel) -> frozenset[str]:
    """The aliases the version should hold: Aliases plus the single Alias, when set."""
    aliases = set(model.Aliases or ())
    if model.Alias:
        aliases.add(model.Alias)
    return frozenset(aliases)


def create_request(model: ResourceModel, token: str) -> dict[str, Any]:
    """CreateImageVersion parameters for ``model``: never its aliases.

    Aliases are given to the version once it is CREATED (``converging``), taken from whichever
    version of the image holds them. So a CREATE_FAILED version never holds an alias, an alias
    never names a version that is not ready, and a replayed create sends the same parameters
    whatever happened to the aliases meanwhile.
    """
    request: dict[str, Any] = {
        "ImageName": model.ImageName,
        "BaseImage": model.BaseImage,
        "ClientToken": token,
    }
    for name in METADATA_FIELDS:
        value = getattr(model, name)
        if value is not None:
            request[name] = value
    return request


def reported_aliases(aliases: Iterable[str], asked: ResourceModel | None) -> list[str]:
    """The aliases a model reports in ``Aliases``, so that what comes back is what was asked:
    of the aliases the version holds, those the ``asked`` model lists in ``Aliases``; when it
    lists none (an import, a template without ``Aliases``), every one but the model's
    write-only ``Alias``. (CloudFormation reads a resource with the model it last returned, which
    cannot carry ``Alias``: reporting the aliases a model lists is what keeps an ``Alias`` from
    showing as drift straight after a deploy. An alias added to the version outside
    CloudFormation is then not reported; one taken away from it is.)"""
    held = set(aliases)
    if asked is not None and asked.Aliases is not None:
        return sorted(held & set(asked.Aliases))
    left_out = {asked.Alias} if asked is not None and asked.Alias else set()
    return sorted(held - left_out)


def model_from_api(
    image_name: str,
    description: Mapping[str, Any],
    aliases: Iterable[str],
    asked: ResourceModel | None = None,
) -> ResourceModel:
    """The model READ reports, from DescribeImageVersion and the version's aliases (the
    ``asked`` model's write-only ``Alias`` left out of ``Aliases``, see reported_aliases)."""
    metadata = {name: description.get(name) for name in METADATA_FIELDS}
    return ResourceModel(
        ImageName=image_name,
        BaseImage=description.get("BaseImage"),
        Alias=None,
        Aliases=reported_aliases(aliases, asked),
        ImageArn=description.get("ImageArn"),
        ImageVersionArn=description.get("ImageVersionArn"),
        ContainerImage=description.get("ContainerImage"),
        Version=description.get("Version"),
        **metadata,
    )


@dataclass(frozen=True)
class UpdatePlan:
    """What UpdateImageVersion must change: metadata values, aliases to add and to delete."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    aliases_to_add: tuple[str, ...] = ()
    aliases_to_delete: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.fields or self.aliases_to_add or self.aliases_to_delete)

    def without_adding(self, aliases: Iterable[str]) -> UpdatePlan:
        """This plan, leaving ``aliases`` out of the aliases to add."""
        left_out = set(aliases)
        kept = tuple(alias for alias in self.aliases_to_add if alias not in left_out)
        return UpdatePlan(self.fields, kept, self.aliases_to_delete)


# SageMaker archives a TO_BE_ARCHIVED version on its own (VendorGuidance becomes ARCHIVED): a
# template that still says TO_BE_ARCHIVED asks for nothing new, and must not un-archive it.
_SUPERSEDED = {("VendorGuidance", "TO_BE_ARCHIVED"): "ARCHIVED"}


def _wanted(desired: ResourceModel, name: str, current: Any) -> Any:
    value = getattr(desired, name)
    if value is None and current is not None:
        return RESET_ON_REMOVAL.get(name, current)
    if (name, value) in _SUPERSEDED and _SUPERSEDED[name, value] == current:
        return current
    return value


def update_plan(
    desired: ResourceModel, description: Mapping[str, Any], current_aliases: Iterable[str]
) -> UpdatePlan:
    """Only what differs between the desired model and the version as SageMaker holds it."""
    changed = {}
    for name in METADATA_FIELDS:
        current = description.get(name)
        wanted = _wanted(desired, name, current)
        if wanted is not None and wanted != current:
            changed[name] = wanted
    have = set(current_aliases)
    want = desired_aliases(desired)
    return UpdatePlan(
        fields=changed,
        aliases_to_add=tuple(sorted(want - have)),
        aliases_to_delete=tuple(sorted(have - want)),
    )


def update_request(image_name: str, version: int, plan: UpdatePlan) -> dict[str, Any]:
    """UpdateImageVersion parameters: the version named, and only what the plan changes."""
    request: dict[str, Any] = {"ImageName": image_name, "Version": version, **plan.fields}
    if plan.aliases_to_add:
        request["AliasesToAdd"] = list(plan.aliases_to_add)
    if plan.aliases_to_delete:
        request["AliasesToDelete"] = list(plan.aliases_to_delete)
    return request


def applied(
    description: Mapping[str, Any], plan: UpdatePlan, aliases: Iterable[str]
) -> tuple[dict[str, Any], frozenset[str]]:
    """The description and aliases of a version once ``plan`` has been applied to it."""
    after = set(aliases) | set(plan.aliases_to_add)
    return {**description, **plan.fields}, frozenset(after - set(plan.aliases_to_delete))


def identifier_model(image_name: str, summary: Mapping[str, Any]) -> ResourceModel:
    """A LIST entry: the identifiers ListImageVersions returns for one version."""
    return ResourceModel(
        ImageName=image_name,
        BaseImage=None,
        Alias=None,
        Aliases=None,
        VendorGuidance=None,
        JobType=None,
        MLFramework=None,
        ProgrammingLang=None,
        Processor=None,
        Horovod=None,
        ReleaseNotes=None,
        ImageArn=summary.get("ImageArn"),
        ImageVersionArn=summary.get("ImageVersionArn"),
        ContainerImage=None,
        Version=summary.get("Version"),
    )
