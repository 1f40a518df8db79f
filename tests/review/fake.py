"""A scripted SageMaker on a virtual clock, for adversarial tests of the handler's timing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from community_sagemaker_imageversion import engine, handlers, invocation
from harness.driver import Driver
from offline_aws.defaults import ACCOUNT, REGION, base_image
from tests.botocore_errors import client_error

IMAGE = "TrainingImage"
BASE = base_image("training:1.0")
T0 = 1_700_000_000.0


class VClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def wall(self) -> float:
        return T0 + self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def random(self) -> float:
        return 0.5


CHANGING = ("CREATING", "DELETING")


class _Version(dict[str, Any]):
    """One version's fields; a test may change any of them directly, in any way a dict allows,
    and each change reaches the fake's index (:meth:`FakeSageMaker._touched`)."""

    def __init__(self, owner: FakeSageMaker, number: int, fields: dict[str, Any]) -> None:
        super().__init__(fields)
        self._owner, self._number = owner, number

    def _changed(self) -> None:
        self._owner._touched(self._number)

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed()

    def update(self, *args: Any, **kw: Any) -> None:
        super().update(*args, **kw)
        self._changed()

    def __ior__(self, other: Any) -> _Version:  # type: ignore[override,misc]
        self.update(other)
        return self

    def setdefault(self, key: str, default: Any = None) -> Any:
        value = super().setdefault(key, default)
        self._changed()
        return value

    def pop(self, key: str, *default: Any) -> Any:
        value = super().pop(key, *default)
        self._changed()
        return value

    def popitem(self) -> tuple[str, Any]:
        item = super().popitem()
        self._changed()
        return item

    def clear(self) -> None:
        super().clear()
        self._changed()


class _Versions(dict[int, dict[str, Any]]):
    """The fake's versions by number: adding, replacing or removing one, in any way a dict
    allows, reaches the fake's index. Each number holds its own fields (a version stored under
    a second number is a copy)."""

    def __init__(self, owner: FakeSageMaker) -> None:
        super().__init__()
        self._owner = owner

    def __setitem__(self, number: int, fields: dict[str, Any]) -> None:
        super().__setitem__(number, _Version(self._owner, number, fields))
        self._owner._touched(number)

    def __delitem__(self, number: int) -> None:
        super().__delitem__(number)
        self._owner._touched(number)

    def update(self, *args: Any, **kw: Any) -> None:
        for number, fields in dict(*args, **kw).items():
            self[number] = fields

    def __ior__(self, other: Any) -> _Versions:  # type: ignore[override,misc]
        self.update(other)
        return self

    def setdefault(self, number: int, default: Any = None) -> Any:
        if number not in self:
            self[number] = default
        return self[number]

    def pop(self, number: int, *default: Any) -> Any:
        if number not in self and default:
            return default[0]
        fields = self[number]
        del self[number]
        return fields

    def popitem(self) -> tuple[int, dict[str, Any]]:
        number = next(reversed(self))
        return number, self.pop(number)

    def clear(self) -> None:
        for number in list(self):
            del self[number]


