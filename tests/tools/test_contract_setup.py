"""The contract inputs name their prerequisites by the exports of test/setup.yml, and `cfn test`
resolves them offline from that same stack deployed to the offline AWS."""

import json
from pathlib import Path
from typing import Any, cast

import boto3
import pytest
from rpdk.core.test import get_inputs

from make_targets import contract
from make_targets.contract_report import ContractReport
from offline_aws.defaults import REGION
from offline_aws.services import offline_aws
from offline_aws.setup_stack import (
    OFFLINE_PARAMETERS,
    SETUP_TEMPLATE,
    deploy,
    exported_names,
    input_placeholders,
    missing_exports,
    placeholders,
    read_template,
)

ROOT = Path(__file__).resolve().parents[2]
INPUTS = sorted((ROOT / "inputs").glob("inputs_*.json"))
IMAGE_EXPORT = "Community-SageMaker-ImageVersion-ImageName"
BASE_IMAGE_EXPORT = "Community-SageMaker-ImageVersion-BaseImage"


def test_every_placeholder_of_the_inputs_is_exported_by_the_setup_stack() -> None:
    template = read_template(ROOT / SETUP_TEMPLATE)
    used = set().union(*input_placeholders(INPUTS).values())
    assert used == {IMAGE_EXPORT, BASE_IMAGE_EXPORT}
    assert used <= exported_names(template)
    assert missing_exports(INPUTS, template) == {}


def test_no_valid_input_names_an_image_or_a_base_image_literally() -> None:
    valid = [path for path in INPUTS if not path.name.endswith("_invalid.json")]
    assert len(valid) == 8
    for path in valid:
        document = json.loads(path.read_text())
        assert document["ImageName"] == f"{{{{{IMAGE_EXPORT}}}}}", path.name
        assert document["BaseImage"] == f"{{{{{BASE_IMAGE_EXPORT}}}}}", path.name


def test_a_name_the_setup_stack_does_not_export_is_reported_per_file(tmp_path: Path) -> None:
    typo = tmp_path / "inputs_1_create.json"
    typo.write_text('{"ImageName": "{{ Community-SageMaker-ImageVersion-ImageNam }}"}')
    plain = tmp_path / "inputs_1_update.json"
    plain.write_text('{"ImageName": "literal"}')
    template = read_template(ROOT / SETUP_TEMPLATE)
    assert missing_exports([typo, plain], template) == {
        "inputs_1_create.json": {"Community-SageMaker-ImageVersion-ImageNam"}
    }


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('"{{A-b:1}}"', {"A-b:1"}),
        ('"{{ spaced }}" "{{other}}"', {"spaced", "other"}),
        ('"{{not_an_export}}" "{single}"', set()),  # cfn test would leave these as they are
    ],
)
def test_placeholders_are_what_cfn_test_replaces(text: str, names: set[str]) -> None:
    assert placeholders(text) == names


def resolved_inputs(emulator: str) -> list[dict[str, Any]]:
    """The input sets as `cfn test` itself reads them (rpdk.core.test.get_inputs), with the
    exports of the CloudFormation at ``emulator``."""
    sets = []
    for index in range(1, 10):
        inputs = get_inputs(ROOT, REGION, emulator, index, None, None, headers={})
        if not inputs:
            break
        sets.append(inputs)
    return sets


def test_cfn_test_resolves_the_inputs_from_the_setup_stack_deployed_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", "offline")  # no STS call for the exports
    with offline_aws(ROOT, ()) as offline:
        exports = deploy(offline.emulator, ROOT / SETUP_TEMPLATE)
        sets = resolved_inputs(offline.emulator)
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        image = sagemaker.describe_image(ImageName=exports[IMAGE_EXPORT])
    assert exports[BASE_IMAGE_EXPORT] == OFFLINE_PARAMETERS["BaseImage"]
    assert image["RoleArn"] == exports["Community-SageMaker-ImageVersion-ImageRoleArn"]
    assert image["ImageArn"] == exports["Community-SageMaker-ImageVersion-ImageArn"]
    assert len(sets) == 4
    for inputs in sets:
        assert set(inputs) == {"CREATE", "UPDATE", "INVALID"}
        assert "{{" not in json.dumps(inputs)
        for action in ("CREATE", "UPDATE"):
            assert inputs[action]["ImageName"] == exports[IMAGE_EXPORT]
            assert inputs[action]["BaseImage"] == exports[BASE_IMAGE_EXPORT]


@pytest.fixture
def missing_an_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The working directory: a project whose one input names an export the setup lacks."""
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "inputs_1_create.json").write_text('{"ImageName": "{{Nowhere}}"}')
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "setup.yml").write_text((ROOT / SETUP_TEMPLATE).read_text())
    monkeypatch.chdir(tmp_path)


def test_make_contract_stops_before_starting_anything_when_an_export_is_missing(
    missing_an_export: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert contract.main([]) == 2
    out = capsys.readouterr().out
    assert out == f"inputs/inputs_1_create.json names Nowhere, not exported by {SETUP_TEMPLATE}\n"


@pytest.mark.parametrize(
    ("args", "passed"),
    [
        (["-k", "contract_update_read"], ["-k", "contract_update_read"]),
        (["-x", "-k", "create and not list", "-v"], ["-x", "-k", "create and not list", "-v"]),
        (["--", "-k", "contract_create_read"], ["-k", "contract_create_read"]),
        ([], []),
    ],
)
def test_make_contract_args_go_to_the_suite_s_pytest_in_order(
    args: list[str], passed: list[str]
) -> None:
    assert contract.pytest_arguments(args) == passed
    command = contract.cfn_test_command("http://e", "http://c", contract.pytest_arguments(args))
    assert command[len(command) - len(passed) :] == passed
    assert command.index("--") < len(command) - len(passed), "after cfn test's own options"


def test_make_contract_takes_a_pytest_option_as_the_readme_shows(
    missing_an_export: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make contract ARGS="-k contract_update_read"` gets as far as its first check (an export
    missing, here: it stops before starting anything), not to "unrecognized arguments: -k"."""
    assert contract.main(["-k", "contract_update_read"]) == 2
    assert "names Nowhere" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("keyword", "line"),
    [
        ("", "9 deselected by the CLI"),
        ("contract_update_read", "9 deselected by the CLI and -k 'contract_update_read'"),
    ],
)
def test_the_report_says_who_deselected_the_tests(
    keyword: str, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = ContractReport(keyword)
    report.pytest_deselected(cast(list[pytest.Item], [object()] * 9))
    report.pytest_sessionfinish()
    assert capsys.readouterr().out.endswith(f": {line} ==\n")
