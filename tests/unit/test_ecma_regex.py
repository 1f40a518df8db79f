"""Schema patterns keep ECMA-262's meaning in Python, including its white space."""

import json
from pathlib import Path

import pytest

from community_sagemaker_imageversion.ecma_regex import schema_regex
from make_targets.schema_rules import SchemaError, read_rules

ECMA_ONLY_SPACES = ["\u00a0", "\ufeff", "\u2003", "\u3000", "\u2028"]


@pytest.mark.parametrize("space", ECMA_ONLY_SPACES)
def test_ecma_white_space_is_white_space(space):
    assert schema_regex(r"^\S+$").search(f"a{space}b") is None
    assert schema_regex(r"^a\sb$").search(f"a{space}b") is not None
    assert schema_regex(r"^a[\sx]b$").search(f"a{space}b") is not None


def test_ascii_white_space_and_other_characters_keep_their_meaning():
    assert schema_regex(r"^a\sb$").search("a\tb") is not None
    assert schema_regex(r"^\S+$").search("abc\u00e9") is not None
    assert schema_regex(r"^\S+$").search("a b") is None


def test_a_negated_white_space_inside_a_class_is_refused():
    with pytest.raises(ValueError, match="character class"):
        schema_regex(r"^[\Sx]+$")


def test_the_generator_refuses_a_schema_pattern_without_a_translation():
    schema = json.loads(Path("sagemaker-imageversion.json").read_text())
    schema["properties"]["ReleaseNotes"]["pattern"] = r"^[\Sx]+$"
    with pytest.raises(SchemaError, match="no Python translation"):
        read_rules(schema)
