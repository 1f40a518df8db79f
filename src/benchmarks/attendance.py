"""The attendance model of a busy image's queue, run event by event: what waiting changes that
each ask at some of the ends can reach, by the rule that sets their share of ends.

The model (the best case a handler of this project can hope for, and the one the report's
analytic bounds in :mod:`benchmarks.costs` use): N creates of one image start at once; the first
takes the image, whose changes each take ``PERIOD`` seconds. Every waiting create knows when the
change in progress ends (the image's history tells it). It picks an end to ask at: the next one
or, with chance 1 - q at each, a later one (at most one callback, ``CALLBACK`` seconds, away), and
has itself called back ``LEAD`` seconds before it. That call is an invocation; it waits inside it
(the end being less than ``FREE`` seconds away) and asks within ``SPREAD`` seconds after the end.
The first ask after an end takes the image; the others are refused and pick again (the next end
being a change away, with a callback: one more invocation). Seeing its own change done is one
more invocation. Nobody asking at an end leaves
the image idle until someone asks: a create that wakes for an end and finds the image idle asks
within ``SPREAD`` seconds too. How a create asks (:class:`Asking`) may spread its asks over
more seconds, and may, rather than ask at the last end within a callback when it lets every
earlier one pass, look at the image at a random moment of the change before (an invocation
and a read), asking then if the image is idle and picking again if not.

The calls, for the request rate: an ask is one (CreateImageVersion); every invocation that
wakes for an end reads the image's versions to learn when the change in progress ends (one: the
model's creates take the true end from it, where a handler would read the image's history); a
refused ask reads them to pick again (one more, ``CALL`` seconds later); a look is one read (its
ask, when the image is idle, one more ``CALL`` seconds later); seeing its own change done is one,
as the change ends. Each run's rate is the most calls in any second from ``FIRST_MINUTE`` on, as
the measured rows count it (``simulation.service.peak_rate``); the model makes no call before
the first end, at ``PERIOD``, but the reads of the creates waking for it, which fall in the first
minute and are left out as there.

Rules for the share q, all blind to their place in the queue unless named so:

- ``Fixed``: one share, whatever happens;
- ``Told``: ``c / k`` for k waiting creates (a handler told how many wait; none is);
- ``Rising``: ``low`` until the image's history shows an end nobody asked at (a change that
  started ``spread`` seconds or more after the previous ended, the spread its asks are made
  over: few are left waiting), ``high`` from then on. The model's changes all take PERIOD and
  its asks all come within their spread of an end, so such a gap never shows when someone did
  ask; in SageMaker, creations vary and so would the gaps.
"""

from __future__ import annotations

import functools
import heapq
import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from simulation.scenarios import FIRST_MINUTE
from simulation.service import DEFAULT_RATE, peak_rate

PERIOD = 60.0
CALLBACK = 600.0
FREE = 28.0
LEAD = 4.0
SPREAD = 3.0
CALL = 0.1
SEEDS = 400
FIRST_SEED = 1000
"""Runs per figure, seeded FIRST_SEED, FIRST_SEED + 1, ...: not the seeds the rules' shares
were chosen on."""


class Share(Protocol):
    """The share of ends a waiting create asks at, from the widest gap so far between two of the
    image's creations one after the other (0 before the second) and (for the ``Told`` rule
    only) how many creates still wait."""

    def __call__(self, widest: float, waiting: int) -> float: ...


@dataclass(frozen=True)
class Outcome:
    """The makespan over its floor (N x PERIOD) and the invocations per version: one run's, or
    the means over runs (``spread``: their standard errors); the request rate after the first
    minute (``peak``, requests/s: one run's, or the mean) and the share of runs whose rate stayed
    within DEFAULT_RATE (``within``)."""

    makespan: float
    invocations: float
    spread: tuple[float, float] = (0.0, 0.0)
    peak: float = 0.0
    within: float = 1.0


@dataclass(frozen=True)
class Fixed:
    share: float

    def __call__(self, widest: float, waiting: int) -> float:
        return self.share


