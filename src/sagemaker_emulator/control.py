"""Test controls of the emulator, in process and over HTTP.

Status transitions go through moto's state manager, under the model names
:data:`~.models.IMAGE_MODEL` (``sagemaker::image``: CREATING -> CREATED),
:data:`~.models.VERSION_CREATE_MODEL` (``sagemaker::imageversion``: CREATING -> CREATED or
CREATE_FAILED) and :data:`~.models.VERSION_DELETE_MODEL` (``sagemaker::imageversion-deletion``:
DELETING -> gone or DELETE_FAILED), all ``{"progression": "immediate"}`` by default::

    from moto.moto_api import state_manager
    state_manager.set_transition("sagemaker::imageversion", {"progression": "manual", "times": 2})

or over HTTP with moto's own endpoint ``POST /moto-api/state-manager/set-transition`` and body
``{"model_name": ..., "transition": {...}}``. Transitions are process-global and survive
resets: unset them (``state_manager.unset_transition`` or ``.../unset-transition``) when done.

The variants of the rules the real service does not document are :mod:`.rules`; a test that
sets up versions itself, or checks what exists, calls :func:`catch_up` so that a
read-after-write lag, or a lagging alias index, hides nothing from it.

Planned failures (:mod:`.failures`), the concurrency check, limits, injected faults
(:mod:`.faults`), request rate limits (:mod:`.rate_limits`) and the variants are the
:class:`Controls` of one account and region, made with
its backend (:class:`ControlledBackend`, in :data:`image_backends`) and cleared by every reset
like the rest of it; the domain consults them as its :class:`~.models.Knobs`::

    controls().fail_create("base image not found")           # next creation: CREATE_FAILED
    controls().fail_delete("boom", image_name="img", once=False)  # every deletion on img
    controls().concurrency_check = False

Over HTTP (servers started by :mod:`.server`), ``GET`` :data:`CONTROL_PATH` returns the controls
as JSON and ``POST`` applies a JSON object of changes, then returns the controls; the query
parameters ``account_id`` and ``region`` pick the backend (default ``123456789012`` and
``us-east-1``). Keys of the change object, all optional: ``concurrency_check`` (bool),
``max_images`` and ``max_versions_per_image`` (int or null), ``clear_failures`` (bool, applied
first), ``failures`` (a list of ``{"phase": "create"|"delete", "reason": str,
"image_name": str|null, "once": bool}``), ``faults`` (a fault plan or null, see
:mod:`.faults`), ``rate_limits`` (rate limits or null, see :mod:`.rate_limits`) and ``rules``
(variants and timings, see :mod:`.rules`). :func:`remote_controls` is a client for it.

Every SageMaker request, over HTTP and in process, is first admitted by its backend's controls
(:meth:`Controls.admit`): the rate limits, then the fault plan.
"""

import dataclasses
import json
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.core.base_backend import BackendDict
from moto.core.models import DEFAULT_ACCOUNT_ID
from werkzeug.wrappers import Request, Response

from .failures import FailureRule, take_failure
from .faults import (
    DEFAULT_REGION,
    DEFAULT_TRICKLE_SECONDS,
    THROTTLING,
    FaultPlan,
    FaultRule,
    Transport,
    Verdict,
    plan_from_document,
)
from .models import ImageBackend, Phase
from .rate_limits import RateLimits, limits_from_document
from .rules import Rules

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CONTROL_PATH = "/_emulator/controls"


@dataclass
class Controls:
    """Test knobs of one account and region; reset with the rest of the backend."""

    concurrency_check: bool = True
    max_images: int | None = None
    max_versions_per_image: int | None = None
    failures: list[FailureRule] = field(default_factory=list)
    faults: FaultPlan | None = None
    rules: Rules = field(default_factory=Rules.from_environment)
    rate_limits: RateLimits | None = None

    def inject_faults(
        self,
        rules: list[FaultRule],
        seed: int = 0,
        trickle_seconds: float = DEFAULT_TRICKLE_SECONDS,
    ) -> FaultPlan:
        """Faults on requests from now on, over HTTP and in process (see :mod:`.faults`); the
        new plan."""
        self.faults = FaultPlan(seed=seed, rules=rules, trickle_seconds=trickle_seconds)
        return self.faults

    def admit(self, operation: str, body: bytes, transport: Transport) -> Verdict | None:
        """What happens to one request before moto sees it (call under the backend's lock): a
        refusal by the rate limits, else the fault plan's fault, else None (moto answers)."""
        if self.rate_limits is not None and not self.rate_limits.take(operation):
            return Verdict(THROTTLING, "Rate exceeded")
        if self.faults is not None:
            return self.faults.verdict(operation, body, transport)
        return None

    def fail_create(self, reason: str, image_name: str | None = None, *, once: bool = True) -> None:
        """The next (``once``) or every matching version creation ends in CREATE_FAILED."""
        self.failures.append(FailureRule("create", reason, image_name, once))

    def fail_delete(self, reason: str, image_name: str | None = None, *, once: bool = True) -> None:
        """The next (``once``) or every matching version deletion ends in DELETE_FAILED."""
        self.failures.append(FailureRule("delete", reason, image_name, once))

    def take_failure(self, phase: Phase, image_name: str) -> str | None:
        """The FailureReason planned for this phase of a version of ``image_name``, if any."""
        return take_failure(self.failures, phase, image_name)


