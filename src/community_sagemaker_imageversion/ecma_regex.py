"""ECMA-262 regular expressions, as JSON Schema's ``pattern`` means them, turned into Python's.

The handler checks the schema's patterns with them (``validation``), and the generator of
``schema_rules`` refuses a pattern they cannot turn into Python's (``make generate``).
"""

from __future__ import annotations

import functools
import re

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
      would pass ``\\d+\\.\\d+``);
    - ``\\s`` and ``\\S`` are ECMA's white space and line terminators, which include
      ``\\u00a0`` and ``\\ufeff`` (Python's ASCII ``\\s`` does not).

    A ``\\S`` inside a character class has no such translation: ValueError.
    """
    converted: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
            if char in "sS":
                converted[-1] = _whitespace(char == "S", in_class, pattern)
                continue
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


# ECMA-262's WhiteSpace and LineTerminator code points: what its \s matches.
_ECMA_WHITESPACE = (
    "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)


def _whitespace(negated: bool, in_class: bool, pattern: str) -> str:
    if not in_class:
        return f"[^{_ECMA_WHITESPACE}]" if negated else f"[{_ECMA_WHITESPACE}]"
    if negated:
        raise ValueError(f"\\S inside a character class has no translation: {pattern!r}")
    return _ECMA_WHITESPACE
