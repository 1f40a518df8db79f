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
                       that would see it, and for ``lag_seconds``)
idempotency            ``while_version_exists`` (a replay returns the version as long as it
                       exists) · ``expires`` (remembered for ``token_seconds``) ·
                       ``strict_parameters`` (a replay with other parameters is refused)
delete_image           DeleteImage's DELETING phase (moto's state manager model
                       ``sagemaker::image-deletion``): while it lasts, version calls answer
                       ``deleting_not_found`` (ResourceNotFound) · ``deleting_invalid_state``
                       (ValidationException ``Image ... is in an invalid state.``) ·
                       ``deleting_describes`` (as if nothing happened) · ``immediate`` (no
                       DELETING phase)
archival               ``never`` · ``after_delay`` (TO_BE_ARCHIVED turns ARCHIVED
                       ``archive_seconds`` after it was set: SageMaker does it after three months)
pagination             what a NextToken means once items are added or removed between pages:
                       ``after_last`` (the next page starts after the last item returned) ·
                       ``offset`` (at the position reached, in the list as it is then)
create_answer          CreateImageVersion's ImageVersionArn: ``arn`` · ``none_first`` (the literal
                       ``None`` the model allows, to the first request of each ClientToken; a
                       replay answers the ARN) · ``none_always`` (always ``None``)
=====================  ==========================================================================

Under ``create_answer=none_always`` no handler can tell which version it made: the variant is in
:data:`IMPOSSIBLE`, which ``make test-variants`` leaves out, and a test checks the handler's
clearest failure there.

Choosing variants: in process ``controls().rules.alias_clash = "move"``; over HTTP ``POST
/_emulator/controls`` with ``{"rules": {"alias_clash": "move"}}``; for a whole process the
environment variable :data:`ENVIRONMENT_VARIABLE` (``alias_clash=move,concurrency=never``), read
whenever a backend is created (at every reset).
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
    "read_after_write": ("consistent", "lagging"),
    "idempotency": ("while_version_exists", "expires", "strict_parameters"),
    "delete_image": (
        "deleting_not_found",
        "deleting_invalid_state",
        "deleting_describes",
        "immediate",
    ),
    "archival": ("never", "after_delay"),
    "pagination": ("after_last", "offset"),
    "create_answer": ("arn", "none_first", "none_always"),
}
IMPOSSIBLE = frozenset({("create_answer", "none_always")})
"""Variants under which no handler can be correct (see the module docstring)."""
ENVIRONMENT_VARIABLE = "SAGEMAKER_EMULATOR_VARIANTS"
_FROM_ENVIRONMENT = "_rules_from_environment"
TIMINGS = ("overlap_seconds", "lag_reads", "lag_seconds", "token_seconds", "archive_seconds")


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
    overlap_seconds: float = 0.05
    lag_reads: int = 1
    lag_seconds: float = 0.0
    token_seconds: float = 300.0
    archive_seconds: float = 2.0

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
        rules = cls().changed(parse(os.environ.get(ENVIRONMENT_VARIABLE, "")))
        rules.__dict__[_FROM_ENVIRONMENT] = frozenset(VARIANTS)
        return rules

    def answer_delay(self) -> float:
        """Seconds a Create/DeleteImageVersion takes to answer (``overlapping_calls``)."""
        return self.overlap_seconds if self.concurrency == "overlapping_calls" else 0.0


def parse(text: str) -> dict[str, str]:
    """``rule=variant,rule=variant`` as a mapping (ValueError when malformed)."""
    chosen: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        rule, equals, variant = part.partition("=")
        if not equals or not rule or not variant:
            raise ValueError(f"{ENVIRONMENT_VARIABLE}: expected rule=variant, got {part!r}")
        chosen[rule.strip()] = variant.strip()
    return chosen


def every_variant() -> list[tuple[str, str]]:
    """Each (rule, variant) that is not a default, in table order, the impossible ones left out."""
    return [
        (rule, variant)
        for rule, variants in VARIANTS.items()
        for variant in variants[1:]
        if (rule, variant) not in IMPOSSIBLE
    ]
