"""What a property's JSON Schema type accepts as CloudFormation sends it: a template's booleans
and integers arrive as text (``"true"``, ``"3"``), which the runtime library casts to the model's
types, as it casts any scalar to text for a string.

The handler refuses what would not cast (``validation``), naming the rule, and the cfn-lint rules
(``src/cfn_lint_rules``) load this file to let through exactly what the handler accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_BOOLEAN_TEXT = ("true", "false")
_INTEGER_TEXT = re.compile(r"-?[0-9]+")
SCALARS = (str, int, float, bool)


_TEXT: dict[str, Callable[[str], bool]] = {
    "boolean": lambda text: text.lower() in _BOOLEAN_TEXT,
    "integer": lambda text: _INTEGER_TEXT.fullmatch(text) is not None,
    "string": lambda _: True,
}
_PYTHON: dict[str, type | tuple[type, ...]] = {
    "boolean": bool,
    "integer": int,
    "string": SCALARS,
    "number": (int, float),
    "array": list,
    "object": dict,
}


def casts_to(json_type: str, value: object) -> bool:
    """Whether ``value`` (not null) casts to the JSON Schema type ``json_type`` ("boolean",
    "integer", "string"; "array" and "object" as JSON holds them)."""
    if isinstance(value, str) and json_type in _TEXT:
        return _TEXT[json_type](value)
    return isinstance(value, _PYTHON.get(json_type, ())) and not (
        json_type == "integer" and isinstance(value, bool)
    )
