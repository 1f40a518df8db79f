"""`make generate`: the schema's rules as typed constants for the handler (``schema_rules.py``).

``cfn generate`` writes ``models.py`` from ``sagemaker-imageversion.json``; this writes
``src/community_sagemaker_imageversion/schema_rules.py`` from the same file: every property, the
required and read-only ones, the rule of each string, array, boolean and integer property, the
version metadata SageMaker takes and returns under the property's own name, and the ARN patterns
cut at their separators. ``validation.py``, ``arns.py`` and ``translation.py`` import them, so a
rule is changed or a property added by editing the schema and running ``make generate``.

A construct it has no translation for (a keyword, a type, a reference, a top-level section)
stops it with SchemaError: a rule is never left out of what the handler enforces.

    PYTHONPATH=src python -m make_targets.schema_rules
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from community_sagemaker_imageversion.ecma_regex import schema_regex

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "sagemaker-imageversion.json"
OUTPUT = ROOT / "src" / "community_sagemaker_imageversion" / "schema_rules.py"

# Top-level sections translated below, and those that hold no rule on the properties' values.
_TRANSLATED = frozenset(
    {
        "properties",
        "additionalProperties",
        "required",
        "createOnlyProperties",
        "readOnlyProperties",
        "writeOnlyProperties",
    }
)
_NO_INPUT_RULE = frozenset(
    {
        "typeName",
        "description",
        "sourceUrl",
        "documentationUrl",
        "definitions",
        "primaryIdentifier",
        "tagging",
        "handlers",
    }
)

# The keywords each type may carry beside "type" and "description". An array's insertionOrder
# only says how drift detection compares it: no rule on the value.
_KEYWORDS: Mapping[str, frozenset[str]] = {
    "string": frozenset({"minLength", "maxLength", "pattern", "enum"}),
    "array": frozenset({"items", "insertionOrder"}),
    "boolean": frozenset(),
    "integer": frozenset({"minimum"}),
}
_STRING_FIELDS = {"minLength": "min_length", "maxLength": "max_length"}

_DEFINITIONS = "#/definitions/"
_PROPERTIES = "/properties/"
# A literal part of an ARN pattern (its service and resource type).
_LITERAL = re.compile(r"[a-z][a-z0-9-]*")
# String literals longer than this are cut into pieces, so that no line grows too long.
_PIECE = 64
# The project's line length (pyproject.toml), for the comments ruff format leaves as they are.
_WIDTH = 100


class SchemaError(Exception):
    """A construct of the schema this generator has no translation for."""


@dataclass(frozen=True)
class Call:
    """A constant of the generated module: one of its classes with keyword arguments."""

    cls: str
    arguments: Mapping[str, object]


@dataclass(frozen=True)
class Rules:
    """Everything the generated module holds, in the schema's order."""

    properties: tuple[str, ...]
    required: tuple[str, ...]
    read_only: tuple[str, ...]
    strings: Mapping[str, Call]
    arrays: Mapping[str, Call]
    booleans: tuple[str, ...]
    integers: Mapping[str, Call]
    metadata: tuple[str, ...]
    arns: Mapping[str, Call]


# Reading the schema ------------------------------------------------------------------------


def _resolve(schema: Mapping[str, Any], node: Any, where: str) -> Mapping[str, Any]:
    """``node`` with its ``$ref`` (to a definition, which may hold one too) followed."""
    seen: list[str] = []
    while isinstance(node, Mapping) and "$ref" in node:
        beside = set(node) - {"$ref", "description"}
        if beside:
            raise SchemaError(f"{where}: keywords beside $ref are not translated: {sorted(beside)}")
        ref = node["$ref"]
        definitions = schema.get("definitions", {})
        name = ref[len(_DEFINITIONS) :] if isinstance(ref, str) else ""
        if not str(ref).startswith(_DEFINITIONS) or name not in definitions or ref in seen:
            raise SchemaError(f"{where}: cannot follow $ref {ref!r}")
        seen.append(ref)
        node, where = definitions[name], ref
    if not isinstance(node, Mapping):
        raise SchemaError(f"{where}: a property schema must be an object, got {node!r}")
    return node


