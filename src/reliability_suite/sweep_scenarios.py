"""The scenarios of the fault sweep (:mod:`.sweep`), and the world each one runs in.

A scenario is a small function given a fresh :class:`World`: it sets the world up (fault-free:
images, versions made through the handler as a stack would), runs exactly one operation through
the real Lambda entrypoint (:meth:`World.operate` or :meth:`World.operate_list`, the only
calls the armed fault can hit), and says what it expects (:class:`Expected`): how the operation
ends, the model it answers, and what every resource's version holds afterwards.

A world is the emulator in process (under moto's ``mock_aws``, on a :class:`~simulation.
virtual_time.VirtualTime` that is both the handler's clock and the emulator's, so callback
delays and waits pass in virtual time and a run is a function of its fault alone), or the
emulator as a server (:data:`~sagemaker_emulator.faults.HTTP`), for the kinds that need a
socket (``drop``, ``trickle``): there the handler's and the emulator's sleeps, and the callback
delays, take no time (one :func:`harness.clocks.instant` clock), but answers arrive in real
time, and every invocation has :data:`HTTP_TIME_LIMIT` seconds of Lambda time.

The fault (``at``, ``kind``) is armed when the operation starts and disarmed when it ends:
``FaultRule(1.0, None, (kind,), at=at + 1)`` in a fresh plan, which counts every SageMaker
request from then on, and only the handler's calls reach SageMaker meanwhile (the handler's
client makes one attempt per call), so it hits exactly the handler's call ``at`` (from 0).
"""

from __future__ import annotations

import contextlib
import os
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto import mock_aws
from moto.moto_api import state_manager

from community_sagemaker_imageversion import invocation
from community_sagemaker_imageversion.handlers import resource
from harness.clocks import instant
from harness.contract_shape import CreateAnswers, summary, violations
from harness.driver import Driver, Outcome
from harness.events import handler_event
from harness.recorder import Call, Recorder, recording
from offline_aws.defaults import (
    IMAGE_ROLE,
    base_image,
    use_offline_account,
)
from offline_aws.services import in_process_client, sagemaker_server
from sagemaker_emulator import clock as emulator_clock
from sagemaker_emulator import install
from sagemaker_emulator.control import controls
from sagemaker_emulator.faults import HTTP, IN_PROCESS, FaultPlan, FaultRule, Transport
from sagemaker_emulator.models import VERSION_CREATE_MODEL
from simulation.virtual_time import VirtualTime

IMAGE = "SweepImage"
OTHER_IMAGE = "SweepOther"
IMAGES = (IMAGE, OTHER_IMAGE)
OPERATED = "ImageVersion"
"""The logical id of the resource the swept operation acts on."""
METADATA = (
    "JobType",
    "Processor",
    "MLFramework",
    "ProgrammingLang",
    "ReleaseNotes",
    "VendorGuidance",
    "Horovod",
)
IN_PROCESS_TIME_LIMIT = 60.0
"""Lambda seconds of each invocation in process (virtual: they cost no real time)."""
HTTP_TIME_LIMIT = 6.0
"""Lambda seconds of each invocation over HTTP: real seconds, so a call whose answer trickles in
holds the invocation until its deadline before the handler hands back. 6 s of Lambda time leave
the 2 s every invocation has at least (timing.MIN_STEP), so one call attempt waits at most 1 s
for its whole answer."""
TRICKLE_SECONDS = 0.05
"""Seconds between two bytes of a trickled answer (real time): any answer of more than 20 bytes
then arrives after the 1 s an attempt may wait."""
REDELIVERIES = 3
"""Retriable FAILED answers CloudFormation delivers again, per operation."""
MAX_INVOCATIONS = 120
"""Invocations after which an operation is a runaway."""
_TOKENS = uuid.UUID("0c9d7d2e-6a3b-4f0e-8d52-3b1f6c2a9e41")


@dataclass(frozen=True)
class Fault:
    """One injected fault: ``kind`` at the handler's call ``at`` (from 0) of the operation."""

    at: int
    kind: str

    def rule(self) -> FaultRule:
        return FaultRule(1.0, None, (self.kind,), at=self.at + 1)


@dataclass(frozen=True)
class Want:
    """What one resource's version must hold once the operation ends."""

    aliases: frozenset[str]
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Expected:
    """How the operation must end, and what SageMaker must hold then.

    ``held``: every resource of the stack that must own a version afterwards, and what it holds
    (any other version is an orphan, any other resource's version should be gone); ``model``:
    values the final model must carry (``Aliases`` compared as a set); ``listed``: the exact
    ImageVersionArns a LIST returns; ``message``: a text the final event's message holds."""

    held: Mapping[str, Want]
    status: str = "SUCCESS"
    error_code: str | None = None
    message: str | None = None
    model: Mapping[str, Any] | None = None
    listed: frozenset[str] | None = None


