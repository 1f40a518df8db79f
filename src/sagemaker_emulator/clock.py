"""The emulator's one time seam: every time reading, timestamp and wait of the emulator goes
through :func:`clock`, which a simulation replaces with :func:`use_clock` (as the handler
package's own clock seam is replaced), so that versions take simulated minutes to be created in
a fraction of a second of real time.

- ``monotonic``: the clock of the timed rules (lag, overlap, token lifetime, archival) and of
  status progressions (moto's ``time`` progression, which otherwise reads ``datetime.now``);
- ``utcnow``: CreationTime and LastModifiedTime;
- ``sleep``: the emulator's waits before answering (outside any lock).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Protocol

from moto.core.utils import utcnow


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def utcnow(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real time."""

    def monotonic(self) -> float:
        return time.monotonic()

    def utcnow(self) -> datetime:
        return utcnow()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


_clock: Clock = SystemClock()


def clock() -> Clock:
    return _clock


def use_clock(replacement: Clock) -> Clock:
    """Make ``replacement`` the emulator's clock; returns the previous one (to restore it)."""
    global _clock
    previous, _clock = _clock, replacement
    return previous


def now() -> float:
    """Monotonic seconds on the emulator's clock."""
    return _clock.monotonic()


def pause(seconds: float) -> None:
    """Wait before answering (the emulator's sleeps, outside any lock)."""
    if seconds > 0:
        _clock.sleep(seconds)
