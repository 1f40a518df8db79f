"""LIST across every image: one cursor over ListImages and ListImageVersions (pure parts).

With an ImageName, LIST pages through ListImageVersions and hands SageMaker's NextToken straight
back. Without one it walks the images in name order and each image's versions, so its nextToken
has to say where it stopped in both lists: that is the cursor below, sent as URL-safe base64 JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from cloudformation_cli_python_lib import exceptions

# Models per LIST page, and SageMaker calls one LIST invocation may make before it answers with
# what it has (an account with many images that have no versions still gets quick pages).
PAGE_SIZE = 100
CALLS_PER_PAGE = 25


@dataclass(frozen=True)
class Cursor:
    """Where a LIST across all images stopped.

    ``images_token`` fetches the page of images being walked (None: the first page), ``offset`` is
    the image within that page, ``versions_token`` the next page of that image's versions.
    """

    images_token: str | None = None
    offset: int = 0
    versions_token: str | None = None

    def encode(self) -> str:
        raw = json.dumps(
            {"i": self.images_token, "o": self.offset, "v": self.versions_token},
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, token: str | None) -> Cursor:
        if not token:
            return cls()
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            cursor = cls(data["i"], int(data["o"]), data["v"])
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise exceptions.InvalidRequest(
                "nextToken is not a token this handler issued for a LIST without ImageName"
            ) from error
        if cursor.offset < 0:
            raise exceptions.InvalidRequest("nextToken holds a negative offset")
        return cursor