class FakeSageMaker:
    """Versions: number -> dict(status, created (wall), modified (wall), done_at (monotonic)).
    ``skew``: SageMaker's clock minus the Lambda's (seconds). Every call takes ``latency``.

    Images of thousands of versions are read at every call: the fake keeps the numbers of the
    versions being changed or due to end (``_changing``) and each listing's order until a version
    changes (``_orders``, emptied by ``_touched``), so that a call costs the versions it reads."""

    def __init__(self, clock: VClock, create_seconds: float = 10.0, skew: float = 0.0) -> None:
        self.clock = clock
        self.create_seconds = create_seconds
        self.skew = skew
        self.latency = 0.05
        self._changing: set[int] = set()
        self._orders: dict[tuple[bool, datetime | None, bool], list[int]] = {}
        self._versions = _Versions(self)
        self.tokens: dict[str, int] = {}
        self.calls: list[tuple[float, str]] = []
        self.fail: dict[str, list[Exception]] = {}
        self.image_status = "CREATED"
        self.hook: Callable[[str], None] | None = None
        self.lists_deleting = True
        self.list_params: list[dict[str, Any]] = []

    # helpers
    def _sm_now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.wall() + self.skew, tz=UTC)

    def _tick(self, op: str) -> None:
        self.clock.t += self.latency
        self.calls.append((self.clock.t, op))
        self._advance()
        if self.hook:
            self.hook(op)
        if self.fail.get(op):
            raise self.fail[op].pop(0)

    @property
    def versions(self) -> _Versions:
        return self._versions

    @versions.setter
    def versions(self, versions: dict[int, dict[str, Any]]) -> None:
        """A test may replace them all: the index starts again from the new ones."""
        self._changing.clear()
        self._orders.clear()
        self._versions = _Versions(self)
        self._versions.update(versions)

    def _touched(self, number: int) -> None:
        """Version ``number`` was added, removed or changed: the listings' orders are forgotten,
        and the index of versions being changed follows."""
        self._orders.clear()
        v = self.versions.get(number)
        if v is not None and (v.get("done_at") is not None or v.get("status") in CHANGING):
            self._changing.add(number)
        else:
            self._changing.discard(number)

    def _advance(self) -> None:
        now = self.clock.t
        for n in sorted(self._changing):
            v = self.versions[n]
            if v["done_at"] is not None and now >= v["done_at"]:
                if v["status"] == "CREATING":
                    v["status"], v["done_at"] = "CREATED", None
                    v["modified"] = self._sm_now()
                elif v["status"] == "DELETING":
                    del self.versions[n]

    def busy(self) -> bool:
        return any(self.versions[n]["status"] in CHANGING for n in self._changing)

    def arn(self, n: int) -> str:
        return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:image-version/{IMAGE.lower()}/{n}"

    def add(self, n: int, status: str, created_ago: float, done_in: float | None = None) -> None:
        created = datetime.fromtimestamp(self.clock.wall() + self.skew - created_ago, tz=UTC)
        self.versions[n] = {
            "status": status,
            "created": created,
            "modified": created,
            "done_at": None if done_in is None else self.clock.t + done_in,
        }

    def _describe(self, n: int) -> dict[str, Any]:
        v = self.versions[n]
        return {
            "BaseImage": BASE,
            "ContainerImage": BASE,
            "CreationTime": v["created"],
            "LastModifiedTime": v["modified"],
            "ImageArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:image/{IMAGE.lower()}",
            "ImageVersionArn": self.arn(n),
            "ImageVersionStatus": v["status"],
            "Version": n,
        }

    # the API
    def create_image_version(self, **kw: Any) -> dict[str, Any]:
        self._tick("CreateImageVersion")
        tok = str(kw.get("ClientToken"))
        if tok in self.tokens:
            return {"ImageVersionArn": self.arn(self.tokens[tok])}
        if self.busy():
            raise client_error("ResourceInUse", "CreateImageVersion", message="busy")
        n = max(self.versions, default=0) + 1
        self.add(n, "CREATING", 0.0, self.create_seconds)
        self.tokens[tok] = n
        return {"ImageVersionArn": self.arn(n)}

    def describe_image_version(
        self, ImageName: str, Version: int | None = None, Alias: str | None = None
    ) -> dict[str, Any]:
        self._tick("DescribeImageVersion")
        if Alias is not None or Version is None or Version not in self.versions:
            raise client_error("ResourceNotFound", "DescribeImageVersion")
        return self._describe(Version)

    def list_aliases(self, **kw: Any) -> dict[str, Any]:
        self._tick("ListAliases")
        return {"SageMakerImageVersionAliases": []}

    def delete_image_version(self, ImageName: str, Version: int) -> dict[str, Any]:
        self._tick("DeleteImageVersion")
        if Version not in self.versions:
            raise client_error("ResourceNotFound", "DeleteImageVersion")
        if self.busy():
            raise client_error("ResourceInUse", "DeleteImageVersion", message="busy")
        v = self.versions[Version]
        v["status"], v["modified"], v["done_at"] = (
            "DELETING",
            self._sm_now(),
            self.clock.t + self.create_seconds,
        )
        return {}

    def describe_image(self, ImageName: str) -> dict[str, Any]:
        self._tick("DescribeImage")
        return {"ImageName": IMAGE, "ImageStatus": self.image_status}

    def list_image_versions(self, **kw: Any) -> dict[str, Any]:
        """Sorted as asked (CreationTime or Version, descending unless asked otherwise), created
        after CreationTimeAfter (strictly), paged (NextToken: the offset); a version being
        deleted is left out unless ``lists_deleting``."""
        self.list_params.append(kw)  # (before the tick: the hook sees this call's)
        self._tick("ListImageVersions")
        by_number = kw.get("SortBy") == "VERSION"
        after = kw.get("CreationTimeAfter")
        key = (by_number, after, self.lists_deleting)
        if key not in self._orders:
            self._orders[key] = [
                n
                for _, n in sorted(
                    (n if by_number else v["created"], n)
                    for n, v in self.versions.items()
                    if (self.lists_deleting or v["status"] != "DELETING")
                    and (after is None or v["created"] > after)
                )
            ]
        shown = self._orders[key]
        if kw.get("SortOrder", "DESCENDING") == "DESCENDING":
            shown = shown[::-1]
        start = int(kw.get("NextToken", 0))
        end = start + kw.get("MaxResults", 100)
        return {  # (only the page described: images of thousands of versions are read often)
            "ImageVersions": [self._describe(n) for n in shown[start:end]],
            **({"NextToken": str(end)} if end < len(shown) else {}),
        }

    def count_pages(self) -> list[dict[str, Any]]:
        """The ListImageVersions calls in version order: the pages read towards counts of every
        version (the handler's other reads of versions are by creation time)."""
        return [p for p in self.list_params if p.get("SortBy") == "VERSION"]

    def counts_begun(self) -> int:
        """Counts of every version begun: their first pages (a count going on from where it
        stopped asks with a NextToken)."""
        return sum(1 for p in self.count_pages() if "NextToken" not in p)

    def counting(self, op: str, *, first: bool = False) -> bool:
        """Whether the call a hook sees (``op``) reads a page towards a count of every version
        (``first``: the first page of one)."""
        last = self.list_params[-1] if self.list_params else {}
        towards = op == "ListImageVersions" and last.get("SortBy") == "VERSION"
        return towards and not (first and "NextToken" in last)

    def count(self, op: str) -> int:
        return sum(1 for _, o in self.calls if o == op)


