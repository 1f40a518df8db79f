"""The contract's shape of every event the Lambda entrypoint answers, checked with the contract
suite's own assertions (cloudformation-cli's ``rpdk.core.contract.resource_client``).

"Every model MUST include the primaryIdentifier" (the handler contract); `cfn test` asserts it
on every IN_PROGRESS event (``ResourceClient.call``), and on the models of CREATE, READ and
UPDATE (``response_contains_primary_identifier``) and of LIST (``test_model_in_list``). Checked
here on every event, with the suite's own functions:

- every event: a known status; READ and LIST never IN_PROGRESS (``call``);
- IN_PROGRESS: ``assert_in_progress`` and ``assert_primary_identifier``;
- SUCCESS: ``assert_success``; its model without write-only properties
  (``assert_write_only_property_does_not_exist``) and, for CREATE, READ and UPDATE, with the
  primary identifier; each LIST model with the primary identifier;
- FAILED: ``assert_failed``; a model it carries includes the primary identifier, and so does
  that of a CREATE once its version exists ("The only exception is if the first progress event
  is FAILED, and the resource has not yet been created");
- a model's primary identifier is the one the request named, when it named one
  (``is_primary_identifier_equal``; an UPDATE's, as `cfn test` compares, the previous model's).

Whether a CREATE's version exists is whether a CreateImageVersion of that operation answered.
One exception, explicit and narrow: an IN_PROGRESS event of a CREATE before any
CreateImageVersion of that operation (its bearer token, since its first delivery) has answered
without an error (a create still waiting for a busy image) may carry no identifier: none exists
yet. Whether one answered is read from the recorder of every AWS call (:mod:`.recorder`), by
:class:`CreateAnswers`.

Used by the test suite (every event of every test, tests/conftest.py) and by the fault sweep
(:mod:`reliability_suite.sweep`), which runs outside pytest too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rpdk.core.contract.interface import OperationStatus
from rpdk.core.contract.resource_client import ResourceClient

from .recorder import Recorder

ROOT = Path(__file__).resolve().parents[2]
PROJECT = json.loads((ROOT / ".rpdk-config").read_text())
SCHEMA_FILE = ROOT / (PROJECT["typeName"].lower().replace("::", "-") + ".json")
ENTRYPOINT = str(PROJECT["entrypoint"])
"""The Lambda entrypoint, ``module.attribute``, as `cfn submit` registers it."""


@cache
def contract_client() -> Any:
    """The suite's ResourceClient, holding only the schema (no session, no endpoint): its
    assertions read nothing else."""
    client = ResourceClient.__new__(ResourceClient)
    client._update_schema(json.loads(SCHEMA_FILE.read_text()))
    return client


def identifier_of(model: object) -> object:
    if not isinstance(model, Mapping):
        return None
    return model.get("ImageVersionArn")


@dataclass
class CreateAnswers:
    """Whether a CREATE operation's CreateImageVersion answered naming its version (so a version
    exists and the handler knows which, and every event names it), from the recorder of every
    AWS call. (An answer without the ARN, which SageMaker's model allows, tells no identifier:
    the create asks again with its ClientToken, and an invocation left without time for that
    hands back naming none.) An operation is
    the invocations of one bearer token since its first delivery: an event with no callback
    context and no identifier in its model (a test may run the same tokens again).

    The recorder is read once, as it grows (a test may make a hundred thousand calls)."""

    recorder: Recorder
    starts: dict[str, int] = field(default_factory=dict)
    answers: dict[str, list[int]] = field(default_factory=dict)
    """The positions of the CreateImageVersion calls that answered, by bearer token."""
    read: int = 0

    def delivered(self, event: Any) -> None:
        if not isinstance(event, dict) or event.get("action") != "CREATE":
            return
        data = event.get("requestData")
        model = data.get("resourceProperties") if isinstance(data, dict) else None
        if not event.get("callbackContext") and not identifier_of(model):
            self.starts[str(event.get("bearerToken"))] = self._catch_up()

    def answered(self, token: str) -> bool:
        self._catch_up()
        start = self.starts.get(token, 0)
        return any(position >= start for position in self.answers.get(token, ()))

    def _catch_up(self) -> int:
        """Read the calls recorded since last time; how many there are."""
        if self.recorder.count() < self.read:  # cleared: read it again from its start
            self.read, self.answers = 0, {}
        for call in self.recorder.since(self.read):
            if (
                call.operation == "CreateImageVersion"
                and call.error is None
                and call.version_arn is not None
                and call.scope is not None
                and call.scope.token is not None
            ):
                self.answers.setdefault(call.scope.token, []).append(self.read)
            self.read += 1
        return self.read


def _is_json(answer: Mapping[str, Any]) -> bool:
    """Whether ``answer`` holds JSON's own types only: what its JSON text reads back as."""
    try:
        return bool(json.loads(json.dumps(answer)) == answer)
    except (TypeError, ValueError):
        return False


