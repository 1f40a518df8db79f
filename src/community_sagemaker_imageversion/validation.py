"""Input checks: every rule of the schema, enforced before any SageMaker call is made.

CloudFormation validates templates against the registered schema, but handlers are also reached by
``cfn invoke``, the contract suite and API callers, so the handler checks again and answers with
one InvalidRequest that names every broken property and rule. The rules mirror the schema
(``sagemaker-imageversion.json``); a unit test keeps the two identical.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudformation_cli_python_lib.exceptions import InvalidRequest

from .models import ResourceModel


@dataclass(frozen=True)
class StringRule:
    """The JSON-schema keywords a string property carries."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None


_NAME = r"^[A-Za-z0-9]([-.]?[A-Za-z0-9])*$"
_FRAMEWORK_OR_LANG = r"^[a-zA-Z]+ ?\d+\.\d+(\.\d+)?$"

ALIAS_RULE = StringRule(1, 128, r"(?!^[.-])^([a-zA-Z0-9-_.]+)$")

STRING_RULES: Mapping[str, StringRule] = {
    "ImageName": StringRule(1, 63, _NAME),
    "BaseImage": StringRule(1, 255, ".+"),
    "Alias": ALIAS_RULE,
    "VendorGuidance": StringRule(enum=("NOT_PROVIDED", "STABLE", "TO_BE_ARCHIVED", "ARCHIVED")),
    "JobType": StringRule(enum=("TRAINING", "INFERENCE", "NOTEBOOK_KERNEL")),
    "MLFramework": StringRule(1, 128, _FRAMEWORK_OR_LANG),
    "ProgrammingLang": StringRule(1, 128, _FRAMEWORK_OR_LANG),
    "Processor": StringRule(enum=("CPU", "GPU")),
    "ReleaseNotes": StringRule(1, 255, ".*"),
    "ImageArn": StringRule(
        1,
        256,
        r"^arn:aws(-[\w]+)*:sagemaker:[a-z0-9\-]*:[0-9]{12}:image\/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*$",
    ),
    "ImageVersionArn": StringRule(
        1,
        256,
        r"^arn:aws(-[\w]+)*:sagemaker:[a-z0-9\-]*:[0-9]{12}:image-version\/"
        r"[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*\/[0-9]+$",
    ),
    "ContainerImage": StringRule(1, 255, ".+"),
}

REQUIRED = ("ImageName", "BaseImage")
READ_ONLY = ("ImageVersionArn", "ImageArn", "Version", "ContainerImage")
VERSION_MINIMUM = 1
KNOWN_PROPERTIES = frozenset(ResourceModel.__dataclass_fields__)


# ECMA-262's line terminators: what its "." does not match.
_ANY_BUT_LINE_TERMINATORS = "[^\\n\\r\u2028\u2029]"