def _type_of(node: Mapping[str, Any], where: str) -> str:
    kind = node.get("type")
    if not isinstance(kind, str) or kind not in _KEYWORDS:
        raise SchemaError(f"{where}: type {kind!r} is not translated (only {sorted(_KEYWORDS)})")
    unknown = set(node) - _KEYWORDS[kind] - {"type", "description"}
    if unknown:
        raise SchemaError(f"{where}: keywords not translated for type {kind}: {sorted(unknown)}")
    return kind


def _count(node: Mapping[str, Any], keyword: str, where: str) -> int:
    value = node[keyword]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SchemaError(f"{where}: {keyword} must be a whole number, got {value!r}")
    return value


def _string_rule(node: Mapping[str, Any], where: str) -> Call:
    rule: dict[str, object] = {
        field: _count(node, keyword, where)
        for keyword, field in _STRING_FIELDS.items()
        if keyword in node
    }
    if "pattern" in node:
        pattern = node["pattern"]
        if not isinstance(pattern, str):
            raise SchemaError(f"{where}: pattern must be a string, got {pattern!r}")
        try:
            schema_regex(pattern)
        except (re.error, ValueError) as e:
            raise SchemaError(f"{where}: pattern {pattern!r} has no Python translation: {e}") from e
        rule["pattern"] = pattern
    if "enum" in node:
        enum = node["enum"]
        if not isinstance(enum, list) or not enum or not all(isinstance(v, str) for v in enum):
            raise SchemaError(f"{where}: enum must be a list of strings, got {enum!r}")
        rule["enum"] = tuple(enum)
    return Call("StringRule", rule)


def _array_rule(schema: Mapping[str, Any], node: Mapping[str, Any], where: str) -> Call:
    if "items" not in node:
        raise SchemaError(f"{where}: an array without items is not translated")
    items = _resolve(schema, node["items"], f"{where} items")
    if _type_of(items, f"{where} items") != "string":
        raise SchemaError(f"{where}: only arrays of strings are translated")
    return Call("ArrayRule", {"items": _string_rule(items, f"{where} items")})


def _integer_rule(node: Mapping[str, Any], where: str) -> Call:
    if "minimum" not in node:
        return Call("IntegerRule", {})
    minimum = node["minimum"]
    if isinstance(minimum, bool) or not isinstance(minimum, int):
        raise SchemaError(f"{where}: minimum must be an integer, got {minimum!r}")
    return Call("IntegerRule", {"minimum": minimum})


def _named(schema: Mapping[str, Any], keyword: str, names: Sequence[str]) -> tuple[str, ...]:
    """The property names a list of the schema's top level holds (names or JSON pointers)."""
    listed = schema.get(keyword, [])
    if not isinstance(listed, list):
        raise SchemaError(f"{keyword} must be a list, got {listed!r}")
    pointers = keyword != "required"
    found = []
    for entry in listed:
        name = entry[len(_PROPERTIES) :] if pointers and isinstance(entry, str) else entry
        if (pointers and not str(entry).startswith(_PROPERTIES)) or name not in names:
            raise SchemaError(f"{keyword}: {entry!r} does not name a top-level property")
        found.append(name)
    return tuple(found)


def _split_top_level(pattern: str, separators: tuple[str, ...]) -> list[str]:
    """``pattern`` cut at each separator outside groups and character classes."""
    parts, start, depth, index, in_class = [], 0, 0, 0, False
    while index < len(pattern):
        separator = next((s for s in separators if pattern.startswith(s, index)), None)
        if separator is not None and depth == 0 and not in_class:
            parts.append(pattern[start:index])
            index = start = index + len(separator)
            continue
        char = pattern[index]
        index += 2 if char == "\\" else 1
        if in_class:
            in_class = char != "]"
        elif char in "[()":
            in_class = char == "["
            depth += {"(": 1, ")": -1}.get(char, 0)
    parts.append(pattern[start:])
    return parts


