"""A pytest plugin that writes which of the emulator's unknown rules each test reads.

``pytest -p make_targets.rule_trace --rule-trace=PATH`` records every read of a rule's variant
(:mod:`sagemaker_emulator.rule_reads`), from every thread, credited to the test running at the
time, and writes PATH (JSON, :mod:`make_targets.variant_selection` reads it back) at the end of
the session, keyed on the hash of the source tree it ran. ``make test`` writes one, which
``make test-variants`` reuses while the source is the same.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from make_targets.variant_selection import (
    ROOT,
    Trace,
    from_document,
    source_hash,
    to_document,
    write_trace,
)
from sagemaker_emulator import rule_reads

OPTION = "--rule-trace"
WORKER_OUTPUT = "rule_trace"


@dataclass
class _Session:
    """What the traced session ran: every test, and those whose reads may differ from run to run."""

    ran: list[str] = field(default_factory=list)
    unrepeatable: list[str] = field(default_factory=list)
    parts: list[Trace] = field(default_factory=list)
    """The traces of pytest-xdist's workers (on its controller)."""


_SESSION = pytest.StashKey[_Session]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION,
        metavar="PATH",
        default=None,
        help="write which unknown rules of the emulator each test reads to PATH (JSON)",
    )


def _path(config: pytest.Config) -> Path | None:
    value = config.getoption(OPTION)
    return None if value is None else Path(value)


def pytest_sessionstart(session: pytest.Session) -> None:
    if _path(session.config) is not None:
        rule_reads.start()
        session.config.stash[_SESSION] = _Session()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    if _path(item.config) is None:
        return (yield)
    rule_reads.credit_to(item.nodeid)
    try:
        return (yield)
    finally:
        rule_reads.credit_to(None)
        session_tests = item.config.stash[_SESSION]
        session_tests.ran.append(item.nodeid)
        # hypothesis draws new examples each run: this run's reads need not be the next one's
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            session_tests.unrepeatable.append(item.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the trace; a pytest-xdist worker hands its part to the controller instead, which
    writes them all as one."""
    path = _path(session.config)
    if path is None:
        return
    session_tests = session.config.stash[_SESSION]
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[WORKER_OUTPUT] = to_document(_trace(session_tests, rule_reads.stop()))
        return
    reads = rule_reads.stop()
    if not session_tests.parts:  # the tests ran in this process
        session_tests.parts.append(_trace(session_tests, reads))
    write_trace(path, merged(session_tests.parts))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller of a pytest-xdist run keeps each worker's part of the trace."""
    document = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
    if document is not None and _path(node.config) is not None:
        node.config.stash[_SESSION].parts.append(from_document(document))


def _trace(session_tests: _Session, reads: Mapping[str, frozenset[str]]) -> Trace:
    return Trace(
        source_hash=source_hash(ROOT),
        ran=tuple(session_tests.ran),
        reads={test: rules for test, rules in reads.items() if test != rule_reads.OUTSIDE_TESTS},
        unrepeatable=frozenset(session_tests.unrepeatable),
        outside_tests=reads.get(rule_reads.OUTSIDE_TESTS, frozenset()),
    )


def merged(parts: Sequence[Trace]) -> Trace:
    """One trace of the tests several processes ran on the same source (each ran its own)."""
    reads: dict[str, frozenset[str]] = {}
    for part in parts:
        reads.update(part.reads)
    return Trace(
        source_hash=parts[0].source_hash if parts else source_hash(ROOT),
        ran=tuple(test for part in parts for test in part.ran),
        reads=reads,
        unrepeatable=frozenset().union(*(part.unrepeatable for part in parts)),
        outside_tests=frozenset().union(*(part.outside_tests for part in parts)),
    )
