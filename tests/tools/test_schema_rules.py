"""`make generate` writes the schema's rules into schema_rules.py, and the handler enforces them.

The checked-in module is what the generator writes from the schema now; a changed or added rule
in a scratch copy of the schema reaches validation.py and translation.py through the generated
module alone; and a construct the generator cannot translate stops it.
"""

import importlib.util
import json
import sys

import pytest
from cloudformation_cli_python_lib.exceptions import InvalidRequest

from community_sagemaker_imageversion import schema_rules, translation, validation
from community_sagemaker_imageversion.models import ResourceModel
from make_targets.schema_rules import OUTPUT, SCHEMA_FILE, SchemaError, generate


def schema():
    """A scratch copy of the schema, to change."""
    return json.loads(SCHEMA_FILE.read_text())


def with_shared_alias(changed):
    """``changed`` with Alias and the items of Aliases both referring to one definition."""
    alias = changed["properties"]["Alias"]
    rule = {key: value for key, value in alias.items() if key != "description"}
    changed["definitions"] = {"Alias": rule}
    changed["properties"]["Alias"] = {"$ref": "#/definitions/Alias", "description": "An alias."}
    changed["properties"]["Aliases"]["items"] = {"$ref": "#/definitions/Alias"}
    return changed


def model(**values):
    return ResourceModel._deserialize({"ImageName": "img", "BaseImage": "repo/img:1", **values})


