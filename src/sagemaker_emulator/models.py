"""Backend and resources of the emulated SageMaker Image / ImageVersion / alias API.

State lives in one :class:`ImageBackend` per account and region (moto's ``BackendDict``
:data:`~.control.image_backends`), cleared with every other moto backend by ``mock_aws``
start/stop and by ``POST /moto-api/reset``. Rules marked *choice* are where the real service's
behaviour is unknown; those marked *variant* offer every plausible behaviour, chosen in
:mod:`.rules` (the default first).

What the domain consults beyond its own state is its :class:`Knobs`, given to the backend when it
is made (:class:`~.control.Controls`, the test controls of its account and region): the variant of
each unknown rule (read as ``rules.<rule>`` when the rule applies, always from the knobs, so a
change takes effect at once), the limits, whether concurrent changes are refused, and the
failures planned for version creations and deletions (:mod:`.failures`). Injected faults
(:mod:`.faults`) and rate limits (:mod:`.rate_limits`) never reach the domain: they act on
requests in front of moto (over HTTP and in process).

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
  * Image not found: ResourceNotFound ``Image with ARN <arn> does not exist.`` (as traced).
  * DeleteImage has a DELETING phase (a real trace shows ``ImageStatus='DELETING'`` right after
    it), then the image and all its versions are gone: state manager model
    :data:`IMAGE_DELETE_MODEL`, by default ``manual`` once (the first call naming or listing the
    image after DeleteImage sees it DELETING, the next finds it gone); every such call counts.
    A test makes the phase last as long as it needs with that model's transition: ``{"progression":
    "manual", "times": N}`` (N calls) or ``{"progression": "time", "seconds": S}`` (S seconds on
    the emulator's clock). While it lasts, DescribeImage and ListImages show DELETING,
    CreateImageVersion is refused ``Image ... is in an invalid state.``, and the other version
    calls answer as the ``delete_image`` *variant* says (``immediate`` removes the image at once;
    ``deleting_refuses_writes`` refuses only Update and DeleteImageVersion).
  * ListImages: NameContains is a case-sensitive substring (*choice*); time filters are
    inclusive (After: at or after, Before: at or before, as the API documentation says); SortBy
    CREATION_TIME (default) | LAST_MODIFIED_TIME | IMAGE_NAME, SortOrder DESCENDING (default) |
    ASCENDING.

Versions
  * ImageVersionArn is ``...:image-version/<name lower-cased>/<N>``; versions are numbered
    1, 2, 3, ... per image; whether a number is given again once the latest versions are gone is
    the *variant* ``version_numbers`` (by default never).
  * CreateImageVersion on a missing image raises ResourceNotFound; on an image that is not
    CREATED, ValidationException ``Image ... is in an invalid state``.
  * ClientToken (*variant* ``idempotency``): the same token on the same image returns the
    existing version (whatever its status) and creates nothing, for as long as that version
    exists; or for ``token_seconds``; or refuses a replay with other parameters.
  * CreateImageVersion answers the new ARN, or the literal ``None`` the model allows (*variant*
    ``create_answer``).
  * Read-after-write (*variant* ``read_after_write``): a new version and its aliases may be
    invisible to every call but a ClientToken replay, for its first ``lag_reads`` reads and for
    ``lag_seconds`` (``lagging``); or seen by one read and missed by the next, in turn, while
    writes always find it (``non_monotonic``). A call counts as a read of every version of the
    image it names; a ClientToken replay and CreateImageVersion do not count.
  * VendorGuidance TO_BE_ARCHIVED turns ARCHIVED on its own (*variant* ``archival``: SageMaker
    does it after three months, the emulator after ``archive_seconds``).
  * ContainerImage (*choice*): ``<account>.dkr.ecr.<region>.amazonaws.com/<name lower-cased>
    @sha256:<sha256 of "BaseImage\\nVersion">``, stable for a given base image and version.
  * ImageVersionStatus goes CREATING -> CREATED (or CREATE_FAILED when a failure is planned,
    see :mod:`.failures`) through :data:`VERSION_CREATE_MODEL`; DeleteImageVersion sets
    DELETING, then the version is gone (or DELETE_FAILED) through :data:`VERSION_DELETE_MODEL`.
    With ``manual`` progression DescribeImageVersion counts. FailureReason is returned only in
    a ``*_FAILED`` status. A DELETE_FAILED version stays listed and can be deleted again.
  * Describe/Update/DeleteImageVersion select by Version, by Alias, or neither: the LATEST
    (highest-numbered) version that still exists, whatever its status. Version and Alias
    together raise ValidationException. An Alias no version holds raises ResourceNotFound or
    ValidationException (*variant* ``alias_not_held``). DescribeImageVersion omits aliases and
    every metadata field never set.
  * UpdateImageVersion of a CREATING or DELETING version raises ResourceInUse, of a
    CREATE_FAILED or DELETE_FAILED one ValidationException (*choice*); it sets LastModifiedTime.
  * DeleteImageVersion of a version already DELETING (or still CREATING) raises ResourceInUse
    ``ImageVersion (...) is being deleted`` (``created``); CREATE_FAILED and DELETE_FAILED
    versions can be deleted.

Aliases (the real service's rule is undocumented)
  * An alias names at most one version of an image. Creating or updating a version with an
    alias another version of the image holds is refused with ValidationException, refused with
    ResourceInUse, or moves the alias (*variant* ``alias_clash``); adding an alias the version
    already holds is a no-op (*choice*). AliasesToDelete naming an alias the version does not
    hold raises ValidationException or is ignored (*variant* ``missing_alias_delete``); an
    alias in both AliasesToAdd and AliasesToDelete raises ValidationException (*choice*).
    Aliases stay with a version until it is gone.
  * Just after an alias is taken from a version (AliasesToDelete, or the version gone), the
    index from aliases to versions may still name the old holder (*variant* ``alias_index``):
    for ``alias_lag_seconds`` a claim of it by another version meets ``alias_clash`` as if the
    old holder still held it, and DescribeImageVersion by it answers the old holder (if that
    still exists). A move (``alias_clash=move``) updates the index at once.
  * ListAliases lists the aliases of one version (Version given; missing: ResourceNotFound) or
    of every version, ordered by version then alias (*choice*), optionally filtered by Alias
    (an alias no version holds gives an empty list).

Lists: every List call may first answer empty pages with a NextToken (*variant*
``empty_pages``, see :mod:`.pagination`).

Concurrency (*variant* ``concurrency``)
  * While a version of an image is CREATING or DELETING, CreateImageVersion and
    DeleteImageVersion of another version of it, and DeleteImage, raise ResourceInUse
    ``Resource was modified concurrently.``; or only such calls that overlap in time, each
    taking ``overlap_seconds`` to answer (Terraform's fix holds its per-image lock only around
    the call); or never. An idempotent replay (same ClientToken) is not blocked.
    :attr:`Knobs.concurrency_check` False turns every variant off.

Limits (*choice*): none unless set in the :class:`Knobs`; then ResourceLimitExceeded. Request
rate limits and injected faults act in front of the domain (:mod:`.rate_limits`,
:mod:`.faults`), never in it.
"""

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar

