"""Aliases move to the version that asks for them, whatever SageMaker does with an alias another
version holds (refuse it, refuse it as busy, or move it itself), through the entrypoint.

A replacement (a new BaseImage or ImageName) is CloudFormation creating the new version while
the old one still holds the aliases, then deleting the old one.
"""

import contextvars

import pytest

from harness.recorder import BOTOCORE_CLIENT
from harness.replay import run_with_replay
from sagemaker_emulator.rules import VARIANTS

from .conftest import BASE, IMAGE, listed_aliases, listed_numbers, props

CLASH = VARIANTS["alias_clash"]
TEMPLATE_ALIASES = {"Aliases": ["stable", "1.0"], "Alias": "legacy"}


def aliases_of(sm, version):
    held = listed_aliases(sm, version)
    return sorted(held)


@pytest.fixture(params=CLASH)
def clash(request, emulator_controls):
    emulator_controls.rules.alias_clash = request.param
    return request.param


def test_a_replacement_takes_the_aliases_once_the_new_version_is_created(
    image, driver, sm, recorder, clash, emulator_controls
):
    old = driver.run("CREATE", props(**TEMPLATE_ALIASES)).model
    recorder.clear()
    new = driver.run("CREATE", props(BaseImage=BASE + "-new", **TEMPLATE_ALIASES))
    assert new.status == "SUCCESS", new.final
    assert new.invocations == 1
    # the write-only Alias is held but not folded into Aliases: what was asked comes back
    assert sorted(new.model["Aliases"]) == ["1.0", "stable"]
    assert aliases_of(sm, 2) == ["1.0", "legacy", "stable"]
    assert aliases_of(sm, 1) == []
    created = recorder.of("CreateImageVersion")
    assert created and all("Aliases" not in c for c in created), "aliases come after CREATED"
    calls = recorder.snapshot()
    busy = [n for n, c in enumerate(calls) if c.error == "ResourceInUse"]
    # A clash answered as ResourceInUse is not retried as a busy image: the image's versions are
    # never read for a queue after it. Only giving the taken aliases again, while SageMaker's
    # alias index still counts them as the old holder's (alias_index=lagging), meets it again.
    if emulator_controls.rules.alias_index == "consistent":
        assert len(busy) <= 1, "a clash answered as ResourceInUse is not retried as a busy image"
    after_clash = calls[busy[0] :] if busy else []
    assert "ListImageVersions" not in {c.operation for c in after_clash}, "queued as busy"
    gives = [calls[n].params for n in busy[1:]]
    assert all(set(g) == {"ImageName", "Version", "AliasesToAdd"} for g in gives), gives
    assert all(g["Version"] == 2 for g in gives), gives

    gone = driver.run("DELETE", old)
    assert gone.status == "SUCCESS", gone.final
    assert aliases_of(sm, 2) == ["1.0", "legacy", "stable"]
    read = driver.run("READ", new.model)
    assert sorted(read.model["Aliases"]) == ["1.0", "stable"]  # what the model lists
    imported = driver.run("READ", {"ImageVersionArn": new.model["ImageVersionArn"]})
    assert sorted(imported.model["Aliases"]) == ["1.0", "legacy", "stable"]  # every alias


def test_an_alias_a_sibling_holds_and_one_nobody_holds_are_both_taken(image, driver, sm, clash):
    """The aliases nobody holds are looked up too (DescribeImageVersion by an Alias no version
    holds: the emulator's ``alias_not_held`` rule)."""
    driver.run("CREATE", props(Aliases=["stable"]))
    new = driver.run("CREATE", props(BaseImage=BASE + "-new", Aliases=["stable", "fresh"]))
    assert new.status == "SUCCESS", new.final
    assert sorted(new.model["Aliases"]) == ["fresh", "stable"]
    assert aliases_of(sm, 2) == ["fresh", "stable"]
    assert aliases_of(sm, 1) == []


