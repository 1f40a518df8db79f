"""LIST across every image: one cursor over ListImages and ListImageVersions.

With an ImageName, LIST pages through ListImageVersions and hands SageMaker's NextToken straight
back. Without one it walks the images in name order and each image's versions, so its nextToken
has to say where it stopped in both lists: that is the cursor below, sent as URL-safe base64 JSON.

The cursor names the image to carry on with rather than its position in the page, so images
added or deleted between two LIST calls neither hide nor repeat the others. ListImageVersions is
always asked for the same page size, so a NextToken is never replayed with another MaxResults.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from cloudformation_cli_python_lib import exceptions

# A LIST page ends once it holds PAGE_SIZE models (ListImageVersions pages hold up to PAGE_SIZE,
# so a page across images may hold up to 2 * PAGE_SIZE - 1), or after CALLS_PER_PAGE SageMaker
# calls, so an account with many images that have no versions still gets quick pages.
PAGE_SIZE = 100
CALLS_PER_PAGE = 25

T = TypeVar("T")


@dataclass(frozen=True)
class Cursor:
    """Where a LIST across all images stopped.

    ``images_token`` fetches the page of images being walked (None: the first page); ``image`` is
    the image to carry on with (None: the start of that page); ``versions_token`` the next page of
    that image's versions (None: its first page).
    """

    images_token: str | None = None
    image: str | None = None
    versions_token: str | None = None

    def encode(self) -> str:
        raw = json.dumps(
            {"i": self.images_token, "n": self.image, "v": self.versions_token},
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, token: str | None) -> Cursor:
        if not token:
            return cls()
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            cursor = cls(data["i"], data["n"], data["v"])
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise exceptions.InvalidRequest(
                "nextToken is not a token this handler issued for a LIST without ImageName"
            ) from error
        if not all(isinstance(v, str | None) for v in (cursor.images_token, cursor.image)):
            raise exceptions.InvalidRequest("nextToken is malformed")
        return cursor


def resume_index(names: Sequence[str], image: str | None) -> int:
    """Where to carry on in a page of image names: at ``image``, or after where it was."""
    if image is None:
        return 0
    if image in names:
        return names.index(image)
    return next((i for i, name in enumerate(names) if name > image), len(names))


@dataclass
class Walk(Generic[T]):
    """Every version of every image, one LIST page at a time.

    ``images_page(token)`` returns a page of image names and the next token; ``versions_page(
    image, token)`` a page of that image's versions and the next token (None when the image has
    gone); ``may_call(calls_made)`` says whether one more SageMaker call fits in this page.
    """

    images_page: Callable[[str | None], tuple[list[str], str | None]]
    versions_page: Callable[[str, str | None], tuple[list[T], str | None] | None]
    may_call: Callable[[int], bool]

    def page(self, cursor: Cursor) -> tuple[list[tuple[str, T]], Cursor | None]:
        """The versions found from ``cursor`` on, and where the next page starts (None: done)."""
        found: list[tuple[str, T]] = []
        calls = 0
        while True:
            names, next_images = self.images_page(cursor.images_token)
            calls += 1
            for name in names[resume_index(names, cursor.image) :]:
                token = cursor.versions_token if name == cursor.image else None
                while True:
                    if len(found) >= PAGE_SIZE or not self.may_call(calls):
                        return found, Cursor(cursor.images_token, name, token)
                    page = self.versions_page(name, token)
                    calls += 1
                    items, token = page if page is not None else ([], None)
                    found += [(name, item) for item in items]
                    if token is None:
                        break
            if next_images is None:
                return found, None
            cursor = Cursor(next_images)
            if len(found) >= PAGE_SIZE or not self.may_call(calls):
                return found, cursor
