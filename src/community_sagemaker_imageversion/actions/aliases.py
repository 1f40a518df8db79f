"""Bringing a version to the metadata and aliases its model asks for (UPDATE, and CREATE once
the new version is CREATED: a version is created without aliases).

:func:`converge` sends only the difference (``translation.update_plan``). An alias the version
should get is *taken* from the sibling that holds it, the way a tag moves in a container
registry: SageMaker may refuse an alias another version holds (ValidationException, or
ResourceInUse) or move it itself. When it refuses, the holders are found (DescribeImageVersion by
alias) and everything else is sent first, without the held aliases: only once SageMaker has
accepted that are the held aliases taken, in three phases:

- ``aliases.take``: each holder lets go of them (a holder gone meanwhile lets go anyway);
- ``aliases.give``: the version gets them. While SageMaker still counts an alias as its old
  holder's (its alias index lags), giving is paused and tried again (timing.ALIAS_LAG_PAUSES);
  when another version took it meanwhile, it is taken again, at most timing.ALIAS_FIGHTS times
  (then ResourceConflict: another resource claims it);
- ``aliases.return``: giving failed for good: each taken alias goes back to the version that
  held it, and the update fails saying why. An alias ends on exactly one version either way.

An alias held by a version SageMaker changes no more (DELETE_FAILED, CREATE_FAILED) cannot be
taken: NotStabilized naming that version. A refusal that no holder explains and that reading the
version again does not explain (a lost answer's change already applied) is InvalidRequest with
SageMaker's reason. Safe to run again at any point: each phase observes first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cloudformation_cli_python_lib import exceptions

from ..context import Moves
from ..decisions import FAILED_STATUSES, versions_go_with_image
from ..engine import Done, Next, Step, Wait, present
from ..errors import Busy, Missing, Refused
from ..sagemaker import (
    Foreign,
    ImageGoing,
    NotShown,
    Shown,
    find_tracked,
    find_version,
    version_label,
)
from ..timing import ALIAS_FIGHTS, alias_lag_pause
from ..translation import applied, model_from_api, update_plan, update_request
from .locate import doubt, not_found, seen
from .queue import wait_for_image

if TYPE_CHECKING:
    pass

LOG = logging.getLogger(__name__)
Description = Mapping[str, Any]


def _label(step: Step) -> str:
    tracked = step.tracked()
    return version_label(tracked.image, tracked.number)


def observe(step: Step) -> tuple[Description, frozenset[str]] | Wait:
    """The tracked version's description and aliases as SageMaker holds them now."""
    tracked = step.tracked()
    sighting = find_tracked(step.sagemaker, tracked)
    if isinstance(sighting, Shown):
        seen(step)
        return sighting.description, step.sagemaker.version_aliases(tracked.image, tracked.number)
    if isinstance(sighting, NotShown):
        return doubt(step, _label(step), shown=True, what=tracked.arn)
    if isinstance(sighting, Foreign):
        raise not_found(f"{tracked.arn} ({sighting.why})")
    gone = "is being deleted" if isinstance(sighting, ImageGoing) else "was deleted"
    raise not_found(f"{tracked.arn} (its image {gone})")


def final_model(step: Step, description: Description, aliases: Iterable[str]) -> Done:
    tracked = step.tracked()
    desired = step.desired
    asked = desired.ImageName if desired else None
    spelled = asked if asked and asked.lower() == tracked.image.lower() else tracked.image
    return Done(model_from_api(spelled, description, aliases, desired))


def converge(step: Step, description: Description, aliases: frozenset[str]) -> Done | Next | Wait:
    """Send what ``step.desired`` asks for beyond ``description`` and ``aliases`` (as just
    seen); Done once nothing is left."""
    tracked, desired = step.tracked(), step.wanted()
    plan = update_plan(desired, description, aliases)
    if plan.is_empty():
        return final_model(step, description, aliases)
    try:
        step.sagemaker.update_version(update_request(tracked.image, tracked.number, plan))
    except (Busy, Refused) as refusal:
        holders = _holders(step, plan.aliases_to_add)
        if holders:
            rest = plan.without_adding(holders)
            if not rest.is_empty():
                try:
                    step.sagemaker.update_version(
                        update_request(tracked.image, tracked.number, rest)
                    )
                except (Busy, Refused) as other:
                    return _refused(step, other, plan)
            fights = step.context.moves.fights if step.context.moves else 0
            step.context.enter("aliases.take", moves=Moves(taking=holders, fights=fights))
            return Next("aliases.take")
        return _refused(step, refusal, plan)
    return final_model(step, *applied(description, plan, aliases))


def _refused(step: Step, refusal: Exception, plan: object) -> Next | Wait:
    """SageMaker refused the plan and no holder explains it: a busy image is waited for; else
    the version is read again: a lost answer may have applied it already."""
    tracked = step.tracked()
    if isinstance(refusal, Busy):
        return wait_for_image(step, tracked.image, refusal)
    observed = observe(step)
    if isinstance(observed, Wait):
        return observed
    desired = step.wanted()
    if update_plan(desired, *observed) == plan:
        if versions_go_with_image(step.sagemaker.image_status(tracked.image)):
            raise not_found(f"{tracked.arn} (its image is being deleted)") from refusal
        raise exceptions.InvalidRequest(str(refusal)) from refusal
    return Next("aliases.converge")


def converging(step: Step) -> Done | Next | Wait:
    """Phase ``aliases.converge``: observe, then converge."""
    observed = observe(step)
    if isinstance(observed, Wait):
        return observed
    return converge(step, *observed)


