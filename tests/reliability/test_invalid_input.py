"""Invalid models, each breaking one rule of one property, through the real entrypoint.

Each gets InvalidRequest naming the property, and no SageMaker call changes anything; valid
models succeed. `make reliability` runs thousands of examples (hypothesis profile
``reliability``); the suite a few dozen.
"""

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from harness.inventory import aliases_of
from harness.recorder import Recorder, recording
from offline_aws.defaults import IMAGE_ROLE, REGION
from reliability_suite import figures

from .conftest import FULL
from .strategies import IMAGE, RULES, broken_models, valid_models

pytestmark = pytest.mark.requirement("invalid-input")

# Refused before any SageMaker call: no variant of SageMaker's rules can change the outcome.
REFUSED_FIRST = pytest.mark.rules_independent

ROLE = IMAGE_ROLE
COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def emulated() -> Iterator[tuple[Any, Driver, Recorder]]:
    """One mocked SageMaker with the image, a driver and a recorder for every example."""
    with mock_aws(), recording() as recorder:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_image(ImageName=IMAGE, RoleArn=ROLE)
        yield sagemaker, Driver(resource, time_limit=30.0), recorder
    figures.keep("invalid_input", dict(COUNTS))


def _names(message: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", message) is not None


# Examples per (property, rule): the suite a few, `make reliability` dozens.
EXAMPLES = 60 if FULL else 4


@REFUSED_FIRST
@pytest.mark.parametrize(("name", "broken_rule"), RULES, ids=[f"{n} {r}" for n, r in RULES])
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_a_model_breaking_one_rule_is_refused_naming_the_property(
    emulated, name, broken_rule, data
):
    _, driver, recorder = emulated
    model, named = data.draw(broken_models(name, broken_rule))
    recorder.clear()
    outcome = driver.run("CREATE", model)
    assert outcome.error_code == "InvalidRequest", (model, outcome.final)
    assert _names(outcome.final["message"], named), (named, outcome.final["message"])
    assert recorder.mutating() == []
    COUNTS["invalid create"] += 1
    COUNTS[f"invalid create: {name} {broken_rule}"] += 1


# Read-only values in an update are the version's identifiers, not a broken rule.
UPDATE_RULES = [(n, r) for n, r in RULES if r != "readOnly"]


@pytest.mark.parametrize(
    ("name", "broken_rule"), UPDATE_RULES, ids=[f"{n} {r}" for n, r in UPDATE_RULES]
)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_an_update_to_a_model_breaking_one_rule_is_refused(emulated, name, broken_rule, data):
    _, driver, recorder = emulated
    model, named = data.draw(broken_models(name, broken_rule))
    current = _existing_version(driver)
    desired = {**model, "ImageVersionArn": current["ImageVersionArn"]}
    if name != "BaseImage" and "BaseImage" in desired:
        desired["BaseImage"] = current["BaseImage"]  # create-only: changing it is another rule
    recorder.clear()
    outcome = driver.run("UPDATE", desired, previous=current)
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert _names(outcome.final["message"], named), (named, outcome.final["message"])
    assert recorder.mutating() == []
    COUNTS["invalid update"] += 1


_EXISTING: dict[str, dict[str, Any]] = {}


def _existing_version(driver: Driver) -> dict[str, Any]:
    if "model" not in _EXISTING:
        outcome = driver.run("CREATE", {"ImageName": IMAGE, "BaseImage": "base:1"})
        assert outcome.model is not None, outcome.final
        _EXISTING["model"] = outcome.model
    return _EXISTING["model"]


SUPERSEDED = {("VendorGuidance", "TO_BE_ARCHIVED"): "ARCHIVED"}
"""A value SageMaker replaces on its own, and what with (READ reports it: drift)."""


@settings(max_examples=600 if FULL else 40)
@given(model=valid_models())
def test_a_valid_model_is_created_as_given(emulated, model):
    sm, driver, _ = emulated
    outcome = driver.run("CREATE", model)
    assert outcome.status == "SUCCESS", (model, outcome.final)
    made = outcome.model
    wanted_aliases = set(model.get("Aliases", [])) | (
        {model["Alias"]} if "Alias" in model else set()
    )
    held = aliases_of(sm, made["ImageName"], made["Version"])
    assert set(held) == wanted_aliases
    # what was asked comes back: Aliases as listed, the write-only Alias left out
    assert set(made["Aliases"]) == set(model.get("Aliases", []))
    for name, value in model.items():
        if name not in ("Alias", "Aliases"):
            # (or what SageMaker made of it on its own: it archives a TO_BE_ARCHIVED version,
            # after three months, or archive_seconds under archival=after_delay)
            assert made[name] in (value, SUPERSEDED.get((name, value))), name
    assert driver.run("DELETE", made).status == "SUCCESS"
    COUNTS["valid create"] += 1


NEWLINE_ENDED = [
    ("ImageName", f"{IMAGE}\n"),
    ("Alias", "stable\n"),
    ("Aliases", ["stable\n"]),
    ("MLFramework", "PyTorch 2.3\n"),
    ("ProgrammingLang", "Python 3.11\n"),
]


@REFUSED_FIRST
@pytest.mark.parametrize(("name", "value"), NEWLINE_ENDED, ids=[n for n, _ in NEWLINE_ENDED])
def test_a_value_ending_in_a_newline_breaks_the_pattern_before_any_call(emulated, name, value):
    _, driver, recorder = emulated
    recorder.clear()
    outcome = driver.run("CREATE", {"ImageName": IMAGE, "BaseImage": "base:2", name: value})
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert recorder.mutating() == []
    assert _names(outcome.final["message"], name), outcome.final["message"]
