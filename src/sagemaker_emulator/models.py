"""Backend and resources of the emulated SageMaker Image / ImageVersion / alias API.

State lives in :data:`image_backends`, a moto ``BackendDict``: one :class:`ImageBackend` per
account and region, cleared with every other moto backend by ``mock_aws`` start/stop and by
``POST /moto-api/reset``. Rules marked *choice* are where the real service's behaviour is unknown.

Statuses follow moto's state manager (see :mod:`.control`). moto applies a progression when a
status is read; the emulator reads it once on creation and on DeleteImageVersion, so an
``immediate`` progression completes at once and a transition set later affects only resources
created (or deletions started) afterwards. Timestamps are UTC with millisecond precision, as
AWS JSON returns them, so what a client sees is what the filters and sort orders compare.

Images
  * ImageArn is ``arn:<partition>:sagemaker:<region>:<account>:image/<name lower-cased>``.
  * Names are unique case-insensitively (the ARNs would collide): CreateImage ``myimage`` while
    ``MyImage`` exists raises ResourceInUse. Look-ups by name are case-sensitive:
    DescribeImage ``myimage`` for ``MyImage`` raises ResourceNotFound.
  * Tags are validated and otherwise ignored (moto's AddTags/ListTags do not know images).
  * ImageStatus goes CREATING -> CREATED through the state manager model
    :data:`IMAGE_MODEL` (default immediate; with ``manual`` progression DescribeImage counts).
  * DeleteImage removes the image and all its versions at once (*choice*: no DELETING phase).
  * ListImages: NameContains is a case-sensitive substring (*choice*); time filters are strict
    (After: later than, Before: earlier than); SortBy CREATION_TIME (default) |
    LAST_MODIFIED_TIME | IMAGE_NAME, SortOrder DESCENDING (default) | ASCENDING.

Versions
  * ImageVersionArn is ``...:image-version/<name lower-cased>/<N>``; versions are numbered
    1, 2, 3, ... per image and a number is never reused, even after deletes.
  * CreateImageVersion on a missing image raises ResourceNotFound; on an image that is not
    CREATED, ValidationException ``Image ... is in an invalid state``.
  * ClientToken: the same token on the same image returns the existing version (whatever its
    status, parameters not compared) and creates nothing, for as long as that version exists.
  * ContainerImage (*choice*): ``<account>.dkr.ecr.<region>.amazonaws.com/<name lower-cased>
    @sha256:<sha256 of "BaseImage\\nVersion">``, stable for a given base image and version.
  * ImageVersionStatus goes CREATING -> CREATED (or CREATE_FAILED when a failure is injected,
    see :class:`Controls`) through :data:`VERSION_CREATE_MODEL`; DeleteImageVersion sets
    DELETING, then the version is gone (or DELETE_FAILED) through :data:`VERSION_DELETE_MODEL`.
    With ``manual`` progression DescribeImageVersion counts. FailureReason is returned only in
    a ``*_FAILED`` status. A DELETE_FAILED version stays listed and can be deleted again.
  * Describe/Update/DeleteImageVersion select by Version, by Alias, or neither: the LATEST
    (highest-numbered) version that still exists, whatever its status. Version and Alias
    together raise ValidationException. DescribeImageVersion omits aliases and every metadata
    field never set.
  * UpdateImageVersion of a CREATING or DELETING version raises ResourceInUse, of a
    CREATE_FAILED or DELETE_FAILED one ValidationException (*choice*); it sets LastModifiedTime.
  * DeleteImageVersion of a version already DELETING (or still CREATING) raises ResourceInUse
    ``ImageVersion (...) is being deleted`` (``created``); CREATE_FAILED and DELETE_FAILED
    versions can be deleted.

Aliases (*choice*: the real service's rule is undocumented)
  * An alias names at most one version of an image. Creating or updating a version with an
    alias another version of the image holds raises ValidationException; adding an alias the
    version already holds is a no-op. AliasesToDelete naming an alias the version does not
    hold, or an alias in both AliasesToAdd and AliasesToDelete, raises ValidationException.
    Aliases stay with a version until it is gone.
  * ListAliases lists the aliases of one version (Version given; missing: ResourceNotFound) or
    of every version, ordered by version then alias (*choice*), optionally filtered by Alias
    (an alias no version holds gives an empty list).

Concurrency
  * While a version of an image is CREATING or DELETING, CreateImageVersion and
    DeleteImageVersion of another version of it, and DeleteImage, raise ResourceInUse
    ``Resource was modified concurrently``. An idempotent replay (same ClientToken) is not
    blocked. :attr:`Controls.concurrency_check` turns this off.

Limits (*choice*): none unless set through :class:`Controls`; then ResourceLimitExceeded.

Faults (throttling, 5xx, an answer lost after the request was applied) are injected in front of
the backend, on requests over HTTP, by the rules of :mod:`.faults`.
"""

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.common_models import BaseModel
from moto.core.utils import utcnow
from moto.moto_api._internal.managed_state_model import ManagedState
from moto.utilities.utils import get_partition

