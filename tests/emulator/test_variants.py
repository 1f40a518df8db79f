"""Each variant of the emulator's unknown rules behaves as :mod:`sagemaker_emulator.rules` says."""

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.moto_api import state_manager

from sagemaker_emulator import models, rule_reads
from sagemaker_emulator.control import catch_up, controls
from sagemaker_emulator.models import IMAGE_DELETE_MODEL, VERSION_CREATE_MODEL
from sagemaker_emulator.rules import (
    ENVIRONMENT_VARIABLE,
    IMPOSSIBLE,
    VARIANTS,
    Rules,
    every_variant,
    parse,
    typed,
)

from .helpers import error_of, make_image, make_version, status_of, version_numbers


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The emulator's clock for its timed rules, moved by the test."""
    fake = Clock()
    monkeypatch.setattr(models, "now", lambda: fake.now)
    return fake


@pytest.fixture
def image(sm: Any) -> str:
    make_image(sm)
    return "img"


ALIASES = itertools.count(1)


def rules() -> Rules:
    return controls().rules


def aliases(sm: Any, version: int) -> list[str]:
    listed = sm.list_aliases(ImageName="img", Version=version)
    return sorted(listed["SageMakerImageVersionAliases"])


# alias_clash -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "code"), [("refuse", "ValidationException"), ("refuse_busy", "ResourceInUse")]
)
def test_an_alias_another_version_holds_is_refused(
    sm: Any, image: str, variant: str, code: str
) -> None:
    rules().alias_clash = variant
    make_version(sm, Aliases=["stable"])
    assert error_of(lambda: make_version(sm, Aliases=["stable"]))["Code"] == code
    make_version(sm)
    refused = error_of(
        lambda: sm.update_image_version(ImageName=image, Version=2, AliasesToAdd=["stable"])
    )
    assert refused["Code"] == code
    assert "Alias stable is already in use by version 1" in refused["Message"]
    assert aliases(sm, 1) == ["stable"]
    assert aliases(sm, 2) == []


def test_an_alias_another_version_holds_moves(sm: Any, image: str) -> None:
    rules().alias_clash = "move"
    make_version(sm, Aliases=["stable", "keep"])
    make_version(sm, Aliases=["stable"])
    assert (aliases(sm, 1), aliases(sm, 2)) == (["keep"], ["stable"])
    sm.update_image_version(ImageName=image, Version=1, AliasesToAdd=["stable"])
    assert (aliases(sm, 1), aliases(sm, 2)) == (["keep", "stable"], [])


# missing_alias_delete ----------------------------------------------------------------------


def test_deleting_an_alias_the_version_lacks_is_refused_or_ignored(sm: Any, image: str) -> None:
    make_version(sm, Aliases=["a"])
    error = error_of(
        lambda: sm.update_image_version(ImageName=image, Version=1, AliasesToDelete=["b"])
    )
    assert error["Code"] == "ValidationException"
    rules().missing_alias_delete = "ignore"
    sm.update_image_version(
        ImageName=image, Version=1, AliasesToDelete=["a", "b"], JobType="TRAINING"
    )
    assert aliases(sm, 1) == []
    assert sm.describe_image_version(ImageName=image, Version=1)["JobType"] == "TRAINING"


# concurrency -------------------------------------------------------------------------------


def test_concurrency_refused_while_another_version_changes(sm: Any, image: str) -> None:
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 5})
    make_version(sm)
    assert error_of(lambda: make_version(sm))["Message"] == "Resource was modified concurrently."


def test_concurrency_refused_only_for_calls_that_overlap(sm: Any, image: str, clock: Clock) -> None:
    rules().concurrency = "overlapping_calls"
    rules().overlap_seconds = 0.05
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 50})
    make_version(sm)
    # the emulator's clock stands still: the next call arrives while the first is in flight
    assert error_of(lambda: make_version(sm))["Code"] == "ResourceInUse"
    clock.now += 2 * rules().overlap_seconds
    make_version(sm)  # version 1 is still CREATING: that alone does not refuse
    assert version_numbers(sm) == [1, 2]
    assert (
        error_of(lambda: sm.delete_image_version(ImageName=image, Version=1))["Code"]
        == "ResourceInUse"
    )


def test_concurrency_never_refused(sm: Any, image: str) -> None:
    rules().concurrency = "never"
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 50})
    for _ in range(3):
        make_version(sm)
    assert version_numbers(sm) == [1, 2, 3]