def _holders(step: Step, aliases: Iterable[str]) -> dict[str, int]:
    """The siblings of the tracked version holding any of ``aliases``: alias -> holder."""
    tracked = step.tracked()
    holders = {}
    for alias in aliases:
        holder = step.sagemaker.alias_holder(tracked.image, alias)
        if holder is not None and holder != tracked.number:
            holders[alias] = holder
    return holders


def _by_holder(taking: Mapping[str, int], aliases: Iterable[str]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for alias in sorted(aliases):
        grouped.setdefault(taking[alias], []).append(alias)
    return grouped


def taking(step: Step) -> Next | Wait:
    """Phase ``aliases.take``: each holder lets go of the aliases taken from it."""
    tracked, moves = step.tracked(), present(step.context.moves, "alias moves")
    left = [alias for alias in moves.taking if alias not in moves.taken]
    for holder, aliases in _by_holder(moves.taking, left).items():
        request = {"ImageName": tracked.image, "Version": holder, "AliasesToDelete": aliases}
        try:
            step.sagemaker.update_version(request)
        except Missing:
            LOG.info("Version %d is gone: aliases %s are free", holder, aliases)
        except Busy as busy:
            return wait_for_image(step, tracked.image, busy)
        except Refused as refused:
            _let_go_or_fail(step, holder, aliases, refused)
        moves.taken.extend(aliases)
        LOG.info("Took aliases %s of image %s from version %d", aliases, tracked.image, holder)
    step.context.enter("aliases.give", moves=moves)
    return Next("aliases.give")


def _let_go_or_fail(step: Step, holder: int, aliases: list[str], refused: Refused) -> None:
    """A holder that refused to let go: fine when it holds them no more (a lost answer, or
    another version took them); NotStabilized when SageMaker changes it no more. What the holder
    holds is read from its own aliases (ListAliases), not from the lookup by alias, which
    SageMaker's alias index may still answer with the old holder for a while."""
    tracked = step.tracked()
    try:
        held = step.sagemaker.version_aliases(tracked.image, holder)
    except Missing:
        return  # the holder is gone: the aliases are free
    still = [a for a in aliases if a in held]
    if not still:
        return
    sighting = find_version(step.sagemaker, tracked.image, holder)
    status = sighting.status if isinstance(sighting, Shown) else None
    if status in FAILED_STATUSES:
        _give_back(step)
        raise exceptions.NotStabilized(
            f"Aliases {still} of image {tracked.image} are held by version {holder}, which is"
            f" {status}: SageMaker changes it no more, so they cannot move to version"
            f" {tracked.number}. Delete version {holder} (or retry its deletion), then update"
            " again."
        ) from refused
    raise exceptions.InvalidRequest(str(refused)) from refused


def giving(step: Step) -> Next | Wait:
    """Phase ``aliases.give``: the version gets the aliases taken for it."""
    tracked, moves = step.tracked(), present(step.context.moves, "alias moves")
    request = {"ImageName": tracked.image, "Version": tracked.number, "AliasesToAdd": moves.taken}
    try:
        step.sagemaker.update_version(request)
    except (Busy, Refused) as refusal:
        holders = _holders(step, moves.taken)
        others = {a: h for a, h in holders.items() if h != moves.taking.get(a)}
        if others:
            # another version took them meanwhile: take them again, a bounded number of times
            moves.fights += 1
            if moves.fights > ALIAS_FIGHTS:
                raise exceptions.ResourceConflict(
                    f"Aliases {sorted(others)} of image {tracked.image} keep going to other"
                    f" versions after being taken for version {tracked.number}: does another"
                    " resource claim them?"
                ) from refusal
            moves.taking.update(others)
            moves.taken = [a for a in moves.taken if a not in others]
            step.context.enter("aliases.take", moves=moves)
            return Next("aliases.take")
        if isinstance(refusal, Busy) and not holders:
            return wait_for_image(step, tracked.image, refusal)
        pause = alias_lag_pause(moves.lagging)
        moves.lagging += 1
        if pause is not None:
            return Wait(
                pause,
                f"SageMaker still counts aliases {sorted(moves.taken)} as their old holders':"
                f" giving them to {_label(step)} again",
            )
        moves.failure = str(refusal)
        step.context.enter("aliases.return", moves=moves)
        return Next("aliases.return")
    # (the fights so far are kept: a resource that takes the aliases back again is fought a
    # bounded number of times in all)
    step.context.enter("aliases.converge", moves=Moves(fights=moves.fights))
    return Next("aliases.converge")


def returning(step: Step) -> Wait:
    """Phase ``aliases.return``: the taken aliases go back to their holders; then the update
    fails, saying why."""
    moves = present(step.context.moves, "alias moves")
    waiting = _give_back(step)
    if waiting is not None:
        return waiting
    raise exceptions.NotStabilized(
        f"Aliases {sorted(moves.taking)} could not be given to {_label(step)}"
        f" ({moves.failure}); each went back to the version that held it"
    )


def _give_back(step: Step) -> Wait | None:
    """Each alias taken so far goes back to the version it was taken from (one gone meanwhile
    keeps none); a Wait when the image is busy."""
    tracked, moves = step.tracked(), step.context.moves
    if moves is None:
        return None
    for holder, aliases in _by_holder(moves.taking, moves.taken).items():
        request = {"ImageName": tracked.image, "Version": holder, "AliasesToAdd": aliases}
        try:
            step.sagemaker.update_version(request)
        except (Missing, Refused) as gone:
            LOG.info("Aliases %s could not go back to version %d: %s", aliases, holder, gone)
        except Busy as busy:
            return wait_for_image(step, tracked.image, busy)
        moves.taken = [a for a in moves.taken if a not in aliases]
    return None


PHASES = {
    "aliases.converge": converging,
    "aliases.take": taking,
    "aliases.give": giving,
    "aliases.return": returning,
}
