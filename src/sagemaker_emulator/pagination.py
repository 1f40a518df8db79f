"""Keyset pagination shared by ListImages, ListImageVersions and ListAliases.

Items are ordered by a unique sort key (the requested sort value, then a tie-breaker). A
NextToken carries the sort key of the last item returned plus the list's *scope* (operation,
image, SortBy, SortOrder), so it stays valid while items are added or removed between pages:
the next page starts right after that key, whatever happened to the item itself.

A token that does not decode, or that was issued for another scope, raises
ValidationException. Page size: MaxResults, default :data:`DEFAULT_MAX_RESULTS`.

moto's own ``moto.utilities.paginator`` is not used: its token names the *next* item and fails
once that item is deleted, and it raises ``InvalidToken`` rather than ``ValidationException``.
"""

import base64
import json
from collections.abc import Callable, Iterable
from typing import TypeVar

from .exceptions import ValidationException

DEFAULT_MAX_RESULTS = 10

T = TypeVar("T")
SortKey = tuple[str, str]
"""Sort keys are pairs of strings: numbers are zero-padded, times fixed-width."""


def paginate(
    items: Iterable[T],
    key: Callable[[T], SortKey],
    *,
    scope: str,
    descending: bool,
    max_results: int | None,
    next_token: str | None,
) -> tuple[list[T], str | None]:
    """Return one page of ``items`` in ``key`` order and the token of the next page, if any."""
    ordered = sorted(items, key=key, reverse=descending)
    if next_token:
        last = _decode(next_token, scope)
        ordered = [
            item for item in ordered if (key(item) < last if descending else key(item) > last)
        ]
    limit = max_results or DEFAULT_MAX_RESULTS
    page = ordered[:limit]
    token = _encode(key(page[-1]), scope) if len(ordered) > limit else None
    return page, token


def _encode(last: SortKey, scope: str) -> str:
    payload = json.dumps({"scope": scope, "after": list(last)}).encode()
    return base64.urlsafe_b64encode(payload).decode()


def _decode(token: str, scope: str) -> SortKey:
    invalid = ValidationException("The NextToken is not valid for this request.")
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError as error:  # also binascii.Error and UnicodeDecodeError
        raise invalid from error
    if not isinstance(payload, dict) or payload.get("scope") != scope:
        raise invalid
    after = payload.get("after")
    if not (isinstance(after, list) and len(after) == 2 and all(isinstance(v, str) for v in after)):
        raise invalid
    return after[0], after[1]