@functools.cache
def schema_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` with the meaning JSON Schema gives it (ECMA-262 regular expressions, without
    flags), as a Python pattern for ``search``:

    - ``$`` is the end of the string (Python's also matches before a final newline, so
      ``"name\\n"`` would pass ``^...$``): it becomes ``\\Z``;
    - ``.`` matches anything but a line terminator (Python's only excludes ``\\n``);
    - ``\\d``, ``\\w`` and ``\\b`` are ASCII (Python's are Unicode: ``"PyTorch \u0662.\u0663"``
      would pass ``\\d+\\.\\d+``).
    """
    converted, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            converted.append("\\Z")
            continue
        elif char == "." and not in_class:
            converted.append(_ANY_BUT_LINE_TERMINATORS)
            continue
        converted.append(char)
    return re.compile("".join(converted), re.ASCII)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def string_problems(name: str, value: object, rule: StringRule) -> list[str]:
    """What is wrong with ``value`` as property ``name`` under ``rule`` (empty when valid)."""
    if not isinstance(value, str):
        return [f"{name} must be a string (type), got {type(value).__name__}"]
    problems = []
    if rule.min_length is not None and len(value) < rule.min_length:
        problems.append(f"{name} must be at least {rule.min_length} characters (minLength)")
    if rule.max_length is not None and len(value) > rule.max_length:
        problems.append(
            f"{name} {_shown(value)} is {len(value)} characters; at most {rule.max_length}"
            " allowed (maxLength)"
        )
    if rule.pattern is not None and value and schema_regex(rule.pattern).search(value) is None:
        problems.append(f"{name} {_shown(value)} does not match {rule.pattern} (pattern)")
    if rule.enum is not None and value not in rule.enum:
        problems.append(f"{name} {_shown(value)} is not one of {', '.join(rule.enum)} (enum)")
    return problems


def _alias_list_problems(aliases: Iterable[object]) -> list[str]:
    problems: list[str] = []
    for alias in aliases:
        problems += string_problems("Aliases item", alias, ALIAS_RULE)
    return problems


def model_problems(model: ResourceModel, *, read_only: bool = True) -> list[str]:
    """Every schema rule the model breaks: required properties, types, lengths, patterns, enums
    (of the read-only properties too, unless ``read_only`` is False)."""
    problems = [
        f"{name} is required (required)" for name in REQUIRED if getattr(model, name) is None
    ]
    for name, rule in STRING_RULES.items():
        value = getattr(model, name)
        if value is not None and (read_only or name not in READ_ONLY):
            problems += string_problems(name, value, rule)
    if model.Aliases is not None:
        problems += _alias_list_problems(model.Aliases)
    if model.Horovod is not None and not isinstance(model.Horovod, bool):
        problems.append(f"Horovod must be a boolean (type), got {type(model.Horovod).__name__}")
    if (
        read_only
        and model.Version is not None
        and (not isinstance(model.Version, int) or model.Version < VERSION_MINIMUM)
    ):
        problems.append(f"Version must be an integer of at least {VERSION_MINIMUM} (minimum)")
    return problems


def raw_problems(properties: object) -> list[str]:
    """Rules the typed model cannot show: unknown properties, null values, repeated aliases.

    ``properties`` is the resource's JSON as CloudFormation sent it, before it becomes a
    ResourceModel (which silently drops unknown keys and turns Aliases into a set).
    """
    if properties is None:
        return []
    if not isinstance(properties, Mapping):
        return [f"resource properties must be an object, got {type(properties).__name__}"]
    problems = [
        f"{key} is not a property of this type (additionalProperties)"
        for key in properties
        if key not in KNOWN_PROPERTIES
    ]
    problems += [
        f"{key} must not be null (type): leave the property out instead"
        for key, value in properties.items()
        if value is None and key in KNOWN_PROPERTIES
    ]
    aliases = properties.get("Aliases")
    if aliases is not None:
        if not isinstance(aliases, Sequence) or isinstance(aliases, str):
            problems.append(f"Aliases must be an array (type), got {type(aliases).__name__}")
        else:
            problems += _repeated_aliases(aliases)
    return problems


def known_properties(properties: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``properties`` without the keys this schema does not have and without null values (an
    absent property), which the runtime library cannot cast into a model."""
    if not isinstance(properties, Mapping):
        return properties
    return {
        key: value
        for key, value in properties.items()
        if key in KNOWN_PROPERTIES and value is not None
    }


def _repeated_aliases(aliases: Sequence[Any]) -> list[str]:
    seen: set[Any] = set()
    problems = []
    for alias in aliases:
        if isinstance(alias, str) and alias in seen:
            problems.append(
                f"Aliases lists {_shown(alias)} more than once (each alias at most once)"
            )
        seen.add(alias if isinstance(alias, str) else repr(alias))
    return problems


def _raise_if_any(problems: list[str]) -> None:
    if problems:
        raise InvalidRequest("Invalid properties: " + "; ".join(problems))


def check_raw(properties: object) -> None:
    _raise_if_any(raw_problems(properties))


def check_create(model: ResourceModel | None) -> ResourceModel:
    """The model, when it may be created: schema rules hold and no read-only property is set."""
    if model is None:
        raise InvalidRequest("Invalid properties: ImageName is required; BaseImage is required")
    read_only = [
        f"{name} is read-only and cannot be set (readOnlyProperties)"
        for name in READ_ONLY
        if getattr(model, name) is not None
    ]
    _raise_if_any(read_only + model_problems(model))
    return model


def check_update(model: ResourceModel | None) -> ResourceModel:
    """The desired model of an update, when the rules of its writable properties hold. Its
    read-only values are CloudFormation's identifiers, not input: one that names no version
    SageMaker issued is NotFound (``locating``), not InvalidRequest."""
    if model is None:
        raise InvalidRequest("Invalid properties: ImageName is required; BaseImage is required")
    _raise_if_any(model_problems(model, read_only=False))
    return model
