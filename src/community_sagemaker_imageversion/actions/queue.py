"""Waiting for a busy image: SageMaker changes one version of an image at a time and refuses a
change of another (ResourceInUse) meanwhile.

A refused change reads the image's latest versions (one ListImageVersions), finds the change in
progress and the image's period, and comes back when that change should be over
(``timing.busy_wait``). The budget counts from the last progress: any change in the image's
latest versions or their statuses, or, once those have stayed the same for
``timing.CENSUS_EVERY``, fewer versions in all, by counts of all of them every CENSUS_EVERY (a
stack deleting older versions moves while the latest stay the same). ResourceConflict only once
the image stays busy with nothing changing for ``timing.BUSY_STALL_SECONDS``.
"""

from __future__ import annotations

import logging

from cloudformation_cli_python_lib import exceptions

from ..context import Queue
from ..decisions import (
    census_moved,
    change_started,
    creation_starts,
    queue_message,
    queue_signature,
)
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
        queue.census_at, queue.counting, queue.census_low = None, False, None
    elif census_due(queue.progress_at, queue.census_at, queue.counting, now):
        _count_versions(step, image, queue, now)
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


def _count_versions(step: Step, image: str, queue: Queue, now: float) -> None:
    """Read on towards a count of all of the image's versions (beginning one when none is under
    way); once it is whole, the image made progress when it counts fewer versions than any count
    before. A count read whole in this look that shows fewer is read again at once, and the
    larger of the two taken, when that read can be made: a version being deleted that one read
    lists and the next does not is then no progress."""
    began = not queue.counting
    if began:
        queue.counting, queue.census_at = True, now
        queue.census_count, queue.census_after, queue.census_since = 0, 0, None
    counted, queue.census_after, queue.census_since, whole = step.sagemaker.count_versions(
        image, queue.census_after, queue.census_since
    )
    queue.census_count += counted
    if not whole:
        return
    count, queue.counting = queue.census_count, False
    if began and census_moved(queue.census_low, count):
        again, _, _, whole_again = step.sagemaker.count_versions(image, 0, None)
        count = max(count, again) if whole_again else count
    if census_moved(queue.census_low, count):  # versions older than the latest ones went
        queue.progress_at = now
    queue.census_low = count if queue.census_low is None else min(queue.census_low, count)
