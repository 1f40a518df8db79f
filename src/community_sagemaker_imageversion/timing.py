"""Every timing constant of the handler, each with why it has its value, and the pure policies
that turn them into delays: how long an invocation may take, how often a change is polled, how
long a busy image is waited for, how transient failures are retried, and how long an absence is
doubted. Nothing here sleeps or reads a clock: :mod:`.engine` does, with what these say.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Collection, Sequence

# -- One invocation ------------------------------------------------------------------------------

CONTRACT_SECONDS = 60.0
"""The handler contract: every invocation returns a progress event within 60 seconds."""
FREE_WINDOW = 28.0
"""Seconds from an invocation's start during which it may wait for a change: CloudFormation bills
a private type per operation and per second of an operation above 30 s, so waiting stops 2 s
short of that and hands back with a callback delay instead."""
SAFETY_MARGIN = 5.0
"""Seconds kept back at the end of an invocation for the answer (and the log lines shipped)."""
MIN_STEP = 2.0
"""Seconds every invocation has for one step, whatever its Lambda says is left: an invocation
that starts with no time left still makes progress."""
DEFAULT_REMAINING = 25.0
"""Time left assumed when no Lambda context is known (the test entrypoint, direct calls)."""
CALL_BUDGET = 80
"""SageMaker calls one invocation may make: more than a whole free window of polling at the
quickest cadence (28 s / 0.75 s, plus the calls around it), so only a path that calls without
waiting can reach it; it then hands back instead of competing with the account's own calls."""
PAGES_PER_LOOKUP = 40
"""Pages one look-up through a paged list may read (a version's aliases, the images for a name
in another case): half the call budget, so it ends within one invocation. A list SageMaker
answers with more pages than that (empty pages with a NextToken, page after page) fails the
action saying so, rather than starting over in every invocation."""
STEPS_WITHOUT_PAUSE = 12
"""Phases one invocation may run in a row without waiting: an action is a handful of phases, so
more is a cycle, which is then paced by :data:`MIN_WAIT`."""

# -- One SageMaker call --------------------------------------------------------------------------

CONNECT_TIMEOUT = 1.0
"""Seconds a call may take to connect: a healthy regional endpoint connects in milliseconds."""
READ_TIMEOUT = 10.0
"""The longest time one call attempt waits for its whole answer (SageMaker answers these calls
in well under a second), cut further to the time left before the deadline."""
MIN_READ_TIMEOUT = 0.5
"""A call attempt is made only when at least this much time for its answer still fits."""
ATTEMPT_MINIMUM = CONNECT_TIMEOUT + MIN_READ_TIMEOUT
"""Seconds one call attempt needs at least: connecting and the shortest answer."""
TELEMETRY_CONNECT_TIMEOUT = 1.0
"""Seconds a log or metric shipping call may take to connect (CloudWatch's regional endpoint)."""
TELEMETRY_READ_TIMEOUT = 2.0
"""Seconds a log or metric shipping call may take for its whole answer: shipping is a courtesy
that must never hold the handler's own work."""

# -- Transient failures: one policy per class ----------------------------------------------------
# A call that fails as botocore's own retry rules say is worth retrying (throttling, 5xx, network,
# an answer cut short) makes its phase run again after a full-jitter delay. Within an invocation,
# a phase runs at most ATTEMPTS times in a row that way (while the deadline allows); what outlasts
# that hands back to CloudFormation with a growing delay, at most FAULT_CALLBACKS times in a row
# (the count starts again with any phase that ends without a fault), before the operation fails
# with the class's error code.

