"""Hypothesis strategies for resource models, valid and broken, read from the schema itself.

Valid values of every property are drawn from the schema's own rules (lengths, patterns, enums,
types); a broken model is a valid one with exactly one rule of one property broken.
"""

import functools
import json
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from offline_aws.defaults import SAGEMAKER_ARN_PREFIX, base_image

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "sagemaker-imageversion.json").read_text()
)
PROPERTIES: dict[str, dict[str, Any]] = SCHEMA["properties"]
READ_ONLY = [p.rsplit("/", 1)[1] for p in SCHEMA["readOnlyProperties"]]
REQUIRED: list[str] = SCHEMA["required"]
CREATE_ONLY = [p.rsplit("/", 1)[1] for p in SCHEMA["createOnlyProperties"]]
IMAGE = "ReplayImage"
ARN_PREFIX = SAGEMAKER_ARN_PREFIX


def rule(name: str) -> dict[str, Any]:
    """The JSON-schema keywords of property ``name`` (each property carries its own)."""
    return PROPERTIES[name]


def schema_match(pattern: str, value: str) -> bool:
    """Whether ``value`` matches ``pattern`` as JSON schema reads it (ECMA 262): ``$`` is the end
    of the string, where Python's ``$`` also matches before a final newline."""
    return re.search(pattern.replace("$", r"\Z"), value) is not None


def _matching(keywords: dict[str, Any]) -> st.SearchStrategy[str]:
    """Strings that satisfy a string rule: its enum, or its pattern and length limits."""
    if "enum" in keywords:
        return st.sampled_from(keywords["enum"])
    low, high = keywords.get("minLength", 0), keywords.get("maxLength", 64)
    pattern = keywords.get("pattern", ".*")
    alphabet = st.characters(codec="ascii", exclude_categories=["Cc"])
    return (
        st.from_regex(pattern, alphabet=alphabet)
        .map(lambda s: s[:high])
        .filter(lambda s: low <= len(s) <= high and schema_match(pattern, s))
    )


@functools.cache
def valid_value(name: str) -> st.SearchStrategy[Any]:
    """Values of property ``name`` its rules accept; one strategy per property, built once (a
    strategy is immutable, and building one from a pattern costs more than drawing from it)."""
    keywords = rule(name)
    if keywords["type"] == "boolean":
        return st.booleans()
    if keywords["type"] == "integer":
        return st.integers(keywords.get("minimum", 0), 10_000)
    if keywords["type"] == "array":
        item = keywords["items"]
        return st.lists(_matching(item), max_size=3, unique=True)
    return _matching(keywords)


# Values of the wrong type that are not scalars. A scalar of the wrong scalar type is no broken
# rule here: CloudFormation sends every scalar as a string and the runtime library casts it to the
# property's type (0 becomes "0", "true" becomes True), so the handler sees a value of the right
# type. Booleans that are neither "true" nor "false" stay wrong, and are drawn as such.
NOT_SCALAR = st.one_of(
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)

WRITABLE = [name for name in SCHEMA["properties"] if name not in READ_ONLY and name not in REQUIRED]


@st.composite
def valid_models(draw: Callable[..., Any], image_name: str = IMAGE) -> dict[str, Any]:
    """A model CREATE accepts: the required properties and any of the writable ones."""
    model = {"ImageName": image_name, "BaseImage": draw(valid_value("BaseImage"))}
    for name in draw(st.lists(st.sampled_from(WRITABLE), unique=True)):
        model[name] = draw(valid_value(name))
    return model


