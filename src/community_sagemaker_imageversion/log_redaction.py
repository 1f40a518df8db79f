"""Caller credentials never reach a log line, whatever logs them and at whatever level.

botocore's DEBUG lines print each request's headers, among them the access key id (in the
Authorization header) and the session token. ``clients`` holds botocore's loggers at INFO, but
anyone may lower them later (``boto3.set_stream_logger``, a Lambda log configuration). So every
log record is checked when it is created, for every logger: the credential values of the callers
this process serves are replaced by ``[redacted]`` in its message, its traceback and its stack
before any handler sees the record.

:func:`install` puts the check in place; the entrypoint calls it before the first invocation.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Iterable
from typing import Any

from cloudformation_cli_python_lib import resource as library_resource

REDACTED = "[redacted]"
# Shorter values are not credentials and would redact ordinary text.
_MINIMUM_LENGTH = 8

_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()
_by_source: dict[str, frozenset[str]] = {}
_make_record = logging.getLogRecordFactory()


def redact_only(values: Iterable[str | None], source: str = "callers") -> None:
    """Keep exactly ``values`` of ``source`` out of every log line from now on, with those of
    every other source: "callers" (the key ids, secret keys and session tokens of the callers
    this process holds clients for) and "provider" (the log delivery role's, which ship the
    handler's logs and metrics)."""
    global _secrets  # noqa: PLW0603 (one set for the process; replaced whole, read lock-free)
    with _lock:
        _by_source[source] = frozenset(v for v in values if v and len(v) >= _MINIMUM_LENGTH)
        _secrets = frozenset().union(*_by_source.values())


def scrub(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def _record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    if _secrets:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: left for logging to report
            return record
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        _scrub_traceback(record)
    return record


_FORMATTER = logging.Formatter()


def _scrub_traceback(record: logging.LogRecord) -> None:
    """A record's traceback (``exc_info``, as ``logger.exception`` logs it) and stack, scrubbed:
    an exception's message may quote a request (a signature mismatch quotes its canonical
    request, headers and all). Formatters print ``exc_text`` in place of formatting the
    traceback again."""
    if record.exc_info and not record.exc_text:
        record.exc_text = scrub(_FORMATTER.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


def print_traceback() -> None:
    """The exception being handled and its traceback, scrubbed, on standard error (Lambda's own
    log)."""
    sys.stderr.write(scrub(traceback.format_exc()))


class _ScrubbedTraceback:
    """What the runtime library uses of :mod:`traceback`, with the printed text scrubbed: before
    log shipping is set up, it prints a failure and its traceback to the console (Lambda's own
    log) rather than logging them."""

    print_exc = staticmethod(print_traceback)


def _scrubbed_print(*values: object, **options: Any) -> None:
    print(*(scrub(str(v)) for v in values), **options)


def install() -> None:
    """Check every log record of the process from now on, and what the runtime library prints
    (once: a second call changes nothing)."""
    global _make_record  # noqa: PLW0603 (the factory this one wraps, taken when installed)
    with _lock:
        current = logging.getLogRecordFactory()
        if current is not _record:
            _make_record = current
            logging.setLogRecordFactory(_record)
        library_resource.print = _scrubbed_print  # type: ignore[attr-defined]
        library_resource.traceback = _ScrubbedTraceback  # type: ignore[assignment,attr-defined]
