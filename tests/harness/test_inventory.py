"""What counts as a handler touching a version its resource does not own."""

from harness.inventory import wrong_version_calls
from harness.recorder import Call, Scope

MINE = Scope("UPDATE", "Mine", "token-1")
OTHER_OPERATION = Scope("UPDATE", "Mine", "token-2")


def call(operation, scope=MINE, **params):
    return Call("sagemaker", operation, {"ImageName": "img", **params}, scope)


def test_reads_and_a_give_back_of_a_version_aliases_were_taken_from_are_not_wrong():
    calls = [
        call("UpdateImageVersion", Version=1, AliasesToDelete=["stable"]),
        call("ListAliases", Version=1),
        call("DescribeImageVersion", Version=1),
        call("UpdateImageVersion", Version=1, AliasesToAdd=["stable"]),
    ]
    assert wrong_version_calls(calls, {"Mine": 2}, "img") == []


def test_touching_a_version_no_alias_was_taken_from_is_wrong():
    calls = [
        call("UpdateImageVersion", Version=1, AliasesToDelete=["stable"]),
        call("DescribeImageVersion", Version=3),
        call("UpdateImageVersion", Version=1, JobType="TRAINING"),
        call("ListAliases", OTHER_OPERATION, Version=1),
        call("DeleteImageVersion", Version=1),
    ]
    assert len(wrong_version_calls(calls, {"Mine": 2}, "img")) == 4