def _breaking_strings(keywords: dict[str, Any]) -> list[tuple[str, st.SearchStrategy[Any]]]:
    """(rule, strategy) pairs of values breaking one keyword of a string rule."""
    broken: list[tuple[str, st.SearchStrategy[Any]]] = [("type", NOT_SCALAR)]
    if "enum" in keywords:
        broken.append(("enum", st.text(max_size=20).filter(lambda s: s not in keywords["enum"])))
    if keywords.get("minLength", 0) > 0:
        broken.append(("minLength", st.just("")))
    pattern = keywords.get("pattern")
    if "maxLength" in keywords:
        too_long = keywords["maxLength"] + 1
        letters = st.text(string.ascii_lowercase, min_size=too_long, max_size=too_long + 300)
        broken.append(("maxLength", letters.map(lambda s: _fitting(s, pattern))))
    if pattern and pattern not in (".*", ".+"):
        limit = keywords.get("maxLength", 64)
        broken.append(
            (
                "pattern",
                # Broken under Python's reading too: a value whose only fault is a final newline
                # is test_invalid_input's known handler bug, checked on its own there.
                st.text(min_size=1, max_size=limit).filter(lambda s: re.search(pattern, s) is None),
            )
        )
    return broken


def _fitting(letters: str, pattern: str | None) -> str:
    """``letters``, or letters ending like a version (``... 1.0``), whichever ``pattern`` takes:
    a value that is too long and breaks no other rule."""
    for candidate in (letters, letters[:-4] + " 1.0"):
        if pattern is None or schema_match(pattern, candidate):
            return candidate
    raise ValueError(f"no long value matches {pattern}")


def breaking_values(name: str) -> list[tuple[str, st.SearchStrategy[Any]]]:
    """(rule, strategy) pairs: each strategy draws values breaking that rule of ``name``."""
    keywords = rule(name)
    if keywords["type"] == "boolean":
        not_boolean = st.text(max_size=8).filter(lambda s: s.lower() not in ("true", "false"))
        return [("type", st.one_of(not_boolean, NOT_SCALAR))]
    if keywords["type"] == "integer":
        return [
            ("minimum", st.integers(max_value=keywords["minimum"] - 1)),
            ("type", NOT_SCALAR),
        ]
    if keywords["type"] == "array":
        item = keywords["items"]
        valid_item = _matching(item)
        scalars = st.one_of(st.integers(), st.text(min_size=1, max_size=5), st.booleans())
        return [
            ("type", st.one_of(scalars, st.dictionaries(st.text(max_size=3), st.integers()))),
            ("uniqueItems", valid_item.map(lambda alias: [alias, alias])),
            *[
                (f"items.{what}", st.tuples(valid_item, bad).map(list))
                for what, bad in _breaking_strings(item)
            ],
        ]
    return _breaking_strings(keywords)


UNKNOWN = "(an unknown property)"
# Every (property, rule) a model can break, and the values that break it.
BREAKS: dict[tuple[str, str], st.SearchStrategy[Any]] = {
    (name, broken_rule): values
    for name in SCHEMA["properties"]
    if name not in READ_ONLY
    for broken_rule, values in breaking_values(name)
}
RULES: list[tuple[str, str]] = [
    *BREAKS,
    *((name, "required") for name in REQUIRED),
    *((name, "readOnly") for name in READ_ONLY),
    (UNKNOWN, "additionalProperties"),
]


@st.composite
def broken_models(
    draw: Callable[..., Any], name: str, broken_rule: str
) -> tuple[dict[str, Any], str]:
    """A valid model with rule ``broken_rule`` of property ``name`` broken (and no other); the
    name of the property at fault."""
    model = draw(valid_models())
    if broken_rule == "required":
        del model[name]
    elif broken_rule == "readOnly":
        model[name] = draw(_read_only_value(name))
    elif broken_rule == "additionalProperties":
        name = draw(
            st.text(string.ascii_letters, min_size=1, max_size=20).filter(
                lambda key: key not in SCHEMA["properties"]
            )
        )
        model[name] = draw(st.one_of(st.text(max_size=10), st.integers()))
    else:
        model[name] = draw(BREAKS[name, broken_rule])
    return model, name


def _read_only_value(name: str) -> st.SearchStrategy[Any]:
    examples = {
        "ImageVersionArn": f"{ARN_PREFIX}:image-version/{IMAGE.lower()}/1",
        "ImageArn": f"{ARN_PREFIX}:image/{IMAGE.lower()}",
        "Version": 1,
        "ContainerImage": base_image("x@sha256:00"),
    }
    return st.just(examples[name])
