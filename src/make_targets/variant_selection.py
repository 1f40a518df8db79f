"""Which tests a variant of an unknown rule needs: those whose run reads that rule.

A test that never reads rule R (:mod:`sagemaker_emulator.rule_reads`) runs the same under every
variant of R, everything else being equal, so ``make test-variants`` runs only the tests a trace
(:mod:`make_targets.rule_trace`) saw reading R, and with them the property tests (hypothesis draws
new examples each run, so one run's reads need not be the next one's). A trace holds only for the
source tree it ran: it is keyed on :func:`source_hash` of ``src/`` and ``tests/``.

Decisions are pure functions of a :class:`Trace`; reading and writing it are the thin I/O around.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HASHED = ("src", "tests")
SKIPPED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


@dataclass(frozen=True)
class Trace:
    """One traced run: its source tree, the tests it ran and the rules each read."""

    source_hash: str
    ran: tuple[str, ...]
    reads: Mapping[str, frozenset[str]] = field(default_factory=dict)
    unrepeatable: frozenset[str] = frozenset()
    outside_tests: frozenset[str] = frozenset()


def source_hash(root: Path) -> str:
    """A hash of every file under ``root``'s ``src/`` and ``tests/`` (names and contents)."""
    digest = hashlib.sha256()
    for top in HASHED:
        for path in sorted((root / top).rglob("*")):
            relative = path.relative_to(root)
            if path.is_dir() or SKIPPED_PARTS & set(relative.parts) or path.suffix == ".pyc":
                continue
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def usable(trace: Trace | None, current_hash: str, needed: Iterable[str]) -> bool:
    """Whether ``trace`` ran this source tree and every test in ``needed``."""
    return trace is not None and trace.source_hash == current_hash and set(needed) <= set(trace.ran)


def readers(trace: Trace, rule: str, candidates: Iterable[str]) -> list[str]:
    """The ``candidates`` (in their order) whose traced run read ``rule``."""
    return [test for test in candidates if rule in trace.reads.get(test, frozenset())]


def selection_for(trace: Trace, rule: str, candidates: Iterable[str]) -> list[str]:
    """The ``candidates`` (in their order) a variant of ``rule`` must run: its readers, and the
    unrepeatable tests (whose reads another run may not repeat). Without a reader, none: the
    unrepeatable tests alone do not make a variant tested."""
    chosen = set(readers(trace, rule, candidates))
    if not chosen:
        return []
    return [test for test in candidates if test in chosen or test in trace.unrepeatable]


def most_specific(trace: Trace, tests: Sequence[str], limit: int) -> list[str]:
    """At most ``limit`` of ``tests`` (in their order): those that read the fewest rules, the
    tests most about any one rule (ties by node id); all of them when ``limit`` is 0."""
    if limit <= 0 or len(tests) <= limit:
        return list(tests)
    kept = set(sorted(tests, key=lambda test: (len(trace.reads.get(test, ())), test))[:limit])
    return [test for test in tests if test in kept]


def to_document(trace: Trace) -> dict[str, object]:
    return {
        "source_hash": trace.source_hash,
        "ran": list(trace.ran),
        "reads": {test: sorted(rules) for test, rules in sorted(trace.reads.items())},
        "unrepeatable": sorted(trace.unrepeatable),
        "outside_tests": sorted(trace.outside_tests),
    }


def from_document(document: Mapping[str, object]) -> Trace:
    """The trace :func:`to_document` wrote (ValueError when it is not one)."""
    try:
        reads = document["reads"]
        if not isinstance(reads, dict):
            raise TypeError("reads must be an object")
        return Trace(
            source_hash=str(document["source_hash"]),
            ran=tuple(_strings(document["ran"])),
            reads={str(test): frozenset(_strings(rules)) for test, rules in reads.items()},
            unrepeatable=frozenset(_strings(document["unrepeatable"])),
            outside_tests=frozenset(_strings(document["outside_tests"])),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"not a rule trace: {error!r}") from error


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"expected a list of strings, not {value!r}")
    return value


def write_trace(path: Path, trace: Trace) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_document(trace), indent=1) + "\n")


def read_trace(path: Path) -> Trace | None:
    """The trace at ``path``; None when there is none, or it cannot be read as one."""
    try:
        return from_document(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None


def longest_first(selections: Mapping[str, Sequence[str]]) -> list[str]:
    """The variants with tests to run, the most tests first (ties in their given order): a long
    run started last would leave the other workers idle at the end."""
    return sorted(
        (v for v, tests in selections.items() if tests), key=lambda v: -len(selections[v])
    )
