"""botocore's data files parsed once per test process.

moto forgets boto3's default session whenever a mock starts, so every test that builds a client
makes a fresh session, whose loader parses SageMaker's service model (several megabytes of JSON)
and the endpoint data again: about a fifth of a second per test, most of a handler test's set-up.
:func:`share` makes every loader of the process share one parse of each file (keyed by its path
and modification time): the data is botocore's own and read-only, as each loader already shares
it between the clients of one session. The handler package's own loader still looks in its
``botocore_data`` first; only the parse of a file is shared, never a loader's search paths.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

from botocore import loaders

# The extensions botocore's JSON loader tries, in its order (its private ``_JSON_OPEN_METHODS``).
_EXTENSIONS: tuple[str, ...] = tuple(getattr(loaders, "_JSON_OPEN_METHODS", {".json": open}))
_lock = threading.Lock()
_parsed: dict[tuple[str, int], Any] = {}


def share() -> None:
    """Make :class:`botocore.loaders.JSONFileLoader` parse each file once per process."""
    if getattr(loaders.JSONFileLoader.load_file, "shared", False):
        return
    parse = loaders.JSONFileLoader.load_file

    @functools.wraps(parse)
    def load_file(self: loaders.JSONFileLoader, file_path: str) -> Any:
        key = (file_path, _modified(file_path))
        with _lock:
            if key not in _parsed:
                _parsed[key] = parse(self, file_path)
            return _parsed[key]

    load_file.shared = True  # type: ignore[attr-defined]
    loaders.JSONFileLoader.load_file = load_file  # type: ignore[method-assign]


def _modified(file_path: str) -> int:
    """The modification time of the file ``file_path`` names (with any of its extensions)."""
    for extension in _EXTENSIONS:
        try:
            return os.stat(file_path + extension).st_mtime_ns
        except FileNotFoundError:
            continue
    return -1
