"""Each variant of the emulator's unknown rules behaves as :mod:`sagemaker_emulator.rules` says."""

from collections.abc import Iterator
from typing import Any

import pytest
from moto.moto_api import state_manager

from sagemaker_emulator import models
from sagemaker_emulator.control import controls
from sagemaker_emulator.models import IMAGE_DELETE_MODEL, VERSION_CREATE_MODEL
from sagemaker_emulator.rules import (
    ENVIRONMENT_VARIABLE,
    IMPOSSIBLE,
    VARIANTS,
    Rules,
    every_variant,
    parse,
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