THROTTLING = "throttling"
SERVER = "server"
"""The two classes of transient failure: SageMaker asking us to slow down, and everything else
(5xx answers, network failures, answers cut short)."""
ATTEMPTS = 4
"""Runs of a phase in one invocation when its calls keep failing transiently: enough to ride out
a blip, few enough to leave the account's request budget to its owner."""
RETRY_BASE = {THROTTLING: 0.5, SERVER: 0.25}
"""The first retry's delay cap: throttling backs off harder (its cause is our own rate)."""
RETRY_CAP = {THROTTLING: 4.0, SERVER: 2.0}
"""The largest delay between two attempts within an invocation."""
THROTTLED_SPACING = 1.0
"""After SageMaker throttles a read, the invocation's next reads of that kind (``call_kind``) go
at least this far apart: a phase retried at full speed would spend a small bucket's burst on the
reads it had already made and be throttled at the same read every time (a walk of three List
pages under a burst of 2); one a second passes any bucket of 1 request/s or more."""
PACED_KINDS = frozenset({"List", "Describe"})
"""The kinds of call paced after a throttle: reads, of which a phase may make several. A phase
makes one write at most, which the retry's own backoff already spaces; pacing the writes of a
queue of creates would only leave the image idle longer when it frees up."""
FAULT_CALLBACKS = 20
"""Hand-backs in a row on transient failures before giving up: with the delays below, over an
hour of SageMaker failing every call, far past any outage worth waiting in a stack operation.
(Throttling while SageMaker answers other calls is contention, not an outage: waited out.)"""
FAULT_CALLBACK_BASE = 20
FAULT_CALLBACK_MAX = 300
"""Callback delay caps after transient failures: from 20 s doubling to 5 minutes, jittered, so
resources failing together do not all come back at once."""
MIN_WAIT = 0.05
"""The shortest pause anywhere: no loop calls SageMaker without one."""

# -- Polling a change ----------------------------------------------------------------------------
# Status polls, counted from when the change began (its request): on a grid POLL_GRID seconds
# apart from POLL_START, as AWS's own handler polls every 5 s: in the range creations really take,
# no more polls than it makes, and the change seen at most two seconds later. From GRID_UNTIL,
# and for a change whose length the image's history tells, the gaps grow with the change's age,
# so a change that takes X seconds is seen by 1.05 X + 10 s: the gap after ``elapsed`` seconds is
# LATENCY_SLOPE * elapsed + LATENCY_ALLOWANCE, up to MAX_GAP.

POLL_START = 7.0
"""The first poll of the grid: 2 s after AWS's first (5 s), which sees every change of up to 5 s
(a version is never made at once: a poll earlier would be a call more for every create); every
later poll falls a multiple of POLL_GRID after it, 2 s after AWS's."""
POLL_GRID = 5.0
"""Seconds between polls until GRID_UNTIL: AWS's own handler polls every 5 s; polling more often
would spend the account's request budget to see a change seconds sooner."""
GRID_UNTIL = 90.0
"""How long a change is polled on the grid: creations take 40 to 90 s (Terraform's acceptance
runs), and each poll there comes at most 2 s after AWS's would."""
GRID_TOLERANCE = 1.0
"""A poll this close before a grid point counts as that point's (the next one is a grid later):
the poll at the end of an invocation's free window (which keeps ATTEMPT_MINIMUM for its call)
falls up to that much before the 27 s point. Below 2 s, a change it misses is still seen within
2 s of AWS's next poll."""
POLL_CAP = POLL_GRID
"""The longest gap between polls while a change is young (on the grid)."""
LATENCY_SLOPE = 0.05
LATENCY_ALLOWANCE = 9.0
"""The gap bound later on: a change of X seconds is seen by 1.05 X + 10 s."""
MAX_GAP = 600.0
"""The longest callback delay: no documented maximum exists, and a maintained community type
caps its own at 600 s."""
LAST_POLL_MINIMUM = 1.0
"""The shortest wait worth a poll at the end of an invocation's free window."""
CYCLE_SECONDS = 60.0
CYCLE_MARGIN = POLL_START % POLL_GRID
"""(2 s) An invocation waits past its free window (billed seconds) only where handing back would
let a change that ends X seconds after it began take more than ceil(X / CYCLE_SECONDS) + 1
invocations to be seen: the invocation that hands back for the k-th time keeps polling until the
change is CYCLE_SECONDS * (k - 1) old, polling at that age, on the grid just past it
(CYCLE_SECONDS being a multiple of POLL_GRID, CYCLE_MARGIN puts it there). Where that age lies
past the free window (billed anyway), it waits for its own next poll instead when that fits in
the invocation: a few billed seconds more rather than a SageMaker call more."""
LONG_CHANGE = 50.0
"""A create made at the first try polls sparsely only when the image's history says a change
takes this long at least: a period between creations also counts CloudFormation starting the
next resource, which for a quick change is a large share, and polling later would lengthen the
next gap in turn."""
CLEANUP_DELAY = 1
"""Seconds before the invocation that deletes a version which ended CREATE_FAILED: the invocation
that made it never deletes it, so a repeated first invocation still finds it by its ClientToken."""
UNNAMED_ANSWERS = 4
"""CreateImageVersion answers that do not say which version (the literal ``None`` the model
allows) before the create gives up: each is asked again with the same ClientToken."""