from moto.core.base_backend import BaseBackend
from moto.core.common_models import BaseModel
from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState
from moto.utilities.utils import get_partition

from .clock import clock, now
from .exceptions import (
    ResourceInUse,
    ResourceLimitExceeded,
    ResourceNotFound,
    ValidationException,
)
from .pagination import SortKey, paginate
from .rules import Rules

IMAGE_MODEL = "sagemaker::image"
IMAGE_DELETE_MODEL = "sagemaker::image-deletion"
VERSION_CREATE_MODEL = "sagemaker::imageversion"
VERSION_DELETE_MODEL = "sagemaker::imageversion-deletion"
DEFAULT_TRANSITIONS: dict[str, dict[str, Any]] = {
    IMAGE_MODEL: {"progression": "immediate"},
    IMAGE_DELETE_MODEL: {"progression": "manual", "times": 1},
    VERSION_CREATE_MODEL: {"progression": "immediate"},
    VERSION_DELETE_MODEL: {"progression": "immediate"},
}
TRANSITION_MODELS = tuple(DEFAULT_TRANSITIONS)

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
T = TypeVar("T")


class Knobs(Protocol):
    """What the domain consults that is set from outside it (:class:`~.control.Controls`)."""

    @property
    def rules(self) -> Rules:
        """The variant of each rule the real service does not document (:mod:`.rules`)."""

    @property
    def concurrency_check(self) -> bool:
        """False: no ``concurrency`` variant refuses anything."""

    @property
    def max_images(self) -> int | None:
        """Images the account may have (None: no limit)."""

    @property
    def max_versions_per_image(self) -> int | None:
        """Versions an image may have at once (None: no limit)."""

    def take_failure(self, phase: Phase, image_name: str) -> str | None:
        """The FailureReason planned for this phase of a version of ``image_name``, if any (it
        may be used up by this call)."""


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

    @property
    def filtered(self) -> bool:
        """Whether the query has a time filter."""
        return any(
            moment is not None
            for moment in (
                self.creation_time_after,
                self.creation_time_before,
                self.last_modified_time_after,
                self.last_modified_time_before,
            )
        )

    def admits(self, created: datetime, modified: datetime) -> bool:
        """Time filters are inclusive: After means at or after, Before at or before."""
        return (
            (self.creation_time_after is None or created >= self.creation_time_after)
            and (self.creation_time_before is None or created <= self.creation_time_before)
            and (self.last_modified_time_after is None or modified >= self.last_modified_time_after)
            and (
                self.last_modified_time_before is None or modified <= self.last_modified_time_before
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
        knobs: Knobs,
    ) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.image_name = name
        self.image_arn = _arn(region_name, account_id, f"image/{name.lower()}")
        self.role_arn = role_arn
        self.description = description
        self.display_name = display_name
        self.knobs = knobs
        self.creation_time = self.last_modified_time = _now()
        self.versions: dict[int, ImageVersion] = {}
        # alias -> (the version it was taken from, when): what a lagging alias index still names
        self.released_aliases: dict[str, tuple[ImageVersion, float]] = {}
        self.last_version = 0
        self.version_calls = 0
        self.last_change_at = float("-inf")
        self._state = _started(IMAGE_MODEL, [("CREATING", "CREATED")])
        self._deletion: ManagedState | None = None
        self._deletion_seen = "DELETING"

    @property
    def rules(self) -> Rules:
        return self.knobs.rules

    @property
    def status(self) -> str:
        """ImageStatus; while the image is being deleted, as the last call naming it saw it."""
        if self._deletion is not None:
            return self._deletion_seen
        return str(self._state.status)

    @property
    def deleting(self) -> bool:
        return self._deletion is not None

    def advance(self) -> None:
        self._state.advance()

    def start_deletion(self) -> None:
        self._deletion = _started(IMAGE_DELETE_MODEL, [("DELETING", "DELETED")])
        self.last_modified_time = _now()

    def named_by_a_call(self) -> bool:
        """Count one call naming the image towards its deletion; False once the image is gone.
        The call sees the status it found, and the next call the progress it made."""
        if self._deletion is None:
            return True
        self._deletion_seen = str(self._deletion.status)
        self._deletion.advance()
        return self._deletion_seen != "DELETED"

    def version_arn(self, version: int) -> str:
        path = f"image-version/{self.image_name.lower()}/{version}"
        return _arn(self.region_name, self.account_id, path)

    def live_versions(self) -> list["ImageVersion"]:
        """Versions that still exist, lowest number first; finished deletions are dropped (and
        their aliases released)."""
        for number, version in list(self.versions.items()):
            if version.status == "DELETED":
                del self.versions[number]
                self.release_aliases(version, version.aliases)
        return list(self.versions.values())

    def visible_versions(self, *, writing: bool = False) -> list["ImageVersion"]:
        """The versions that exist and that this call sees (read-after-write lag hides new ones;
        ``writing``: the call changes a version)."""
        return [v for v in self.live_versions() if v.visible(writing=writing)]

    def release_aliases(self, version: "ImageVersion", names: list[str]) -> None:
        """``names`` were just taken from ``version``: remember it, for a lagging alias index."""
        for name in names:
            self.released_aliases[name] = (version, now())

    def index_holder(self, alias: str, claimant: "ImageVersion | None") -> "ImageVersion | None":
        """The version an alias held by no version is still given to by a lagging alias index
        (``alias_index=lagging``, for ``alias_lag_seconds`` after it was taken), unless that is
        ``claimant``; else None."""
        released = self.released_aliases.get(alias)
        if released is None or released[0] is claimant:
            return None
        old_holder, taken_at = released
        if self.rules.alias_index != "lagging":
            return None
        return old_holder if now() - taken_at < self.rules.alias_lag_seconds else None

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


@dataclass(frozen=True)
class CreateRequest:
    """What a CreateImageVersion asked for (compared on a ClientToken replay)."""

    base_image: str
    aliases: tuple[str, ...]
    metadata: tuple[tuple[str, str | bool], ...]


class ImageVersion(BaseModel):
    """One numbered version of an image, with its aliases and metadata."""

    def __init__(
        self,
        *,
        image: Image,
        version: int,
        client_token: str,
        request: CreateRequest,
        failure: str | None,
    ) -> None:
        self.image = image
        self.version = version
        self.image_version_arn = image.version_arn(version)
        self.base_image = request.base_image
        digest = hashlib.sha256(f"{request.base_image}\n{version}".encode()).hexdigest()
        registry = f"{image.account_id}.dkr.ecr.{image.region_name}.amazonaws.com"
        self.container_image = f"{registry}/{image.image_name.lower()}@sha256:{digest}"
        self.client_token = client_token
        self.request = request
        self.aliases = list(dict.fromkeys(request.aliases))
        self.metadata: Metadata = dict(request.metadata)
        self.creation_time = self.last_modified_time = _now()
        self.created_at = now()
        self.created_after_call = image.version_calls
        self.caught_up = False
        self.answered = False
        self._archival_from = self.created_at
        self._failure = failure
        outcome = "CREATE_FAILED" if failure else "CREATED"
        self._state = _started(VERSION_CREATE_MODEL, [("CREATING", outcome)])

    @property
    def rules(self) -> Rules:
        return self.image.rules

    @property
    def status(self) -> str:
        return str(self._state.status)

    def advance(self) -> None:
        self._state.advance()

    def visible(self, *, writing: bool = False) -> bool:
        """Whether this call sees this version (``writing``: a call that changes it).

        ``read_after_write=lagging`` hides it from the first ``lag_reads`` calls on the image's
        versions after its creation, and for ``lag_seconds``; ``non_monotonic`` shows it to the
        odd-numbered of those calls and hides it from the even-numbered ones until ``lag_reads``
        of them missed it and ``lag_seconds`` passed, and never hides it from a write."""
        variant = self.rules.read_after_write
        if variant == "consistent" or self.caught_up:
            return True
        reads = self.image.version_calls - self.created_after_call
        lagged = now() - self.created_at < self.rules.lag_seconds
        if variant == "lagging":
            return reads > self.rules.lag_reads and not lagged
        return writing or reads % 2 == 1 or (reads > 2 * self.rules.lag_reads and not lagged)

    def remembers(self, token: str) -> bool:
        """Whether a CreateImageVersion with ``token`` is a replay of this version's."""
        if token != self.client_token:
            return False
        return (
            self.rules.idempotency != "expires"
            or now() - self.created_at < self.rules.token_seconds
        )

    def answer(self) -> str:
        """The ImageVersionArn CreateImageVersion answers (``create_answer``)."""
        variant, first = self.rules.create_answer, not self.answered
        self.answered = True
        if variant == "none_always" or (variant == "none_first" and first):
            return "None"
        return self.image_version_arn

    def set_metadata(self, changes: Metadata) -> None:
        if changes.get("VendorGuidance") == "TO_BE_ARCHIVED":
            self._archival_from = now()
        self.metadata.update(changes)

    def archive_when_due(self) -> None:
        """TO_BE_ARCHIVED turns ARCHIVED on its own (``archival=after_delay``)."""
        if (
            self.metadata.get("VendorGuidance") == "TO_BE_ARCHIVED"
            and self.rules.archival == "after_delay"
            and now() - self._archival_from >= self.rules.archive_seconds
        ):
            self.metadata["VendorGuidance"] = "ARCHIVED"

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
        self.archive_when_due()
        return {
            **self.summary(),
            "BaseImage": self.base_image,
            "ContainerImage": self.container_image,
            **self.metadata,
        }


class _ClockedState(ManagedState):
    """moto's ManagedState, with its ``time`` progression read on the emulator's clock (moto's
    own reads ``datetime.now``); the other progressions are moto's. A status no transition leaves
    is final whatever the progression: it is then returned without asking the state manager
    again (every listing reads the status of each of an image's versions)."""

    def __init__(self, model_name: str, transitions: list[tuple[str | None, str]]) -> None:
        super().__init__(model_name, transitions)
        self._progressed_at = now()
        self._settled = False

    @property
    def status(self) -> str | None:
        if self._settled:  # no transition leaves it: every progression would keep it
            return self._status
        transition = state_manager.get_transition(self.model_name)
        if transition["progression"] != "time":
            self._status = ManagedState.status.fget(self)  # type: ignore[attr-defined]
        elif now() - self._progressed_at > float(transition["seconds"]):
            self._status = self._get_next_status(previous=self._status)
            self._progressed_at = now()
        self._settled = all(before != self._status for before, _ in self._transitions)
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        """A state moves only through its transitions (so a final status stays final)."""
        raise AttributeError(f"{self.model_name}: a status is not set, it follows its transitions")


def _started(model_name: str, transitions: list[tuple[str | None, str]]) -> ManagedState:
    """A ManagedState that has applied its transition once: moto evaluates progressions only
    when the status is read, so an ``immediate`` one must be settled now, before a test changes
    the transition for the resources that follow."""
    state = _ClockedState(model_name, transitions)
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
    """SageMaker images and image versions of one account and region, following ``knobs``."""

    def __init__(self, region_name: str, account_id: str, knobs: Knobs) -> None:
        super().__init__(region_name, account_id)
        self.images: dict[str, Image] = {}
        self.knobs = knobs
        self.lock = threading.RLock()

    @property
    def rules(self) -> Rules:
        return self.knobs.rules

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
            raise ResourceInUse(
                f"The Image with ImageName {name} already exists. Please use a different ImageName."
            )
        limit = self.knobs.max_images
        if limit is not None and len(self.images) >= limit:
            raise ResourceLimitExceeded(f"The account-level limit of {limit} images is reached.")
        image = Image(
            account_id=self.account_id,
            region_name=self.region_name,
            name=name,
            role_arn=role_arn,
            description=description,
            display_name=display_name,
            knobs=self.knobs,
        )
        self.images[name] = image
        return image

    @_synchronized
    def describe_image(self, name: str) -> Image:
        image = self._image(name)
        if not image.deleting:
            image.advance()
        return image

    @_synchronized
    def delete_image(self, name: str) -> None:
        image = self._image(name)
        if image.deleting:
            raise ResourceInUse(f"Image {image.image_arn} is being deleted.")
        self._check_concurrency(image, excluding=None)
        if self.rules.delete_image == "immediate":
            del self.images[name]
        else:
            image.start_deletion()

    @_synchronized
    def list_images(
        self, query: ListQuery, name_contains: str | None
    ) -> tuple[list[Image], str | None]:
        for name, image in list(self.images.items()):
            if not image.named_by_a_call():
                del self.images[name]
        images = [
            image
            for image in self.images.values()
            if name_contains is None or name_contains in image.image_name
            if query.admits(image.creation_time, image.last_modified_time)
        ]
        return _page(
            images,
            IMAGE_SORT_KEYS[query.sort_by],
            query,
            "ListImages",
            by_offset=self._by_offset,
            empty_pages=self._empty_pages(filtered=query.filtered),
        )

    @_synchronized
    def create_image_version(
        self,
        image_name: str,
        client_token: str,
        request: CreateRequest,
    ) -> tuple[ImageVersion, str]:
        """The version made (or replayed) and the ImageVersionArn to answer."""
        image = self._image(image_name)
        versions = image.live_versions()
        replayed = next((v for v in versions if v.remembers(client_token)), None)
        if replayed is not None:
            if self.rules.idempotency == "strict_parameters" and replayed.request != request:
                raise ValidationException(
                    f"ClientToken {client_token} was used for another request to create a"
                    f" version of image {image.image_name}."
                )
            return replayed, replayed.answer()
        if image.status != "CREATED":
            raise ValidationException(f"Image {image.image_arn} is in an invalid state.")
        self._check_concurrency(image, excluding=None)
        limit = self.knobs.max_versions_per_image
        if limit is not None and len(versions) >= limit:
            raise ResourceLimitExceeded(f"Image {image_name} already has {limit} versions.")
        self._claim_aliases(image, list(request.aliases), holder=None)
        image.last_version = self._next_number(image, versions)
        version = ImageVersion(
            image=image,
            version=image.last_version,
            client_token=client_token,
            request=request,
            failure=self.knobs.take_failure("create", image_name),
        )
        image.versions[version.version] = version
        image.last_change_at = now()
        return version, version.answer()

    @_synchronized
    def describe_image_version(
        self, image_name: str, version: int | None, alias: str | None
    ) -> ImageVersion:
        selected = self._select(self._versions_image(image_name), version, alias)
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
        image = self._versions_image(image_name, writing=True)
        selected = self._select(image, version, alias, writing=True)
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
        missing = [name for name in aliases_to_delete if name not in selected.aliases]
        if missing and self.rules.missing_alias_delete == "refuse":
            raise ValidationException(
                f"Alias {missing[0]} is not associated with ImageVersion "
                f"{selected.image_version_arn}."
            )
        self._claim_aliases(image, aliases_to_add, holder=selected)
        kept = [name for name in selected.aliases if name not in aliases_to_delete]
        image.release_aliases(selected, [n for n in selected.aliases if n in aliases_to_delete])
        selected.aliases = list(dict.fromkeys(kept + aliases_to_add))
        selected.archive_when_due()
        selected.set_metadata(metadata)
        selected.last_modified_time = _now()
        return selected

    @_synchronized
    def delete_image_version(self, image_name: str, version: int | None, alias: str | None) -> None:
        image = self._versions_image(image_name, writing=True)
        selected = self._select(image, version, alias, writing=True)
        status = selected.status
        if status in BUSY:
            verb = "created" if status == "CREATING" else "deleted"
            raise ResourceInUse(f"ImageVersion ({selected.image_version_arn}) is being {verb}.")
        self._check_concurrency(image, excluding=selected)
        selected.start_deletion(self.knobs.take_failure("delete", image_name))
        image.last_change_at = now()

    @_synchronized
    def list_image_versions(
        self, image_name: str, query: ListQuery
    ) -> tuple[list[ImageVersion], str | None]:
        image = self._versions_image(image_name)
        versions = [
            v
            for v in image.visible_versions()
            if query.admits(v.creation_time, v.last_modified_time)
        ]
        scope = f"ListImageVersions/{image_name}"
        return _page(
            versions,
            VERSION_SORT_KEYS[query.sort_by],
            query,
            scope,
            by_offset=self._by_offset,
            empty_pages=self._empty_pages(filtered=query.filtered),
        )

    @_synchronized
    def list_aliases(
        self,
        image_name: str,
        alias: str | None,
        version: int | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[str], str | None]:
        image = self._versions_image(image_name)
        versions = image.visible_versions()
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
            by_offset=self._by_offset,
            empty_pages=self._empty_pages(filtered=False),
        )
        return [name for _, name in page], token

    def _by_offset(self) -> bool:
        return self.rules.pagination == "offset"

    def _empty_pages(self, *, filtered: bool) -> Callable[[], int]:
        """How many empty pages a List call answers first (``empty_pages``; ``filtered``: the
        call has a time filter), asked only when a first page or an empty page is requested."""

        def count() -> int:
            variant = self.rules.empty_pages
            if variant == "before_items" or (variant == "before_filtered_items" and filtered):
                return self.rules.empty_page_count
            return 0

        return count

    def _next_number(self, image: Image, versions: list[ImageVersion]) -> int:
        """The number of a new version of ``image`` (``versions``: those that exist)."""
        highest = max((v.version for v in versions), default=0)
        if highest < image.last_version and self.rules.version_numbers == "reused_after_latest":
            return highest + 1
        return image.last_version + 1

    def _image(self, name: str) -> Image:
        """The image called ``name``; a call naming an image being deleted counts towards its
        deletion (moto's ``manual`` progression), which may end with this very call."""
        image = self.images.get(name)
        if image is not None and not image.named_by_a_call():
            del self.images[name]
            image = None
        if image is None:
            arn = _arn(self.region_name, self.account_id, f"image/{name.lower()}")
            raise ResourceNotFound(f"Image with ARN {arn} does not exist.")
        return image

    def _versions_image(self, name: str, *, writing: bool = False) -> Image:
        """The image, for a call on its versions (``writing``: Update or DeleteImageVersion):
        while it is being deleted, such calls answer as the ``delete_image`` variant says."""
        image = self._image(name)
        image.version_calls += 1
        if image.deleting:
            variant = self.rules.delete_image
            if variant == "deleting_not_found":
                raise ResourceNotFound(f"Image with ARN {image.image_arn} does not exist.")
            if variant == "deleting_invalid_state" or (
                variant == "deleting_refuses_writes" and writing
            ):
                raise ValidationException(f"Image {image.image_arn} is in an invalid state.")
        return image

    def _select(
        self, image: Image, version: int | None, alias: str | None, *, writing: bool = False
    ) -> ImageVersion:
        if version is not None and alias is not None:
            raise ValidationException("Specify either Version or Alias, not both.")
        versions = image.visible_versions(writing=writing)
        if version is not None:
            found = image.versions.get(version)
            found = found if found is not None and found.visible(writing=writing) else None
            missing = f"ImageVersion {image.version_arn(version)} does not exist."
        elif alias is not None:
            found = next((v for v in versions if alias in v.aliases), None)
            if found is None:
                found = image.index_holder(alias, claimant=None)
                found = found if found is not None and found in versions else None
            missing = (
                f"ImageVersion with ImageName {image.image_name} and Alias {alias} does not exist."
            )
            if found is None and self.rules.alias_not_held == "validation":
                raise ValidationException(
                    f"Alias {alias} is not associated with any version of image {image.image_name}."
                )
        else:
            found = versions[-1] if versions else None
            missing = (
                f"Latest ImageVersion with ImageName {image.image_name} does not exist."
                " Please provide a valid ImageName."
            )
        if found is None:
            raise ResourceNotFound(missing)
        return found

    def _check_concurrency(self, image: Image, excluding: ImageVersion | None) -> None:
        if not self.knobs.concurrency_check:
            return
        variant = self.rules.concurrency
        if variant == "while_changing":
            busy = any(v is not excluding and v.status in BUSY for v in image.live_versions())
        elif variant == "overlapping_calls":
            busy = now() - image.last_change_at < self.rules.overlap_seconds
        else:
            busy = False
        if busy:
            raise ResourceInUse("Resource was modified concurrently.")

    def _claim_aliases(self, image: Image, aliases: list[str], holder: ImageVersion | None) -> None:
        """Give ``aliases`` to ``holder`` (None: the version being created) as ``alias_clash``
        says when another version of the image holds one."""
        for name in aliases:
            owner = next(
                (v for v in image.live_versions() if v is not holder and name in v.aliases), None
            )
            if owner is None:
                # the index may still give it to the version it was just taken from
                owner = image.index_holder(name, claimant=holder)
            if owner is None:
                image.released_aliases.pop(name, None)
                continue
            variant = self.rules.alias_clash
            if variant == "move":
                if name in owner.aliases:
                    owner.aliases.remove(name)
                    owner.last_modified_time = _now()
                image.released_aliases.pop(name, None)
                continue
            message = (
                f"Alias {name} is already in use by version {owner.version} of image "
                f"{owner.image.image_name}."
            )
            raise (
                ResourceInUse(message) if variant == "refuse_busy" else ValidationException(message)
            )


def _page(
    items: list[T],
    key: Callable[[T], SortKey],
    query: ListQuery,
    scope: str,
    *,
    by_offset: Callable[[], bool],
    empty_pages: Callable[[], int],
) -> tuple[list[T], str | None]:
    return paginate(
        items,
        key,
        scope=f"{scope}/{query.sort_by}/{query.sort_order}",
        descending=query.sort_order == "DESCENDING",
        max_results=query.max_results,
        next_token=query.next_token,
        by_offset=by_offset,
        empty_pages=empty_pages,
    )


def _arn(region_name: str, account_id: str, resource: str) -> str:
    return f"arn:{get_partition(region_name)}:sagemaker:{region_name}:{account_id}:{resource}"


def _now() -> datetime:
    """Naive UTC, to the millisecond: the precision AWS JSON timestamps carry."""
    moment = clock().utcnow()
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