def generated(tmp_path, monkeypatch, changed_schema):
    """The module `make generate` would write for ``changed_schema``, imported."""
    path = tmp_path / "scratch_schema_rules.py"
    path.write_text(generate(changed_schema))
    spec = importlib.util.spec_from_file_location("scratch_schema_rules", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def enforce(monkeypatch, scratch):
    """validation.py and translation.py as if ``scratch`` were schema_rules.py: each constant
    they took from the generated module is replaced with the scratch module's."""
    generated_names = {
        id(value): name for name, value in vars(schema_rules).items() if name.isupper()
    }
    for module in (validation, translation):
        for name, value in list(vars(module).items()):
            if id(value) in generated_names:
                monkeypatch.setattr(module, name, getattr(scratch, generated_names[id(value)]))


def test_the_checked_in_module_is_what_the_generator_writes_now():
    assert OUTPUT.read_text() == generate(schema())


def test_the_generated_module_says_it_is_generated():
    first_line = OUTPUT.read_text().splitlines()[0]
    assert "generated from sagemaker-imageversion.json by `make generate`" in first_line.lower()
    assert "DO NOT modify this file by hand" in first_line


def test_validation_and_translation_take_their_rules_from_the_generated_module():
    assert validation.STRING_RULES is schema_rules.STRING_RULES
    assert validation.KNOWN_PROPERTIES is schema_rules.PROPERTIES
    assert validation.REQUIRED is schema_rules.REQUIRED
    assert validation.READ_ONLY is schema_rules.READ_ONLY
    assert translation.METADATA_FIELDS is schema_rules.METADATA_FIELDS


def test_a_changed_max_length_is_enforced(tmp_path, monkeypatch):
    changed = schema()
    changed["properties"]["ImageName"]["maxLength"] = 40
    scratch = generated(tmp_path, monkeypatch, changed)
    assert scratch.STRING_RULES["ImageName"].max_length == 40
    name = "n" * 50
    assert validation.model_problems(model(ImageName=name)) == []
    enforce(monkeypatch, scratch)
    with pytest.raises(InvalidRequest, match=r"ImageName '.*' is 50 characters; at most 40"):
        validation.check_create(model(ImageName=name))


def test_a_shared_definition_is_enforced_in_every_property_that_refers_to_it(tmp_path, monkeypatch):
    changed = with_shared_alias(schema())
    changed["definitions"]["Alias"]["pattern"] = "^[a-z]+$"
    scratch = generated(tmp_path, monkeypatch, changed)
    assert scratch.STRING_RULES["Alias"].pattern == "^[a-z]+$"
    assert scratch.ARRAY_RULES["Aliases"].items.pattern == "^[a-z]+$"
    enforce(monkeypatch, scratch)
    assert validation.model_problems(model(Alias="Latest", Aliases=["v1"])) == [
        "Alias 'Latest' does not match ^[a-z]+$ (pattern)",
        "Aliases item 'v1' does not match ^[a-z]+$ (pattern)",
    ]


def test_a_new_string_property_is_accepted_checked_and_sent_to_sagemaker(tmp_path, monkeypatch):
    changed = schema()
    changed["properties"]["Description"] = {
        "description": "What the version holds.",
        "type": "string",
        "minLength": 1,
        "maxLength": 20,
        "pattern": "^[ -~]*$",
    }
    scratch = generated(tmp_path, monkeypatch, changed)
    assert scratch.STRING_RULES["Description"] == scratch.StringRule(1, 20, "^[ -~]*$")
    assert "Description" in scratch.PROPERTIES
    assert scratch.METADATA_FIELDS[-1] == "Description"
    before = validation.raw_problems({"ImageName": "img", "Description": "x"})
    assert before == ["Description is not a property of this type (additionalProperties)"]

    enforce(monkeypatch, scratch)
    assert validation.raw_problems({"ImageName": "img", "Description": "x"}) == []
    too_long = model()
    too_long.Description = "d" * 21
    assert validation.model_problems(too_long) == [
        "Description 'ddddddddddddddddddddd' is 21 characters; at most 20 allowed (maxLength)"
    ]
    valid = model()
    valid.Description = "CUDA 12"
    assert validation.model_problems(valid) == []
    assert translation.create_request(valid, "tok")["Description"] == "CUDA 12"
    plan = translation.update_plan(valid, {"Description": "old"}, [])
    assert plan.fields == {"Description": "CUDA 12"}


def test_a_pattern_without_a_min_length_is_checked_on_an_empty_value(tmp_path, monkeypatch):
    changed = schema()
    changed["properties"]["Tier"] = {"type": "string", "pattern": "^[a-z]+$"}
    scratch = generated(tmp_path, monkeypatch, changed)
    enforce(monkeypatch, scratch)
    empty = model()
    empty.Tier = ""
    assert validation.model_problems(empty) == ["Tier '' does not match ^[a-z]+$ (pattern)"]


def test_new_boolean_integer_and_array_properties_are_checked(tmp_path, monkeypatch):
    changed = schema()
    changed["properties"]["Gpu"] = {"type": "boolean"}
    changed["properties"]["Replicas"] = {"type": "integer", "minimum": 2}
    changed["properties"]["Owners"] = {"type": "array", "items": {"type": "string", "maxLength": 3}}
    scratch = generated(tmp_path, monkeypatch, changed)
    enforce(monkeypatch, scratch)
    bad = model()
    bad.Gpu, bad.Replicas, bad.Owners = "yes", 1, ["abcd"]
    assert validation.model_problems(bad) == [
        "Owners item 'abcd' is 4 characters; at most 3 allowed (maxLength)",
        "Gpu must be a boolean (type), got str 'yes'",
        "Replicas must be an integer of at least 2 (minimum)",
    ]
    assert validation.raw_problems({"Owners": "abc"}) == ["Owners must be an array (type), got str"]


def test_a_changed_arn_pattern_changes_its_parts(tmp_path, monkeypatch):
    changed = schema()
    arn = changed["properties"]["ImageVersionArn"]
    arn["pattern"] = arn["pattern"].replace("[0-9]{12}", "[0-9]{10}")
    parts = generated(tmp_path, monkeypatch, changed).ARN_PATTERNS["ImageVersionArn"]
    assert (parts.service, parts.account, parts.resource_type) == (
        "sagemaker",
        "[0-9]{10}",
        "image-version",
    )
    assert parts.resource_ids == ("[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*", "[0-9]+")


def _shared_alias_with(keyword, value):
    def change(changed):
        with_shared_alias(changed)["properties"]["Alias"][keyword] = value

    return change


def _set(path, value):
    def change(changed):
        *parents, key = path
        node = changed
        for parent in parents:
            node = node[parent]
        node[key] = value

    return change


UNTRANSLATABLE = {
    "a maximum": _set(["properties", "Version", "maximum"], 9),
    "a number": _set(["properties", "Ratio"], {"type": "number"}),
    "an object": _set(["properties", "Tags"], {"type": "object"}),
    "no type": _set(["properties", "Anything"], {"description": "no type"}),
    "a format": _set(["properties", "BaseImage", "format"], "uri"),
    "uniqueItems": _set(["properties", "Aliases", "uniqueItems"], True),
    "minItems": _set(["properties", "Aliases", "minItems"], 1),
    "an array of integers": _set(
        ["properties", "Ports"], {"type": "array", "items": {"type": "integer"}}
    ),
    "a keyword beside $ref": _shared_alias_with("maxLength", 10),
    "a $ref outside definitions": _set(["properties", "ImageName"], {"$ref": "other.json#/X"}),
    "a $ref to a missing definition": _set(
        ["properties", "ImageName"], {"$ref": "#/definitions/X"}
    ),
    "a section with rules": _set(["oneOf"], [{"required": ["Alias"]}]),
    "additional properties": _set(["additionalProperties"], True),
    "a pattern Python cannot read": _set(["properties", "ReleaseNotes", "pattern"], "\\p{L}+"),
    "a nested read-only pointer": _set(["readOnlyProperties"], ["/properties/Version/x"]),
    "an unknown required property": _set(["required"], ["ImageName", "Colour"]),
    "an ARN service that is not literal": _set(
        ["properties", "ImageArn", "pattern"], "^arn:aws:sage.*:[a-z]*:[0-9]{12}:image\\/x$"
    ),
}


@pytest.mark.parametrize("change", UNTRANSLATABLE.values(), ids=UNTRANSLATABLE)
def test_what_cannot_be_translated_stops_the_generator(change):
    changed = schema()
    change(changed)
    with pytest.raises(SchemaError):
        generate(changed)


def test_what_removing_a_property_sets_follows_the_schemas_rules():
    for name, value in translation.RESET_ON_REMOVAL.items():
        assert name in schema_rules.METADATA_FIELDS
        if name in schema_rules.STRING_RULES:
            assert validation.string_problems(name, value, schema_rules.STRING_RULES[name]) == []
        else:
            assert name in schema_rules.BOOLEANS
            assert isinstance(value, bool)
