"""Every SageMaker call the handler makes, typed, and the one place that decides what finding a
version (or not) means.

Each method makes one kind of call through the engine's :class:`Attempts` (which admits it
before the deadline, bounds its answer in time, counts it against the invocation's call budget
and classifies its failure, :func:`.errors.classify`), and believes only a complete answer: one
that lacks what the handler needs (a status, a version, an ARN) is an
:class:`.errors.IncompleteAnswer`, a transient fault, never "not found", "no aliases" or success.

:func:`find_version` is the only place where a version's absence, or its image's going, is
decided: it answers what a phase may act on (:class:`Shown`, :class:`NotShown`,
:class:`ImageGoing`, :class:`ImageGone`, :class:`Foreign`); whether a version not shown is gone
is then the phases' (``decisions.absence``), with the state their context keeps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from cloudformation_cli_python_lib import exceptions

from .decisions import IMAGE_DELETING
from .errors import IncompleteAnswer, Missing, Refused
from .timing import CENSUS_PAGES, PAGES_PER_LOOKUP, RECENT_VERSIONS

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import (
        DescribeImageResponseTypeDef,
        DescribeImageVersionResponseTypeDef,
        ImageVersionTypeDef,
    )

    from .context import Tracked

LOG = logging.getLogger(__name__)
R = TypeVar("R")

MAX_RESULTS = 100
"""The largest page SageMaker returns (MaxResults 1-100)."""
NO_ARN = "None"
"""CreateImageVersion's answer when it does not say which version it made (the model allows it)."""


class Attempts(Protocol):
    """How a call is made: the engine's (see the module docstring)."""

    def attempt(self, operation: str, label: str, send: Callable[[], R]) -> R: ...

    def optional(self, operation: str, label: str, send: Callable[[], R]) -> R | None:
        """One attempt, only while it fits in the free window; None on any failure."""
        ...

    @property
    def made(self) -> int:
        """Calls made so far in this invocation."""
        ...

    @property
    def throttled(self) -> int:
        """Calls SageMaker throttled so far in this invocation."""
        ...

    def fits(self) -> bool:
        """Whether another call fits in this invocation."""
        ...


def version_label(image_name: str, version: int) -> str:
    return f"version {version} of image {image_name}"


def _require(answer: Mapping[str, Any], operation: str, **kinds: type) -> None:
    """IncompleteAnswer unless ``answer`` has each field of ``kinds`` with a value of its type."""
    for name, kind in kinds.items():
        value = answer.get(name)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise IncompleteAnswer(f"{operation} answered without {name}")


def _listed(answer: Mapping[str, Any], key: str, operation: str) -> list[Any]:
    """The list ``key`` of a page (a whole answer: wire.refuse_malformed checked it)."""
    items = answer.get(key, [])
    if not isinstance(items, list):
        raise IncompleteAnswer(f"{operation} answered {key} that is not a list")
    return items


def _next_token(answer: Mapping[str, Any]) -> str | None:
    token = answer.get("NextToken")
    return token if isinstance(token, str) and token else None


def _page_key(operation: str, params: Mapping[str, Any]) -> str:
    return f"{operation} {sorted(params.items())!r}"


def _page(params: Mapping[str, Any], token: str | None) -> dict[str, Any]:
    return {**params, **({"NextToken": token} if token else {})}


