"""Rule: an alias ends on exactly one version.

- A replacement (a new version claiming the aliases the old one holds) under
  ``alias_index=lagging`` (for a second after an alias is taken from a version, SageMaker still
  counts it as that version's, and refuses to give it to another) ends SUCCESS with the aliases
  on the new version and none on the old: giving them is paused while the index lags
  (timing.ALIAS_LAG_PAUSES), never asked again at once.
- When moving them fails for good (the index lags longer than every pause), each alias goes
  back to the version that held it, and the create fails saying why.
- An alias held by a version SageMaker changes no more (DELETE_FAILED) cannot be taken: the
  update fails with a message naming that version and its state, and the alias stays where it
  is.

The replacements run on one virtual clock, the handler's, the emulator's and CloudFormation's
(:mod:`.timeline`): the alias index's lag and the handler's pauses take no real time.
"""

import itertools
from typing import Any

import pytest

from community_sagemaker_imageversion import timing
from sagemaker_emulator.control import catch_up
from tests.handlers.conftest import BASE, IMAGE, listed_aliases, props

from .timeline import TimedCall, Timeline

ALIASES = ["1.0", "stable"]


def held(sm: Any, version: int) -> list[str]:
    """The aliases ``version`` holds, as SageMaker's ListAliases lists them."""
    catch_up()
    aliases = listed_aliases(sm, version)
    return sorted(aliases)


def gives_after_taking(timeline: Timeline, mark: tuple[int, int]) -> list[TimedCall]:
    """The handler's UpdateImageVersion calls since ``mark`` that give version 2 aliases, after
    the first that took them from version 1."""
    calls, _ = timeline.since(mark)
    updates = [c for c in calls if c.operation == "UpdateImageVersion"]
    taken = next(
        k for k, c in enumerate(updates) if c.params.get("Version") == 1 and c.error is None
    )
    return [
        c
        for c in updates[taken + 1 :]
        if c.params.get("Version") == 2 and c.params.get("AliasesToAdd")
    ]


@pytest.fixture(params=["refuse", "refuse_busy"])
def lagging_index(request, image, emulator_controls) -> str:
    """SageMaker refuses an alias another version holds (as ValidationException, or as
    ResourceInUse), and its alias index lags a second behind."""
    emulator_controls.rules.alias_clash = request.param
    emulator_controls.rules.alias_index = "lagging"
    emulator_controls.rules.alias_lag_seconds = 1.0
    return str(request.param)


def test_a_replacement_under_a_lagging_alias_index_moves_every_alias(lagging_index, timeline, sm):
    old = timeline.driver().run("CREATE", props(Aliases=ALIASES))
    assert old.status == "SUCCESS", old.final
    mark = timeline.mark()
    new = timeline.driver().run("CREATE", props(BaseImage=BASE + "-new", Aliases=ALIASES))
    assert (new.status, new.error_code) == ("SUCCESS", None), new.final
    assert (held(sm, 2), held(sm, 1)) == (ALIASES, [])

    attempts = gives_after_taking(timeline, mark)
    refused = [c for c in attempts if c.error is not None]
    assert refused, "the index never lagged: nothing was tested"
    assert attempts[-1].error is None
    assert len(refused) <= len(timing.ALIAS_LAG_PAUSES)
    pauses = [after.at - before.at for before, after in itertools.pairwise(attempts)]
    assert pauses == list(timing.ALIAS_LAG_PAUSES[: len(pauses)]), "given again without a pause"


def test_a_move_that_fails_for_good_gives_every_alias_back(
    lagging_index, timeline, sm, emulator_controls
):
    old = timeline.driver().run("CREATE", props(Aliases=ALIASES))
    assert old.status == "SUCCESS", old.final
    # the index lags longer than every pause: the new version can never be given them
    emulator_controls.rules.alias_lag_seconds = sum(timing.ALIAS_LAG_PAUSES) + 60.0
    new = timeline.driver().run("CREATE", props(BaseImage=BASE + "-new", Aliases=ALIASES))
    assert (new.status, new.error_code) == ("FAILED", "NotStabilized"), new.final
    assert "went back" in new.final["message"], new.final
    assert (held(sm, 1), held(sm, 2)) == (ALIASES, [])


@pytest.fixture
def held_by_a_delete_failed_version(image, sm, driver, emulator_controls) -> dict[str, Any]:
    """Version 1 holds "stable" and ended DELETE_FAILED; version 2 is the stack's."""
    first = driver.run("CREATE", props(Aliases=["stable"]))
    assert first.status == "SUCCESS", first.final
    emulator_controls.fail_delete("the image's storage refused the deletion")
    sm.delete_image_version(ImageName=IMAGE, Version=1)
    catch_up()
    status = sm.describe_image_version(ImageName=IMAGE, Version=1)["ImageVersionStatus"]
    assert status == "DELETE_FAILED"
    second = driver.run("CREATE", props(BaseImage=BASE + "-new"))
    assert second.status == "SUCCESS", second.final
    model: dict[str, Any] = dict(second.model or {})
    return model


def test_an_alias_held_by_a_delete_failed_version_fails_the_update_naming_it(
    held_by_a_delete_failed_version, driver, sm, emulator_controls
):
    current = held_by_a_delete_failed_version
    update = driver.run("UPDATE", {**current, "Aliases": ["stable"]}, previous=current)
    if emulator_controls.rules.alias_clash == "move":
        # SageMaker itself moves an alias another version asks for: it ends on that one only
        assert update.status == "SUCCESS", update.final
        assert (held(sm, 1), held(sm, 2)) == ([], ["stable"])
        return
    assert update.status == "FAILED", update.final
    message = update.final["message"]
    assert "version 1" in message, message
    assert "DELETE_FAILED" in message, message
    assert (held(sm, 1), held(sm, 2)) == (["stable"], [])
