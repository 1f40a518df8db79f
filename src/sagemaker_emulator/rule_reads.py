"""Which of the unknown rules (:mod:`.rules`) were read, and for which test.

A run whose behaviour never consults rule R is the same under every variant of R. To know which
tests consult which rules, :class:`~.rules.Rules` reports each read of a rule's variant here
while recording is on. Only reads of a value that came from the environment
(:meth:`~.rules.Rules.from_environment`, the one place ``make test-variants`` sets a variant) are
reported: a rule a test set itself, and a ``Rules`` built by hand, follow no variant. Reads made
to validate or copy the object (``__post_init__``, ``changed``) are not reads of its behaviour
and are never reported.

Reads come from any thread (the emulator's server threads too) and are credited to the test
:func:`credit_to` named last: pytest runs one test at a time. Reads while no test is named go
under :data:`OUTSIDE_TESTS`.

:func:`observed` collects the rules read within a block (the fault sweep asks which rules each of
its runs read), whether or not a trace is recording, and leaves the trace as it is.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

OUTSIDE_TESTS = ""
"""The key of reads made while no test was named."""


class _Recording:
    """The one recording of this process, shared by every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reads: dict[str, set[str]] | None = None
        self.current = OUTSIDE_TESTS
        self.observers: list[set[str]] = []


_RECORDING = _Recording()


def start() -> None:
    """Record reads from now on (forgetting any recorded before)."""
    with _RECORDING.lock:
        _RECORDING.reads, _RECORDING.current = {}, OUTSIDE_TESTS


def stop() -> dict[str, frozenset[str]]:
    """Stop recording; the rules read, by test (only tests that read one)."""
    with _RECORDING.lock:
        reads, _RECORDING.reads = _RECORDING.reads or {}, None
    return {test: frozenset(rules) for test, rules in reads.items()}


def credit_to(test: str | None) -> None:
    """Credit the reads from now on to ``test`` (None: to no test)."""
    with _RECORDING.lock:
        _RECORDING.current = OUTSIDE_TESTS if test is None else test


def recording() -> bool:
    return _RECORDING.reads is not None or bool(_RECORDING.observers)


def record(rule: str) -> None:
    """One read of ``rule`` (nothing when not recording)."""
    with _RECORDING.lock:
        if _RECORDING.reads is not None:
            _RECORDING.reads.setdefault(_RECORDING.current, set()).add(rule)
        for observer in _RECORDING.observers:
            observer.add(rule)


@contextlib.contextmanager
def observed() -> Iterator[set[str]]:
    """The rules read from any thread within the block (filled in as they are read)."""
    seen: set[str] = set()
    with _RECORDING.lock:
        _RECORDING.observers.append(seen)
    try:
        yield seen
    finally:
        with _RECORDING.lock:
            _RECORDING.observers.remove(seen)