# read_after_write --------------------------------------------------------------------------


def test_a_new_version_and_its_aliases_are_not_found_for_a_while(
    sm: Any, image: str, clock: Clock
) -> None:
    rules().read_after_write = "lagging"
    rules().lag_reads, rules().lag_seconds = 0, 30.0
    arn = make_version(sm, token="mine", Aliases=["fresh"])
    for call in (
        lambda: sm.describe_image_version(ImageName=image, Version=1),
        lambda: sm.describe_image_version(ImageName=image, Alias="fresh"),
        lambda: sm.list_aliases(ImageName=image, Version=1),
        lambda: sm.update_image_version(ImageName=image, Version=1, JobType="TRAINING"),
        lambda: sm.delete_image_version(ImageName=image, Version=1),
    ):
        assert error_of(call)["Code"] == "ResourceNotFound"
    assert version_numbers(sm) == []
    assert sm.list_aliases(ImageName=image)["SageMakerImageVersionAliases"] == []
    assert make_version(sm, token="mine", Aliases=["fresh"]) == arn, "a replay sees it"
    clock.now += rules().lag_seconds
    assert status_of(sm, 1) == "CREATED"
    assert aliases(sm, 1) == ["fresh"]


def test_a_new_version_is_not_found_by_its_first_reads(sm: Any, image: str) -> None:
    rules().read_after_write = "lagging"
    rules().lag_reads = 2
    make_version(sm)
    for _ in range(2):
        assert error_of(lambda: sm.describe_image_version(ImageName="img", Version=1))["Code"] == (
            "ResourceNotFound"
        )
    assert status_of(sm, 1) == "CREATED"


def test_a_lag_may_last_longer_than_a_minute_on_the_emulators_clock(
    sm: Any, image: str, manual_clock: Any
) -> None:
    rules().read_after_write = "lagging"
    rules().lag_seconds = 75.0
    make_version(sm)
    describe = lambda: sm.describe_image_version(ImageName=image, Version=1)  # noqa: E731
    for elapsed in (1.0, 60.0, 74.9):
        manual_clock.now = 1000.0 + elapsed
        assert error_of(describe)["Code"] == "ResourceNotFound", f"hidden at {elapsed} s"
    manual_clock.now = 1075.0
    assert status_of(sm, 1) == "CREATED"


def test_the_environment_sets_timings_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "read_after_write=lagging,lag_seconds=75,lag_reads=2")
    chosen = Rules.from_environment()
    assert (chosen.read_after_write, chosen.lag_seconds, chosen.lag_reads) == ("lagging", 75, 2)
    with pytest.raises(ValueError, match="lag_seconds must be a number"):
        typed({"lag_seconds": "long"})
    with pytest.raises(ValueError, match="lag_reads must be a number"):
        typed({"lag_reads": "1.5"})
    with pytest.raises(ValueError, match="empty_page_count must be a whole number"):
        Rules(empty_page_count=1.5)  # type: ignore[arg-type]


def seen(call: Any) -> bool:
    try:
        call()
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ResourceNotFound"
        return False
    return True


def test_non_monotonic_reads_alternate_until_lag_reads_have_missed(sm: Any, image: str) -> None:
    rules().read_after_write = "non_monotonic"
    rules().lag_reads = 2
    make_version(sm, Aliases=["fresh"])
    describe = lambda: sm.describe_image_version(ImageName=image, Version=1)  # noqa: E731
    assert [seen(describe) for _ in range(6)] == [True, False, True, False, True, True]
    make_version(sm, Aliases=["new"])
    by_alias = lambda: sm.describe_image_version(ImageName=image, Alias="new")  # noqa: E731
    listed = lambda: sm.list_aliases(ImageName=image)["SageMakerImageVersionAliases"]  # noqa: E731
    assert seen(by_alias)
    assert listed() == ["fresh"], "the next call misses it, whichever call it is"
    assert seen(by_alias)
    assert not seen(by_alias)
    assert sorted(listed()) == ["fresh", "new"]


def test_non_monotonic_reads_alternate_for_lag_seconds(
    sm: Any, image: str, manual_clock: Any
) -> None:
    rules().read_after_write = "non_monotonic"
    rules().lag_reads, rules().lag_seconds = 0, 75.0
    make_version(sm)
    describe = lambda: sm.describe_image_version(ImageName=image, Version=1)  # noqa: E731
    assert [seen(describe) for _ in range(6)] == [True, False] * 3
    manual_clock.now += 75.0
    assert [seen(describe) for _ in range(3)] == [True] * 3


