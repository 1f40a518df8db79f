"""What exists in the emulated SageMaker, set against what the resources of a stack own.

- duplicate: one resource's version exists more than once (told by its unique BaseImage), or
  two resources claim the same version;
- orphan: a version exists that no resource owns (CloudFormation would never delete it);
- mismatch: the version a resource owns is not the one made from its properties;
- wrong-version call: a handler call for one resource that names a version it does not own,
  other than taking an alias from it (an UpdateImageVersion that only deletes aliases: the
  handlers take an alias a resource asks for from whichever version holds it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sagemaker_emulator.control import catch_up

from .recorder import Call


@dataclass(frozen=True)
class Version:
    number: int
    base_image: str
    status: str


def every_item(list_call: Callable[..., Any], key: str, **params: Any) -> list[Any]:
    """The items under ``key`` of every page a SageMaker List call answers (``list_call``, e.g.
    ``sm.list_image_versions``), following NextToken: SageMaker may answer empty pages that say
    more follow (``empty_pages``), so one page is never the whole list for a test's own check."""
    items: list[Any] = []
    token: dict[str, str] = {}
    while True:
        page = list_call(**params, **token)
        items += page[key]
        if not page.get("NextToken"):
            return items
        token = {"NextToken": page["NextToken"]}


def versions_of(client: Any, image_name: str) -> list[Version]:
    """Every version of the image, with the base image it was made from (all pages), past any
    read-after-write lag of the emulator (this is a check's view, not a handler's)."""
    catch_up()
    found: list[Version] = []
    listed = every_item(
        client.list_image_versions, "ImageVersions", ImageName=image_name, MaxResults=100
    )
    for item in listed:
        described = client.describe_image_version(ImageName=image_name, Version=item["Version"])
        found.append(
            Version(item["Version"], described["BaseImage"], described["ImageVersionStatus"])
        )
    return sorted(found, key=lambda v: v.number)


def aliases_of(client: Any, image_name: str, version: int) -> list[str]:
    """Every alias of the version, sorted (all pages of ListAliases)."""
    listed = every_item(
        client.list_aliases, "SageMakerImageVersionAliases", ImageName=image_name, Version=version
    )
    return sorted(listed)


def ownership_problems(
    owners: Mapping[str, int], bases: Mapping[str, str], versions: Iterable[Version]
) -> list[str]:
    """Duplicates, orphans and mismatches, given the version each resource owns (``owners``) and
    the unique base image each resource was created from (``bases``)."""
    existing = list(versions)
    by_number = {v.number: v for v in existing}
    problems = []
    for base, count in Counter(v.base_image for v in existing).items():
        if count > 1:
            problems.append(f"duplicate: {count} versions made from {base}")
    for number, count in Counter(owners.values()).items():
        if count > 1:
            problems.append(f"duplicate: version {number} is claimed by {count} resources")
    owned = set(owners.values())
    problems += [
        f"orphan: version {v.number} ({v.base_image})" for v in existing if v.number not in owned
    ]
    for logical_id, number in sorted(owners.items()):
        version = by_number.get(number)
        if version is not None and version.base_image != bases.get(logical_id):
            problems.append(
                f"mismatch: {logical_id} owns version {number}, made from {version.base_image}"
            )
    return problems


def _takes_aliases(call: Call) -> bool:
    changes = set(call.params) - {"ImageName", "Version"}
    return call.operation == "UpdateImageVersion" and changes == {"AliasesToDelete"}


def wrong_version_calls(
    calls: Iterable[Call], owners: Mapping[str, int], image_name: str
) -> list[str]:
    """Handler calls naming a version that the resource making them does not own. Taking an
    alias from the version that holds it is not one; nor, once an operation has taken aliases
    from a version, are its reads of that version (what it holds, its status) and giving the
    aliases back to it."""
    wrong = []
    taken_from: set[tuple[str | None, object]] = set()
    for call in calls:
        if call.scope is None or "Version" not in call.params:
            continue
        named = (call.params.get("ImageName"), call.params["Version"])
        if _takes_aliases(call):
            taken_from.add((call.scope.token, named))
            continue
        if (call.scope.token, named) in taken_from and _reads_or_gives_back(call):
            continue
        owned = owners.get(call.scope.logical_id or "")
        if named != (image_name, owned):
            wrong.append(f"{call.scope.logical_id} {call.operation} on {named}, owns {owned}")
    return wrong


def _reads_or_gives_back(call: Call) -> bool:
    if call.operation in ("DescribeImageVersion", "ListAliases"):
        return True
    changes = set(call.params) - {"ImageName", "Version"}
    return call.operation == "UpdateImageVersion" and changes == {"AliasesToAdd"}
