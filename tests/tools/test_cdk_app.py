"""The CDK example synthesises a template that passes the template check, and the check still
catches a mistake in what CDK writes."""

import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from make_targets.template_check import check

pytest.importorskip("aws_cdk", reason="aws-cdk-lib comes from requirements-dev.txt")
if shutil.which("node") is None:
    pytest.skip("aws-cdk-lib runs on node (jsii)", allow_module_level=True)

APP = Path("examples/cdk/app.py")
TYPE_NAME = "Community::SageMaker::ImageVersion"


def _app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cdk_example_app", APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synthesised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    _app().build(str(outdir)).synth()
    return outdir / "ImageVersions.template.json"


def test_the_synthesised_template_passes_cfn_lint_and_our_check(synthesised: Path) -> None:
    template = json.loads(synthesised.read_text())
    ours = {n: r for n, r in template["Resources"].items() if r["Type"] == TYPE_NAME}
    assert sorted(ours) == ["V1", "V2"]
    assert ours["V2"]["Properties"]["Aliases"] == ["2.0", "stable"]
    # a chain: the image, then each version after the one before it (W9305)
    assert [ours["V1"]["DependsOn"], ours["V2"]["DependsOn"]] == [["Image"], ["V1"]]
    assert template["Outputs"]["V2Number"]["Value"] == {"Fn::GetAtt": ["V2", "Version"]}
    assert check([synthesised]) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("V1", "Processor", "TPU"), "'TPU' is not one of ['CPU', 'GPU']"),
        (
            ("V2", "Colour", "blue"),
            "Colour is not a property of Community::SageMaker::ImageVersion",
        ),
    ],
)
def test_a_mistake_in_the_synthesised_template_is_reported(
    synthesised: Path, tmp_path: Path, change: tuple[str, str, Any], expected: str
) -> None:
    template = json.loads(synthesised.read_text())
    resource, key, value = change
    template["Resources"][resource]["Properties"][key] = value
    bad = tmp_path / "bad.template.json"
    bad.write_text(json.dumps(template))
    assert any(expected in problem for problem in check([bad]))