def _arn_pattern(pattern: str, where: str) -> Call:
    """An anchored ``^arn:<partition>:<service>:<region>:<account>:<type>/<id>...$`` pattern,
    cut at its separators."""
    parts = _split_top_level(pattern.removeprefix("^").removesuffix("$"), (":",))
    if not pattern.endswith("$") or len(parts) != 6:
        raise SchemaError(f"{where}: ARN pattern {pattern!r} is not ^arn:<5 parts>$")
    _, partition, service, region, account, resource = parts
    resource_type, *resource_ids = _split_top_level(resource, ("\\/", "/"))
    for literal in (service, resource_type):
        if not _LITERAL.fullmatch(literal):
            raise SchemaError(f"{where}: {literal!r} in ARN pattern {pattern!r} is not literal")
    if not resource_ids:
        raise SchemaError(f"{where}: ARN pattern {pattern!r} has no resource id")
    return Call(
        "ArnPattern",
        {
            "partition": partition,
            "service": service,
            "region": region,
            "account": account,
            "resource_type": resource_type,
            "resource_ids": tuple(resource_ids),
        },
    )


def read_rules(schema: Mapping[str, Any]) -> Rules:
    """The rules of ``schema``, or SchemaError naming what cannot be translated."""
    unknown = set(schema) - _TRANSLATED - _NO_INPUT_RULE
    if unknown:
        raise SchemaError(f"top-level sections not translated: {sorted(unknown)}")
    if schema.get("additionalProperties") is not False:
        raise SchemaError('only "additionalProperties": false is translated')
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        raise SchemaError("the schema has no properties")
    names = tuple(properties)
    kinds: dict[str, str] = {}
    rules: dict[str, Call] = {}
    for name, node in properties.items():
        where = f"properties.{name}"
        resolved = _resolve(schema, node, where)
        kinds[name] = _type_of(resolved, where)
        if kinds[name] == "string":
            rules[name] = _string_rule(resolved, where)
        elif kinds[name] == "array":
            rules[name] = _array_rule(schema, resolved, where)
        elif kinds[name] == "integer":
            rules[name] = _integer_rule(resolved, where)
    strings = {name: rule for name, rule in rules.items() if kinds[name] == "string"}
    read_only = _named(schema, "readOnlyProperties", names)
    fixed = {
        *_named(schema, "createOnlyProperties", names),
        *read_only,
        *_named(schema, "writeOnlyProperties", names),
    }
    return Rules(
        properties=names,
        required=_named(schema, "required", names),
        read_only=read_only,
        strings=strings,
        arrays={name: rule for name, rule in rules.items() if kinds[name] == "array"},
        booleans=tuple(name for name in names if kinds[name] == "boolean"),
        integers={name: rule for name, rule in rules.items() if kinds[name] == "integer"},
        metadata=tuple(name for name in names if name not in fixed and kinds[name] != "array"),
        arns={
            name: _arn_pattern(pattern, f"properties.{name}")
            for name, rule in strings.items()
            if isinstance(pattern := rule.arguments.get("pattern"), str)
            and pattern.startswith("^arn:")
        },
    )


# Writing the module ------------------------------------------------------------------------

_HEADER = '''\
# Generated from sagemaker-imageversion.json by `make generate`; DO NOT modify this file by hand.
"""The schema's rules, as validation.py, arns.py and translation.py enforce them.

To change a rule or add a property, edit sagemaker-imageversion.json and run `make generate`
(``src/make_targets/schema_rules.py`` writes this file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class StringRule:
    """The JSON-schema keywords a string carries."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ArrayRule:
    """An array property: the rule each of its items follows."""

    items: StringRule


@dataclass(frozen=True)
class IntegerRule:
    """The JSON-schema keywords an integer carries."""

    minimum: int | None = None


@dataclass(frozen=True)
class ArnPattern:
    """An ARN pattern of the schema, ``arn:<partition>:<service>:<region>:<account>:<type>/<id>``
    cut at its separators: regular expressions, but for the service and resource type, which are
    literal."""

    partition: str
    service: str
    region: str
    account: str
    resource_type: str
    resource_ids: tuple[str, ...]
'''


_METADATA = (
    "The version's metadata: the properties neither create-only, read-only nor write-only, and"
    " not arrays. CreateImageVersion and UpdateImageVersion take them, and DescribeImageVersion"
    " returns them, under the same names."
)


def _piece_literal(piece: str) -> str:
    if piece.isascii() and piece.isprintable() and '"' not in piece:
        if "\\" not in piece:
            return f'"{piece}"'
        if not piece.endswith("\\"):
            return f'r"{piece}"'
    return ascii(piece)


