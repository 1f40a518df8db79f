"""The emulator's rules where the real service's behaviour is unknown: one named variant each.

Public evidence does not say how SageMaker behaves in these cases, so the emulator offers every
plausible behaviour, and the handlers must be correct under each (``make test-variants`` runs the
handler and reliability tests once per variant). The first variant of each rule is the default.

=====================  ==========================================================================
rule                   variants
=====================  ==========================================================================
alias_clash            an alias another version of the image holds, given to a version (create or
                       AliasesToAdd): ``refuse`` (ValidationException) · ``refuse_busy``
                       (ResourceInUse) · ``move`` (the alias moves to the new holder)
missing_alias_delete   AliasesToDelete naming an alias the version lacks: ``refuse``
                       (ValidationException) · ``ignore``
concurrency            Create/DeleteImageVersion while another version of the image changes:
                       ``while_changing`` (refused while any other version is CREATING or
                       DELETING) · ``overlapping_calls`` (each such call takes
                       ``overlap_seconds`` to answer, and one arriving on the image meanwhile
                       is refused) · ``never``
read_after_write       ``consistent`` · ``lagging`` (a new version, and its aliases, are not found
                       by any call but a ClientToken replay: by the first ``lag_reads`` calls
                       that would see it, and for ``lag_seconds``) · ``non_monotonic`` (reads of
                       a new version alternate: the first call on the image's versions after
                       its creation sees it, the next does not, and so on until ``lag_reads``
                       calls have missed it and ``lag_seconds`` have passed; writes, Update and
                       DeleteImageVersion, always find it; a deletion is seen at once)
idempotency            ``while_version_exists`` (a replay returns the version as long as it
                       exists) · ``expires`` (remembered for ``token_seconds``) ·
                       ``strict_parameters`` (a replay with other parameters is refused)
delete_image           DeleteImage's DELETING phase (moto's state manager model
                       ``sagemaker::image-deletion``): while it lasts, version calls answer
                       ``deleting_not_found`` (ResourceNotFound) · ``deleting_invalid_state``
                       (ValidationException ``Image ... is in an invalid state.``) ·
                       ``deleting_describes`` (as if nothing happened) · ``immediate`` (no
                       DELETING phase) · ``deleting_refuses_writes`` (Describe and the List
                       calls answer as if nothing happened; Update and DeleteImageVersion are
                       refused with ValidationException ``Image ... is in an invalid state.``)
archival               ``never`` · ``after_delay`` (TO_BE_ARCHIVED turns ARCHIVED
                       ``archive_seconds`` after it was set: SageMaker does it after three months)
pagination             what a NextToken means once items are added or removed between pages:
                       ``after_last`` (the next page starts after the last item returned) ·
                       ``offset`` (at the position reached, in the list as it is then)
create_answer          CreateImageVersion's ImageVersionArn: ``arn`` · ``none_first`` (the literal
                       ``None`` the model allows, to the first request of each ClientToken; a
                       replay answers the ARN) · ``none_always`` (always ``None``)
alias_index            which version an alias names, just after it was taken from one (by
                       AliasesToDelete, or by the version's deletion ending): ``consistent`` ·
                       ``lagging`` (for ``alias_lag_seconds`` the old holder still holds it for
                       SageMaker: giving it to another version is refused or moves it, as
                       ``alias_clash`` says, and DescribeImageVersion by the alias answers the
                       old holder while that still exists; ListAliases lists the truth)
version_numbers        the number of a new version once the image's latest versions are gone:
                       ``never_reused`` (the highest number ever given, plus one) ·
                       ``reused_after_latest`` (the highest number of the versions that still
                       exist, plus one: the deleted latest number is given again)
alias_not_held         Describe/Update/DeleteImageVersion naming an Alias no version holds:
                       ``not_found`` (ResourceNotFound) · ``validation`` (ValidationException)
empty_pages            ListImages, ListImageVersions and ListAliases: ``never`` ·
                       ``before_items`` (every List call first answers ``empty_page_count`` empty
                       pages, each with a NextToken leading to the next, then the pages with
                       items) · ``before_filtered_items`` (the same, only for the List calls
                       with a time filter: ListImages and ListImageVersions with CreationTime*
                       or LastModifiedTime*, the case seen for real on other List operations)
=====================  ==========================================================================

Each variant is read only where it decides something: ``read_after_write`` on every call that
looks for a version not yet caught up; ``alias_index`` when an alias taken from a version is
given again or described by (the old holder's claim is remembered); ``version_numbers`` on a
create after the image's latest version is gone; ``alias_not_held`` when no version holds the
Alias a call names; ``empty_pages`` on the first page of a List call (and on an empty page's
token).

Under ``read_after_write=non_monotonic``, deletions are not made non-monotonic: a version that
is gone staying visible to every other read would make any READ after a DELETE answer a
version that no longer exists, which no handler could tell from one that does (as under
``create_answer=none_always``); and writes always find a new version, so that a DELETE right
after a create (a rollback) never finds NotFound falsely and leaves an orphan behind. Under
``lagging``, by contrast, a new version is hidden from writes too (a delete during the lag
answers ResourceNotFound), so a handler must not read its DELETE's NotFound during a lag as
"gone" either.

Under ``create_answer=none_always`` no handler can tell which version it made: the variant is in
:data:`IMPOSSIBLE`, which ``make test-variants`` leaves out, and a test checks the handler's
clearest failure there.

Choosing variants: in process ``controls().rules.alias_clash = "move"``; over HTTP ``POST
/_emulator/controls`` with ``{"rules": {"alias_clash": "move"}}``; for a whole process the
environment variable :data:`ENVIRONMENT_VARIABLE` (``alias_clash=move,concurrency=never``), read
whenever a backend is created (at every reset). The timings are set the same ways, the
environment variable included (``read_after_write=lagging,lag_seconds=75``): they are measured
on the emulator's clock (:mod:`.clock`), which a simulation advances, so a lag of minutes costs
no real time there.

=====================  ==========================================================================
timing                 used by (default)
=====================  ==========================================================================
overlap_seconds        ``concurrency=overlapping_calls`` (0.05)
lag_reads              ``read_after_write`` ``lagging`` and ``non_monotonic`` (1 call)
lag_seconds            ``read_after_write`` ``lagging`` and ``non_monotonic`` (0 s; any length)
token_seconds          ``idempotency=expires`` (300)
archive_seconds        ``archival=after_delay`` (2)
alias_lag_seconds      ``alias_index=lagging`` (1)
empty_page_count       ``empty_pages`` ``before_items`` and ``before_filtered_items`` (3 pages)
=====================  ==========================================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from . import rule_reads

VARIANTS: Mapping[str, tuple[str, ...]] = {
    "alias_clash": ("refuse", "refuse_busy", "move"),
    "missing_alias_delete": ("refuse", "ignore"),
    "concurrency": ("while_changing", "overlapping_calls", "never"),
    "read_after_write": ("consistent", "lagging", "non_monotonic"),
    "idempotency": ("while_version_exists", "expires", "strict_parameters"),
    "delete_image": (
        "deleting_not_found",
        "deleting_invalid_state",
        "deleting_describes",
        "immediate",
        "deleting_refuses_writes",
    ),
    "archival": ("never", "after_delay"),
    "pagination": ("after_last", "offset"),
    "create_answer": ("arn", "none_first", "none_always"),
    "alias_index": ("consistent", "lagging"),
    "version_numbers": ("never_reused", "reused_after_latest"),
    "alias_not_held": ("not_found", "validation"),
    "empty_pages": ("never", "before_items", "before_filtered_items"),
}
IMPOSSIBLE = frozenset({("create_answer", "none_always")})
"""Variants under which no handler can be correct (see the module docstring)."""
ENVIRONMENT_VARIABLE = "SAGEMAKER_EMULATOR_VARIANTS"
_FROM_ENVIRONMENT = "_rules_from_environment"
TIMINGS = (
    "overlap_seconds",
    "lag_reads",
    "lag_seconds",
    "token_seconds",
    "archive_seconds",
    "alias_lag_seconds",
    "empty_page_count",
)
COUNTS = frozenset({"lag_reads", "empty_page_count"})
"""The timings that count calls or pages: whole numbers."""


@dataclass
class Rules:
    """The variant of each rule (see the module docstring), and the timings they use."""

    alias_clash: str = "refuse"
    missing_alias_delete: str = "refuse"
    concurrency: str = "while_changing"
    read_after_write: str = "consistent"
    idempotency: str = "while_version_exists"
    delete_image: str = "deleting_not_found"
    archival: str = "never"
    pagination: str = "after_last"
    create_answer: str = "arn"
    alias_index: str = "consistent"
    version_numbers: str = "never_reused"
    alias_not_held: str = "not_found"
    empty_pages: str = "never"
    overlap_seconds: float = 0.05
    lag_reads: int = 1
    lag_seconds: float = 0.0
    token_seconds: float = 300.0
    archive_seconds: float = 2.0
    alias_lag_seconds: float = 1.0
    empty_page_count: int = 3

    def __post_init__(self) -> None:
        for rule, variants in VARIANTS.items():
            if self.__dict__[rule] not in variants:
                raise ValueError(
                    f"{rule} must be one of {', '.join(variants)}, not {self.__dict__[rule]!r}"
                )
        for timing in TIMINGS:
            value = self.__dict__[timing]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{timing} must be a non-negative number, not {value!r}")
            if timing in COUNTS and not isinstance(value, int):
                raise ValueError(f"{timing} must be a whole number, not {value!r}")
        # The rules whose variant is still the one the environment chose (none for Rules built by
        # hand): only their reads are reported to rule_reads. Not a field: copies, comparisons
        # and the controls' JSON leave it out.
        self.__dict__[_FROM_ENVIRONMENT] = frozenset()

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if (
            name in VARIANTS
            and rule_reads.recording()
            and name in object.__getattribute__(self, "__dict__").get(_FROM_ENVIRONMENT, ())
        ):
            rule_reads.record(name)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        """A rule set after construction no longer follows the environment."""
        object.__setattr__(self, name, value)
        chosen = self.__dict__.get(_FROM_ENVIRONMENT)
        if chosen is not None and name in chosen:
            self.__dict__[_FROM_ENVIRONMENT] = chosen - {name}

    def changed(self, changes: Mapping[str, Any]) -> Rules:
        """These rules with ``changes`` applied (ValueError for an unknown rule or variant); the
        rules left unchanged follow the environment if these did."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown rules: {sorted(unknown)}")
        copy = Rules(**{**{name: self.__dict__[name] for name in known}, **changes})
        copy.__dict__[_FROM_ENVIRONMENT] = self.__dict__[_FROM_ENVIRONMENT] - set(changes)
        return copy

    @classmethod
    def from_environment(cls) -> Rules:
        """The rules the environment variable chooses (the defaults when it is unset)."""
        rules = cls().changed(typed(parse(os.environ.get(ENVIRONMENT_VARIABLE, ""))))
        rules.__dict__[_FROM_ENVIRONMENT] = frozenset(VARIANTS)
        return rules

    def answer_delay(self) -> float:
        """Seconds a Create/DeleteImageVersion takes to answer (``overlapping_calls``)."""
        return self.overlap_seconds if self.concurrency == "overlapping_calls" else 0.0


def parse(text: str) -> dict[str, str]:
    """``rule=variant,timing=number,...`` as a mapping of strings (ValueError when malformed)."""
    chosen: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        rule, equals, variant = part.partition("=")
        if not equals or not rule or not variant:
            raise ValueError(f"{ENVIRONMENT_VARIABLE}: expected rule=variant, got {part!r}")
        chosen[rule.strip()] = variant.strip()
    return chosen


def typed(choices: Mapping[str, str]) -> dict[str, Any]:
    """Choices as :func:`parse` reads them, each timing as a number (ValueError when one is not)."""
    converted: dict[str, Any] = dict(choices)
    for timing in set(choices) & set(TIMINGS):
        convert = int if timing in COUNTS else float
        try:
            converted[timing] = convert(choices[timing])
        except ValueError:
            raise ValueError(
                f"{ENVIRONMENT_VARIABLE}: {timing} must be a number, not {choices[timing]!r}"
            ) from None
    return converted


def every_variant() -> list[tuple[str, str]]:
    """Each (rule, variant) that is not a default, in table order, the impossible ones left out."""
    return [
        (rule, variant)
        for rule, variants in VARIANTS.items()
        for variant in variants[1:]
        if (rule, variant) not in IMPOSSIBLE
    ]