def test_non_monotonic_writes_always_find_a_new_version(sm: Any, image: str) -> None:
    rules().read_after_write = "non_monotonic"
    rules().lag_reads = 5
    make_version(sm)
    make_version(sm)
    assert seen(lambda: sm.describe_image_version(ImageName=image, Version=1))  # 1st: seen
    # the 2nd and 4th calls would miss version 1: writes find it all the same
    sm.update_image_version(ImageName=image, Version=1, JobType="TRAINING")
    assert seen(lambda: sm.describe_image_version(ImageName=image, Version=1))
    sm.delete_image_version(ImageName=image, Version=1)
    # a deletion is seen at once, by every call
    for _ in range(4):
        assert not seen(lambda: sm.describe_image_version(ImageName=image, Version=1))


# idempotency -------------------------------------------------------------------------------


def test_a_client_token_is_remembered_while_the_version_exists(
    sm: Any, image: str, clock: Clock
) -> None:
    arn = make_version(sm, token="tok")
    clock.now += 10 * 365 * 24 * 3600
    assert make_version(sm, token="tok", ReleaseNotes="other parameters") == arn
    sm.delete_image_version(ImageName=image, Version=1)
    assert make_version(sm, token="tok").endswith("/img/2")


def test_a_client_token_expires(sm: Any, image: str, clock: Clock) -> None:
    rules().idempotency = "expires"
    arn = make_version(sm, token="tok")
    clock.now += rules().token_seconds - 1
    assert make_version(sm, token="tok") == arn
    clock.now += 1
    assert make_version(sm, token="tok").endswith("/img/2")


def test_a_replay_with_other_parameters_is_refused(sm: Any, image: str) -> None:
    rules().idempotency = "strict_parameters"
    arn = make_version(sm, token="tok", JobType="TRAINING")
    assert make_version(sm, token="tok", JobType="TRAINING") == arn
    error = error_of(lambda: make_version(sm, token="tok", JobType="INFERENCE"))
    assert error["Code"] == "ValidationException"
    assert "ClientToken tok" in error["Message"]
    assert version_numbers(sm) == [1]


# delete_image ------------------------------------------------------------------------------


@pytest.fixture
def deleting(sm: Any, image: str) -> Iterator[None]:
    make_version(sm, Aliases=["a"])
    state_manager.set_transition(IMAGE_DELETE_MODEL, {"progression": "manual", "times": 20})
    yield


VERSION_CALLS = {
    "describe": lambda sm: sm.describe_image_version(ImageName="img", Version=1),
    "update": lambda sm: sm.update_image_version(ImageName="img", Version=1, JobType="TRAINING"),
    "delete": lambda sm: sm.delete_image_version(ImageName="img", Version=1),
    "list versions": lambda sm: sm.list_image_versions(ImageName="img"),
    "list aliases": lambda sm: sm.list_aliases(ImageName="img", Version=1),
}


@pytest.mark.parametrize("call", VERSION_CALLS.values(), ids=VERSION_CALLS.keys())
@pytest.mark.parametrize(
    ("variant", "answer"),
    [
        ("deleting_not_found", "ResourceNotFound"),
        ("deleting_invalid_state", "ValidationException"),
        ("deleting_describes", None),
    ],
)
def test_version_calls_while_the_image_is_being_deleted(
    sm: Any, deleting: None, call: Any, variant: str, answer: str | None
) -> None:
    rules().delete_image = variant
    sm.delete_image(ImageName="img")
    assert sm.describe_image(ImageName="img")["ImageStatus"] == "DELETING"
    if answer is None:
        call(sm)
    else:
        assert error_of(lambda: call(sm))["Code"] == answer
    refused = error_of(lambda: make_version(sm))
    assert refused["Message"].endswith("is in an invalid state.")


@pytest.mark.parametrize("call", ["describe", "list versions", "list aliases"])
def test_deleting_refuses_writes_still_describes_and_lists(
    sm: Any, deleting: None, call: str
) -> None:
    rules().delete_image = "deleting_refuses_writes"
    sm.delete_image(ImageName="img")
    answer = VERSION_CALLS[call](sm)
    if call == "describe":
        assert answer["ImageVersionStatus"] == "CREATED"
    elif call == "list versions":
        assert [v["Version"] for v in answer["ImageVersions"]] == [1]
    else:
        assert answer["SageMakerImageVersionAliases"] == ["a"]


