"""A CDK (Python) app that uses Community::SageMaker::ImageVersion through ``CfnResource``.

``cdk synth --app "python examples/cdk/app.py"`` writes ``cdk.out/ImageVersions.template.json``;
``cdk deploy`` deploys it once the type is registered in the account and region. Its test
(tests/tools/test_cdk_app.py) synthesises it with ``build(outdir).synth()``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

TYPE_NAME = "Community::SageMaker::ImageVersion"


class ImageVersions(cdk.Stack):
    """One SageMaker image and two versions of it, the second one holding the alias ``stable``.

    Each version depends on the one before it: SageMaker makes one version of an image at a time,
    and a chain costs fewer billed handler operations than versions started together (W9305)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        image_name = cdk.CfnParameter(self, "ImageName", default="training-image").value_as_string
        repository = cdk.CfnParameter(self, "RepositoryUri").value_as_string
        image_role = cdk.CfnParameter(self, "ImageRoleArn").value_as_string
        image = sagemaker.CfnImage(self, "Image", image_name=image_name, image_role_arn=image_role)
        versions = {
            "V1": {"BaseImage": f"{repository}:1.0", "Aliases": ["1.0"], "Processor": "CPU"},
            "V2": {"BaseImage": f"{repository}:2.0", "Aliases": ["2.0", "stable"]},
        }
        previous: cdk.CfnResource | None = None
        for name, properties in versions.items():
            version = cdk.CfnResource(
                self,
                name,
                type=TYPE_NAME,
                properties={"ImageName": image_name, "JobType": "TRAINING", **properties},
            )
            version.node.add_dependency(image if previous is None else previous)
            previous = version
            cdk.CfnOutput(self, f"{name}Arn", value=version.ref)
            cdk.CfnOutput(self, f"{name}Number", value=version.get_att("Version").to_string())


def build(outdir: str | None = None) -> cdk.App:
    """The app with its one stack; ``app.synth()`` writes the template to ``outdir``."""
    app = cdk.App(outdir=outdir)
    ImageVersions(app, "ImageVersions")
    return app


if __name__ == "__main__":
    build().synth()