from .exceptions import (
    ResourceInUse,
    ResourceLimitExceeded,
    ResourceNotFound,
    ValidationException,
)
from .faults import FaultPlan, FaultRule
from .pagination import SortKey, paginate

IMAGE_MODEL = "sagemaker::image"
VERSION_CREATE_MODEL = "sagemaker::imageversion"
VERSION_DELETE_MODEL = "sagemaker::imageversion-deletion"
TRANSITION_MODELS = (IMAGE_MODEL, VERSION_CREATE_MODEL, VERSION_DELETE_MODEL)

BUSY = frozenset({"CREATING", "DELETING"})
METADATA_KEYS = (
    "VendorGuidance",
    "JobType",
    "MLFramework",
    "ProgrammingLang",
    "Processor",
    "Horovod",
    "ReleaseNotes",
)
Metadata = dict[str, str | bool]
Phase = Literal["create", "delete"]

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class FailureRule:
    """Make a version's creation or deletion fail with ``reason``.

    Applies to versions of ``image_name`` (any image when None); ``once`` rules are used up
    by the first version they apply to, the others apply until the controls are reset.
    """

    phase: Phase
    reason: str
    image_name: str | None = None
    once: bool = True

    def __post_init__(self) -> None:
        if self.phase not in ("create", "delete"):
            raise ValueError(f"phase must be 'create' or 'delete', not {self.phase!r}")
        if not 1 <= len(self.reason) <= 1024:
            raise ValueError("reason must be 1 to 1024 characters (FailureReason)")


@dataclass
class Controls:
    """Test knobs of one account and region; reset with the rest of the backend."""

    concurrency_check: bool = True
    max_images: int | None = None
    max_versions_per_image: int | None = None
    failures: list[FailureRule] = field(default_factory=list)
    faults: FaultPlan | None = None

    def inject_faults(self, rules: list[FaultRule], seed: int = 0) -> FaultPlan:
        """Faults on requests over HTTP from now on (see :mod:`.faults`); the new plan."""
        self.faults = FaultPlan(seed=seed, rules=rules)
        return self.faults

    def fail_create(self, reason: str, image_name: str | None = None, *, once: bool = True) -> None:
        """The next (``once``) or every matching version creation ends in CREATE_FAILED."""
        self.failures.append(FailureRule("create", reason, image_name, once))

    def fail_delete(self, reason: str, image_name: str | None = None, *, once: bool = True) -> None:
        """The next (``once``) or every matching version deletion ends in DELETE_FAILED."""
        self.failures.append(FailureRule("delete", reason, image_name, once))

    def take_failure(self, phase: Phase, image_name: str) -> str | None:
        """The FailureReason planned for this phase of a version of ``image_name``, if any."""
        for rule in self.failures:
            if rule.phase == phase and rule.image_name in (None, image_name):
                if rule.once:
                    self.failures.remove(rule)
                return rule.reason
        return None


@dataclass(frozen=True)
class ListQuery:
    """Sorting, paging and time filters shared by ListImages and ListImageVersions."""

    sort_by: str
    sort_order: str
    max_results: int | None = None
    next_token: str | None = None
    creation_time_after: datetime | None = None
    creation_time_before: datetime | None = None
    last_modified_time_after: datetime | None = None
    last_modified_time_before: datetime | None = None

    def admits(self, created: datetime, modified: datetime) -> bool:
        """Time filters are strict: After means later than, Before earlier than."""
        return (
            (self.creation_time_after is None or created > self.creation_time_after)
            and (self.creation_time_before is None or created < self.creation_time_before)
            and (self.last_modified_time_after is None or modified > self.last_modified_time_after)
            and (
                self.last_modified_time_before is None or modified < self.last_modified_time_before
            )
        )