class SageMaker:
    """The SageMaker calls of one invocation, made through ``calls``.

    The empty pages with which a List call may begin (SageMaker may answer empty pages with a
    NextToken before the items), read by a phase that a transient failure then ended, are kept
    until the phase runs again: the retry goes on from the page that failed instead of reading
    them all again. Otherwise a walk with more leading empty pages than a throttled account's
    List budget admits at once would start over after every throttled page and never end. Only
    leading empty pages are kept: their tokens hold no position among the items, so following
    one later skips nothing; a page with items, and any page after one, is read again, as a
    token that counts positions, followed after another actor's change, could skip an item.
    :meth:`settled` forgets them once a phase ends otherwise, and every write calls it too."""

    def __init__(self, client: SageMakerClient, calls: Attempts) -> None:
        self._client = client
        self._calls = calls
        self._pages: dict[str, tuple[list[Any], str | None]] = {}

    def settled(self) -> None:
        """Forget the kept pages: a phase ended without a transient failure, or a write may
        change what they said."""
        self._pages.clear()

    def _page_of(
        self,
        operation: str,
        label: str,
        send: Callable[..., Any],
        params: Mapping[str, Any],
        items: Callable[[Mapping[str, Any]], list[Any]],
    ) -> tuple[list[Any], str | None]:
        """One page of a List call (``send`` with ``params``): its ``items`` (checked whole) and
        its NextToken; a leading empty page is kept for the retry of a phase a transient failure
        ends (see above)."""
        kept = self._pages.get(_page_key(operation, params)) if self._pages else None
        if kept is not None:
            return kept
        answer = self._calls.attempt(operation, label, lambda: send(**params))
        page = (items(answer), _next_token(answer))
        token = params.get("NextToken")
        # a leading page: the first, or one a kept (empty) page's NextToken leads to
        leading = token is None or any(token == after for _, after in self._pages.values())
        if leading and not page[0] and page[1] is not None:
            self._pages[_page_key(operation, params)] = page
        return page

    def calls_made(self) -> int:
        return self._calls.made

    def calls_throttled(self) -> int:
        """Calls SageMaker throttled so far in this invocation."""
        return self._calls.throttled

    def has_time(self) -> bool:
        """Whether another call fits in this invocation (its deadline, its call budget)."""
        return self._calls.fits()

    def create_version(self, request: Mapping[str, Any]) -> str:
        """CreateImageVersion; the new version's ARN, or NO_ARN when SageMaker does not say it."""
        self.settled()
        answer = self._calls.attempt(
            "CreateImageVersion",
            f"image {request['ImageName']}",
            lambda: self._client.create_image_version(**request),
        )
        arn = answer.get("ImageVersionArn")
        if not isinstance(arn, str) or not arn:
            raise IncompleteAnswer("CreateImageVersion answered without ImageVersionArn")
        return arn

    def describe_version(self, image: str, version: int) -> DescribeImageVersionResponseTypeDef:
        """DescribeImageVersion of exactly ``version`` (never the latest); Missing when SageMaker
        does not show it."""
        answer = self._calls.attempt(
            "DescribeImageVersion",
            version_label(image, version),
            lambda: self._client.describe_image_version(ImageName=image, Version=version),
        )
        _require(
            answer,
            "DescribeImageVersion",
            ImageVersionStatus=str,
            ImageVersionArn=str,
            Version=int,
            BaseImage=str,
        )
        return answer

    def alias_holder(self, image: str, alias: str) -> int | None:
        """The number of the version of the image that holds ``alias`` (None: none does, which
        SageMaker may answer as ResourceNotFound or as ValidationException)."""
        try:
            answer = self._calls.attempt(
                "DescribeImageVersion",
                f"alias {alias} of image {image}",
                lambda: self._client.describe_image_version(ImageName=image, Alias=alias),
            )
        except (Missing, Refused):
            return None
        _require(answer, "DescribeImageVersion", Version=int)
        return int(answer["Version"])

    def version_aliases(self, image: str, version: int) -> frozenset[str]:
        """Every alias of exactly ``version``, following every page of ListAliases."""
        aliases: set[str] = set()
        token: str | None = None
        params = {"ImageName": image, "Version": version, "MaxResults": MAX_RESULTS}
        for _page_number in _lookup_pages("ListAliases", version_label(image, version)):
            items, token = self._page_of(
                "ListAliases",
                version_label(image, version),
                self._client.list_aliases,
                _page(params, token),
                _aliases,
            )
            aliases.update(items)
            if token is None:
                return frozenset(aliases)
        raise AssertionError("unreachable")  # pragma: no cover (_lookup_pages raises first)

    def update_version(self, request: Mapping[str, Any]) -> None:
        self.settled()
        self._calls.attempt(
            "UpdateImageVersion",
            version_label(str(request["ImageName"]), int(request["Version"])),
            lambda: self._client.update_image_version(**request),
        )

    def delete_version(self, image: str, version: int) -> None:
        self.settled()
        self._calls.attempt(
            "DeleteImageVersion",
            version_label(image, version),
            lambda: self._client.delete_image_version(ImageName=image, Version=version),
        )

    def describe_image(self, image: str) -> DescribeImageResponseTypeDef | None:
        """DescribeImage (None: SageMaker shows no image of that name)."""
        try:
            answer = self._calls.attempt(
                "DescribeImage",
                f"image {image}",
                lambda: self._client.describe_image(ImageName=image),
            )
        except Missing:
            return None
        _require(answer, "DescribeImage", ImageStatus=str, ImageName=str)
        return answer

    def image_status(self, image: str) -> str | None:
        """The image's ImageStatus (None: there is no such image)."""
        described = self.describe_image(image)
        return None if described is None else str(described["ImageStatus"])

    def images_page(
        self, created_after: datetime | None, token: str | None
    ) -> tuple[list[tuple[str, datetime]], str | None]:
        """One page of images (name, creation time), oldest first, from ``created_after`` on."""
        params = {"MaxResults": MAX_RESULTS, **_oldest_first(created_after)}
        return self._page_of(
            "ListImages",
            "the images of this account",
            self._client.list_images,
            _page(params, token),
            _images,
        )

    def versions_page(
        self, image: str, created_after: datetime | None, token: str | None
    ) -> tuple[list[ImageVersionTypeDef], str | None]:
        """One page of the image's versions in number order, created at ``created_after`` or
        later (versions are numbered in the order they are created); Missing when SageMaker
        shows no such image."""
        params = {
            "ImageName": image,
            "MaxResults": MAX_RESULTS,
            **_oldest_first(created_after),
            "SortBy": "VERSION",
        }
        return self._page_of(
            "ListImageVersions",
            f"image {image}",
            self._client.list_image_versions,
            _page(params, token),
            _versions,
        )

    def recent_versions(self, image: str, *, optional: bool = False) -> list[ImageVersionTypeDef]:
        """The image's most recently created versions, newest first (the first page with any, as
        SageMaker may answer empty pages with a NextToken first); none when they cannot be read
        (the image missing, or a role made for an earlier version of this type without
        ListImageVersions: a busy image is then waited out by plain backoff).
        ``optional``: one attempt (one page), only while it fits in the free window, any failure
        ignored."""
        params: dict[str, Any] = {
            "ImageName": image,
            "MaxResults": RECENT_VERSIONS,
            "SortBy": "CREATION_TIME",
            "SortOrder": "DESCENDING",
        }
        operation, label = "ListImageVersions", f"image {image}"

        if optional:
            answer = self._calls.optional(operation, label, self._lister(params))
            try:
                return [] if answer is None else _versions(answer)
            except IncompleteAnswer:
                return []
        token: str | None = None
        try:
            for _page_number in _lookup_pages(operation, label):
                versions, token = self._page_of(
                    operation,
                    label,
                    self._client.list_image_versions,
                    _page(params, token),
                    _versions,
                )
                if versions or token is None:
                    return versions
        except (Missing, Refused, exceptions.AccessDenied) as unseen:
            LOG.info("The versions of image %s cannot be read: %s", image, unseen)
            return []
        raise AssertionError("unreachable")  # pragma: no cover (_lookup_pages raises first)

    def count_versions(self, image: str, token: str | None) -> tuple[int, str | None, bool]:
        """Count the image's versions from SageMaker's NextToken ``token`` on (None: the first
        page), over at most CENSUS_PAGES pages, each a single attempt within the free window: how
        many, the NextToken to go on from, and whether the count reached the last page. A page
        not read or not whole stops the look without failing anything."""
        params = {"ImageName": image, "MaxResults": MAX_RESULTS, "SortBy": "VERSION"}
        counted = 0
        for _page_number in range(CENSUS_PAGES):
            send = self._lister(_page(params, token))
            answer = self._calls.optional("ListImageVersions", f"image {image}", send)
            try:
                versions = None if answer is None else _versions(answer)
            except IncompleteAnswer:
                versions = None
            if answer is None or versions is None:
                LOG.info("The versions of image %s were not all counted: going on later", image)
                return counted, token, False
            counted, token = counted + len(versions), _next_token(answer)
            if token is None:
                return counted, None, True
        return counted, token, False

    def _lister(self, params: Mapping[str, Any]) -> Callable[[], Any]:
        """A ListImageVersions call with ``params``, to send."""
        return lambda: self._client.list_image_versions(**params)

    def image_name_for(self, name: str) -> str | None:
        """The real name of the image whose name differs from ``name`` at most in case: one
        DescribeImage when an image has exactly that name, else a walk through ListImages."""
        described = self.describe_image(name)
        if described is not None:
            return str(described["ImageName"])
        token: str | None = None
        for _page_number in _lookup_pages("ListImages", f"images named {name} in any case"):
            images, token = self.images_page(None, token)
            for real_name, _ in images:
                if real_name.lower() == name.lower():
                    return real_name
            if token is None:
                return None
        raise AssertionError("unreachable")  # pragma: no cover (_lookup_pages raises first)