# -- A busy image (ResourceInUse) ----------------------------------------------------------------
# SageMaker changes one version of an image at a time. A refused change looks at the image's
# latest versions and comes back when the change in progress should be over: at its start plus
# the image's period (the time one change takes, learned from consecutive changes), within
# ASK_WINDOW seconds after that end, or after one of the next ends: the waiting resources spread
# over BUSY_SPREAD periods' worth of ends (at least the next one), widening by BUSY_SPREAD_GROWTH
# with every refusal since the image last showed an end nobody asked at, up to BUSY_SPREAD_MAX.
# An ask comes only at an end (each one a chance to take the image), never in the middle of a
# change. Throttling (CONGESTION_MAX) widens both the window and the ends further. While no
# period is known, a change is assumed to last UNKNOWN_PERIOD seconds, or twice as long as it has
# so far. With no change in progress, the retry comes a share of a period on, or, with no period
# known, after a full-jitter backoff (BUSY_BASE doubling up to BUSY_CAP).

BUSY_BASE = 0.5
BUSY_CAP = 30.0
_DOUBLINGS_TO_CAP = math.ceil(math.log2(BUSY_CAP / BUSY_BASE))
BUSY_SPREAD = 0.5
BUSY_SPREAD_GROWTH = 1.5
BUSY_SPREAD_MAX = 4.0
UNKNOWN_PERIOD = 30.0
"""What a change is assumed to take before any is measured: a small image's creation."""
ASK_WINDOW = 6.0
"""Seconds after a change's expected end over which the creates waiting for that end ask: a
handful of them about a second apart, the first a second or two after the end (every second
the image stands idle lengthens the whole queue), well within an invocation's free window."""
CONGESTION_MAX = 3
"""Invocations in a row SageMaker throttled that widen a waiting create's asking further: each
doubles its ask window and the ends it picks among, up to 8 times (a window of 48 s); each one
it did not throttle narrows them back by one. Throttles at an end are other creates asking at
it (or the account's own calls): asking there at once again only spends the account's requests."""
UNASKED_GAP = 1.5
"""Periods apart two creations of the image must be to show an end nobody asked at (few are
left waiting: the spread narrows back): the waiting changes ask at ends, so after an end none
asked at the next ask comes about a period later; changes a few seconds longer than the
shortest (the period) are taken at their ends, a period and a little apart."""
UNASKED_GAPS = 2
"""The latest gaps between creations looked at for an end nobody asked at: the last two ends,
so a waiting create that let one end pass still sees it."""
JOIN_SPAN = 2 * (MAX_GAP + CONTRACT_SECONDS)
"""The longest a wait may have lasted per hand-back (the longest callback asked for and an
invocation, twice over: CloudFormation calls back no sooner than asked, not always on time);
past it a waiting change's recorded start of its wait is not this wait's."""
PERIOD_SAMPLES = 4
"""Gaps between the image's latest creations a period is learned from."""
UNSEEN_PERIOD = 120.0
"""The longest a period counts for a change refused while no change is seen in progress (a
version being deleted SageMaker does not list, or one older than the versions read): past the
changes seen in practice (creations take 40 to 90 s), short of a pace of versions made half an
hour apart, which is idle time (a delete behind a deletion it could not see waited 9 minutes
for one of 10 s)."""
OVERDUE_SHARE = 0.05
"""How far past its expected end an overdue change is looked at again, as a share of a period."""
OVERDUE_GROWTH = 0.25
"""Or, when more, as a share of how far past its expected end it already is: a period learned
from quick changes (a creation that failed in seconds, a short deletion) says nothing of a
20-minute creation, which is then asked about a geometric number of times (each look a quarter
further past the end than the last), not every few seconds."""
MIN_BUSY_WAIT = 1.0
"""The shortest wait after ResourceInUse: the image's change takes seconds at least."""
PERIOD_RANGE = (5.0, 3600.0)
"""A period outside these bounds (a crafted or corrupt callback context, two versions made
seconds apart by a creation that failed at once and its retry) is not used: no change of an
image takes less than a few seconds, and a shorter period would have waiting changes ask
SageMaker every second."""
_GROWTHS_TO_MAX = math.ceil(math.log(BUSY_SPREAD_MAX / BUSY_SPREAD, BUSY_SPREAD_GROWTH))
BUSY_STALL_SECONDS = 60 * 60
"""ResourceConflict once the image stays busy with no version changing state for this long: a
queue that moves is never failed, one that is stuck is reported within the hour."""
RECENT_VERSIONS = 10
"""Versions a refused change reads: enough to see the change in progress and a period."""
CENSUS_AFTER = 20 * 60
"""How long the image's latest versions may stay unchanged before a refused change counts all
of the image's versions (a stack deleting versions older than the latest ones moves while they
stay the same): a third of BUSY_STALL_SECONDS, so counts then show a moving queue in time."""
CENSUS_EVERY = 10 * 60
"""How long after one count began the next one begins while they stay so: up to four counts
before the image would be called stuck, a page per 100 versions each."""
CENSUS_PAGES = PAGES_PER_LOOKUP
"""The most pages of versions one refused change reads towards a count (4,000 versions), each a
single attempt within the free window and the call budget (never retried, never paced, never
billed above the window); a count of more pages, or one a page not read stopped, goes on from
SageMaker's NextToken at the next refusal."""
CENSUS_TOKEN_MAX = 2048
"""The longest NextToken a count keeps in the callback context to go on from; past it the next
count begins afresh."""
CENSUS_MISSES = 2
"""Looks in a row that read nothing before a count under way begins again (its NextToken may no
longer be valid); one miss is a throttled page."""