class Image(BaseModel):
    """One SageMaker image: its settings, status and versions (by number)."""

    def __init__(
        self,
        *,
        account_id: str,
        region_name: str,
        name: str,
        role_arn: str,
        description: str | None,
        display_name: str | None,
    ) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.image_name = name
        self.image_arn = _arn(region_name, account_id, f"image/{name.lower()}")
        self.role_arn = role_arn
        self.description = description
        self.display_name = display_name
        self.creation_time = self.last_modified_time = _now()
        self.versions: dict[int, ImageVersion] = {}
        self.last_version = 0
        self._state = _started(IMAGE_MODEL, [("CREATING", "CREATED")])

    @property
    def status(self) -> str:
        return str(self._state.status)

    def advance(self) -> None:
        self._state.advance()

    def version_arn(self, version: int) -> str:
        path = f"image-version/{self.image_name.lower()}/{version}"
        return _arn(self.region_name, self.account_id, path)

    def live_versions(self) -> list["ImageVersion"]:
        """Versions that still exist, lowest number first; finished deletions are dropped."""
        for number, version in list(self.versions.items()):
            if version.status == "DELETED":
                del self.versions[number]
        return list(self.versions.values())

    def summary(self) -> dict[str, Any]:
        return {
            "CreationTime": self.creation_time,
            "Description": self.description,
            "DisplayName": self.display_name,
            "ImageArn": self.image_arn,
            "ImageName": self.image_name,
            "ImageStatus": self.status,
            "LastModifiedTime": self.last_modified_time,
        }

    def describe(self) -> dict[str, Any]:
        return {**self.summary(), "RoleArn": self.role_arn}


class ImageVersion(BaseModel):
    """One numbered version of an image, with its aliases and metadata."""

    def __init__(
        self,
        *,
        image: Image,
        version: int,
        base_image: str,
        client_token: str,
        aliases: list[str],
        metadata: Metadata,
        failure: str | None,
    ) -> None:
        self.image = image
        self.version = version
        self.image_version_arn = image.version_arn(version)
        self.base_image = base_image
        digest = hashlib.sha256(f"{base_image}\n{version}".encode()).hexdigest()
        registry = f"{image.account_id}.dkr.ecr.{image.region_name}.amazonaws.com"
        self.container_image = f"{registry}/{image.image_name.lower()}@sha256:{digest}"
        self.client_token = client_token
        self.aliases = list(dict.fromkeys(aliases))
        self.metadata = metadata
        self.creation_time = self.last_modified_time = _now()
        self._failure = failure
        outcome = "CREATE_FAILED" if failure else "CREATED"
        self._state = _started(VERSION_CREATE_MODEL, [("CREATING", outcome)])

    @property
    def status(self) -> str:
        return str(self._state.status)

    def advance(self) -> None:
        self._state.advance()

    def start_deletion(self, failure: str | None) -> None:
        self._failure = failure
        outcome = "DELETE_FAILED" if failure else "DELETED"
        self._state = _started(VERSION_DELETE_MODEL, [("DELETING", outcome)])
        self.last_modified_time = _now()

    def summary(self) -> dict[str, Any]:
        status = self.status
        return {
            "CreationTime": self.creation_time,
            "FailureReason": self._failure if status.endswith("_FAILED") else None,
            "ImageArn": self.image.image_arn,
            "ImageVersionArn": self.image_version_arn,
            "ImageVersionStatus": status,
            "LastModifiedTime": self.last_modified_time,
            "Version": self.version,
        }

    def describe(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "BaseImage": self.base_image,
            "ContainerImage": self.container_image,
            **self.metadata,
        }


def _started(model_name: str, transitions: list[tuple[str | None, str]]) -> ManagedState:
    """A ManagedState that has applied its transition once: moto evaluates progressions only
    when the status is read, so an ``immediate`` one must be settled now, before a test changes
    the transition for the resources that follow."""
    state = ManagedState(model_name, transitions)
    state.status  # noqa: B018 (reading the status applies the transition)
    return state


def _synchronized(
    method: Callable[Concatenate["ImageBackend", P], R],
) -> Callable[Concatenate["ImageBackend", P], R]:
    """Run a backend method under the backend's lock (moto's server is threaded)."""

    @wraps(method)
    def locked(backend: "ImageBackend", /, *args: P.args, **kwargs: P.kwargs) -> R:
        with backend.lock:
            return method(backend, *args, **kwargs)

    return locked


