"""Rules every SageMaker call a handler makes must follow, checked on recorded calls.

- Version named: DescribeImageVersion, UpdateImageVersion, DeleteImageVersion and ListAliases
  name the version they act on (``Version``). Without it SageMaker acts on the image's LATEST
  version.
  DescribeImageVersion may instead name an ``Alias`` (to find the version holding it): that
  selects exactly the version the alias names, never the latest.
- Permitted: each call an action's handler makes is one of the permissions the schema lists for
  that action (``handlers.<action>.permissions``), the only calls `resource-role.yaml` allows.

Only handler calls count (:attr:`~.recorder.Call.by_handler`): a test's own set-up calls do not,
nor do the logs and metrics the runtime library ships during an invocation
(:data:`TELEMETRY_SERVICES`), which use the provider's credentials (the log delivery role), not
the role the handler permissions describe.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from .recorder import Call

VERSION_SCOPED_OPERATIONS = frozenset(
    {"DescribeImageVersion", "UpdateImageVersion", "DeleteImageVersion", "ListAliases"}
)
SCHEMA = Path(__file__).resolve().parents[2] / "sagemaker-imageversion.json"
TELEMETRY_SERVICES = frozenset({"logs", "cloudwatch"})


def _permitting_action(call: Call) -> str | None:
    """The action whose permissions ``call`` needs (None: a call that needs none)."""
    if call.scope is None or call.service in TELEMETRY_SERVICES:
        return None
    return call.scope.action


def permission(call: Call) -> str:
    """The IAM action a call needs, e.g. ``sagemaker:DescribeImageVersion``."""
    return f"{call.service}:{call.operation}"


def names_version(call: Call) -> bool:
    version = call.params.get("Version")
    if isinstance(version, int) and not isinstance(version, bool):
        return True
    alias = call.params.get("Alias")
    return call.operation == "DescribeImageVersion" and isinstance(alias, str) and bool(alias)


def without_version(calls: Iterable[Call]) -> list[Call]:
    """Handler calls of :data:`VERSION_SCOPED_OPERATIONS` that do not name a version."""
    return [
        c
        for c in calls
        if c.by_handler and c.operation in VERSION_SCOPED_OPERATIONS and not names_version(c)
    ]


def version_scoped(calls: Iterable[Call]) -> int:
    """How many handler calls the version-named rule applies to."""
    return sum(1 for c in calls if c.by_handler and c.operation in VERSION_SCOPED_OPERATIONS)


def schema_permissions(schema: Path = SCHEMA) -> dict[str, frozenset[str]]:
    """The permissions of each action (CREATE, READ, ...), as the schema lists them."""
    handlers = json.loads(schema.read_text())["handlers"]
    return {
        action.upper(): frozenset(spec.get("permissions", [])) for action, spec in handlers.items()
    }


def schema_timeouts(schema: Path = SCHEMA) -> dict[str, float]:
    """Each action's ``timeoutInMinutes`` (CREATE, UPDATE, DELETE), as the schema gives them."""
    handlers = json.loads(schema.read_text())["handlers"]
    return {
        action.upper(): float(spec["timeoutInMinutes"])
        for action, spec in handlers.items()
        if "timeoutInMinutes" in spec
    }


def used_permissions(calls: Iterable[Call]) -> dict[str, frozenset[str]]:
    """The permissions handler calls used, by action."""
    used: dict[str, set[str]] = {}
    for call in calls:
        action = _permitting_action(call)
        if action is not None:
            used.setdefault(action, set()).add(permission(call))
    return {action: frozenset(names) for action, names in used.items()}


def outside_permissions(
    calls: Iterable[Call], permissions: Mapping[str, frozenset[str]]
) -> list[Call]:
    """Handler calls the schema does not permit for the action that made them."""
    return [
        c
        for c in calls
        if (action := _permitting_action(c)) is not None
        and permission(c) not in permissions.get(action, ())
    ]
