"""Virtual time: a discrete-event scheduler of cooperative threads.

Each task (a resource's operation, say) runs in a thread of its own, but only one task runs at a
time: a task runs until it sleeps (or ends), and the scheduler then moves the clock straight to
the earliest wake-up and resumes that task. So waits take no real time, and the order in which
tasks run is a function of the wake-up times alone (ties go to the task that was scheduled
first): a run is reproducible for a seed.

A :class:`VirtualTime` is at once the handler package's clock (``monotonic``, ``wall``,
``sleep``, ``random``) and the emulator's (``monotonic``, ``utcnow``, ``sleep``).
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

EPOCH = 1_800_000_000.0
"""The wall time (Unix seconds) at virtual time 0."""


@dataclass
class _Task:
    name: str
    body: Callable[[], None]
    resume: threading.Event = field(default_factory=threading.Event)


class VirtualTime:
    """A virtual clock and the tasks that run on it (see the module docstring)."""

    def __init__(self, seed: int = 0) -> None:
        self.now = 0.0
        self.draws = random.Random(seed)  # noqa: S311 (reproducible jitter, not secrets)
        self._queue: list[tuple[float, int, _Task]] = []
        self._order = itertools.count()
        self._yielded = threading.Event()
        self._local = threading.local()
        self._errors: list[tuple[str, BaseException]] = []

    # The clocks -----------------------------------------------------------------------------

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return EPOCH + self.now

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.wall(), UTC).replace(tzinfo=None)

    def random(self) -> float:
        return self.draws.random()

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass for the calling task (outside any task, as while
        setting a scenario up, the clock simply moves on)."""
        task: _Task | None = getattr(self._local, "task", None)
        if task is None:
            self.now += max(0.0, seconds)
            return
        self._schedule(task, self.now + max(0.0, seconds))
        self._yielded.set()
        task.resume.wait()
        task.resume.clear()

    def in_task(self) -> bool:
        return getattr(self._local, "task", None) is not None

    # Tasks ----------------------------------------------------------------------------------

    def spawn(self, name: str, body: Callable[[], None], *, after: float = 0.0) -> None:
        """Run ``body`` as a task, ``after`` seconds from now."""
        task = _Task(name, body)
        thread = threading.Thread(target=self._work, args=(task,), name=name, daemon=True)
        thread.start()
        self._schedule(task, self.now + after)

    def run(self) -> None:
        """Run every task to its end; re-raises the first error a task raised."""
        while self._queue:
            at, _, task = heapq.heappop(self._queue)
            self.now = max(self.now, at)
            self._yielded.clear()
            task.resume.set()
            self._yielded.wait()
            if self._errors:
                name, error = self._errors[0]
                raise RuntimeError(f"task {name} failed at t={self.now:.3f}") from error

    def _schedule(self, task: _Task, at: float) -> None:
        heapq.heappush(self._queue, (at, next(self._order), task))

    def _work(self, task: _Task) -> None:
        task.resume.wait()
        task.resume.clear()
        self._local.task = task
        try:
            task.body()
        except BaseException as error:  # noqa: BLE001 (re-raised by run, in the caller's thread)
            self._errors.append((task.name, error))
        finally:
            self._yielded.set()