@contextlib.contextmanager
def world(
    monkeypatch: pytest.MonkeyPatch, **kw: Any
) -> Iterator[tuple[VClock, FakeSageMaker, Driver]]:
    clock = VClock()
    sm = FakeSageMaker(clock, **kw)
    monkeypatch.setattr(engine, "sagemaker_client", lambda session, region: sm)
    previous = invocation.use_clock(clock)
    driver = Driver(
        handlers.resource,
        time_limit=60.0,
        delay_scale=1.0,
        wait=clock.sleep,
        clock=clock.monotonic,
        max_invocations=400,
    )
    try:
        yield clock, sm, driver
    finally:
        invocation.use_clock(previous)


def scripted(sm: FakeSageMaker, schedule: list[tuple[float, float]], first: int = 1) -> None:
    """Other resources' creations, (start, length) on the virtual clock, numbered from
    ``first``: each added as it begins (CREATED once past its end), at every call (``sm.hook``)."""
    added: set[int] = set()

    def the_queue_moves(op: str) -> None:
        now = sm.clock.t
        for i, (began, length) in enumerate(schedule):
            if i not in added and began <= now:
                added.add(i)
                if began + length <= now:
                    sm.add(i + first, "CREATED", created_ago=now - began)
                else:
                    sm.add(
                        i + first,
                        "CREATING",
                        created_ago=now - began,
                        done_in=began + length - now,
                    )

    the_queue_moves("")
    sm.hook = the_queue_moves


def taking_each_end(
    sm: FakeSageMaker, others: list[int], first_end: float, length: float
) -> Callable[[], None]:
    """What makes other resources (version numbers ``others``, in turn) each take the image a
    second after the change before it ends (the first at ``first_end``), each a ``length`` s
    creation: call it at every call (from ``sm.hook``)."""
    end = [first_end]

    def take() -> None:
        while others and sm.clock.t >= end[0] + 1.0 and max(sm.versions) < others[0]:
            taken = end[0] + 1.0
            ago = sm.clock.t - taken
            sm.add(others.pop(0), "CREATING", created_ago=ago, done_in=length - ago)
            end[0] = taken + length

    return take


def props(**extra: Any) -> dict[str, Any]:
    return {"ImageName": IMAGE, "BaseImage": BASE, **extra}


class Durations:
    """Each invocation's start and end times (``intervals``), recorded by wrapping the driver's
    invoke, and its duration (``spans``)."""

    def __init__(self, driver: Driver, clock: VClock) -> None:
        self.intervals: list[tuple[float, float]] = []
        original = driver.invoke

        def invoke(event: Any) -> Any:
            start = clock.t
            answer = original(event)
            self.intervals.append((start, clock.t))
            return answer

        driver.invoke = invoke  # type: ignore[method-assign]

    @property
    def spans(self) -> list[float]:
        return [end - start for start, end in self.intervals]