def _lookup_pages(operation: str, what: str) -> Iterator[int]:
    """The pages a look-up may read (timing.PAGES_PER_LOOKUP); GeneralServiceException past
    them."""
    yield from range(PAGES_PER_LOOKUP)
    raise exceptions.GeneralServiceException(
        f"{operation} for {what} answered {PAGES_PER_LOOKUP} pages and said more follow: the"
        " look-up stops there rather than start over in every invocation"
    )


def _oldest_first(created_after: datetime | None) -> dict[str, Any]:
    """Ascending creation time, from ``created_after`` on (inclusive or not: either serves)."""
    order: dict[str, Any] = {"SortBy": "CREATION_TIME", "SortOrder": "ASCENDING"}
    if created_after is not None:
        order["CreationTimeAfter"] = created_after
    return order


def _aliases(answer: Mapping[str, Any]) -> list[str]:
    items = _listed(answer, "SageMakerImageVersionAliases", "ListAliases")
    if not all(isinstance(alias, str) for alias in items):
        raise IncompleteAnswer("ListAliases answered an alias that is not a string")
    return items


def _images(answer: Mapping[str, Any]) -> list[tuple[str, datetime]]:
    images = []
    for item in _listed(answer, "Images", "ListImages"):
        _require(item, "ListImages", ImageName=str, CreationTime=datetime)
        images.append((str(item["ImageName"]), item["CreationTime"]))
    return images