class ImageBackend(BaseBackend):
    """SageMaker images and image versions of one account and region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.images: dict[str, Image] = {}
        self.controls = Controls()
        self.lock = threading.RLock()

    @_synchronized
    def create_image(
        self,
        name: str,
        role_arn: str,
        description: str | None,
        display_name: str | None,
    ) -> Image:
        clash = next(
            (i for i in self.images.values() if i.image_name.lower() == name.lower()), None
        )
        if clash is not None:
            raise ResourceInUse(f"Image {clash.image_arn} already exists.")
        limit = self.controls.max_images
        if limit is not None and len(self.images) >= limit:
            raise ResourceLimitExceeded(f"The account-level limit of {limit} images is reached.")
        image = Image(
            account_id=self.account_id,
            region_name=self.region_name,
            name=name,
            role_arn=role_arn,
            description=description,
            display_name=display_name,
        )
        self.images[name] = image
        return image

    @_synchronized
    def describe_image(self, name: str) -> Image:
        image = self._image(name)
        image.advance()
        return image

    @_synchronized
    def delete_image(self, name: str) -> None:
        image = self._image(name)
        self._check_concurrency(image.live_versions(), excluding=None)
        del self.images[name]

    @_synchronized
    def list_images(
        self, query: ListQuery, name_contains: str | None
    ) -> tuple[list[Image], str | None]:
        images = [
            image
            for image in self.images.values()
            if name_contains is None or name_contains in image.image_name
            if query.admits(image.creation_time, image.last_modified_time)
        ]
        return _page(images, IMAGE_SORT_KEYS[query.sort_by], query, "ListImages")

    @_synchronized
    def create_image_version(
        self,
        image_name: str,
        base_image: str,
        client_token: str,
        aliases: list[str],
        metadata: Metadata,
    ) -> ImageVersion:
        image = self._image(image_name)
        versions = image.live_versions()
        replayed = next((v for v in versions if v.client_token == client_token), None)
        if replayed is not None:
            return replayed
        if image.status != "CREATED":
            raise ValidationException(f"Image {image.image_arn} is in an invalid state.")
        self._check_concurrency(versions, excluding=None)
        limit = self.controls.max_versions_per_image
        if limit is not None and len(versions) >= limit:
            raise ResourceLimitExceeded(f"Image {image_name} already has {limit} versions.")
        _check_aliases_free(versions, aliases, holder=None)
        image.last_version += 1
        version = ImageVersion(
            image=image,
            version=image.last_version,
            base_image=base_image,
            client_token=client_token,
            aliases=aliases,
            metadata=metadata,
            failure=self.controls.take_failure("create", image_name),
        )
        image.versions[version.version] = version
        return version

    @_synchronized
    def describe_image_version(
        self, image_name: str, version: int | None, alias: str | None
    ) -> ImageVersion:
        selected = self._select(self._image(image_name), version, alias)
        selected.advance()
        if selected.status == "DELETED":  # this very call finished the deletion: look again
            return self.describe_image_version(image_name, version, alias)
        return selected

    @_synchronized
    def update_image_version(
        self,
        *,
        image_name: str,
        version: int | None,
        alias: str | None,
        aliases_to_add: list[str],
        aliases_to_delete: list[str],
        metadata: Metadata,
    ) -> ImageVersion:
        image = self._image(image_name)
        selected = self._select(image, version, alias)
        status = selected.status
        if status in BUSY:
            raise ResourceInUse(
                f"ImageVersion {selected.image_version_arn} is {status} and cannot be updated."
            )
        if status != "CREATED":
            raise ValidationException(
                f"ImageVersion {selected.image_version_arn} is in an invalid state: {status}."
            )
        both = sorted(set(aliases_to_add) & set(aliases_to_delete))
        if both:
            raise ValidationException(f"Aliases {both} are both to add and to delete.")
        for name in aliases_to_delete:
            if name not in selected.aliases:
                raise ValidationException(
                    f"Alias {name} is not associated with ImageVersion "
                    f"{selected.image_version_arn}."
                )
        _check_aliases_free(image.live_versions(), aliases_to_add, holder=selected)
        kept = [name for name in selected.aliases if name not in aliases_to_delete]
        selected.aliases = list(dict.fromkeys(kept + aliases_to_add))
        selected.metadata.update(metadata)
        selected.last_modified_time = _now()
        return selected

    @_synchronized
    def delete_image_version(self, image_name: str, version: int | None, alias: str | None) -> None:
        image = self._image(image_name)
        selected = self._select(image, version, alias)
        status = selected.status
        if status in BUSY:
            verb = "created" if status == "CREATING" else "deleted"
            raise ResourceInUse(f"ImageVersion ({selected.image_version_arn}) is being {verb}.")
        self._check_concurrency(image.live_versions(), excluding=selected)
        selected.start_deletion(self.controls.take_failure("delete", image_name))

    @_synchronized
    def list_image_versions(
        self, image_name: str, query: ListQuery
    ) -> tuple[list[ImageVersion], str | None]:
        image = self._image(image_name)
        versions = [
            v for v in image.live_versions() if query.admits(v.creation_time, v.last_modified_time)
        ]
        scope = f"ListImageVersions/{image_name}"
        return _page(versions, VERSION_SORT_KEYS[query.sort_by], query, scope)

    @_synchronized
    def list_aliases(
        self,
        image_name: str,
        alias: str | None,
        version: int | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[str], str | None]:
        image = self._image(image_name)
        versions = image.live_versions()
        if version is not None:
            versions = [self._select(image, version, None)]
        pairs = [
            (v.version, name)
            for v in versions
            for name in v.aliases
            if alias is None or name == alias
        ]
        page, token = paginate(
            pairs,
            lambda pair: (_number_key(pair[0]), pair[1]),
            scope=f"ListAliases/{image_name}/{version}/{alias}",
            descending=False,
            max_results=max_results,
            next_token=next_token,
        )
        return [name for _, name in page], token

    def _image(self, name: str) -> Image:
        if name not in self.images:
            raise ResourceNotFound(f"Image with name {name} does not exist.")
        return self.images[name]

    def _select(self, image: Image, version: int | None, alias: str | None) -> ImageVersion:
        if version is not None and alias is not None:
            raise ValidationException("Specify either Version or Alias, not both.")
        versions = image.live_versions()
        if version is not None:
            found = image.versions.get(version)
            missing = f"ImageVersion {image.version_arn(version)} does not exist."
        elif alias is not None:
            found = next((v for v in versions if alias in v.aliases), None)
            missing = (
                f"ImageVersion with ImageName {image.image_name} and Alias {alias} does not exist."
            )
        else:
            found = versions[-1] if versions else None
            missing = f"Latest ImageVersion with ImageName {image.image_name} does not exist."
        if found is None:
            raise ResourceNotFound(missing)
        return found

    def _check_concurrency(
        self, versions: list[ImageVersion], excluding: ImageVersion | None
    ) -> None:
        if self.controls.concurrency_check and any(
            v is not excluding and v.status in BUSY for v in versions
        ):
            raise ResourceInUse("Resource was modified concurrently.")


def _check_aliases_free(
    versions: list[ImageVersion], aliases: list[str], holder: ImageVersion | None
) -> None:
    for name in aliases:
        owner = next((v for v in versions if v is not holder and name in v.aliases), None)
        if owner is not None:
            raise ValidationException(
                f"Alias {name} is already in use by version {owner.version} of image "
                f"{owner.image.image_name}."
            )


def _page(
    items: list[Any], key: Callable[[Any], SortKey], query: ListQuery, scope: str
) -> tuple[list[Any], str | None]:
    return paginate(
        items,
        key,
        scope=f"{scope}/{query.sort_by}/{query.sort_order}",
        descending=query.sort_order == "DESCENDING",
        max_results=query.max_results,
        next_token=query.next_token,
    )


def _arn(region_name: str, account_id: str, resource: str) -> str:
    return f"arn:{get_partition(region_name)}:sagemaker:{region_name}:{account_id}:{resource}"


def _now() -> datetime:
    """Naive UTC, to the millisecond: the precision AWS JSON timestamps carry."""
    moment = utcnow()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _time_key(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S%f")


def _number_key(number: int) -> str:
    return f"{number:010d}"


IMAGE_SORT_KEYS: dict[str, Callable[[Image], SortKey]] = {
    "CREATION_TIME": lambda i: (_time_key(i.creation_time), i.image_name),
    "LAST_MODIFIED_TIME": lambda i: (_time_key(i.last_modified_time), i.image_name),
    "IMAGE_NAME": lambda i: (i.image_name, ""),
}
VERSION_SORT_KEYS: dict[str, Callable[[ImageVersion], SortKey]] = {
    "CREATION_TIME": lambda v: (_time_key(v.creation_time), _number_key(v.version)),
    "LAST_MODIFIED_TIME": lambda v: (_time_key(v.last_modified_time), _number_key(v.version)),
    "VERSION": lambda v: (_number_key(v.version), ""),
}

image_backends = BackendDict(ImageBackend, "sagemaker")
