"""Input checks: every rule of the schema, enforced before any SageMaker call is made.

CloudFormation validates templates against the registered schema, but handlers are also reached by
``cfn invoke``, the contract suite and API callers, so the handler checks again and answers with
one InvalidRequest that names every broken property and rule. The rules are the schema's
(``sagemaker-imageversion.json``), generated into ``schema_rules.py`` by ``make generate``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from cloudformation_cli_python_lib.exceptions import InvalidRequest

from .casting import casts_to
from .ecma_regex import schema_regex
from .models import ResourceModel
from .schema_rules import (
    ARRAY_RULES,
    BOOLEANS,
    INTEGER_RULES,
    PROPERTIES,
    IntegerRule,
    StringRule,
)

# Exported: handlers.py checks an ImageName alone with STRING_RULES; the tests read the others.
from .schema_rules import READ_ONLY as READ_ONLY  # noqa: PLC0414
from .schema_rules import REQUIRED as REQUIRED  # noqa: PLC0414
from .schema_rules import STRING_RULES as STRING_RULES  # noqa: PLC0414

KNOWN_PROPERTIES = PROPERTIES

# The rule of one alias (Alias, and each item of Aliases), and the least Version.
ALIAS_RULE = ARRAY_RULES["Aliases"].items
VERSION_MINIMUM = INTEGER_RULES["Version"].minimum


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _kind(value: object) -> str:
    """The JSON type of ``value`` as a problem names it; a string with its value."""
    return f"str {_shown(value)}" if isinstance(value, str) else type(value).__name__


def _not_a_boolean(name: str, value: object) -> str:
    return f"{name} must be a boolean (type), got {_kind(value)}"


# CloudFormation hands a template's booleans and integers to the handler as text ("true", "3"),
# which the runtime library casts to the model's types, as it casts scalars to text for a string.
# Any other value it would refuse in its own words, naming no rule ('value for Horovod "yes" is
# not boolean'), or cast silently (2 as true, 1.5 as 1): such values are refused first, naming
# the rule.


def _type_problems(name: str, value: object) -> list[str]:
    """What keeps ``value`` (not null) from being cast to property ``name``'s type."""
    if name in BOOLEANS:
        return [] if casts_to("boolean", value) else [_not_a_boolean(name, value)]
    if name in INTEGER_RULES:
        ok = casts_to("integer", value)
        return [] if ok else [f"{name} must be an integer (type), got {_kind(value)}"]
    if name in ARRAY_RULES:
        if not isinstance(value, Sequence) or isinstance(value, str):
            return [f"{name} must be an array (type), got {type(value).__name__}"]
        return [
            f"{name} item must be a string (type), got {type(item).__name__}"
            for item in value
            if not casts_to("string", item)
        ]
    if name in STRING_RULES and not casts_to("string", value):
        return [f"{name} must be a string (type), got {type(value).__name__}"]
    return []


def string_problems(name: str, value: object, rule: StringRule) -> list[str]:
    """What is wrong with ``value`` as property ``name`` under ``rule`` (empty when valid)."""
    if not isinstance(value, str):
        return [f"{name} must be a string (type), got {type(value).__name__}"]
    problems = []
    too_short = rule.min_length is not None and len(value) < rule.min_length
    if too_short:
        problems.append(f"{name} must be at least {rule.min_length} characters (minLength)")
    if rule.max_length is not None and len(value) > rule.max_length:
        problems.append(
            f"{name} {_shown(value)} is {len(value)} characters; at most {rule.max_length}"
            " allowed (maxLength)"
        )
    # An empty value that is too short is not also said to miss the pattern.
    checked = value or not too_short
    if rule.pattern is not None and checked and schema_regex(rule.pattern).search(value) is None:
        problems.append(f"{name} {_shown(value)} does not match {rule.pattern} (pattern)")
    if rule.enum is not None and value not in rule.enum:
        problems.append(f"{name} {_shown(value)} is not one of {', '.join(rule.enum)} (enum)")
    return problems