def _versions(answer: Mapping[str, Any]) -> list[ImageVersionTypeDef]:
    items = _listed(answer, "ImageVersions", "ListImageVersions")
    for item in items:
        _require(
            item,
            "ListImageVersions",
            Version=int,
            ImageVersionStatus=str,
            ImageVersionArn=str,
            CreationTime=datetime,
        )
    return cast("list[ImageVersionTypeDef]", items)


# -- Finding a version ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """SageMaker shows the version: its description."""

    description: DescribeImageVersionResponseTypeDef

    @property
    def status(self) -> str:
        return str(self.description["ImageVersionStatus"])


@dataclass(frozen=True)
class NotShown:
    """SageMaker does not show the version, and its image is there: gone, or not shown yet."""


@dataclass(frozen=True)
class ImageGoing:
    """The version's image is being deleted: its versions go with it."""


@dataclass(frozen=True)
class ImageGone:
    """SageMaker shows no image of that name (in that case): none of its versions exists."""


@dataclass(frozen=True)
class Foreign:
    """The number names a version that is not the one sought (another BaseImage, or another
    ARN): the image may have been deleted and made again."""

    why: str


Sighting = Shown | NotShown | ImageGoing | ImageGone | Foreign


def find_version(
    sm: SageMaker,
    image: str,
    version: int,
    *,
    arn: str | None = None,
    base: str | None = None,
    created: float | None = None,
    why_not: bool = True,
) -> Sighting:
    """What SageMaker shows of version ``version`` of ``image``: the version (:class:`Foreign`
    when its ARN is not ``arn``, its BaseImage not ``base`` or its CreationTime not ``created``,
    where given), or why not
    (``why_not`` False: NotShown, without asking about the image, for a caller to whom the
    image's going means the version's going)."""
    try:
        description = sm.describe_version(image, version)
    except Missing:
        if not why_not:
            return NotShown()
        return _why_not_shown(sm, image, None)
    except Refused as refused:
        return _why_not_shown(sm, image, refused)
    return _shown_or_foreign(description, arn, base, created)


def _why_not_shown(sm: SageMaker, image: str, refused: Refused | None) -> Sighting:
    """A version not shown (or refused, ``refused``): its image gone or going, or not shown."""
    status = sm.image_status(image)
    if status is None:
        return ImageGone()
    if status == IMAGE_DELETING:
        return ImageGoing()
    if refused is not None:
        raise refused
    return NotShown()


def find_tracked(sm: SageMaker, tracked: Tracked, *, why_not: bool = True) -> Sighting:
    """:func:`find_version` of the version an operation tracks, held to all it knows of it."""
    return find_version(
        sm,
        tracked.image,
        tracked.number,
        arn=tracked.arn,
        base=tracked.base,
        created=tracked.created,
        why_not=why_not,
    )


def creation_of(description: Mapping[str, Any]) -> float | None:
    """A version's CreationTime in wall-clock seconds (None: not given)."""
    moment = description.get("CreationTime")
    return moment.timestamp() if isinstance(moment, datetime) else None


def _shown_or_foreign(
    description: DescribeImageVersionResponseTypeDef,
    arn: str | None,
    base: str | None,
    created: float | None,
) -> Sighting:
    if arn is not None and description["ImageVersionArn"] != arn:
        return Foreign(f"SageMaker names that version {description['ImageVersionArn']}, not {arn}")
    made_from = description["BaseImage"]
    if base is not None and made_from != base:
        return Foreign(
            f"{description['ImageVersionArn']} is made from {made_from}, not from {base} as"
            " the model says: the image may have been deleted and made again, and this version"
            " be another one"
        )
    made_at = creation_of(description)
    if created is not None and made_at is not None and abs(made_at - created) > 0.001:
        return Foreign(
            f"{description['ImageVersionArn']} was made at {made_at:.3f}, not at {created:.3f}:"
            " SageMaker gave its number again to a version made since"
        )
    return Shown(description)