@dataclass(frozen=True)
class Told:
    c: float

    def __call__(self, widest: float, waiting: int) -> float:
        return min(1.0, self.c / max(1, waiting))


@dataclass(frozen=True)
class Rising:
    low: float
    high: float
    spread: float = SPREAD

    def __call__(self, widest: float, waiting: int) -> float:
        return self.high if widest >= PERIOD + self.spread else self.low


Rule = Fixed | Told | Rising
"""The model's rules for the share of ends asked at."""


@dataclass(frozen=True)
class Asking:
    """How a waiting create asks: over ``spread`` seconds after an end, and (``looks``) looking
    at the image rather than asking at the last end within a callback."""

    spread: float = SPREAD
    looks: bool = False


@functools.cache
def outcome(versions: int, rule: Share, seeds: int = SEEDS, asking: Asking = Asking()) -> Outcome:
    """The rule's means over ``seeds`` runs of ``versions`` creates, with their standard
    errors."""
    seeded = range(FIRST_SEED, FIRST_SEED + seeds)
    runs = [run(versions, rule, seed, asking) for seed in seeded]
    makespans = [r.makespan for r in runs]
    invocations = [r.invocations for r in runs]
    peaks = [r.peak for r in runs]
    return Outcome(
        statistics.fmean(makespans),
        statistics.fmean(invocations),
        (_error(makespans), _error(invocations)),
        statistics.fmean(peaks),
        statistics.fmean(r.within for r in runs),
    )


def _error(values: Sequence[float]) -> float:
    return statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0


def run(versions: int, rule: Share, seed: int, asking: Asking = Asking()) -> Outcome:
    """One run of the model (see the module's docstring)."""
    draws = random.Random(seed)  # noqa: S311 (a reproducible model, not secrets)
    latest, widest, busy_until = 0.0, 0.0, PERIOD  # the latest start, the widest gap
    invocations = [2] + [1] * (versions - 1)  # the first: create, then see it created
    done = [PERIOD] + [0.0] * (versions - 1)
    waiting = versions - 1
    wakes, asks, looks = 0, 1, 2  # event kinds, in this order at one moment
    events: list[tuple[float, int, int]] = []
    calls = [PERIOD]  # the first create seeing its change done

    def pick(now: float, who: int) -> None:
        """A waiting create's next callback, for an end a random number on (or a look)."""
        share = rule(widest, waiting)
        most = int(CALLBACK // PERIOD) - 1
        passed, limit = 0, most + 1 if asking.looks else most
        while passed < limit and draws.random() >= share:
            passed += 1
        if passed > most:  # (only a create that looks lets the last end pass)
            last = now + CALLBACK - draws.random() * PERIOD
            heapq.heappush(events, (last, looks, who))
            return
        at = max(now + 1.0, busy_until + passed * PERIOD - LEAD)
        heapq.heappush(events, (at, wakes, who))

    for who in range(1, versions):
        pick(0.0, who)
    while events:
        now, kind, who = heapq.heappop(events)
        if kind == looks:
            invocations[who] += 1
            calls.append(now)
            if now >= busy_until:
                heapq.heappush(events, (now + CALL, asks, who))
            else:
                pick(now, who)
        elif kind == wakes:
            invocations[who] += 1
            calls.append(now)
            if busy_until - now <= FREE:
                ask = max(now, busy_until) + draws.random() * asking.spread
                heapq.heappush(events, (ask, asks, who))
            else:
                pick(now, who)
        elif now >= busy_until:  # the image is free: this ask takes it
            latest, widest = now, max(widest, now - latest)
            busy_until = now + PERIOD
            invocations[who] += 1
            done[who] = busy_until
            calls += [now, busy_until]
            waiting -= 1
        else:  # refused: another took the end
            calls += [now, now + CALL]
            pick(now, who)
    rate = peak_rate([at for at in calls if at >= FIRST_MINUTE])
    return Outcome(
        max(done) / (versions * PERIOD),
        sum(invocations) / versions,
        peak=rate,
        within=float(rate <= DEFAULT_RATE),
    )