def _true(value: bool, message: str) -> None:
    assert value, message


def violations(
    event: object, answer: Mapping[str, Any], create_answered: Callable[[str], bool]
) -> list[str]:
    """What in ``answer`` (to ``event``) breaks the contract's shape, one line each."""
    client = contract_client()
    paths = client.primary_identifier_paths
    action = event.get("action") if isinstance(event, Mapping) else None
    problems: list[str] = []

    def check(name: str, assertion: Callable[..., Any], *args: Any) -> None:
        try:
            assertion(*args)
        except (AssertionError, KeyError, TypeError) as error:
            if isinstance(error, TypeError) and model is None:
                problems.append(f"{name}: the event carries no resourceModel")
            else:
                problems.append(f"{name}: {str(error).splitlines()[0] if str(error) else error!r}")

    try:
        status = OperationStatus[answer["status"]]
    except (KeyError, TypeError):
        return [f"no known status: {answer.get('status')!r}"]
    if not _is_json(answer):
        problems.append("the event is not a JSON document (the Lambda runtime sends its text)")
    model = answer.get("resourceModel")
    if action in ("READ", "LIST"):
        check("call", _true, status != OperationStatus.IN_PROGRESS, f"{action} IN_PROGRESS")
    if status == OperationStatus.IN_PROGRESS:
        check("assert_in_progress", client.assert_in_progress, status, answer)
        token = str(event.get("bearerToken")) if isinstance(event, Mapping) else ""
        waiting_to_create = action == "CREATE" and not create_answered(token)
        if not waiting_to_create:
            check("assert_primary_identifier", client.assert_primary_identifier, paths, model)
    elif status == OperationStatus.SUCCESS:
        check("assert_success", client.assert_success, status, answer)
        if model is not None:
            check(
                "assert_write_only_property_does_not_exist",
                client.assert_write_only_property_does_not_exist,
                model,
            )
        if action in ("CREATE", "READ", "UPDATE"):
            check("assert_primary_identifier", client.assert_primary_identifier, paths, model)
        for listed in answer.get("resourceModels") or []:
            check(
                "assert_primary_identifier (LIST)", client.assert_primary_identifier, paths, listed
            )
    else:
        check("assert_failed", client.assert_failed, status, answer)
        token = str(event.get("bearerToken")) if isinstance(event, Mapping) else ""
        created = action == "CREATE" and create_answered(token)
        if model is not None or created:
            check("assert_primary_identifier", client.assert_primary_identifier, paths, model)
    asked = _asked_identifier(event)
    if asked is not None and identifier_of(model) is not None:
        check(
            "is_primary_identifier_equal",
            _true,
            client.is_primary_identifier_equal(paths, {"ImageVersionArn": asked}, model),
            f"asked for {asked}, answered {identifier_of(model)}",
        )
    return problems


def _asked_identifier(event: object) -> object:
    """The identifier the request named: an UPDATE's previous model's (as `cfn test` compares),
    else the model's."""
    if not isinstance(event, Mapping) or not isinstance(event.get("requestData"), Mapping):
        return None
    data = event["requestData"]
    if event.get("action") == "UPDATE" and identifier_of(data.get("previousResourceProperties")):
        return identifier_of(data.get("previousResourceProperties"))
    return identifier_of(data.get("resourceProperties"))


def summary(event: object, answer: Mapping[str, Any]) -> str:
    """One line naming an event: its action, status, error code and model's identifiers."""
    action = event.get("action") if isinstance(event, Mapping) else type(event).__name__
    model = answer.get("resourceModel")
    shown = (
        {k: model.get(k) for k in ("ImageVersionArn", "Version", "ImageName") if k in model}
        if isinstance(model, Mapping)
        else model
    )
    return f"{action} -> {answer.get('status')} {answer.get('errorCode') or ''} model={shown}"
