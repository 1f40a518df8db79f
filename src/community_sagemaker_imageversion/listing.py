"""LIST: one cursor over ListImages and ListImageVersions that neither repeats nor skips.

LIST walks the images oldest first and each image's versions in number order, and its nextToken
(the :class:`Cursor`, URL-safe base64 JSON) says how far it got by *values*, not by SageMaker's
page tokens, whose meaning across changes is not documented:

- images: every image created before ``since`` is done, and of those created at ``since`` the
  ones ``done`` marks (a short hash of each name, so that a token stays short however many
  images share that millisecond);
- versions: of ``image`` (created at ``since``), every version up to ``after_version`` is listed;
  the next one was created at ``versions_since`` or later.

Each LIST call asks SageMaker again from those values on (``CreationTimeAfter`` just before them,
which works whether SageMaker's filter is inclusive or strict) and skips what is done. Images
created between two LIST calls come after every image listed before them (they are newer);
images deleted between calls leave the others where they were. So an image or a version that
exists throughout the walk is listed exactly once, however images and versions come and go.
SageMaker's NextToken is followed only within one LIST call.

With an ImageName, LIST walks that image's versions the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from cloudformation_cli_python_lib import exceptions

# A LIST page holds at most PAGE_SIZE models, and ends after CALLS_PER_PAGE SageMaker calls, so
# an account with many images that have no versions still gets quick pages. ListImageVersions
# is asked for pages of 100 from the last version listed on (which it returns again): 99 new
# versions per call, so a LIST page of 99 versions costs one call.
SAGEMAKER_PAGE = 100
PAGE_SIZE = SAGEMAKER_PAGE - 1
CALLS_PER_PAGE = 25
# The longest nextToken a LIST answers: Cloud Control's ListResources takes back no longer one
# (botocore's model of HandlerNextToken). SageMaker's own NextToken (up to 8192 characters) is
# kept in ours only while ours stays within it.
TOKEN_MAX = 4096

Item = dict[str, Any]
ImagesPage = Callable[[datetime | None, str | None], tuple[list[tuple[str, datetime]], str | None]]
VersionsPage = Callable[[str, datetime | None, str | None], tuple[list[Item], str | None] | None]


def millis(moment: datetime) -> int:
    """``moment`` in whole epoch milliseconds (rounded down)."""
    return math.floor(moment.timestamp() * 1000)


def just_before(ms: int | None) -> datetime | None:
    """A ``CreationTimeAfter`` that admits everything created in millisecond ``ms`` or later,
    whether SageMaker's filter is inclusive or strict: half a millisecond before it."""
    return None if ms is None else datetime.fromtimestamp((ms - 0.5) / 1000, UTC)


def mark(name: str) -> str:
    """A short mark of image ``name`` for a cursor's ``done`` (48 bits of its SHA-256: two
    images of one creation millisecond that share it are not to be expected)."""
    digest = hashlib.sha256(name.encode()).digest()[:6]
    return base64.urlsafe_b64encode(digest).decode()


@dataclass(frozen=True)
class Cursor:
    """How far LIST got (see the module docstring). Times are epoch milliseconds."""

    since: int | None = None
    done: tuple[str, ...] = ()
    image: str | None = None
    after_version: int = 0
    versions_since: int | None = None
    resume: str | None = None

    def is_done(self, name: str, created: int) -> bool:
        return self.since is not None and (
            created < self.since or (created == self.since and mark(name) in self.done)
        )

    def starting(self, name: str, created: int) -> Cursor:
        """The cursor once the walk starts on image ``name``, created at ``created``."""
        done = self.done if created == self.since else ()
        return Cursor(created, done, name, 0, None, None)

    def finished(self) -> Cursor:
        """The cursor once the current image has been listed whole."""
        done = (*self.done, mark(self.image)) if self.image is not None else self.done
        return Cursor(self.since, done, None, 0, None, None)

    def listed(self, item: Mapping[str, Any]) -> Cursor:
        """The cursor once version ``item`` of the current image has been listed."""
        return replace(
            self,
            after_version=int(item["Version"]),
            versions_since=millis(item["CreationTime"]),
            resume=None,
        )

    def resuming_at(self, item: Mapping[str, Any]) -> Cursor:
        """The cursor of a page that ends just before version ``item`` of the current image."""
        return replace(self, versions_since=millis(item["CreationTime"]), resume=None)

    def encode(self) -> str:
        raw = json.dumps(
            {
                "s": self.since,
                "h": list(self.done),
                "n": self.image,
                "v": self.after_version,
                "vs": self.versions_since,
                **({"r": self.resume} if self.resume else {}),
            },
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, token: str | None) -> Cursor:
        if not token:
            return cls()
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            # "d": the names themselves, in tokens of earlier versions of this handler
            if "h" in data:
                done = _strings(data["h"])
            else:
                done = [mark(name) for name in _strings(data["d"])]
            cursor = cls(data["s"], tuple(done), data["n"], data["v"], data["vs"], data.get("r"))
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise exceptions.InvalidRequest(
                "nextToken is not a token this handler issued for LIST"
            ) from error
        if not _well_formed(cursor):
            raise exceptions.InvalidRequest(
                "nextToken is malformed (a value of the wrong type, or a time out of range)"
            )
        return cursor