# -- Aliases -------------------------------------------------------------------------------------

ALIAS_LAG_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)
"""Pauses before an alias taken from its holder is given again while SageMaker still counts it
as the holder's (its alias index lags): about 15 s in all, far past a lag seen in practice."""
ALIAS_FIGHTS = 4
"""Times an alias may be taken back by another version before the update gives up: two
resources claiming one alias would otherwise take it from each other forever."""

# -- Doubting an absence -------------------------------------------------------------------------
# SageMaker may not show a version for a while after it was made (read-after-write lag), and one
# read may miss a version the previous one saw (non-monotonic reads). A version is taken to be
# gone only once its absence is confirmed: by ABSENT_READS reads in a row, in pairs ABSENT_SPACING
# apart, when the operation knows SageMaker has shown the version before (the model carries what
# only SageMaker's answer does); else by reads in a row over LAG_BOUND seconds, or, for READ
# (which cannot call back), over what its one invocation allows. A create's own version, once
# shown, is doubted over LAG_BOUND from its first miss: it was made, so only a deletion takes it.

ABSENT_READS = 4
"""Reads in a row that must miss a version SageMaker has shown before, in two pairs of reads one
right after the other: a stale read, and the next one that sees the version again, never make
it gone."""
ABSENT_SPACING = 1.0
"""Seconds between the pairs (a stale replica catches up): a second more for a true NotFound."""
LAG_BOUND = 180.0
"""Seconds a version SageMaker has never shown may stay invisible: three times the minute that
reads are commonly seen to lag, and past the 75 s seen in a review."""
IMAGE_LAG_BOUND = 30.0
"""Seconds a create looks for an image SageMaker does not show before it fails InvalidRequest: an
image made just before its versions (one stack) may be hidden by read-after-write lag for a
while, and a mistyped name should not cost minutes."""
ABSENT_POLL = 5.0
"""Seconds between reads of a version not shown yet, while its absence is doubted."""