@pytest.mark.parametrize("keep", ["first", "replay"])
@pytest.mark.parametrize("step", [0, 1])
def test_taking_aliases_is_safe_to_run_twice(image, driver, sm, clash, keep, step):
    driver.run("CREATE", props(**TEMPLATE_ALIASES))
    outcome, _ = run_with_replay(
        driver,
        "CREATE",
        props(BaseImage=BASE + "-new", **TEMPLATE_ALIASES),
        token="2c4a5e6f-1b3d-4f7a-9e0c-8d6b4a2f1e3c",
        replay_at=step,
        keep=keep,
    )
    assert outcome.status == "SUCCESS", outcome.final
    assert listed_numbers(sm) == [
        2,
        1,
    ]
    assert aliases_of(sm, 2) == ["1.0", "legacy", "stable"]
    assert aliases_of(sm, 1) == []


def test_a_rolled_back_replacement_leaves_the_old_version_without_the_aliases_and_drift_shows_it(
    image, driver, sm, clash
):
    old = driver.run("CREATE", props(Aliases=["stable", "1.0"])).model
    new = driver.run("CREATE", props(BaseImage=BASE + "-new", Aliases=["stable", "1.0"])).model
    # The stack update fails later on: rollback deletes the new version and keeps the old one
    # as it is (CloudFormation sends it no update).
    assert driver.run("DELETE", new).status == "SUCCESS"
    assert aliases_of(sm, 1) == []
    drift = driver.run("READ", old)
    assert drift.status == "SUCCESS"
    assert drift.model["Aliases"] == [], "READ shows the template's aliases missing: drift"
    assert sorted(old["Aliases"]) == ["1.0", "stable"]
    # Any update of the old version (the next stack update that touches it) gives them back.
    back = driver.run("UPDATE", {**old, "JobType": "TRAINING"}, previous=old)
    assert back.status == "SUCCESS", back.final
    assert aliases_of(sm, 1) == ["1.0", "stable"]


def test_an_update_takes_an_alias_from_the_sibling_that_holds_it(image, driver, sm, clash):
    first = driver.run("CREATE", props(Aliases=["stable"])).model
    second = driver.run("CREATE", props(BaseImage=BASE + "-b", Aliases=["candidate"])).model
    desired = {**second, "Aliases": ["stable", "candidate"]}
    outcome = driver.run("UPDATE", desired, previous=second)
    assert outcome.status == "SUCCESS", outcome.final
    assert aliases_of(sm, 2) == ["candidate", "stable"]
    assert aliases_of(sm, 1) == []
    assert driver.run("READ", first).model["Aliases"] == []


def test_an_alias_held_outside_cloudformation_is_taken_too(image, driver, sm, clash):
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken="manual", Aliases=["prod"])
    outcome = driver.run("CREATE", props(BaseImage=BASE + "-b", Aliases=["prod"]))
    assert outcome.status == "SUCCESS", outcome.final
    assert aliases_of(sm, 2) == ["prod"]
    assert aliases_of(sm, 1) == []


def test_one_resource_alone_needs_no_take(image, driver, recorder, clash):
    outcome = driver.run("CREATE", props(Aliases=["stable"]))
    assert outcome.status == "SUCCESS"
    describes_by_alias = [c for c in recorder.of("DescribeImageVersion") if "Alias" in c]
    assert describes_by_alias == [], "no sibling is looked for when SageMaker accepts the alias"
    assert [sorted(c.get("AliasesToAdd", [])) for c in recorder.of("UpdateImageVersion")] == [
        ["stable"]
    ]


def test_an_update_sagemaker_refuses_for_another_reason_takes_no_alias(
    image, driver, sm, recorder, clash
):
    assert driver.run("CREATE", props(Aliases=["stable"])).status == "SUCCESS"
    mine = driver.run("CREATE", props(BaseImage=BASE + "-b")).model
    # A value the schema's pattern admits and SageMaker's own check refuses: `.*` searched
    # (JSON Schema) admits a second line, matched whole (SageMaker's model) it does not.
    desired = {**mine, "Aliases": ["stable"], "ReleaseNotes": "Fixes:\n- a crash at start"}
    recorder.clear()
    outcome = driver.run("UPDATE", desired, previous=mine)
    assert outcome.status == "FAILED"
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert aliases_of(sm, 1) == ["stable"], "the alias stays with the version that held it"
    assert aliases_of(sm, 2) == []
    assert "ReleaseNotes" not in sm.describe_image_version(ImageName=IMAGE, Version=2)
    taken = [c for c in recorder.of("UpdateImageVersion") if c.get("Version") == 1]
    assert taken == [], "nothing was sent to the other version"


