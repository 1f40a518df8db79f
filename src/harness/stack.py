"""A stack-like driver: many resources changed at once, as CloudFormation does for a stack.

CloudFormation runs every resource of a stack that has no dependency in parallel: one thread per
resource here, each driving its operation to the end through :class:`~.driver.Driver` (the real
Lambda entrypoint, re-invoked on IN_PROGRESS after the callback delay). A :class:`Stack` keeps
what CloudFormation keeps of each resource: its last model, from which updates and deletes start.
A failed create whose event names the version it made is remembered too, as CloudFormation does
(so a later delete cleans it up): the model that FAILED event carried, exactly, is what the
delete is given; one that names none leaves nothing for CloudFormation to find.
:meth:`Stack.delete_kept` deletes with models given explicitly (the model CloudFormation would
have kept, built by a test), whether or not the stack holds them.

Lambda runs invocations that overlap in separate execution environments (processes); here they
share one process, and so whatever the handler package keeps per process (its cached clients,
and with them botocore's retry quota). ``own_credentials`` gives each resource caller
credentials of its own, so that each keeps its own client, as a Lambda environment serving that
resource would.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from offline_aws.defaults import CALLER_CREDENTIALS

from .driver import Driver, Outcome

Properties = Mapping[str, Any]
_TOKEN_NAMESPACE = uuid.UUID("4f7c8a0e-2d65-4bb1-9a0f-7d1c2f3e5a61")


def run_at_once(jobs: Mapping[str, Callable[[], Outcome]]) -> dict[str, Outcome]:
    """Run every job in its own thread, all released together; their outcomes by name.

    A job that raises re-raises here (after every job has ended).
    """
    outcomes: dict[str, Outcome] = {}
    errors: dict[str, BaseException] = {}
    start = threading.Barrier(len(jobs)) if jobs else None

    def work(name: str, job: Callable[[], Outcome]) -> None:
        try:
            if start is not None:
                start.wait()
            outcomes[name] = job()
        except BaseException as error:  # noqa: BLE001 (re-raised below, in the caller's thread)
            errors[name] = error

    threads = [
        threading.Thread(target=work, args=(name, job), name=f"resource-{name}")
        for name, job in jobs.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        name, error = next(iter(errors.items()))
        raise RuntimeError(f"{len(errors)} resource(s) crashed the driver, first {name}") from error
    return outcomes


@dataclass
class Stack:
    """Resources by logical id, created, updated and deleted all at once."""

    driver: Driver
    name: str = "stack"
    own_credentials: bool = False
    """Give each resource credentials of its own (the same across its operations)."""
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: int = 0

    def token(self, logical_id: str, action: str) -> str:
        """A bearer token per operation, reproducible from the stack, resource and action."""
        self.operations += 1
        seed = f"{self.name}/{logical_id}/{action}/{self.operations}"
        return str(uuid.uuid5(_TOKEN_NAMESPACE, seed))

    def create(self, resources: Mapping[str, Properties]) -> dict[str, Outcome]:
        jobs = {
            logical_id: self._job("CREATE", logical_id, dict(properties), None)
            for logical_id, properties in resources.items()
        }
        outcomes = run_at_once(jobs)
        for logical_id, outcome in outcomes.items():
            model = outcome.model
            if model and model.get("ImageVersionArn"):
                self.models[logical_id] = model
        return outcomes

    def update(self, resources: Mapping[str, Properties]) -> dict[str, Outcome]:
        """Update resources the stack holds to ``resources`` (identifiers are carried over)."""
        jobs = {}
        for logical_id, properties in resources.items():
            previous = self.models[logical_id]
            desired = {**properties, "ImageVersionArn": previous["ImageVersionArn"]}
            jobs[logical_id] = self._job("UPDATE", logical_id, desired, previous)
        outcomes = run_at_once(jobs)
        for logical_id, outcome in outcomes.items():
            if outcome.status == "SUCCESS" and outcome.model:
                self.models[logical_id] = outcome.model
        return outcomes

    def delete(self, logical_ids: Iterable[str] | None = None) -> dict[str, Outcome]:
        """Delete the resources named (default: every one the stack holds), each given the model
        the stack kept for it; forget those deleted (or already gone)."""
        chosen = self.models if logical_ids is None else {i: self.models[i] for i in logical_ids}
        return self.delete_kept(chosen)

    def delete_kept(self, models: Mapping[str, Properties]) -> dict[str, Outcome]:
        """Delete resources given the model kept for each (by logical id), all at once; forget
        those deleted (or already gone) if the stack held them."""
        jobs = {
            logical_id: self._job("DELETE", logical_id, dict(model), None)
            for logical_id, model in dict(models).items()
        }
        outcomes = run_at_once(jobs)
        for logical_id, outcome in outcomes.items():
            if outcome.status == "SUCCESS" or outcome.error_code == "NotFound":
                self.models.pop(logical_id, None)
        return outcomes

    def _job(
        self,
        action: str,
        logical_id: str,
        properties: Properties,
        previous: Properties | None,
    ) -> Callable[[], Outcome]:
        token = self.token(logical_id, action)
        options: dict[str, Any] = {"logical_id": logical_id}
        if self.own_credentials:
            options["credentials"] = credentials_of(logical_id)
        return lambda: self.driver.run(
            action, properties, previous=previous, token=token, event_options=options
        )


def credentials_of(logical_id: str) -> dict[str, str]:
    """Caller credentials of one resource: the test credentials with an access key of its own."""
    key_id = "AKIA" + hashlib.sha256(logical_id.encode()).hexdigest()[:16].upper()
    return {**CALLER_CREDENTIALS, "accessKeyId": key_id}