class ControlledBackend(ImageBackend):
    """The image backend of one account and region with its :class:`Controls` as its knobs:
    made, and reset, together."""

    def __init__(self, region_name: str, account_id: str) -> None:
        controls = Controls()
        super().__init__(region_name, account_id, knobs=controls)
        self.controls = controls


image_backends = BackendDict(ControlledBackend, "sagemaker")


def controls(account_id: str = DEFAULT_ACCOUNT_ID, region_name: str = DEFAULT_REGION) -> Controls:
    """The controls of one account and region (fetch them again after every reset)."""
    return image_backends[account_id][region_name].controls


def catch_up(account_id: str = DEFAULT_ACCOUNT_ID, region_name: str = DEFAULT_REGION) -> None:
    """End the read-after-write lag (``read_after_write`` ``lagging`` or ``non_monotonic``) of
    every version made so far, and the lag of the alias index (``alias_index=lagging``): what a
    test made itself, or what it checks, is seen by every later call."""
    backend = image_backends[account_id][region_name]
    with backend.lock:
        for image in backend.images.values():
            for version in image.versions.values():
                version.caught_up = True
            image.released_aliases.clear()


def admit(
    account_id: str, region_name: str, operation: str, body: bytes, transport: Transport
) -> Verdict | None:
    """What happens to one SageMaker request to that account and region before moto sees it
    (:meth:`Controls.admit`, under the backend's lock): both paths ask here."""
    backend = image_backends[account_id][region_name]
    if backend.controls.faults is None and backend.controls.rate_limits is None:
        return None
    with backend.lock:
        return backend.controls.admit(operation, body, transport)


def apply_changes(target: Controls, changes: Mapping[str, Any]) -> None:
    """Apply a change object (see the module docstring); TypeError/ValueError when malformed."""
    unknown = set(changes) - {
        "concurrency_check",
        "max_images",
        "max_versions_per_image",
        "clear_failures",
        "failures",
        "faults",
        "rules",
        "rate_limits",
    }
    if unknown:
        raise ValueError(f"unknown controls: {sorted(unknown)}")
    if "concurrency_check" in changes:
        target.concurrency_check = _expect_bool(changes["concurrency_check"])
    if "max_images" in changes:
        target.max_images = _expect_limit(changes["max_images"])
    if "max_versions_per_image" in changes:
        target.max_versions_per_image = _expect_limit(changes["max_versions_per_image"])
    if _expect_bool(changes.get("clear_failures", False)):
        target.failures.clear()
    rules = changes.get("failures", [])
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise TypeError("failures must be a list of objects")
    target.failures.extend(FailureRule(**rule) for rule in rules)
    if "rules" in changes:
        if not isinstance(changes["rules"], dict):
            raise TypeError(
                "rules must be an object of rule: variant (see sagemaker_emulator.rules)"
            )
        target.rules = target.rules.changed(changes["rules"])
    if "faults" in changes:
        faults = changes["faults"]
        if faults is not None and not isinstance(faults, dict):
            raise TypeError("faults must be an object or null")
        target.faults = None if faults is None else plan_from_document(faults)
    if "rate_limits" in changes:
        limits = changes["rate_limits"]
        if limits is not None and not isinstance(limits, dict):
            raise TypeError("rate_limits must be an object or null")
        target.rate_limits = None if limits is None else limits_from_document(limits)


def remote_controls(
    endpoint_url: str,
    changes: Mapping[str, Any] | None = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region_name: str = DEFAULT_REGION,
) -> dict[str, Any]:
    """Read (``changes`` None) or change the controls of a server started by :mod:`.server`."""
    query = urllib.parse.urlencode({"account_id": account_id, "region": region_name})
    data = None if changes is None else json.dumps(changes).encode()
    request = urllib.request.Request(  # noqa: S310 (the caller's emulator URL)
        f"{endpoint_url}{CONTROL_PATH}?{query}",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
        result: dict[str, Any] = json.load(reply)
    return result


class ControlMiddleware:
    """WSGI middleware serving :data:`CONTROL_PATH` and passing anything else to ``app``."""

    def __init__(self, app: "WSGIApplication") -> None:
        self._app = app

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != CONTROL_PATH:
            return self._app(environ, start_response)
        return _handle(Request(environ))(environ, start_response)


def _handle(request: Request) -> Response:
    account_id = request.args.get("account_id", DEFAULT_ACCOUNT_ID)
    region_name = request.args.get("region", DEFAULT_REGION)
    backend = image_backends[account_id][region_name]
    if request.method == "POST":
        changes = request.get_json(force=True, silent=True)
        if not isinstance(changes, dict):
            return _json(400, {"message": "the body must be a JSON object"})
        try:
            with backend.lock:
                apply_changes(backend.controls, changes)
        except (TypeError, ValueError) as error:
            return _json(400, {"message": str(error)})
    elif request.method != "GET":
        return _json(405, {"message": "use GET or POST"})
    return _json(200, dataclasses.asdict(backend.controls))


def _json(status: int, body: Mapping[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _expect_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _expect_limit(value: object) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise TypeError(f"expected a non-negative integer or null, got {value!r}")
    return value
