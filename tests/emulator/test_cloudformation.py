"""AWS::SageMaker::Image in a stack of moto's CloudFormation makes, changes and deletes an
image of the emulator."""

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from offline_aws.defaults import IMAGE_ROLE, REGION
from sagemaker_emulator import cloudformation


def template(description: str, name: str = "StackMade") -> str:
    return json.dumps(
        {
            "Resources": {
                "Image": {
                    "Type": "AWS::SageMaker::Image",
                    "Properties": {
                        "ImageName": name,
                        "ImageRoleArn": IMAGE_ROLE,
                        "ImageDescription": description,
                    },
                }
            },
            "Outputs": {
                "Ref": {"Value": {"Ref": "Image"}},
                "Arn": {"Value": {"Fn::GetAtt": ["Image", "ImageArn"]}},
            },
        }
    )


def outputs(cfn: Any) -> dict[str, str]:
    stack = cfn.describe_stacks(StackName="images")["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


@pytest.fixture
def cfn(sm: Any) -> Any:
    cloudformation.register()
    return boto3.client("cloudformation", region_name=REGION)


def test_a_stack_creates_updates_and_deletes_an_emulated_image(sm: Any, cfn: Any) -> None:
    cfn.create_stack(StackName="images", TemplateBody=template("first"))
    image = sm.describe_image(ImageName="StackMade")
    assert (image["ImageStatus"], image["Description"]) == ("CREATED", "first")
    assert image["RoleArn"] == IMAGE_ROLE
    assert outputs(cfn) == {"Ref": image["ImageArn"], "Arn": image["ImageArn"]}

    cfn.update_stack(StackName="images", TemplateBody=template("second"))
    assert sm.describe_image(ImageName="StackMade")["Description"] == "second"

    cfn.delete_stack(StackName="images")
    assert sm.describe_image(ImageName="StackMade")["ImageStatus"] == "DELETING"
    with pytest.raises(ClientError) as gone:
        sm.describe_image(ImageName="StackMade")
    assert gone.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_new_image_name_replaces_the_image(sm: Any, cfn: Any) -> None:
    cfn.create_stack(StackName="images", TemplateBody=template("first"))
    cfn.update_stack(StackName="images", TemplateBody=template("first", name="Renamed"))
    assert sm.describe_image(ImageName="Renamed")["ImageStatus"] == "CREATED"
    assert outputs(cfn)["Ref"] == sm.describe_image(ImageName="Renamed")["ImageArn"]
    assert sm.describe_image(ImageName="StackMade")["ImageStatus"] == "DELETING"


def test_only_image_arn_is_an_attribute() -> None:
    assert cloudformation.StackImage.has_cfn_attr("ImageArn")
    assert not cloudformation.StackImage.has_cfn_attr("ImageName")
