"""Rule: ``Alias`` and ``Aliases`` together, as AWS::SageMaker::ImageVersion's schema allows. The
version holds both; ``Alias`` stays write-only (never returned); a model that names an ``Alias``
gets back ``Aliases`` without it, from CREATE, UPDATE and READ, so that what comes back matches
what was asked (`cfn test` compares them). An import (READ with only the identifier) knows no
``Alias``, and reports every alias the version holds in ``Aliases``.
"""

from typing import Any

from tests.handlers.conftest import listed_aliases, props

LEGACY = "legacy-one"
BOTH = {"Alias": LEGACY, "Aliases": ["stable", "v1"]}


def held(sm: Any, version: int = 1) -> list[str]:
    return sorted(listed_aliases(sm, version))


def returned(model: dict[str, Any]) -> tuple[list[str], object]:
    """The model's Aliases (as a sorted list: they are a set) and its Alias (None: absent)."""
    return sorted(model.get("Aliases") or []), model.get("Alias")


def test_a_create_with_alias_and_aliases_returns_aliases_without_the_alias(image, driver, sm):
    outcome = driver.run("CREATE", props(**BOTH))
    assert outcome.status == "SUCCESS", outcome.final
    assert returned(outcome.model) == (["stable", "v1"], None)
    assert held(sm) == [LEGACY, "stable", "v1"]


def test_a_read_of_a_model_naming_an_alias_leaves_it_out_of_aliases(image, driver, sm):
    created = driver.run("CREATE", props(**BOTH)).model
    read = driver.run("READ", {**created, "Alias": LEGACY})
    assert read.status == "SUCCESS", read.final
    assert returned(read.model) == (["stable", "v1"], None)


def test_an_update_of_both_returns_aliases_without_the_alias(image, driver, sm):
    created = driver.run("CREATE", props(**BOTH)).model
    desired = {**created, "Alias": "renamed-one", "Aliases": ["stable", "v2"]}
    updated = driver.run("UPDATE", desired, previous={**created, "Alias": LEGACY})
    assert updated.status == "SUCCESS", updated.final
    assert returned(updated.model) == (["stable", "v2"], None)
    assert held(sm) == ["renamed-one", "stable", "v2"]
    read = driver.run("READ", {**updated.model, "Alias": "renamed-one"})
    assert returned(read.model) == (["stable", "v2"], None)


def test_an_import_knows_no_alias_and_reports_every_alias(image, driver, sm):
    """The rule's other half (holds today): READ with the identifier alone."""
    created = driver.run("CREATE", props(**BOTH)).model
    read = driver.run("READ", {"ImageVersionArn": created["ImageVersionArn"]})
    assert read.status == "SUCCESS", read.final
    assert returned(read.model) == ([LEGACY, "stable", "v1"], None)