def test_an_update_that_takes_an_alias_applies_the_rest_first(image, driver, sm, recorder, clash):
    driver.run("CREATE", props(Aliases=["stable"]))
    mine = driver.run("CREATE", props(BaseImage=BASE + "-b")).model
    desired = {**mine, "Aliases": ["stable"], "ReleaseNotes": "second build"}
    recorder.clear()
    outcome = driver.run("UPDATE", desired, previous=mine)
    assert outcome.status == "SUCCESS", outcome.final
    assert (aliases_of(sm, 1), aliases_of(sm, 2)) == ([], ["stable"])
    described = sm.describe_image_version(ImageName=IMAGE, Version=2)
    assert described["ReleaseNotes"] == "second build"
    if clash != "move":
        order = [(c.get("Version"), sorted(c)) for c in recorder.of("UpdateImageVersion")]
        taken_at = next(i for i, (version, _) in enumerate(order) if version == 1)
        rest_at = next(
            i for i, (version, keys) in enumerate(order[1:], 1) if "ReleaseNotes" in keys
        )
        assert rest_at < taken_at, f"the alias was taken before the rest was accepted: {order}"


def _before_giving(monkeypatch, act):
    """Run ``act(sm)`` once, just before the handler gives the taken aliases to its version
    (its UpdateImageVersion with AliasesToAdd): what another actor may do meanwhile."""
    original = BOTOCORE_CLIENT._make_api_call
    done: list[bool] = []

    def make_api_call(client, operation, params):
        if operation == "UpdateImageVersion" and "AliasesToAdd" in params and not done:
            done.append(True)
            contextvars.Context().run(act)  # (outside the handler's scope: not its call)
        return original(client, operation, params)

    monkeypatch.setattr(BOTOCORE_CLIENT, "_make_api_call", make_api_call)


@pytest.mark.parametrize("clash", ["refuse", "refuse_busy"], indirect=True)
def test_an_alias_another_version_grabs_between_take_and_give_is_taken_again(
    image, driver, sm, clash, monkeypatch
):
    """Between taking an alias from its holder and giving it to the new version, a third
    version grabs it: the update takes it again from that one, and it ends on the new version
    only."""
    old = driver.run("CREATE", props(Aliases=["stable"])).model
    third = driver.run("CREATE", props(BaseImage=BASE + "-third")).model
    mine = driver.run("CREATE", props(BaseImage=BASE + "-mine")).model
    _before_giving(
        monkeypatch,
        lambda: sm.update_image_version(
            ImageName=IMAGE, Version=third["Version"], AliasesToAdd=["stable"]
        ),
    )
    outcome = driver.run("UPDATE", {**mine, "Aliases": ["stable"]}, previous=mine)
    assert outcome.status == "SUCCESS", outcome.final
    assert aliases_of(sm, mine["Version"]) == ["stable"]
    assert aliases_of(sm, third["Version"]) == []
    assert aliases_of(sm, old["Version"]) == []


@pytest.mark.parametrize("clash", ["refuse"], indirect=True)
def test_an_update_whose_image_goes_while_it_moves_aliases_is_not_found(
    image, driver, sm, clash, monkeypatch, emulator_controls
):
    """The image is deleted (no DELETING phase) just before the version is given the aliases:
    the update ends NotFound, never InvalidRequest, and nothing else is touched."""
    driver.run("CREATE", props(Aliases=["stable"]))
    mine = driver.run("CREATE", props(BaseImage=BASE + "-mine")).model
    emulator_controls.rules.delete_image = "immediate"
    _before_giving(monkeypatch, lambda: sm.delete_image(ImageName=IMAGE))
    outcome = driver.run("UPDATE", {**mine, "Aliases": ["stable"]}, previous=mine)
    assert outcome.error_code == "NotFound", outcome.final
