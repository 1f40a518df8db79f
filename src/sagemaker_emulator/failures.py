"""Planned failures: version creations and deletions made to end in CREATE_FAILED or DELETE_FAILED.

A test plans them through the :class:`~.control.Controls` of one account and region (cleared by
every reset): ``controls().fail_create("base image not found")``, or ``"failures"`` on the
control endpoint. The domain asks for the reason planned for a version's creation or deletion when
that phase starts (:meth:`~.models.Knobs.take_failure`) and ends the phase ``*_FAILED`` with it as
FailureReason.
"""

from dataclasses import dataclass

from .models import Phase


@dataclass
class FailureRule:
    """Make a version's creation or deletion fail with ``reason``.

    Applies to versions of ``image_name`` (any image when None); ``once`` rules are used up
    by the first version they apply to, the others apply until the controls are reset.
    """

    phase: Phase
    reason: str
    image_name: str | None = None
    once: bool = True

    def __post_init__(self) -> None:
        if self.phase not in ("create", "delete"):
            raise ValueError(f"phase must be 'create' or 'delete', not {self.phase!r}")
        if not 1 <= len(self.reason) <= 1024:
            raise ValueError("reason must be 1 to 1024 characters (FailureReason)")

    def applies(self, phase: Phase, image_name: str) -> bool:
        return self.phase == phase and self.image_name in (None, image_name)


def take_failure(rules: list[FailureRule], phase: Phase, image_name: str) -> str | None:
    """The FailureReason the first rule applying to this phase of a version of ``image_name``
    plans, if any; a ``once`` rule is removed from ``rules``."""
    for rule in rules:
        if rule.applies(phase, image_name):
            if rule.once:
                rules.remove(rule)
            return rule.reason
    return None