@functools.cache
def call_kind(operation: str) -> str:
    """The kind of a SageMaker call that one request rate would limit together, by its name:
    List calls, Describe calls, and the writes (kept per name: asked for every call)."""
    if operation.startswith("List"):
        return "List"
    return "Describe" if operation.startswith("Describe") else "write"


def budget(remaining: float | None) -> float:
    """Seconds an invocation may spend on calls, given the time its Lambda says is left."""
    limit = min(CONTRACT_SECONDS, DEFAULT_REMAINING if remaining is None else remaining)
    return max(limit - SAFETY_MARGIN, MIN_STEP)


def attempt_timeout(left: float) -> float | None:
    """How long a call attempt that starts with ``left`` seconds to the deadline may wait for
    its answer, so that connecting and answering both end by then; None when none fits."""
    read = min(READ_TIMEOUT, left - CONNECT_TIMEOUT)
    return read if read >= MIN_READ_TIMEOUT else None


def poll_delay(elapsed: float, expected: float | None = None) -> float:
    """Seconds from now to the next status poll of a change that began ``elapsed`` seconds ago
    (and is expected to take ``expected`` seconds, when the image's history tells: then the
    latency bound's gaps from the start, as a long change is not seen sooner by a grid)."""
    elapsed = max(elapsed, 0.0)  # (a start in the future, by a skewed clock: as if just begun)
    bound = LATENCY_SLOPE * elapsed + LATENCY_ALLOWANCE
    if expected is None and elapsed < GRID_UNTIL:
        # the next grid point (POLL_START, POLL_START + POLL_GRID, ...) not within tolerance
        done = max(0, math.floor((elapsed + GRID_TOLERANCE - POLL_START) / POLL_GRID) + 1)
        gap = POLL_START + done * POLL_GRID - elapsed
    else:
        gap = bound
    return min(max(gap, MIN_WAIT), MAX_GAP)


def required_age(handbacks: int) -> float:
    """How old a change must be before the invocation after ``handbacks`` earlier hand-backs on
    it may hand back (0 for the first invocation)."""
    return CYCLE_SECONDS * handbacks + CYCLE_MARGIN if handbacks > 0 else 0.0


def waits_past_free_window(handbacks: int, elapsed: float) -> bool:
    """Whether an invocation keeps waiting past its free window, after ``handbacks`` earlier
    hand-backs on a change that began ``elapsed`` seconds ago (as of its last poll)."""
    return elapsed < required_age(handbacks)


def callback_seconds(delay: float) -> int:
    """A callback delay in whole seconds (CloudFormation's unit), at least 1, at most MAX_GAP:
    rounded up, so a poll after a callback comes up to a second after the time asked for."""
    if not math.isfinite(delay):
        return int(MAX_GAP)
    return max(1, min(int(MAX_GAP), math.ceil(delay)))


def last_poll_worth(asked: float, room: float) -> bool:
    """Whether to poll at the end of an invocation's free window, ``room`` seconds on, where the
    policy asked for a poll ``asked`` seconds on: only when it is the poll asked for (at most
    GRID_TOLERANCE early), or a sparse poll's stand-in (asked further on than POLL_GRID: a change
    seen a few seconds sooner may end the operation without another invocation). An early poll
    in the grid would be one more than AWS's handler makes."""
    return asked - room <= GRID_TOLERANCE or asked > POLL_GRID


def estimate_period(starts: Sequence[float], failed: Collection[float] = ()) -> float | None:
    """The time one change of the image takes, from the start times of its latest consecutive
    changes: the shortest gap of the last PERIOD_SAMPLES (a gap is one change plus the time the
    image stood idle after it), leaving out a gap after a creation that failed (``failed``, its
    start: it may fail in seconds, and says nothing of how long a creation takes); None with no
    such gap."""
    ordered = sorted(starts)[-(PERIOD_SAMPLES + 1) :]
    gaps = [b - a for a, b in itertools.pairwise(ordered) if b > a and a not in failed]
    return usable_period(min(gaps)) if gaps else None