@pytest.mark.parametrize("call", ["update", "delete"])
def test_deleting_refuses_writes_refuses_update_and_delete_as_long_as_it_lasts(
    sm: Any, deleting: None, call: str
) -> None:
    rules().delete_image = "deleting_refuses_writes"
    state_manager.set_transition(IMAGE_DELETE_MODEL, {"progression": "manual", "times": 50})
    sm.delete_image(ImageName="img")
    for _ in range(20):  # a naive handler sees the version CREATED and is refused, forever
        assert status_of(sm, 1) == "CREATED"
        refused = error_of(lambda: VERSION_CALLS[call](sm))
        assert refused["Code"] == "ValidationException"
        assert refused["Message"].endswith("image/img is in an invalid state.")
    assert sm.describe_image(ImageName="img")["ImageStatus"] == "DELETING"


def test_a_deleting_phase_may_last_a_time_on_the_emulators_clock(
    sm: Any, deleting: None, manual_clock: Any
) -> None:
    state_manager.set_transition(IMAGE_DELETE_MODEL, {"progression": "time", "seconds": 75})
    sm.delete_image(ImageName="img")
    for elapsed in (1, 30, 60, 75):
        manual_clock.now = 1000.0 + elapsed
        assert sm.describe_image(ImageName="img")["ImageStatus"] == "DELETING", elapsed
    manual_clock.now = 1075.5
    sm.list_images()  # sees the deletion end
    assert error_of(lambda: sm.describe_image(ImageName="img"))["Code"] == "ResourceNotFound"


def test_an_immediate_delete_image_has_no_deleting_phase(sm: Any, deleting: None) -> None:
    rules().delete_image = "immediate"
    sm.delete_image(ImageName="img")
    assert sm.list_images()["Images"] == []


def test_a_deleting_phase_ends_with_the_image_and_its_versions_gone(
    sm: Any, deleting: None
) -> None:
    state_manager.set_transition(IMAGE_DELETE_MODEL, {"progression": "manual", "times": 2})
    sm.delete_image(ImageName="img")
    assert [sm.describe_image(ImageName="img")["ImageStatus"] for _ in range(2)] == ["DELETING"] * 2
    assert error_of(lambda: sm.describe_image(ImageName="img"))["Code"] == "ResourceNotFound"
    make_image(sm)
    assert version_numbers(sm) == []


# archival ----------------------------------------------------------------------------------


def test_to_be_archived_turns_archived_on_its_own(sm: Any, image: str, clock: Clock) -> None:
    make_version(sm, VendorGuidance="TO_BE_ARCHIVED")
    make_version(sm, VendorGuidance="STABLE")
    guidance = lambda n: sm.describe_image_version(ImageName=image, Version=n)["VendorGuidance"]  # noqa: E731
    clock.now += 10**9
    assert (guidance(1), guidance(2)) == ("TO_BE_ARCHIVED", "STABLE"), "off by default"
    rules().archival = "after_delay"
    assert guidance(1) == "ARCHIVED"
    sm.update_image_version(ImageName=image, Version=2, VendorGuidance="TO_BE_ARCHIVED")
    clock.now += rules().archive_seconds - 1
    assert guidance(2) == "TO_BE_ARCHIVED"
    clock.now += 1
    assert guidance(2) == "ARCHIVED"


# pagination --------------------------------------------------------------------------------


def names_page(sm: Any, token: str | None = None) -> tuple[list[str], str | None]:
    params: dict[str, Any] = {"MaxResults": 2, "SortBy": "IMAGE_NAME", "SortOrder": "ASCENDING"}
    page = sm.list_images(**params, **({"NextToken": token} if token else {}))
    return [i["ImageName"] for i in page["Images"]], page.get("NextToken")


@pytest.mark.parametrize(
    ("variant", "second_page"), [("after_last", ["d"]), ("offset", ["c", "d"])]
)
def test_a_next_token_after_an_image_added_before_it(
    sm: Any, variant: str, second_page: list[str]
) -> None:
    rules().pagination = variant
    for name in ("b", "c", "d"):
        make_image(sm, name)
    first, token = names_page(sm)
    assert first == ["b", "c"]
    make_image(sm, "a")
    assert names_page(sm, token)[0] == second_page