@dataclass
class World:
    """One run: the emulator, the driver, the recorder of every call, and what CloudFormation
    keeps of each resource (``models``, by logical id)."""

    scenario: str
    transport: Transport
    sagemaker: Any
    recorder: Recorder
    fault: Fault | None = None
    pass_time: Callable[[float], None] = lambda _seconds: None
    driver: Driver = field(init=False)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    before: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The models CloudFormation kept when the swept operation started."""
    outcome: Outcome | None = None
    crash: str | None = None
    plan: FaultPlan | None = None
    answers: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    """Every (event, answer) of the swept operation."""
    shape: list[str] = field(default_factory=list)
    """Every way an answer of the swept operation breaks the contract's shape."""
    calls: list[Call] = field(default_factory=list)
    """The handler's SageMaker calls during the swept operation."""
    rules_read: frozenset[str] = frozenset()
    """The emulator's unknown rules the set-up and the operation read (:mod:`sagemaker_emulator.
    rule_reads`): under any variant of another rule the run would be the same."""
    _operated: bool = False
    _checking: bool = False
    _tokens: int = 0

    def __post_init__(self) -> None:
        self._creates = CreateAnswers(self.recorder)

    # Set-up ---------------------------------------------------------------------------------

    def token(self, logical_id: str, action: str) -> str:
        """A bearer token per operation, the same in every run of the scenario."""
        self._tokens += 1
        return str(uuid.uuid5(_TOKENS, f"{self.scenario}/{logical_id}/{action}/{self._tokens}"))

    def create(self, logical_id: str, properties: Mapping[str, Any]) -> dict[str, Any]:
        """Create a resource (fault-free, as a stack's earlier operation); its model."""
        outcome = self._run("CREATE", properties, logical_id, None)
        if outcome.status != "SUCCESS" or outcome.model is None:
            raise RuntimeError(f"set-up: CREATE of {logical_id} ended {outcome.final}")
        self.models[logical_id] = outcome.model
        self.pass_time(1.0)
        return outcome.model

    def begin_create(self, logical_id: str, properties: Mapping[str, Any]) -> dict[str, Any]:
        """Only the first invocation of a CREATE; the model its IN_PROGRESS answer names (what a
        stack rolled back then keeps, and deletes)."""
        token = self.token(logical_id, "CREATE")
        event = handler_event("CREATE", properties, token=token, logical_id=logical_id)
        answer = self.driver.invoke(event)
        model = answer.get("resourceModel") or {}
        if answer["status"] != "IN_PROGRESS" or not model.get("ImageVersionArn"):
            raise RuntimeError(f"set-up: the first CREATE invocation answered {answer}")
        self.models[logical_id] = model
        return dict(model)

    # The swept operation --------------------------------------------------------------------

    def operate(
        self,
        action: str,
        properties: Mapping[str, Any],
        *,
        logical_id: str = OPERATED,
        previous: Mapping[str, Any] | None = None,
    ) -> None:
        """Run the swept operation (CREATE, UPDATE, DELETE or READ) to its end, the fault
        armed; keep what CloudFormation keeps of the resource afterwards."""
        outcome = self._swept(lambda: self._run(action, properties, logical_id, previous))
        if outcome is None:
            return
        model = outcome.model
        if action == "DELETE":
            if outcome.status == "SUCCESS" or outcome.error_code == "NotFound":
                self.models.pop(logical_id, None)
            return
        # (a failed create's model too, when it names a version: CloudFormation deletes it later)
        kept = outcome.status == "SUCCESS" or action == "CREATE"
        if action in ("CREATE", "UPDATE") and kept and model and model.get("ImageVersionArn"):
            self.models[logical_id] = model

    def operate_list(self, properties: Mapping[str, Any] | None) -> None:
        """Run the swept LIST to its end (every page), the fault armed."""
        token = self.token(OPERATED, "LIST")
        self._swept(lambda: self.driver.run_list(properties, token=token))

    def _swept(self, run: Callable[[], Outcome]) -> Outcome | None:
        if self._operated:
            raise RuntimeError(f"scenario {self.scenario} runs more than one swept operation")
        self._operated = True
        self.before = {lid: dict(model) for lid, model in self.models.items()}
        self.recorder.clear()
        if self.fault is not None:
            self.plan = controls().inject_faults(
                [self.fault.rule()], trickle_seconds=TRICKLE_SECONDS
            )
        self._checking = True
        try:
            self.outcome = run()
        except Exception as error:  # noqa: BLE001 (a run that does not end is what is judged)
            self.crash = f"{type(error).__name__}: {error}"
        finally:
            self._checking = False
            controls().faults = None
            self.calls = [c for c in self.recorder.snapshot() if _sagemaker_by_handler(c)]
        return self.outcome

    def _run(
        self,
        action: str,
        properties: Mapping[str, Any],
        logical_id: str,
        previous: Mapping[str, Any] | None,
    ) -> Outcome:
        token = self.token(logical_id, action)
        options = {"logical_id": logical_id}
        return self.driver.run(
            action, properties, previous=previous, token=token, event_options=options
        )

    def handler(self, event: Any, context: Any) -> Any:
        """The Lambda entrypoint, each answer of the swept operation checked against the
        contract's shape (:mod:`harness.contract_shape`) and kept."""
        if not self._checking:
            return resource(event, context)
        self._creates.delivered(event)
        sent = {"action": event.get("action"), "bearerToken": event.get("bearerToken")}
        sent["requestData"] = dict(event.get("requestData") or {})
        answer = resource(event, context)
        self.shape += [
            f"{summary(event, answer)}: {problem}"
            for problem in violations(event, answer, self._creates.answered)
        ]
        self.answers.append((sent, dict(answer)))
        return answer

    # What SageMaker holds -------------------------------------------------------------------

    def aliases_of(self, image: str, version: int) -> frozenset[str]:
        """Every alias of the version (all pages)."""
        aliases: set[str] = set()
        token: dict[str, str] = {}
        while True:
            page = self.sagemaker.list_aliases(
                ImageName=image, Version=version, MaxResults=100, **token
            )
            aliases.update(page["SageMakerImageVersionAliases"])
            if not page.get("NextToken"):
                return frozenset(aliases)
            token = {"NextToken": page["NextToken"]}

    def described(self, image: str, version: int) -> dict[str, Any]:
        answer: dict[str, Any] = self.sagemaker.describe_image_version(
            ImageName=image, Version=version
        )
        return answer