def _strings(values: object) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise TypeError("not a list of strings")
    return values


# The times a cursor may hold (epoch milliseconds): from 1970 to the end of year 9999, what a
# datetime can hold.
TIME_RANGE = (0, 253_402_300_799_999)


def _well_formed(cursor: Cursor) -> bool:
    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def is_time(value: object) -> bool:
        low, high = TIME_RANGE
        return value is None or (
            isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        )

    return (
        is_time(cursor.since)
        and is_time(cursor.versions_since)
        and (cursor.image is None or isinstance(cursor.image, str))
        and is_int(cursor.after_version)
        and (cursor.resume is None or isinstance(cursor.resume, str))
    )


@dataclass
class Walk:
    """One LIST page at a time, across every image (:meth:`page`) or of one (:meth:`versions`).

    ``images_page(created_after, token)`` returns a page of (image name, creation time), oldest
    first, and the next token; ``versions_page(image, created_after, token)`` a page of that
    image's versions in number order and the next token (None when the image has gone);
    ``may_call(calls_made)`` says whether one more SageMaker call fits in this page; it is asked
    only once the walk has moved on, and ``has_time()`` until then, so every page with time for a
    few calls makes progress, however small the budget. Moving on is what the cursor returned
    keeps: a version listed, an image started or finished, or SageMaker pages gone along whose
    NextToken the cursor keeps. A page that ends between two SageMaker pages of one query, after
    nothing but empty pages (SageMaker may answer empty pages with a NextToken, page after page),
    keeps SageMaker's NextToken in the cursor (``resume``), valid while the cursor's values still
    name that query, and the next page goes on from it. Once a query has answered items (done
    ones, listed on an earlier page) its token is not kept, so the empty pages before them are no
    progress either: the page goes on past the done items to one not done. Nor is a SageMaker
    NextToken too long to keep (the nextToken would pass TOKEN_MAX).
    """

    images_page: ImagesPage
    versions_page: VersionsPage
    may_call: Callable[[int], bool]
    has_time: Callable[[], bool] = lambda: True
    calls: int = 0
    found: list[tuple[str, Item]] = field(default_factory=list)
    moved: bool = False

    def _room(self, kept: str | None) -> bool:
        """Whether to make one more call (``kept``: the SageMaker NextToken the cursor keeps, once
        the current query has gone along SageMaker's pages)."""
        if len(self.found) >= PAGE_SIZE:
            return False
        if self.moved or kept is not None:
            return self.may_call(self.calls)
        return self.calls == 0 or self.has_time()

    @staticmethod
    def _kept(cursor: Cursor, answered: bool, token: str | None) -> str | None:
        """The SageMaker NextToken the cursor keeps after a call: only after nothing but empty
        pages (the query the cursor's values name is then the same, and no item its offset may
        count has come and gone), and only while the nextToken stays within TOKEN_MAX."""
        if answered or token is None:
            return None
        return token if len(replace(cursor, resume=token).encode()) <= TOKEN_MAX else None

    def page(self, cursor: Cursor) -> tuple[list[tuple[str, Item]], Cursor | None]:
        """The versions found from ``cursor`` on, and where the next page starts (None: done)."""
        if cursor.image is not None:  # an image begun on an earlier page: its versions first
            cursor = self._versions_of(cursor)
            if cursor.image is not None:
                return self.found, cursor
        floor, token, answered, kept = just_before(cursor.since), cursor.resume, False, None
        while self._room(kept):
            images, token = self.images_page(floor, token)
            self.calls += 1
            answered = answered or bool(images)
            kept = self._kept(cursor, answered, token)
            for name, created in images:
                ms = millis(created)
                if cursor.is_done(name, ms):
                    continue
                self.moved = True
                cursor = self._versions_of(cursor.starting(name, ms))
                if cursor.image is not None:
                    return self.found, cursor
            if token is None:
                return self.found, None
        return self.found, replace(cursor, resume=kept)

    def versions(self, cursor: Cursor) -> tuple[list[tuple[str, Item]], Cursor | None]:
        """The versions of ``cursor.image`` from ``cursor`` on, and where the next page starts."""
        cursor = self._versions_of(cursor)
        return self.found, (cursor if cursor.image is not None else None)

    def _versions_of(self, cursor: Cursor) -> Cursor:
        """List the current image's versions while there is room; the cursor after them
        (``finished()`` once the image has been listed whole, or has gone)."""
        name = str(cursor.image)
        floor, token = just_before(cursor.versions_since), cursor.resume
        answered, kept = False, None
        while self._room(kept):
            page = self.versions_page(name, floor, token)
            self.calls += 1
            if page is None:
                self.moved = True
                return cursor.finished()
            items, token = page
            answered = answered or bool(items)
            kept = self._kept(cursor, answered, token)
            for item in items:
                if int(item["Version"]) <= cursor.after_version:
                    continue
                if len(self.found) >= PAGE_SIZE:
                    return cursor.resuming_at(item)
                self.found.append((name, item))
                cursor, self.moved = cursor.listed(item), True
            if token is None:
                self.moved = True
                return cursor.finished()
        return replace(cursor, resume=kept)