@pytest.mark.parametrize(("variant", "second_page"), [("after_last", ["c"]), ("offset", [])])
def test_a_next_token_after_an_image_removed_before_it(
    sm: Any, variant: str, second_page: list[str]
) -> None:
    rules().pagination = variant
    rules().delete_image = "immediate"
    for name in ("a", "b", "c"):
        make_image(sm, name)
    first, token = names_page(sm)
    assert first == ["a", "b"]
    sm.delete_image(ImageName="a")
    assert names_page(sm, token)[0] == second_page


# create_answer -----------------------------------------------------------------------------


def test_create_may_answer_none_first_then_the_arn(sm: Any, image: str) -> None:
    rules().create_answer = "none_first"
    assert make_version(sm, token="tok") == "None"
    assert make_version(sm, token="tok").endswith("/img/1")
    assert make_version(sm, token="other") == "None"
    assert version_numbers(sm) == [1, 2]


def test_create_may_always_answer_none(sm: Any, image: str) -> None:
    rules().create_answer = "none_always"
    assert [make_version(sm, token="tok") for _ in range(3)] == ["None"] * 3
    assert version_numbers(sm) == [1]


# choosing variants -------------------------------------------------------------------------


def test_the_environment_chooses_the_variants_of_every_new_backend(
    sm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "alias_clash=move, concurrency=never")
    chosen = Rules.from_environment()
    assert (chosen.alias_clash, chosen.concurrency) == ("move", "never")
    assert chosen.read_after_write == "consistent"


@pytest.mark.parametrize(
    "text", ["alias_clash", "alias_clash=", "=move", "alias_clash=sideways", "colour=blue"]
)
def test_a_malformed_choice_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"alias_clash|colour|rule=variant"):
        Rules().changed(parse(text))


def test_timings_must_be_non_negative_numbers() -> None:
    with pytest.raises(ValueError, match="lag_seconds"):
        Rules(lag_seconds=-1)
    with pytest.raises(ValueError, match="token_seconds"):
        Rules(token_seconds=True)


def test_every_variant_is_each_non_default_one_but_the_impossible() -> None:
    listed = every_variant()
    assert len(listed) == sum(len(v) - 1 for v in VARIANTS.values()) - len(IMPOSSIBLE)
    assert not set(listed) & IMPOSSIBLE
    assert all(variant != VARIANTS[rule][0] for rule, variant in listed)
    assert ("create_answer", "none_first") in listed


# alias_index -------------------------------------------------------------------------------


def test_an_alias_taken_from_a_version_is_still_its_for_a_while(
    sm: Any, image: str, manual_clock: Any
) -> None:
    rules().alias_index = "lagging"
    make_version(sm, Aliases=["stable"])
    make_version(sm)
    sm.update_image_version(ImageName=image, Version=1, AliasesToDelete=["stable"])
    assert aliases(sm, 1) == [], "ListAliases lists the truth"
    refused = error_of(
        lambda: sm.update_image_version(ImageName=image, Version=2, AliasesToAdd=["stable"])
    )
    assert refused["Code"] == "ValidationException"
    assert "already in use by version 1" in refused["Message"]
    assert error_of(lambda: make_version(sm, Aliases=["stable"]))["Code"] == "ValidationException"
    assert sm.describe_image_version(ImageName=image, Alias="stable")["Version"] == 1
    manual_clock.now += rules().alias_lag_seconds
    sm.update_image_version(ImageName=image, Version=2, AliasesToAdd=["stable"])
    assert sm.describe_image_version(ImageName=image, Alias="stable")["Version"] == 2


def test_a_consistent_alias_index_forgets_the_old_holder_at_once(sm: Any, image: str) -> None:
    make_version(sm, Aliases=["stable"])
    make_version(sm)
    sm.update_image_version(ImageName=image, Version=1, AliasesToDelete=["stable"])
    sm.update_image_version(ImageName=image, Version=2, AliasesToAdd=["stable"])
    assert sm.describe_image_version(ImageName=image, Alias="stable")["Version"] == 2