def _sagemaker_by_handler(call: Call) -> bool:
    return call.by_handler and call.service == "sagemaker"


@contextlib.contextmanager
def _offline_environment() -> Iterator[None]:
    """The process environment of the offline account for the block (restored after)."""
    saved = dict(os.environ)
    use_offline_account(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


Variant = Mapping[str, str]
"""Variants of the emulator's unknown rules (:mod:`sagemaker_emulator.rules`), by rule: the
world's SageMaker follows them (and the environment's for every other rule)."""


@contextlib.contextmanager
def world(
    scenario: str, transport: Transport, fault: Fault | None, variant: Variant | None = None
) -> Iterator[World]:
    """A fresh world for one run of ``scenario``: the images of :data:`IMAGES`, nothing else,
    under ``variant``."""
    if transport == IN_PROCESS:
        with _in_process(scenario, fault, variant or {}) as made:
            yield made
    elif transport == HTTP:
        with _over_http(scenario, fault, variant or {}) as made:
            yield made
    else:  # pragma: no cover (a Transport is one of the two)
        raise ValueError(f"unknown transport {transport!r}")


@contextlib.contextmanager
def _in_process(scenario: str, fault: Fault | None, variant: Variant) -> Iterator[World]:
    install()
    time = VirtualTime(seed=0)
    handler_clock = invocation.use_clock(time)
    previous_clock = emulator_clock.use_clock(time)
    try:
        with _offline_environment(), mock_aws(), recording() as recorder:
            sagemaker = in_process_client()
            controls().rules = controls().rules.changed(dict(variant))
            for name in IMAGES:
                sagemaker.create_image(ImageName=name, RoleArn=IMAGE_ROLE)
            made = World(scenario, IN_PROCESS, sagemaker, recorder, fault, time.sleep)
            made.driver = Driver(
                made.handler,
                time_limit=IN_PROCESS_TIME_LIMIT,
                delay_scale=1.0,
                wait=time.sleep,
                clock=time.monotonic,
                max_invocations=MAX_INVOCATIONS,
                redeliver_retriable=REDELIVERIES,
            )
            try:
                yield made
            finally:
                state_manager.unset_transition(VERSION_CREATE_MODEL)
    finally:
        invocation.use_clock(handler_clock)
        emulator_clock.use_clock(previous_clock)


_shared: list[Any] = []
"""The client of the server :func:`one_server` keeps running (none outside it)."""


@contextlib.contextmanager
def one_server() -> Iterator[None]:
    """One emulator server for every HTTP run in the block, reset before each run (a server
    costs half a second to stop: more than most runs)."""
    with _offline_environment(), sagemaker_server(()) as sagemaker:
        _shared.append(sagemaker)
        try:
            yield
        finally:
            _shared.remove(sagemaker)


@contextlib.contextmanager
def _server() -> Iterator[Any]:
    """The emulator as a server, reset, with the images of :data:`IMAGES`: the one
    :func:`one_server` keeps, or one of its own."""
    if not _shared:
        with _offline_environment(), sagemaker_server(IMAGES) as sagemaker:
            yield sagemaker
        return
    sagemaker = _shared[-1]
    reset = f"{sagemaker.meta.endpoint_url}/moto-api/reset"
    with urllib.request.urlopen(reset, data=b"{}", timeout=10):  # noqa: S310 (local)
        pass
    for name in IMAGES:
        sagemaker.create_image(ImageName=name, RoleArn=IMAGE_ROLE)
    yield sagemaker


@contextlib.contextmanager
def _over_http(scenario: str, fault: Fault | None, variant: Variant) -> Iterator[World]:
    with _server() as sagemaker, instant(), recording() as recorder:
        controls().rules = controls().rules.changed(dict(variant))
        made = World(scenario, HTTP, sagemaker, recorder, fault)
        made.driver = Driver(
            made.handler,
            time_limit=HTTP_TIME_LIMIT,
            delay_scale=1.0,
            max_invocations=MAX_INVOCATIONS,
            redeliver_retriable=REDELIVERIES,
        )
        try:
            yield made
        finally:
            controls().faults = None
            state_manager.unset_transition(VERSION_CREATE_MODEL)


# The scenarios ------------------------------------------------------------------------------


def base(tag: str) -> str:
    return base_image(f"sweep:{tag}")


def _props(tag: str, aliases: list[str], **metadata: Any) -> dict[str, Any]:
    return {"ImageName": IMAGE, "BaseImage": base(tag), "Aliases": aliases, **metadata}


def _want(properties: Mapping[str, Any]) -> Want:
    return Want(
        frozenset(properties.get("Aliases") or ()),
        {k: v for k, v in properties.items() if k in METADATA},
    )


def _model_of(properties: Mapping[str, Any]) -> dict[str, Any]:
    """What the final model must carry of ``properties``."""
    return {k: v for k, v in properties.items() if k == "Aliases" or k in METADATA}


def create(w: World) -> Expected:
    """CREATE with aliases and metadata, on an image with no version."""
    asked = _props("1", ["stable", "v1"], JobType="TRAINING", Processor="CPU", ReleaseNotes="one")
    w.operate("CREATE", asked)
    return Expected({OPERATED: _want(asked)}, model=_model_of(asked))


def create_replacement(w: World) -> Expected:
    """CREATE that takes an alias from a sibling: a replacement, while the old version (another
    resource) still holds the alias."""
    old = _props("1", ["stable", "v1"], JobType="TRAINING")
    w.create("Old", old)
    asked = _props("2", ["stable", "v2"], JobType="TRAINING", Processor="GPU")
    w.operate("CREATE", asked)
    return Expected(
        {OPERATED: _want(asked), "Old": Want(frozenset({"v1"}), {"JobType": "TRAINING"})},
        model=_model_of(asked),
    )


def update(w: World) -> Expected:
    """UPDATE of metadata and aliases (one alias kept, one removed, one added)."""
    made = w.create(OPERATED, _props("1", ["stable", "v1"], JobType="TRAINING", Processor="CPU"))
    asked = _props(
        "1", ["stable", "v1-final"], JobType="INFERENCE", Processor="CPU", VendorGuidance="STABLE"
    )
    w.operate("UPDATE", {**asked, "ImageVersionArn": made["ImageVersionArn"]}, previous=made)
    return Expected({OPERATED: _want(asked)}, model=_model_of(asked))


def update_alias_move(w: World) -> Expected:
    """UPDATE that moves an alias from a sibling (another resource's version) to its own."""
    w.create("Old", _props("1", ["stable", "v1"]))
    made = w.create(OPERATED, _props("2", ["candidate"]))
    asked = _props("2", ["candidate", "stable"], ReleaseNotes="promoted")
    w.operate("UPDATE", {**asked, "ImageVersionArn": made["ImageVersionArn"]}, previous=made)
    return Expected(
        {OPERATED: _want(asked), "Old": Want(frozenset({"v1"}))}, model=_model_of(asked)
    )


def delete(w: World) -> Expected:
    """DELETE of a version that is not the image's latest (a sibling made after it stays)."""
    made = w.create(OPERATED, _props("1", ["stable"], JobType="TRAINING"))
    other = _props("2", ["next"])
    w.create("Other", other)
    w.operate("DELETE", made)
    return Expected({"Other": _want(other)})


ROLLBACK_CREATING_SECONDS = 30.0
"""How long the version a rolled-back create made stays CREATING (virtual seconds)."""


def delete_after_create(w: World) -> Expected:
    """DELETE right after a create (a rollback): the create's first invocation made the version
    and handed back while it was still CREATING; the stack rolls back and deletes the resource
    with the model that answer named."""
    state_manager.set_transition(
        VERSION_CREATE_MODEL, {"progression": "time", "seconds": ROLLBACK_CREATING_SECONDS}
    )
    model = w.begin_create(OPERATED, _props("1", ["stable"], JobType="TRAINING"))
    w.operate("DELETE", model)
    return Expected({})


def read(w: World) -> Expected:
    """READ of a version with aliases and metadata."""
    asked = _props("1", ["stable", "v1"], JobType="INFERENCE", Processor="GPU", Horovod=True)
    made = w.create(OPERATED, asked)
    w.operate("READ", made)
    return Expected(
        {OPERATED: _want(asked)},
        model={
            **_model_of(asked),
            "ImageVersionArn": made["ImageVersionArn"],
            "BaseImage": asked["BaseImage"],
        },
    )


def _versions_for_list(w: World) -> tuple[dict[str, Want], set[str], set[str]]:
    """Two versions of the image and one of another: what each holds, the ARNs of the image's
    versions and of the other image's."""
    first, second = _props("1", ["stable"]), _props("2", ["next"])
    other = {**_props("3", ["elsewhere"]), "ImageName": OTHER_IMAGE}
    arns = {
        w.create(lid, props)["ImageVersionArn"]
        for lid, props in (("First", first), ("Second", second))
    }
    theirs = {w.create("Elsewhere", other)["ImageVersionArn"]}
    held = {"First": _want(first), "Second": _want(second), "Elsewhere": _want(other)}
    return held, arns, theirs


def list_image(w: World) -> Expected:
    """LIST with ImageName: the versions of that image, and only them."""
    held, arns, _ = _versions_for_list(w)
    w.operate_list({"ImageName": IMAGE})
    return Expected(held, listed=frozenset(arns))


def list_every_image(w: World) -> Expected:
    """LIST without ImageName: the versions of every image."""
    held, arns, theirs = _versions_for_list(w)
    w.operate_list(None)
    return Expected(held, listed=frozenset(arns | theirs))


CREATE_FAILURE = "Base image manifest could not be read"


def create_failed(w: World) -> Expected:
    """A create whose version ends CREATE_FAILED: the handler deletes it (clean-up) and the
    create fails NotStabilized with SageMaker's reason."""
    controls().fail_create(CREATE_FAILURE)
    w.operate("CREATE", _props("1", ["stable"], JobType="TRAINING"))
    return Expected(
        {},
        status="FAILED",
        error_code="NotStabilized",
        message=f"{CREATE_FAILURE}. The failed version was deleted",
    )


@dataclass(frozen=True)
class Scenario:
    """One action path worth sweeping: its ``play`` and the transports it is swept over."""

    name: str
    action: str
    play: Callable[[World], Expected]
    transports: tuple[Transport, ...] = (IN_PROCESS,)

    @property
    def summary(self) -> str:
        return " ".join((self.play.__doc__ or "").split("\n\n")[0].split())


BOTH: tuple[Transport, ...] = (IN_PROCESS, HTTP)
SCENARIOS = (
    Scenario("create", "CREATE", create, BOTH),
    Scenario("create-replacement", "CREATE", create_replacement, BOTH),
    Scenario("update", "UPDATE", update, BOTH),
    Scenario("update-alias-move", "UPDATE", update_alias_move, BOTH),
    Scenario("delete", "DELETE", delete, BOTH),
    Scenario("delete-after-create", "DELETE", delete_after_create),
    Scenario("read", "READ", read),
    Scenario("list-image", "LIST", list_image),
    Scenario("list-every-image", "LIST", list_every_image),
    Scenario("create-failed", "CREATE", create_failed, BOTH),
)
"""Every scenario, by name."""
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
