"""AWS::SageMaker::Image under moto's CloudFormation: stacks deployed to the emulator's server
(``test/setup.yml``, the contract tests' prerequisites) create their images in the emulator.

moto 5.2.5's CloudFormation creates only the resource types whose model classes derive directly
from :class:`~moto.core.common_models.CloudFormationModel` (it lists
``CloudFormationModel.__subclasses__()``, once, and caches the list); SageMaker images are not
among them. :func:`register` adds :class:`StackImage` and clears moto's caches so that the next
stack sees it; it is called by whatever deploys a stack (``offline_aws.setup_stack``), not by
``install()``, as importing moto's CloudFormation loads nearly every moto service (about 2 s).
As in CloudFormation, ``Ref`` gives the image's ARN, ``Fn::GetAtt`` offers ``ImageArn`` only,
and a new ``ImageName`` replaces the image.
"""

from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from .control import image_backends
from .models import Image

RESOURCE_TYPE = "AWS::SageMaker::Image"


class StackImage(CloudFormationModel):
    """An image a stack created: create, update (role, description, display name; a new name
    replaces it) and delete."""

    def __init__(self, image: Image) -> None:
        self.image = image

    @property
    def physical_resource_id(self) -> str:
        return self.image.image_arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return "ImageName"

    @staticmethod
    def cloudformation_type() -> str:
        return RESOURCE_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "ImageArn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "ImageArn":
            return self.image.image_arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "StackImage":
        properties = cloudformation_json["Properties"]
        image = image_backends[account_id][region_name].create_image(
            name=properties.get("ImageName", resource_name),
            role_arn=properties["ImageRoleArn"],
            description=properties.get("ImageDescription"),
            display_name=properties.get("ImageDisplayName"),
        )
        return cls(image)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "StackImage",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "StackImage":
        properties = cloudformation_json["Properties"]
        image = original_resource.image
        if properties.get("ImageName", new_resource_name) != image.image_name:
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            image_backends[account_id][region_name].delete_image(image.image_name)
            return replacement
        image.role_arn = properties["ImageRoleArn"]
        image.description = properties.get("ImageDescription")
        image.display_name = properties.get("ImageDisplayName")
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        """``resource_name`` is the physical id, the image's ARN (moto tries an instance method
        ``delete`` first, which this class leaves out so that there is one way)."""
        backend = image_backends[account_id][region_name]
        name = next(n for n, i in backend.images.items() if i.image_arn == resource_name)
        backend.delete_image(name)


def register() -> None:
    """Make moto's CloudFormation create StackImage for AWS::SageMaker::Image. Idempotent."""
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    if parsing.resource_class_from_type(RESOURCE_TYPE) is not StackImage:
        raise RuntimeError(f"moto's CloudFormation does not pick up {RESOURCE_TYPE} any more")