def test_an_alias_of_a_deleted_version_is_still_held_for_a_while(
    sm: Any, image: str, manual_clock: Any
) -> None:
    rules().alias_index = "lagging"
    rules().alias_clash = "refuse_busy"
    make_version(sm, Aliases=["stable"])
    sm.delete_image_version(ImageName=image, Version=1)
    assert version_numbers(sm) == []
    assert error_of(lambda: make_version(sm, Aliases=["stable"]))["Code"] == "ResourceInUse"
    by_alias = error_of(lambda: sm.describe_image_version(ImageName=image, Alias="stable"))
    assert by_alias["Code"] == "ResourceNotFound", "the old holder is gone"
    manual_clock.now += rules().alias_lag_seconds
    assert make_version(sm, Aliases=["stable"]).endswith("/img/2")


def test_a_lagging_alias_moves_when_aliases_move(sm: Any, image: str) -> None:
    rules().alias_index = "lagging"
    rules().alias_clash = "move"
    make_version(sm, Aliases=["stable"])
    make_version(sm)
    sm.update_image_version(ImageName=image, Version=1, AliasesToDelete=["stable"])
    sm.update_image_version(ImageName=image, Version=2, AliasesToAdd=["stable"])
    assert sm.describe_image_version(ImageName=image, Alias="stable")["Version"] == 2
    assert (aliases(sm, 1), aliases(sm, 2)) == ([], ["stable"])


def test_the_old_holder_may_take_its_alias_back_and_catch_up_ends_the_lag(
    sm: Any, image: str
) -> None:
    rules().alias_index = "lagging"
    rules().alias_lag_seconds = 3600.0
    make_version(sm, Aliases=["a", "b"])
    make_version(sm)
    sm.update_image_version(ImageName=image, Version=1, AliasesToDelete=["a", "b"])
    sm.update_image_version(ImageName=image, Version=1, AliasesToAdd=["a"])
    assert aliases(sm, 1) == ["a"]
    catch_up()
    sm.update_image_version(ImageName=image, Version=2, AliasesToAdd=["b"])
    assert aliases(sm, 2) == ["b"]


# version_numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "deleted", "next_number"),
    [
        ("never_reused", [3], 4),
        ("reused_after_latest", [3], 3),
        ("reused_after_latest", [2, 3], 2),
        ("reused_after_latest", [2], 4),
    ],
)
def test_the_number_after_the_latest_versions_are_deleted(
    sm: Any, image: str, variant: str, deleted: list[int], next_number: int
) -> None:
    rules().version_numbers = variant
    for _ in range(3):
        make_version(sm)
    for number in deleted:
        sm.delete_image_version(ImageName=image, Version=number)
    arn = make_version(sm)
    assert arn.endswith(f"/img/{next_number}")
    assert make_version(sm).endswith(f"/img/{next_number + 1}")


def test_a_number_is_not_reused_while_its_version_is_being_deleted(sm: Any, image: str) -> None:
    rules().version_numbers = "reused_after_latest"
    controls().concurrency_check = False
    make_version(sm)
    state_manager.set_transition(models.VERSION_DELETE_MODEL, {"progression": "manual", "times": 9})
    sm.delete_image_version(ImageName=image, Version=1)
    assert make_version(sm).endswith("/img/2")


# alias_not_held ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "code"), [("not_found", "ResourceNotFound"), ("validation", "ValidationException")]
)
def test_an_alias_no_version_holds(sm: Any, image: str, variant: str, code: str) -> None:
    rules().alias_not_held = variant
    make_version(sm, Aliases=["held"])
    assert sm.describe_image_version(ImageName=image, Alias="held")["Version"] == 1
    for call in (
        lambda: sm.describe_image_version(ImageName=image, Alias="nobody"),
        lambda: sm.update_image_version(ImageName=image, Alias="nobody", JobType="TRAINING"),
        lambda: sm.delete_image_version(ImageName=image, Alias="nobody"),
    ):
        assert error_of(call)["Code"] == code


# empty_pages -------------------------------------------------------------------------------


LISTS = {
    "images": (lambda sm, **kw: sm.list_images(**kw), "Images"),
    "versions": (lambda sm, **kw: sm.list_image_versions(ImageName="img", **kw), "ImageVersions"),
    "aliases": (
        lambda sm, **kw: sm.list_aliases(ImageName="img", **kw),
        "SageMakerImageVersionAliases",
    ),
}


def pages_of(sm: Any, which: str, **request: Any) -> list[int]:
    """How many items each page of a whole List call had."""
    call, member = LISTS[which]
    sizes = []
    while True:
        page = call(sm, **request)
        sizes.append(len(page[member]))
        if not page.get("NextToken"):
            return sizes
        assert len(sizes) < 100, "the NextToken chain must end"
        request["NextToken"] = page["NextToken"]


