"""Validate requests against botocore's own model of SageMaker, as the service does.

botocore checks only required members, types and minimums on the client side; maximum lengths,
patterns and enums are checked by the service alone, so the emulator checks all of them from the
operation's input shape:

* required members: ``Member must not be null``;
* string and list lengths (``min``/``max``): ``Member must have length ... than or equal to N``;
* string ``pattern``, matched against the whole value (Java ``String.matches`` semantics);
* string ``enum``: ``Member must satisfy enum value set: [A, B]``;
* integer ``min``/``max``: ``Member must have value ... than or equal to N``.

Every violation is reported, in member order, in one ``ValidationException`` worded like AWS:
``1 validation error detected: Value 'x' at 'imageName' failed to satisfy constraint: ...``.
Member paths are the member names with a lower-case first letter; list elements read
``tags.1.member.key``. Values of the wrong Python type are left to moto's request parser.

The model's patterns are Java regular expressions, which :func:`python_pattern` translates: the
Unicode general categories ``\\p{L}``, ``\\p{Z}`` and ``\\p{N}`` (tag keys and values) become
explicit code point ranges, ``.`` excludes Java's line terminators, and ``\\d``/``\\w``/``\\s``
are ASCII as in Java (``"PyTorch \u0662.\u0663"`` is not an MLFramework).
"""

import functools
import re
import sys
import unicodedata
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore.model import ListShape, ServiceModel, Shape, StructureShape

from .exceptions import ValidationException

_CATEGORY = re.compile(r"\\p\{([A-Z][a-z]?)\}")


@functools.cache
def service_model() -> ServiceModel:
    """botocore's model of SageMaker, loaded once."""
    return botocore.session.get_session().get_service_model("sagemaker")


def validate_request(operation: str, params: Mapping[str, Any]) -> None:
    """Raise ValidationException listing every constraint ``params`` break for ``operation``."""
    shape = service_model().operation_model(operation).input_shape
    errors: list[str] = []
    if shape is not None:
        _check_structure(shape, params, "", errors)
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationException(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))


# Java's line terminators: what its "." does not match (without DOTALL).
_JAVA_DOT = "[^\\n\\r\u0085\u2028\u2029]"


def python_pattern(java_pattern: str) -> str:
    """Translate a Java regular expression of the model into Python ``re`` syntax, to be compiled
    with ``re.ASCII``: Java's ``\\d``, ``\\w`` and ``\\s`` are ASCII, its ``.`` excludes every line
    terminator, and ``\\p{X}`` becomes explicit code point ranges."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(java_pattern):
        char = java_pattern[i]
        if char == "\\":
            category = _CATEGORY.match(java_pattern, i)
            if category:
                ranges = _category_ranges(category.group(1))
                out.append(ranges if in_class else f"[{ranges}]")
                i = category.end()
            else:
                out.append(java_pattern[i : i + 2])
                i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "." and not in_class:
            out.append(_JAVA_DOT)
            i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


@functools.cache
def _compiled(java_pattern: str) -> re.Pattern[str]:
    return re.compile(python_pattern(java_pattern), re.ASCII)


@functools.cache
def _category_ranges(category: str) -> str:
    """Character-class body covering every code point whose general category starts so."""
    ranges: list[str] = []
    start: int | None = None
    for code in range(sys.maxunicode + 2):
        inside = code <= sys.maxunicode and unicodedata.category(chr(code)).startswith(category)
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = None
    if not ranges:
        raise ValueError(f"unknown Unicode general category {category!r}")
    return "".join(ranges)


def _check(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        _check_structure(shape, value, path, errors)
    elif isinstance(shape, ListShape) and isinstance(value, list):
        _check_length(shape, value, path, errors)
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{index}.member", errors)
    elif shape.type_name == "string" and isinstance(value, str):
        _check_string(shape, value, path, errors)
    elif shape.type_name in ("integer", "long") and isinstance(value, int):
        _check_range(shape, value, path, errors)


def _check_structure(
    shape: StructureShape, value: Mapping[str, Any], path: str, errors: list[str]
) -> None:
    for name, member in shape.members.items():
        member_path = f"{path}.{name[0].lower()}{name[1:]}".lstrip(".")
        member_value = value.get(name)
        if member_value is None:
            if name in shape.required_members:
                errors.append(_violation(None, member_path, "Member must not be null"))
            continue
        _check(member, member_value, member_path, errors)


def _check_string(shape: Shape, value: str, path: str, errors: list[str]) -> None:
    _check_length(shape, value, path, errors)
    enum: list[str] = shape.metadata.get("enum", [])
    if enum and value not in enum:
        rule = f"Member must satisfy enum value set: [{', '.join(enum)}]"
        errors.append(_violation(value, path, rule))
    pattern = shape.metadata.get("pattern")
    if pattern is not None and not _compiled(pattern).fullmatch(value):
        rule = f"Member must satisfy regular expression pattern: {pattern}"
        errors.append(_violation(value, path, rule))


def _check_length(shape: Shape, value: str | list[Any], path: str, errors: list[str]) -> None:
    minimum = shape.metadata.get("min")
    maximum = shape.metadata.get("max")
    if minimum is not None and len(value) < minimum:
        rule = f"Member must have length greater than or equal to {minimum}"
        errors.append(_violation(value, path, rule))
    if maximum is not None and len(value) > maximum:
        rule = f"Member must have length less than or equal to {maximum}"
        errors.append(_violation(value, path, rule))


def _check_range(shape: Shape, value: int, path: str, errors: list[str]) -> None:
    minimum = shape.metadata.get("min")
    maximum = shape.metadata.get("max")
    if minimum is not None and value < minimum:
        rule = f"Member must have value greater than or equal to {minimum}"
        errors.append(_violation(value, path, rule))
    if maximum is not None and value > maximum:
        rule = f"Member must have value less than or equal to {maximum}"
        errors.append(_violation(value, path, rule))


def _violation(value: object, path: str, rule: str) -> str:
    return f"Value {_render(value)} at '{path}' failed to satisfy constraint: {rule}"


def _render(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "'[" + ", ".join(str(item) for item in value) + "]'"
    return f"'{value}'"
