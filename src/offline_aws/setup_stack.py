"""The contract tests' prerequisites offline: ``test/setup.yml`` deployed to the offline AWS.

The contract inputs (``inputs/*.json``) name what ``test/setup.yml`` creates by its exports,
``{{ExportName}}``, which `cfn test` replaces with the values ListExports gives (in an account,
CloudFormation's; here, moto's CloudFormation of the emulator's server, reached with
``--cloudformation-endpoint-url``). The same template deploys in both places: moto creates its
IAM role, and the emulator its SageMaker image (``sagemaker_emulator.cloudformation``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import decode

from sagemaker_emulator import cloudformation

from .defaults import REGION, base_image

SETUP_TEMPLATE = Path("test/setup.yml")
STACK_NAME = "community-sagemaker-imageversion-contract-setup"
# The base image offline: a path in the offline account's registry (the emulator pulls nothing).
OFFLINE_PARAMETERS: Mapping[str, str] = {"BaseImage": base_image("contract:1.0")}

# What `cfn test` (cloudformation-cli 0.2.41, rpdk/core/test.py render_template) takes for a
# placeholder: an export name between double braces, spaces around it ignored.
PLACEHOLDER = re.compile(r"{{([-A-Za-z0-9:\s]+?)}}")


class SetupFailed(RuntimeError):
    """The setup stack did not reach CREATE_COMPLETE, or does not export what the inputs name."""


def placeholders(text: str) -> set[str]:
    """The export names a contract input names."""
    return {match.strip() for match in PLACEHOLDER.findall(text)}


def input_placeholders(input_files: Iterable[Path]) -> dict[str, set[str]]:
    """The export names each input file names (files naming none left out)."""
    named = {path.name: placeholders(path.read_text()) for path in input_files}
    return {name: exports for name, exports in named.items() if exports}


def exported_names(template: Mapping[str, Any]) -> set[str]:
    """The literal export names of a template's outputs."""
    outputs = template.get("Outputs") or {}
    names = (output.get("Export", {}).get("Name") for output in outputs.values())
    return {name for name in names if isinstance(name, str)}


def read_template(path: Path) -> dict[str, Any]:
    template, matches = decode(str(path))
    if template is None:
        raise SetupFailed(f"{path} cannot be read: {matches}")
    return dict(template)


def missing_exports(
    input_files: Iterable[Path], template: Mapping[str, Any]
) -> dict[str, set[str]]:
    """For each input file, the names it uses that the template does not export."""
    exported = exported_names(template)
    named = input_placeholders(input_files).items()
    return {name: used - exported for name, used in named if used - exported}


def deploy(
    endpoint: str, template: Path, parameters: Mapping[str, str] = OFFLINE_PARAMETERS
) -> dict[str, str]:
    """Create the setup stack at ``endpoint`` (the emulator's server, in this process); its
    exports, as ListExports gives them."""
    cloudformation.register()
    client = boto3.client("cloudformation", endpoint_url=endpoint, region_name=REGION)
    client.create_stack(
        StackName=STACK_NAME,
        TemplateBody=template.read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = client.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        reason = stack.get("StackStatusReason", "no reason given")
        raise SetupFailed(f"{template} ended {stack['StackStatus']} offline: {reason}")
    pages = client.get_paginator("list_exports").paginate()
    return {export["Name"]: export["Value"] for page in pages for export in page["Exports"]}
