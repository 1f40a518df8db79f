"""The handler's rules against the schema file, and the messages bad input gets."""

import json
from pathlib import Path

import pytest
from cloudformation_cli_python_lib.exceptions import InvalidRequest

from community_sagemaker_imageversion import validation
from community_sagemaker_imageversion.models import ResourceModel

SCHEMA = json.loads((Path(__file__).parents[2] / "sagemaker-imageversion.json").read_text())


def _rule(prop):
    return SCHEMA["properties"][prop]


def model(**values):
    return ResourceModel._deserialize({"ImageName": "img", "BaseImage": "repo/img:1", **values})


@pytest.mark.parametrize("prop", sorted(validation.STRING_RULES))
def test_string_rules_are_the_schemas(prop):
    keywords = _rule(prop)
    rule = validation.STRING_RULES[prop]
    assert keywords["type"] == "string"
    assert rule.min_length == keywords.get("minLength")
    assert rule.max_length == keywords.get("maxLength")
    assert rule.pattern == keywords.get("pattern")
    assert rule.enum == (tuple(keywords["enum"]) if "enum" in keywords else None)


def test_every_string_property_of_the_schema_has_a_rule():
    strings = {p for p in SCHEMA["properties"] if _rule(p)["type"] == "string"}
    assert strings == set(validation.STRING_RULES)


def test_alias_items_version_and_lists_match_the_schema():
    alias = {key: value for key, value in _rule("Alias").items() if key != "description"}
    assert SCHEMA["properties"]["Aliases"]["items"] == alias
    assert validation.STRING_RULES["Alias"] == validation.ALIAS_RULE
    assert SCHEMA["properties"]["Version"]["minimum"] == validation.VERSION_MINIMUM
    assert list(validation.REQUIRED) == SCHEMA["required"]
    assert [f"/properties/{p}" for p in validation.READ_ONLY] == SCHEMA["readOnlyProperties"]
    assert set(SCHEMA["properties"]) == validation.KNOWN_PROPERTIES


def test_a_complete_valid_model_has_no_problems():
    valid = model(
        Aliases=["latest", "v1.0", "a_b-c"],
        Alias="stable",
        VendorGuidance="STABLE",
        JobType="TRAINING",
        MLFramework="PyTorch 2.3.1",
        ProgrammingLang="Python 3.11",
        Processor="GPU",
        Horovod=True,
        ReleaseNotes="first",
    )
    assert validation.model_problems(valid) == []


BAD_VALUES = [
    ("ImageName", "x" * 64, "maxLength"),
    ("ImageName", "-leading-dash", "pattern"),
    ("ImageName", "double--dash", "pattern"),
    ("BaseImage", "b" * 256, "maxLength"),
    ("Alias", ".hidden", "pattern"),
    ("Alias", "a" * 129, "maxLength"),
    ("Alias", "has space", "pattern"),
    ("VendorGuidance", "MAYBE", "enum"),
    ("JobType", "TRAINING ", "enum"),
    ("Processor", "TPU", "enum"),
    ("MLFramework", "PyTorch", "pattern"),
    ("MLFramework", "PyTorch 2", "pattern"),
    ("ProgrammingLang", "Python3.11.1.1", "pattern"),
    ("ProgrammingLang", "P" * 125 + " 3.11.1", "maxLength"),
    ("ReleaseNotes", "r" * 256, "maxLength"),
    ("ImageName", "", "minLength"),
    ("ReleaseNotes", "", "minLength"),
]


@pytest.mark.parametrize(("prop", "value", "keyword"), BAD_VALUES)
def test_each_broken_rule_is_named_with_its_property(prop, value, keyword):
    problems = validation.model_problems(model(**{prop: value}))
    assert len(problems) >= 1
    assert problems[0].startswith(prop)
    assert f"({keyword})" in problems[0]


def test_bad_alias_inside_aliases_is_reported():
    problems = validation.model_problems(model(Aliases=["ok", "-bad"]))
    assert problems == ["Aliases item '-bad' does not match (?!^[.-])^([a-zA-Z0-9-_.]+)$ (pattern)"]


def test_missing_required_properties_are_each_named():
    deserialized = ResourceModel._deserialize({"JobType": "TRAINING"})
    assert deserialized is not None
    problems = validation.model_problems(deserialized)
    assert problems == ["ImageName is required (required)", "BaseImage is required (required)"]


def test_wrong_types_are_named():
    bad = model()
    bad.Horovod = "yes"
    bad.ImageName = 7
    problems = validation.model_problems(bad)
    assert "ImageName must be a string (type), got int" in problems
    assert "Horovod must be a boolean (type), got str 'yes'" in problems


@pytest.mark.parametrize("prop", validation.READ_ONLY)
def test_create_refuses_read_only_properties(prop):
    value = {
        "ImageVersionArn": "arn:aws:sagemaker:us-east-1:123456789012:image-version/img/1",
        "ImageArn": "arn:aws:sagemaker:us-east-1:123456789012:image/img",
        "Version": 1,
        "ContainerImage": "repo/img@sha256:0",
    }[prop]
    with pytest.raises(InvalidRequest, match=f"{prop} is read-only"):
        validation.check_create(model(**{prop: value}))


def test_update_accepts_read_only_identifiers():
    arn = "arn:aws:sagemaker:us-east-1:123456789012:image-version/img/1"
    checked = validation.check_update(model(ImageVersionArn=arn, Version=1))
    assert checked.ImageVersionArn == arn


def test_one_error_lists_every_problem():
    with pytest.raises(InvalidRequest) as raised:
        validation.check_create(model(Processor="TPU", JobType="X", ImageName="-x"))
    message = str(raised.value)
    assert message.startswith("Invalid properties: ")
    for prop in ("Processor", "JobType", "ImageName"):
        assert prop in message


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({"ImageName": "a", "Colour": "red"}, ["Colour is not a property of this type"]),
        (
            {"Aliases": ["a", "b", "a"]},
            ["Aliases lists 'a' more than once (each alias at most once)"],
        ),
        ({"Aliases": "a"}, ["Aliases must be an array (type), got str"]),
        ("text", ["resource properties must be an object, got str"]),
        ({"ImageName": "a", "Aliases": ["a", "b"]}, []),
        (None, []),
    ],
)
def test_raw_problems_catch_what_the_model_hides(properties, expected):
    problems = validation.raw_problems(properties)
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start)
