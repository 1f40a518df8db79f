"""Input the schema refuses, through the entrypoint: null values and properties the schema does
not have are refused on CREATE and UPDATE naming the property, and never block a DELETE or a
READ; patterns mean what JSON Schema means (ECMA-262: ``\\d`` is an ASCII digit)."""

import pytest

from .conftest import listed_versions, props

# Refused before any SageMaker call: no variant of SageMaker's rules can change the outcome.
REFUSED_FIRST = pytest.mark.rules_independent

NULLABLE = ["JobType", "Aliases", "Alias", "Horovod", "VendorGuidance", "ReleaseNotes"]


@REFUSED_FIRST
@pytest.mark.parametrize("prop", NULLABLE)
def test_a_null_value_is_refused_on_create_naming_it(image, driver, recorder, sm, prop):
    outcome = driver.run("CREATE", {**props(), prop: None})
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert f"{prop} must not be null" in outcome.final["message"]
    assert recorder.mutating() == []
    assert listed_versions(sm) == []


@pytest.mark.parametrize("prop", NULLABLE)
def test_a_null_value_is_refused_on_update_and_changes_nothing(image, driver, recorder, prop):
    model = driver.run("CREATE", props(JobType="TRAINING", Aliases=["keep"])).model
    recorder.clear()
    outcome = driver.run("UPDATE", {**model, prop: None}, previous=model)
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert prop in outcome.final["message"]
    assert recorder.mutating() == []


def test_a_model_from_an_older_schema_never_blocks_a_delete_or_a_read(image, driver, sm):
    model = driver.run("CREATE", props(Aliases=["a"])).model
    older = {**model, "RetiredProperty": "left by an older schema", "JobType": None}
    older["Horovod"] = "maybe"  # a type this schema cannot cast
    assert driver.run("READ", older).status == "SUCCESS"
    desired = {**model, "JobType": "INFERENCE"}
    assert driver.run("UPDATE", desired, previous=older).status == "SUCCESS"
    assert driver.run("DELETE", older).status == "SUCCESS"
    assert listed_versions(sm) == []


def test_an_unknown_property_in_an_update_is_refused_naming_it(image, driver):
    model = driver.run("CREATE", props()).model
    outcome = driver.run("UPDATE", {**model, "RetiredProperty": "x"}, previous=model)
    assert outcome.error_code == "InvalidRequest"
    assert "RetiredProperty is not a property" in outcome.final["message"]


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("MLFramework", "PyTorch \u0662.\u0663"),  # Arabic-Indic digits
        ("ProgrammingLang", "Python \uff13.\uff11\uff11"),  # full-width digits
        ("ImageName", "caf\u00e9"),
        ("Aliases", ["stable\n"]),
        ("ImageName", "name\n"),
    ],
)
@REFUSED_FIRST
def test_patterns_mean_what_json_schema_means(image, driver, recorder, prop, value):
    outcome = driver.run("CREATE", {**props(), prop: value})
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert prop.rstrip("s") in outcome.final["message"]
    assert "(pattern)" in outcome.final["message"]
    assert recorder.mutating() == []


# CloudFormation hands a template's booleans and integers to the handler as text ("true", "1"),
# which the runtime library casts to the model's types: that text is accepted. Anything else is
# refused naming the property and the rule, like every other rule (the library's own message
# names none, and it turned 2 into true).
NOT_BOOLEANS = [("yes", "str 'yes'"), ("", "str ''"), (2, "int"), (1.0, "float")]


@REFUSED_FIRST
@pytest.mark.parametrize(("value", "shown"), NOT_BOOLEANS, ids=[s for _, s in NOT_BOOLEANS])
def test_a_boolean_that_is_neither_true_nor_false_is_refused_naming_the_rule(
    image, driver, recorder, value, shown
):
    outcome = driver.run("CREATE", {**props(), "Horovod": value})
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert outcome.final["message"] == (
        f"Invalid properties: Horovod must be a boolean (type), got {shown}"
    )
    assert recorder.mutating() == []


@pytest.mark.parametrize(("value", "meant"), [(True, True), ("true", True), ("False", False)])
def test_a_boolean_as_cloudformation_sends_it_is_accepted(image, driver, value, meant):
    outcome = driver.run("CREATE", {**props(), "Horovod": value})
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model is not None
    assert outcome.model["Horovod"] is meant


def test_an_update_s_version_that_is_not_an_integer_is_refused_naming_the_rule(image, driver):
    model = driver.run("CREATE", props()).model
    assert model is not None
    outcome = driver.run("UPDATE", {**model, "Version": "one"}, previous=model)
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert outcome.final["message"] == (
        "Invalid properties: Version must be an integer (type), got str 'one'"
    )
    as_text = driver.run("UPDATE", {**model, "Version": str(model["Version"])}, previous=model)
    assert as_text.status == "SUCCESS", as_text.final
