# DO NOT modify this file by hand, changes will be overwritten
from dataclasses import dataclass

from cloudformation_cli_python_lib.interface import (
    BaseModel,
    BaseResourceHandlerRequest,
)
from cloudformation_cli_python_lib.recast import recast_object
from cloudformation_cli_python_lib.utils import deserialize_list

import sys
from inspect import getmembers, isclass
from typing import (
    AbstractSet,
    Any,
    Generic,
    Mapping,
    MutableMapping,
    Optional,
    Sequence,
    Type,
    TypeVar,
)

T = TypeVar("T")


def set_or_none(value: Optional[Sequence[T]]) -> Optional[AbstractSet[T]]:
    if value:
        return set(value)
    return None


@dataclass
class ResourceHandlerRequest(BaseResourceHandlerRequest):
    # pylint: disable=invalid-name
    desiredResourceState: Optional["ResourceModel"]
    previousResourceState: Optional["ResourceModel"]
    typeConfiguration: Optional["TypeConfigurationModel"]


@dataclass
class ResourceModel(BaseModel):
    ImageName: Optional[str]
    BaseImage: Optional[str]
    Alias: Optional[str]
    Aliases: Optional[Sequence[str]]
    VendorGuidance: Optional[str]
    JobType: Optional[str]
    MLFramework: Optional[str]
    ProgrammingLang: Optional[str]
    Processor: Optional[str]
    Horovod: Optional[bool]
    ReleaseNotes: Optional[str]
    ImageArn: Optional[str]
    ImageVersionArn: Optional[str]
    ContainerImage: Optional[str]
    Version: Optional[int]

    @classmethod
    def _deserialize(
        cls: Type["_ResourceModel"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_ResourceModel"]:
        if not json_data:
            return None
        dataclasses = {n: o for n, o in getmembers(sys.modules[__name__]) if isclass(o)}
        recast_object(cls, json_data, dataclasses)
        return cls(
            ImageName=json_data.get("ImageName"),
            BaseImage=json_data.get("BaseImage"),
            Alias=json_data.get("Alias"),
            Aliases=json_data.get("Aliases"),
            VendorGuidance=json_data.get("VendorGuidance"),
            JobType=json_data.get("JobType"),
            MLFramework=json_data.get("MLFramework"),
            ProgrammingLang=json_data.get("ProgrammingLang"),
            Processor=json_data.get("Processor"),
            Horovod=json_data.get("Horovod"),
            ReleaseNotes=json_data.get("ReleaseNotes"),
            ImageArn=json_data.get("ImageArn"),
            ImageVersionArn=json_data.get("ImageVersionArn"),
            ContainerImage=json_data.get("ContainerImage"),
            Version=json_data.get("Version"),
        )


# work around possible type aliasing issues when variable has same name as a model
_ResourceModel = ResourceModel


@dataclass
class TypeConfigurationModel(BaseModel):

    @classmethod
    def _deserialize(
        cls: Type["_TypeConfigurationModel"],
        json_data: Optional[Mapping[str, Any]],
    ) -> Optional["_TypeConfigurationModel"]:
        if not json_data:
            return None
        return cls(
        )


# work around possible type aliasing issues when variable has same name as a model
_TypeConfigurationModel = TypeConfigurationModel