def unasked_end(starts: Sequence[float], period: float | None, since: float) -> bool:
    """Whether the image's latest creations (their start times: the last UNASKED_GAPS gaps
    between them) show an end nobody asked at since ``since`` (when this change began to wait,
    less a period: the change then in progress counts): two creations one after the other
    UNASKED_GAP periods apart or more. False with no usable period."""
    usable = usable_period(period)
    if usable is None:
        return False
    ordered = sorted(starts)[-(UNASKED_GAPS + 1) :]
    return any(
        b - a >= UNASKED_GAP * usable for a, b in itertools.pairwise(ordered) if a >= since - usable
    )


def seen_moving(starts: Sequence[float], since: float) -> bool:
    """Whether the image's creations (their start times) show its queue moving since ``since``
    (when this change began to wait): one began after it, following another, so the period is
    the queue's, not idle time between versions made before (a pipeline's, minutes apart)."""
    ordered = sorted(starts)
    return len(ordered) >= 2 and ordered[-1] > since


def joined_plausibly(joined_at: float, starts: Sequence[float], handbacks: int) -> bool:
    """Whether ``joined_at`` (the image's newest creation start when a waiting change began to
    wait) may be this wait's, given the image's recent creation starts (``starts``, both in
    SageMaker's time) and the hand-backs of the wait so far: one of the recent creations or
    later, or no older than JOIN_SPAN per hand-back and one more before the newest (a crafted
    or corrupt context's, from 1970, is neither)."""
    if not math.isfinite(joined_at):
        return False
    if not starts or joined_at >= min(starts):
        return True
    return max(starts) - joined_at <= JOIN_SPAN * (max(handbacks, 0) + 1)


def usable_period(period: float | None) -> float | None:
    """``period`` when it is a plausible period (within PERIOD_RANGE), else None."""
    low, high = PERIOD_RANGE
    if period is None or not math.isfinite(period) or not low <= period <= high:
        return None
    return period


def expectation(period: float | None) -> float | None:
    """How long the next change of the image is expected to take, from the image's ``period``
    as a create that did not queue reads it: the period when it is LONG_CHANGE or more, else
    None (no expectation: poll as for an image with no history)."""
    usable = usable_period(period)
    return usable if usable is not None and usable >= LONG_CHANGE else None


def busy_wait(
    now: float,
    change_started: float | None,
    period: float | None,
    refusals: int,
    draw: float,
    *,
    congestion: int = 0,
    moving: bool = False,
) -> float:
    """Seconds to wait before asking again after refusal number ``refusals`` (from 1, counted
    since the image last showed an end nobody asked at), given when the change in progress
    started (None: none is), the image's period (None: unknown), the throttled invocations in
    a row (``congestion``) and whether the queue was seen moving (``moving``: see
    :func:`seen_moving`); ``draw`` is a random draw in [0, 1)."""
    growth = BUSY_SPREAD_GROWTH ** min(max(0, refusals - 1), _GROWTHS_TO_MAX)
    slots = min(BUSY_SPREAD_MAX, BUSY_SPREAD * growth)
    if change_started is None:
        # No change is seen in progress (SageMaker may not list a version being deleted): some
        # share of a period on, spread as for a change about to end, a period counting at most
        # UNSEEN_PERIOD (the history's may be idle time); backoff without a period.
        if period is None:
            return busy_delay(refusals - 1, draw)
        unit = min(period, UNSEEN_PERIOD)
        return max(MIN_BUSY_WAIT, min(MAX_GAP, unit * (OVERDUE_SHARE + draw * slots)))
    change_started = min(change_started, now)  # SageMaker's clock may run ahead of ours
    elapsed = now - change_started
    # A period read from the image's history may count idle time between its versions: the
    # change is never expected to last longer than twice its age (and UNKNOWN_PERIOD at least),
    # unless the period is one of a queue seen moving (``moving``: creations one after the other
    # while this change waited, UNSEEN_PERIOD apart at most): then a young change is taken to
    # last the period, as the changes before it did, and its end is asked at, not its middle.
    probe = max(UNKNOWN_PERIOD, 2.0 * elapsed)
    queued = moving and period is not None and period <= UNSEEN_PERIOD
    length = probe if period is None else period if queued else min(period, probe)
    # Overdue (it is taking longer than the period): back a small share of a period on, or a
    # share of how late it already is, when more.
    late = elapsed - length
    until_end = max(-late, OVERDUE_SHARE * length, OVERDUE_GROWTH * late)
    if period is None:  # its age may be SageMaker's clock running behind ours: look again soon
        until_end = min(until_end, 2 * UNKNOWN_PERIOD)
    # The spread counts in ends a period apart, no period longer than twice the longest the
    # change may last: a period of 30 minutes read from versions made half an hour apart is idle
    # time, not a change (a lone create spread over half of it waited 8 minutes for a change
    # that ended in 9 s).
    unit = UNKNOWN_PERIOD if period is None else period if queued else min(period, 2 * probe)
    return max(MIN_BUSY_WAIT, min(MAX_GAP, until_end + at_an_end(slots, unit, congestion, draw)))


