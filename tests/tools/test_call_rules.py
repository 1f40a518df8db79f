"""The rules checked on recorded calls, and the inventory of versions against their owners."""

from harness.call_rules import (
    outside_permissions,
    schema_permissions,
    used_permissions,
    version_scoped,
    without_version,
)
from harness.inventory import Version, ownership_problems, wrong_version_calls
from harness.recorder import Call, Scope

CREATE = Scope("CREATE", "V1", "token")


def call(operation, scope=CREATE, **params):
    return Call("sagemaker", operation, params, scope)


def handler_action(recorded: Call) -> str:
    """The action of the handler that made the ``recorded`` call."""
    assert recorded.scope is not None, f"{recorded.operation} was not made by a handler"
    return recorded.scope.action


def test_a_version_scoped_handler_call_without_version_is_caught():
    calls = [
        call("DescribeImageVersion", ImageName="i", Version=1),
        call("DeleteImageVersion", ImageName="i"),
        call("ListAliases", ImageName="i", Version=True),
        call("UpdateImageVersion", scope=None, ImageName="i"),
        call("CreateImageVersion", ImageName="i"),
    ]
    assert [c.operation for c in without_version(calls)] == ["DeleteImageVersion", "ListAliases"]
    assert version_scoped(calls) == 3


def test_permissions_are_read_from_the_schema_per_action():
    permissions = schema_permissions()
    assert set(permissions) == {"CREATE", "READ", "UPDATE", "DELETE", "LIST"}
    assert "sagemaker:CreateImageVersion" in permissions["CREATE"]
    assert "sagemaker:CreateImageVersion" not in permissions["UPDATE"]


def test_a_call_outside_its_actions_permissions_is_found():
    calls = [
        call("CreateImageVersion"),
        call("DeleteImage"),
        call("DeleteImage", scope=None),
    ]
    outside = outside_permissions(calls, schema_permissions())
    assert [(c.operation, handler_action(c)) for c in outside] == [("DeleteImage", "CREATE")]
    assert used_permissions(calls) == {
        "CREATE": frozenset({"sagemaker:CreateImageVersion", "sagemaker:DeleteImage"})
    }


def test_duplicates_orphans_and_mismatches_are_told_apart():
    versions = [Version(1, "b:1", "CREATED"), Version(2, "b:1", "CREATED"), Version(3, "b:3", "x")]
    problems = ownership_problems({"A": 1, "B": 3}, {"A": "b:1", "B": "b:2"}, versions)
    assert problems == [
        "duplicate: 2 versions made from b:1",
        "orphan: version 2 (b:1)",
        "mismatch: B owns version 3, made from b:3",
    ]
    assert ownership_problems({"A": 1, "B": 1}, {"A": "b:1", "B": "b:1"}, versions[:1]) == [
        "duplicate: version 1 is claimed by 2 resources"
    ]


def test_a_call_on_a_version_the_resource_does_not_own_is_wrong():
    mine = Scope("UPDATE", "A", "t")
    calls = [
        call("DescribeImageVersion", scope=mine, ImageName="i", Version=1),
        call("DescribeImageVersion", scope=mine, ImageName="i", Version=2),
        call("DescribeImageVersion", scope=None, ImageName="i", Version=2),
        call("CreateImageVersion", scope=mine, ImageName="i"),
    ]
    assert wrong_version_calls(calls, {"A": 1}, "i") == [
        "A DescribeImageVersion on ('i', 2), owns 1"
    ]


def test_taking_an_alias_from_another_version_and_giving_it_back_are_the_calls_allowed_on_it():
    mine = Scope("CREATE", "A", "t")
    calls = [
        call("UpdateImageVersion", scope=mine, ImageName="i", Version=2, AliasesToAdd=["s"]),
        call("UpdateImageVersion", scope=mine, ImageName="i", Version=2, AliasesToDelete=["s"]),
        call("UpdateImageVersion", scope=mine, ImageName="i", Version=2, AliasesToAdd=["s"]),
        call("UpdateImageVersion", scope=mine, ImageName="i", Version=2, JobType="TRAINING"),
        call("DeleteImageVersion", scope=mine, ImageName="i", Version=2),
    ]
    # (giving an alias to a version is allowed only once this operation took it from it)
    assert wrong_version_calls(calls, {"A": 1}, "i") == [
        "A UpdateImageVersion on ('i', 2), owns 1",
        "A UpdateImageVersion on ('i', 2), owns 1",
        "A DeleteImageVersion on ('i', 2), owns 1",
    ]