@pytest.mark.parametrize("which", LISTS)
def test_every_list_call_may_answer_empty_pages_first(sm: Any, image: str, which: str) -> None:
    for _ in range(3):
        make_version(sm, Aliases=[f"a{next(ALIASES)}"])
    assert pages_of(sm, which, MaxResults=2) == ([1] if which == "images" else [2, 1])
    rules().empty_pages = "before_items"
    expected = [0, 0, 0] + ([1] if which == "images" else [2, 1])
    assert pages_of(sm, which, MaxResults=2) == expected
    rules().empty_page_count = 1
    assert pages_of(sm, which, MaxResults=2) == expected[2:]


def test_every_empty_page_token_works_and_leads_on(sm: Any, image: str) -> None:
    make_version(sm)
    rules().empty_pages = "before_items"
    tokens = []
    page = sm.list_image_versions(ImageName="img")
    while page["ImageVersions"] == []:
        tokens.append(page["NextToken"])
        page = sm.list_image_versions(ImageName="img", NextToken=tokens[-1])
    assert len(tokens) == 3
    assert [v["Version"] for v in page["ImageVersions"]] == [1]
    again = sm.list_image_versions(ImageName="img", NextToken=tokens[0])
    assert again["ImageVersions"] == [] and again["NextToken"] == tokens[1]
    rules().empty_pages = "never"
    after_the_change = sm.list_image_versions(ImageName="img", NextToken=tokens[0])
    assert [v["Version"] for v in after_the_change["ImageVersions"]] == [1]


def test_empty_pages_only_before_time_filtered_items(sm: Any, image: str) -> None:
    make_version(sm)
    rules().empty_pages = "before_filtered_items"
    assert pages_of(sm, "versions") == [1]
    assert pages_of(sm, "aliases") == [0]
    assert pages_of(sm, "images") == [1]
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    assert pages_of(sm, "versions", CreationTimeAfter=long_ago) == [0, 0, 0, 1]
    assert pages_of(sm, "images", LastModifiedTimeAfter=long_ago) == [0, 0, 0, 1]


# where the new rules are read --------------------------------------------------------------


@pytest.fixture
def reads(sm: Any, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The rules read from now on, as make test-variants' trace would see them: the variants
    follow the environment (here unset), and every read of one is kept here (the session's own
    recording, if any, is left alone)."""
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    controls().rules = Rules.from_environment()
    read: set[str] = set()
    monkeypatch.setattr(rule_reads, "recording", lambda: True)
    monkeypatch.setattr(rule_reads, "record", read.add)
    return read


NEW_RULES = frozenset({"alias_index", "version_numbers", "alias_not_held", "empty_pages"})


def test_the_new_rules_are_not_read_where_they_decide_nothing(
    sm: Any, image: str, reads: set[str]
) -> None:
    make_version(sm, Aliases=["a"])
    make_version(sm)
    sm.describe_image_version(ImageName=image, Version=1)
    sm.describe_image_version(ImageName=image, Alias="a")
    sm.update_image_version(ImageName=image, Version=2, JobType="TRAINING")
    sm.delete_image_version(ImageName=image, Version=1)
    make_version(sm)
    assert not reads & NEW_RULES


def _reuse(sm: Any) -> None:
    sm.delete_image_version(ImageName="img", Version=2)
    make_version(sm)


def _alias_not_held(sm: Any) -> None:
    error_of(lambda: sm.describe_image_version(ImageName="img", Alias="nobody"))


def _alias_given_again(sm: Any) -> None:
    sm.update_image_version(ImageName="img", Version=1, AliasesToDelete=["a"])
    sm.update_image_version(ImageName="img", Version=2, AliasesToAdd=["a"])


@pytest.mark.parametrize(
    ("rule", "call"),
    [
        ("version_numbers", _reuse),
        ("alias_not_held", _alias_not_held),
        ("alias_index", _alias_given_again),
        ("empty_pages", lambda sm: sm.list_aliases(ImageName="img")),
    ],
)
def test_each_new_rule_is_read_where_it_decides(
    sm: Any, image: str, reads: set[str], rule: str, call: Any
) -> None:
    make_version(sm, Aliases=["a"])
    make_version(sm)
    assert rule not in reads
    call(sm)
    assert rule in reads
