"""The registration template registers the type with the generated execution role, logs with a
retention, and names no account, region or IAM name, so one StackSet serves a whole organisation."""

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from make_targets.schema_rules import SCHEMA_FILE
from make_targets.template_check import check, templates

REGISTRATION = Path("examples/registration.yaml")
CLOUDFORMATION = "resources.cloudformation.amazonaws.com"
# Properties that fix a name: IAM names are global to an account, so a StackSet instance in a
# second region would clash, and an account where `cfn submit` ran already has its log group.
# (An inline policy's PolicyName is local to its role.)
FIXED_NAMES = {"RoleName", "LogGroupName", "ManagedPolicyName", "InstanceProfileName"}
ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
REGION = re.compile(r"\b[a-z]{2}(-gov)?-(north|south|east|west|central|northeast|southeast)+-\d\b")


def _template(path: Path) -> dict[str, Any]:
    template, matches = decode(str(path))
    assert template is not None, matches
    return dict(template)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


def stackset_problems(template: Mapping[str, Any]) -> list[str]:
    """What stops one template from serving every account and region: literal account ids or
    regions, and names fixed by the template (IAM names are global to an account)."""
    problems = [f"account id {s!r}" for s in _strings(template) if ACCOUNT_ID.search(s)]
    problems += [f"region {s!r}" for s in _strings(template) if REGION.search(s)]
    for name, resource in template.get("Resources", {}).items():
        fixed = FIXED_NAMES & set(resource.get("Properties", {}))
        problems += [f"{name}.{key} fixes a name" for key in sorted(fixed)]
    return problems


def _resources(template: Mapping[str, Any], type_name: str) -> dict[str, Any]:
    return {n: r for n, r in template["Resources"].items() if r["Type"] == type_name}


def test_the_registration_template_passes_cfn_lint_and_our_check():
    assert check([REGISTRATION]) == []


def test_make_templates_checks_the_registration_template():
    target = re.search(r"^templates:.*\n\t(.*)$", Path("Makefile").read_text(), re.MULTILINE)
    assert target is not None
    # the target names no template: it checks the project's own, every one under examples/
    assert target.group(1).split()[-2:] == ["-m", "make_targets.template_check"]
    assert REGISTRATION in templates()


def test_the_execution_role_is_exactly_the_generated_resource_role():
    generated = _template(Path("resource-role.yaml"))["Resources"]["ExecutionRole"]
    embedded = _template(REGISTRATION)["Resources"]["ExecutionRole"]
    assert embedded == generated


def test_the_registered_version_uses_the_execution_role_the_log_group_and_the_log_role():
    template = _template(REGISTRATION)
    (version,) = _resources(template, "AWS::CloudFormation::ResourceVersion").values()
    schema_type = _template(SCHEMA_FILE)["typeName"]
    properties = version["Properties"]
    assert properties["TypeName"] == schema_type
    assert properties["SchemaHandlerPackage"] == {"Ref": "SchemaHandlerPackage"}
    assert properties["ExecutionRoleArn"] == {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
    logging_config = properties["LoggingConfig"]
    (group_name,) = _resources(template, "AWS::Logs::LogGroup")
    assert logging_config["LogGroupName"] == {"Ref": group_name}
    log_role = logging_config["LogRoleArn"]["Fn::GetAtt"][0]
    trust = template["Resources"][log_role]["Properties"]["AssumeRolePolicyDocument"]
    assert [s["Principal"]["Service"] for s in trust["Statement"]] == [CLOUDFORMATION]


def test_the_log_group_keeps_lines_for_a_bounded_time():
    template = _template(REGISTRATION)
    (group,) = _resources(template, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
    assert template["Parameters"]["LogRetentionInDays"]["Default"] > 0


def test_the_default_version_is_the_registered_one():
    template = _template(REGISTRATION)
    (default,) = _resources(template, "AWS::CloudFormation::ResourceDefaultVersion").values()
    (version_name,) = _resources(template, "AWS::CloudFormation::ResourceVersion")
    assert default["Properties"] == {"TypeVersionArn": {"Ref": version_name}}


def test_the_registration_template_names_no_account_region_or_fixed_name():
    assert stackset_problems(_template(REGISTRATION)) == []


@pytest.mark.parametrize(
    ("original", "broken", "expected"),
    [
        (
            "      RetentionInDays:",
            "      LogGroupName: handler-logs\n      RetentionInDays:",
            "LogGroup.LogGroupName fixes a name",
        ),
        (
            "  LogRole:\n    Type: AWS::IAM::Role\n    Properties:\n",
            "  LogRole:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: log-role\n",
            "LogRole.RoleName fixes a name",
        ),
        ("!Ref AWS::AccountId", "'123456789012'", "account id '123456789012'"),
        ("${AWS::Region}", "eu-west-1", "region 'arn:${AWS::Partition}:cloudformation:eu-west-1:"),
    ],
)
def test_each_organisation_wide_mistake_is_found(tmp_path, original, broken, expected):
    text = REGISTRATION.read_text()
    assert original in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(original, broken, 1))
    problems = stackset_problems(_template(bad))
    assert any(problem.startswith(expected) for problem in problems), problems