def _integer_problems(name: str, value: object, rule: IntegerRule) -> list[str]:
    if isinstance(value, int) and (rule.minimum is None or value >= rule.minimum):
        return []
    if rule.minimum is None:
        return [f"{name} must be an integer (type), got {type(value).__name__}"]
    return [f"{name} must be an integer of at least {rule.minimum} (minimum)"]


def model_problems(model: ResourceModel, *, read_only: bool = True) -> list[str]:
    """Every schema rule the model breaks: required properties, types, lengths, patterns, enums
    (of the read-only properties too, unless ``read_only`` is False)."""
    problems = [
        f"{name} is required (required)" for name in REQUIRED if getattr(model, name) is None
    ]
    for name, value in _given(model, STRING_RULES, read_only):
        problems += string_problems(name, value, STRING_RULES[name])
    for name, items in _given(model, ARRAY_RULES, read_only):
        for item in items:
            problems += string_problems(f"{name} item", item, ARRAY_RULES[name].items)
    for name, value in _given(model, BOOLEANS, read_only):
        if not isinstance(value, bool):
            problems.append(_not_a_boolean(name, value))
    for name, value in _given(model, INTEGER_RULES, read_only):
        problems += _integer_problems(name, value, INTEGER_RULES[name])
    return problems


def _given(
    model: ResourceModel, names: Iterable[str], read_only: bool
) -> Iterator[tuple[str, Any]]:
    """The properties among ``names`` the model sets, with their values (without the read-only
    ones, unless ``read_only``)."""
    for name in names:
        value = getattr(model, name)
        if value is not None and (read_only or name not in READ_ONLY):
            yield name, value


def raw_problems(properties: object) -> list[str]:
    """Rules the typed model cannot show: unknown properties, null values, values the model
    would not hold as sent (an array that is not one, a boolean neither true nor false, ...),
    repeated aliases.

    ``properties`` is the resource's JSON as CloudFormation sent it, before it becomes a
    ResourceModel (which silently drops unknown keys).
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
    for key, value in properties.items():
        if key in KNOWN_PROPERTIES and value is not None:
            problems += _type_problems(key, value)
    aliases = properties.get("Aliases")
    if isinstance(aliases, Sequence) and not isinstance(aliases, str):
        problems += _repeated_aliases(aliases)
    return problems


def known_properties(properties: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``properties`` without the keys this schema does not have, without null values (an
    absent property) and without values the runtime library cannot cast into a model (it would
    refuse the whole event for them)."""
    if not isinstance(properties, Mapping):
        return properties
    return {
        key: value
        for key, value in properties.items()
        if key in KNOWN_PROPERTIES and value is not None and not _type_problems(key, value)
    }


def _repeated_aliases(aliases: Sequence[Any]) -> list[str]:
    """A rule of the handler's, not of the schema (which has no ``"uniqueItems": true``): the
    aliases are a set, so a repeated one is refused rather than merged."""
    seen: set[Any] = set()
    problems = []
    for alias in aliases:
        if isinstance(alias, str) and alias in seen:
            problems.append(
                f"Aliases lists {_shown(alias)} more than once (each alias at most once)"
            )
        seen.add(alias if isinstance(alias, str) else repr(alias))
    return problems


# What a request without any model lacks.
_NO_MODEL = "Invalid properties: " + "; ".join(f"{name} is required" for name in REQUIRED)


def _raise_if_any(problems: list[str]) -> None:
    if problems:
        raise InvalidRequest("Invalid properties: " + "; ".join(problems))


def check_raw(properties: object) -> None:
    _raise_if_any(raw_problems(properties))


def check_create(model: ResourceModel | None) -> ResourceModel:
    """The model, when it may be created: schema rules hold and no read-only property is set."""
    if model is None:
        raise InvalidRequest(_NO_MODEL)
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
        raise InvalidRequest(_NO_MODEL)
    _raise_if_any(model_problems(model, read_only=False))
    return model
