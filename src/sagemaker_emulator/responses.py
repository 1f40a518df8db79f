"""Request handlers of the ten image actions, attached to moto's SageMakerResponse by install().

moto parses each request with botocore's model into ``self.params`` and dispatches it by action
name to the snake_case method of ``SageMakerResponse``; :func:`sagemaker_emulator.install`
copies the methods of :class:`ImageResponses` named in :data:`ACTIONS` onto that class. Every
handler validates the request against the model, calls the backend and returns the result for
moto's serialiser (which drops members that are None).
"""

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.responses import SageMakerResponse

from .clock import pause
from .control import image_backends
from .models import METADATA_KEYS, CreateRequest, ImageBackend, ListQuery, Metadata
from .validation import validate_request

ACTIONS = (
    "create_image",
    "describe_image",
    "delete_image",
    "list_images",
    "create_image_version",
    "describe_image_version",
    "update_image_version",
    "delete_image_version",
    "list_image_versions",
    "list_aliases",
)


class ImageResponses(SageMakerResponse):
    """Not instantiated: a typed home for the handlers that install() copies."""

    def create_image(self) -> ActionResult:
        params = _params(self, "CreateImage")
        image = _backend(self).create_image(
            name=params["ImageName"],
            role_arn=params["RoleArn"],
            description=params.get("Description"),
            display_name=params.get("DisplayName"),
        )
        return ActionResult({"ImageArn": image.image_arn})

    def describe_image(self) -> ActionResult:
        params = _params(self, "DescribeImage")
        return ActionResult(_backend(self).describe_image(params["ImageName"]).describe())

    def delete_image(self) -> ActionResult:
        params = _params(self, "DeleteImage")
        _backend(self).delete_image(params["ImageName"])
        return EmptyResult()

    def list_images(self) -> ActionResult:
        params = _params(self, "ListImages")
        images, token = _backend(self).list_images(
            _list_query(params), name_contains=params.get("NameContains")
        )
        return ActionResult({"Images": [i.summary() for i in images], "NextToken": token})

    def create_image_version(self) -> ActionResult:
        params = _params(self, "CreateImageVersion")
        request = CreateRequest(
            base_image=params["BaseImage"],
            aliases=tuple(params.get("Aliases", [])),
            metadata=tuple(sorted(_metadata(params).items())),
        )
        backend = _backend(self)
        _, answer = backend.create_image_version(
            image_name=params["ImageName"], client_token=params["ClientToken"], request=request
        )
        pause(backend.rules.answer_delay())
        return ActionResult({"ImageVersionArn": answer})

    def describe_image_version(self) -> ActionResult:
        params = _params(self, "DescribeImageVersion")
        version = _backend(self).describe_image_version(
            params["ImageName"], params.get("Version"), params.get("Alias")
        )
        return ActionResult(version.describe())

    def update_image_version(self) -> ActionResult:
        params = _params(self, "UpdateImageVersion")
        version = _backend(self).update_image_version(
            image_name=params["ImageName"],
            version=params.get("Version"),
            alias=params.get("Alias"),
            aliases_to_add=params.get("AliasesToAdd", []),
            aliases_to_delete=params.get("AliasesToDelete", []),
            metadata=_metadata(params),
        )
        return ActionResult({"ImageVersionArn": version.image_version_arn})

    def delete_image_version(self) -> ActionResult:
        params = _params(self, "DeleteImageVersion")
        backend = _backend(self)
        backend.delete_image_version(
            params["ImageName"], params.get("Version"), params.get("Alias")
        )
        pause(backend.rules.answer_delay())
        return EmptyResult()

    def list_image_versions(self) -> ActionResult:
        params = _params(self, "ListImageVersions")
        versions, token = _backend(self).list_image_versions(
            params["ImageName"], _list_query(params)
        )
        return ActionResult({"ImageVersions": [v.summary() for v in versions], "NextToken": token})

    def list_aliases(self) -> ActionResult:
        params = _params(self, "ListAliases")
        aliases, token = _backend(self).list_aliases(
            image_name=params["ImageName"],
            alias=params.get("Alias"),
            version=params.get("Version"),
            max_results=params.get("MaxResults"),
            next_token=params.get("NextToken"),
        )
        return ActionResult({"SageMakerImageVersionAliases": aliases, "NextToken": token})


def _params(response: SageMakerResponse, operation: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(response.params)
    validate_request(operation, params)
    return params


def _backend(response: SageMakerResponse) -> ImageBackend:
    return image_backends[response.current_account][response.region]


def _metadata(params: dict[str, Any]) -> Metadata:
    return {key: params[key] for key in METADATA_KEYS if params.get(key) is not None}


def _list_query(params: dict[str, Any]) -> ListQuery:
    return ListQuery(
        sort_by=params.get("SortBy", "CREATION_TIME"),
        sort_order=params.get("SortOrder", "DESCENDING"),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
        creation_time_after=params.get("CreationTimeAfter"),
        creation_time_before=params.get("CreationTimeBefore"),
        last_modified_time_after=params.get("LastModifiedTimeAfter"),
        last_modified_time_before=params.get("LastModifiedTimeBefore"),
    )