def at_an_end(slots: float, unit: float, congestion: int, draw: float) -> float:
    """Seconds after a change's expected end to ask at: within the ask window after it or after
    one of the next ends (``unit`` seconds apart), picked among ``slots`` periods' worth of ends
    (one at least), both widened by ``congestion`` throttled invocations in a row; ``draw`` in
    [0, 1) picks the end and the moment in its window."""
    crowd = 2.0 ** min(max(congestion, 0), CONGESTION_MAX)
    ends = max(1, math.ceil(min(BUSY_SPREAD_MAX, slots * crowd)))
    pick = min(max(draw, 0.0), 1.0) * ends
    skipped = min(math.floor(pick), ends - 1)
    return skipped * unit + (pick - skipped) * min(unit, ASK_WINDOW * crowd)


def busy_delay(attempt: int, draw: float) -> float:
    """Seconds to wait before retry ``attempt`` (0-based) of a change refused with ResourceInUse
    while no change of the image is seen in progress: full jitter under a growing cap."""
    doublings = min(attempt, _DOUBLINGS_TO_CAP)  # 2.0 ** 1024 would overflow
    return _jittered(min(BUSY_CAP, BUSY_BASE * 2.0**doublings), draw)


def busy_stalled(last_progress_at: float, now: float) -> bool:
    """Whether the image has been busy with no version changing state for BUSY_STALL_SECONDS."""
    return now - last_progress_at >= BUSY_STALL_SECONDS


def census_due(
    quiet_since: float, census_at: float | None, counting: bool, stalled: bool, now: float
) -> bool:
    """Whether a refused change reads towards a count of all of the image's versions now: its
    latest versions have stayed the same since ``quiet_since`` for CENSUS_AFTER, and a count is
    under way (``counting``), or the last one began (``census_at``) at least CENSUS_EVERY ago,
    or the image is about to be called stuck (``stalled``: one more count first)."""
    if now - quiet_since < CENSUS_AFTER:
        return False
    spaced = census_at is None or now - census_at >= CENSUS_EVERY
    return counting or spaced or stalled


def retry_delay(kind: str, attempt: int, draw: float) -> float | None:
    """Seconds before run ``attempt + 1`` of a phase whose calls failed transiently (``attempt``
    is 0-based) within one invocation; None once it has had ATTEMPTS runs."""
    if attempt + 1 >= ATTEMPTS:
        return None
    return _jittered(min(RETRY_CAP[kind], RETRY_BASE[kind] * 2.0**attempt), draw)


def fault_callback_delay(retries: int, draw: float) -> int:
    """The callback delay after transient failure number ``retries`` (from 0) in a row: 1 s plus
    full jitter under a cap that doubles from FAULT_CALLBACK_BASE to FAULT_CALLBACK_MAX."""
    doublings = min(retries, math.ceil(math.log2(FAULT_CALLBACK_MAX / FAULT_CALLBACK_BASE)))
    cap = min(FAULT_CALLBACK_MAX, FAULT_CALLBACK_BASE * 2**doublings)
    return 1 + int(draw * cap)


def alias_lag_pause(attempt: int) -> float | None:
    """The pause before giving an alias again after refusal ``attempt`` (0-based) that the alias
    index explains; None once the pauses are spent."""
    return ALIAS_LAG_PAUSES[attempt] if attempt < len(ALIAS_LAG_PAUSES) else None


def _jittered(ceiling: float, draw: float) -> float:
    return max(MIN_WAIT, draw * ceiling)