def _pieces(value: str) -> list[str]:
    """``value`` cut into pieces of at most _PIECE characters: after a ``/`` or ``:`` in the
    second half of a piece when there is one, and never after a backslash."""
    pieces, start = [], 0
    while len(value) - start > _PIECE:
        window = value[start : start + _PIECE]
        cut = max(window.rfind("/"), window.rfind(":")) + 1
        cut = start + (cut if cut > _PIECE // 2 else _PIECE)
        while value[cut - 1] == "\\" and cut > start + 1:
            cut -= 1
        pieces.append(value[start:cut])
        start = cut
    return [*pieces, value[start:]]


def _literal(value: object) -> str:
    """``value`` as Python source: long strings cut into pieces, written raw where they can be."""
    if isinstance(value, str):
        pieces = _pieces(value)
        joined = " ".join(_piece_literal(piece) for piece in pieces)
        return joined if len(pieces) == 1 else f"({joined})"
    if isinstance(value, tuple):
        items = [_literal(item) for item in value]
        return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
    if isinstance(value, Call):
        arguments = ", ".join(f"{key}={_literal(arg)}" for key, arg in value.arguments.items())
        return f"{value.cls}({arguments})"
    if value is None or isinstance(value, int):
        return repr(value)
    raise TypeError(f"no literal for {value!r}")


def _mapping(rules: Mapping[str, Call]) -> str:
    return (
        "{" + ", ".join(f"{_literal(name)}: {_literal(rule)}" for name, rule in rules.items()) + "}"
    )


def _comment(text: str) -> str:
    return "\n".join(textwrap.wrap(text, _WIDTH, initial_indent="# ", subsequent_indent="# "))


def render(rules: Rules) -> str:
    """The generated module's source, before formatting."""
    listed = "Final[tuple[str, ...]]"
    every = ", ".join(_literal(name) for name in rules.properties)
    constants = {
        'Every property ("additionalProperties": false: no other is accepted).': (
            f"PROPERTIES: Final[frozenset[str]] = frozenset({{{every}}})"
        ),
        '"required".': f"REQUIRED: {listed} = {_literal(rules.required)}",
        '"readOnlyProperties": SageMaker sets them, a template does not.': (
            f"READ_ONLY: {listed} = {_literal(rules.read_only)}"
        ),
        "Each string property: its minLength, maxLength, pattern and enum.": (
            f"STRING_RULES: Final[Mapping[str, StringRule]] = {_mapping(rules.strings)}"
        ),
        "Each array property: the rule of its items.": (
            f"ARRAY_RULES: Final[Mapping[str, ArrayRule]] = {_mapping(rules.arrays)}"
        ),
        "The boolean properties.": f"BOOLEANS: {listed} = {_literal(rules.booleans)}",
        "Each integer property: its minimum.": (
            f"INTEGER_RULES: Final[Mapping[str, IntegerRule]] = {_mapping(rules.integers)}"
        ),
        _METADATA: f"METADATA_FIELDS: {listed} = {_literal(rules.metadata)}",
        'The string properties whose pattern is an ARN\'s ("^arn:..."), cut at its separators.': (
            f"ARN_PATTERNS: Final[Mapping[str, ArnPattern]] = {_mapping(rules.arns)}"
        ),
    }
    body = "".join(f"\n{_comment(comment)}\n{code}\n" for comment, code in constants.items())
    return _HEADER + body


def formatted(source: str) -> str:
    """``source`` as ``ruff format`` writes it with the project's settings."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(OUTPUT), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ruff format failed on the generated module: {done.stderr}")
    return done.stdout


def generate(schema: Mapping[str, Any]) -> str:
    """The source of ``schema_rules.py`` for ``schema``, formatted."""
    return formatted(render(read_rules(schema)))


def main() -> None:
    try:
        source = generate(json.loads(SCHEMA_FILE.read_text()))
    except SchemaError as e:
        raise SystemExit(f"{SCHEMA_FILE.name}: {e}") from e
    OUTPUT.write_text(source)
    print(f"Generated {OUTPUT.relative_to(ROOT)} from {SCHEMA_FILE.name}")


if __name__ == "__main__":
    main()
