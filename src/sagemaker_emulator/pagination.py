"""Pagination shared by ListImages, ListImageVersions and ListAliases.

Items are ordered by a unique sort key (the requested sort value, then a tie-breaker). What a
NextToken means when items are added or removed between pages is not documented, so it is a rule
with two variants (``pagination`` in :mod:`.rules`):

- ``after_last``: the token carries the sort key of the last item returned, and the next page
  starts right after that key, whatever happened to the item itself;
- ``offset``: the token carries how many items were returned so far, and the next page starts
  at that position of the list as it is then, so an item added before it is returned again and
  an item removed before it pushes another past unseen.

Either way the token also names the list's *scope* (operation, image, SortBy, SortOrder).

Before the first item, a List call may answer empty pages (rule ``empty_pages``): the first
request answers an empty page whose token says how many empty pages were given; each such token
leads to the next empty page, and the last to the first page of items (as a request without a
token would, were there no empty pages). The chain always ends: the number of empty pages is
asked anew at each step, so a token issued before the variant changed still leads on.

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
    by_offset: Callable[[], bool] = lambda: False,
    empty_pages: Callable[[], int] = lambda: 0,
) -> tuple[list[T], str | None]:
    """Return one page of ``items`` in ``key`` order and the token of the next page, if any
    (``by_offset()`` True: the ``offset`` variant, else ``after_last``; asked only when a token
    is read or written, the only times the variant decides anything; ``empty_pages()``: how
    many empty pages come first, asked only for a first page or after an empty one)."""
    payload = _decode(next_token, scope) if next_token else None
    given = _empties(payload)
    if given is not None and given < empty_pages():
        return [], _encode({"scope": scope, "empty": given + 1})
    ordered = sorted(items, key=key, reverse=descending)
    start = 0
    if payload is not None and "empty" not in payload:
        if by_offset():
            start = _offset(payload)
        else:
            last = _after(payload)
            ordered = [
                item for item in ordered if (key(item) < last if descending else key(item) > last)
            ]
    limit = max_results or DEFAULT_MAX_RESULTS
    page = ordered[start : start + limit]
    if len(ordered) <= start + limit:
        return page, None
    position: dict[str, object] = (
        {"offset": start + limit} if by_offset() else {"after": list(key(page[-1]))}
    )
    return page, _encode({"scope": scope, **position})


_INVALID = "The NextToken is not valid for this request."


def _encode(payload: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _decode(token: str, scope: str) -> dict[str, object]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError as error:  # also binascii.Error and UnicodeDecodeError
        raise ValidationException(_INVALID) from error
    if not isinstance(payload, dict) or payload.get("scope") != scope:
        raise ValidationException(_INVALID)
    return payload


def _empties(payload: dict[str, object] | None) -> int | None:
    """How many empty pages were given before this request (None: it asks for a page after
    items)."""
    if payload is None:
        return 0
    if "empty" not in payload:
        return None
    empty = payload["empty"]
    if isinstance(empty, bool) or not isinstance(empty, int) or empty < 1:
        raise ValidationException(_INVALID)
    return empty


def _after(payload: dict[str, object]) -> SortKey:
    after = payload.get("after")
    if not (isinstance(after, list) and len(after) == 2 and all(isinstance(v, str) for v in after)):
        raise ValidationException(_INVALID)
    return after[0], after[1]


def _offset(payload: dict[str, object]) -> int:
    offset = payload.get("offset")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationException(_INVALID)
    return offset
