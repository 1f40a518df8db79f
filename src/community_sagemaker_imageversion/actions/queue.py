"""Waiting for a busy image: SageMaker changes one version of an image at a time and refuses a
change of another (ResourceInUse) meanwhile.

A refused change reads the image's latest versions (one ListImageVersions), finds the change in
progress and the image's period, and comes back when that change should be over
(``timing.busy_wait``). The budget counts from the last progress (any change in the image's
latest versions or their statuses, or, once those have stayed the same for
``timing.CENSUS_QUIET``, in all of its versions: a stack deleting older versions moves while the
latest stay the same): ResourceConflict only once the image stays busy with nothing changing
for ``timing.BUSY_STALL_SECONDS``.
"""

from __future__ import annotations

import logging

from cloudformation_cli_python_lib import exceptions

from ..context import Queue
from ..decisions import change_started, creation_starts, queue_message, queue_signature
from ..engine import Step, Wait
from ..timing import (
    BUSY_STALL_SECONDS,
    busy_stalled,
    busy_wait,
    census_due,
    estimate_period,
    usable_period,
)

LOG = logging.getLogger(__name__)


def wait_for_image(step: Step, image: str, refusal: Exception) -> Wait:
    """The Wait after SageMaker refused a change of ``image`` as busy (``refusal``)."""
    versions = step.sagemaker.recent_versions(image)
    now = step.now
    queue = step.context.queue or Queue()
    step.context.queue = queue
    started = change_started(versions)
    identity = queue_signature(versions)
    if queue.progress_at is None or identity != queue.signature:
        if started is not None and queue.change_at is not None and started > queue.change_at:
            # Changes seen one after the other: one period apart, or more when some were missed.
            seen_apart = started - queue.change_at
            queue.period = usable_period(min(queue.period or seen_apart, seen_apart))
        queue.progress_at, queue.signature, queue.change_at = now, identity, started
        queue.census = queue.census_at = None
    elif census_due(queue.progress_at, queue.census_at, now):
        census = step.sagemaker.census(image)
        if census is not None:
            if queue.census is not None and census != queue.census:
                queue.progress_at = now  # a version older than the latest ones changed
            queue.census, queue.census_at = census, now
    if busy_stalled(queue.progress_at, now):
        raise exceptions.ResourceConflict(
            f"{refusal}; no version of the image changed state for {BUSY_STALL_SECONDS // 60}"
            f" minutes over {queue.refusals + 1} attempts"
        )
    queue.refusals += 1
    queue.period = queue.period or estimate_period(creation_starts(versions))
    delay = busy_wait(now, started, queue.period, queue.refusals, step.draw())
    LOG.info("Image busy (attempt %d, again in %.1f s): %s", queue.refusals, delay, refusal)
    return Wait(delay, queue_message(image, versions))
