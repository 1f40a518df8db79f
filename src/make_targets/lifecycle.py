"""`make lifecycle`: one image version through create, read, update, list and delete.

The emulator runs as moto's server (in a background thread) and the handler reaches it through
AWS_ENDPOINT_URL_SAGEMAKER, as a deployed handler reaches SageMaker. Versions take two seconds to
create, so the run shows the handler waiting. Exits non-zero when any step does not end as it
should.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Mapping
from typing import Any

from moto.moto_api import state_manager

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver, Outcome
from offline_aws.defaults import base_image
from offline_aws.services import sagemaker_server
from sagemaker_emulator.models import VERSION_CREATE_MODEL

IMAGE = "DemoImage"
CREATE = {
    "ImageName": IMAGE,
    "BaseImage": base_image("demo:1.0"),
    "Aliases": ["stable", "1.0"],
    "JobType": "TRAINING",
    "Processor": "GPU",
    "MLFramework": "PyTorch 2.3",
    "ProgrammingLang": "Python 3.11",
}


def _show(step: str, outcome: Outcome, expected: str) -> Mapping[str, Any] | None:
    statuses = " -> ".join(e["status"] for e in outcome.events)
    mark = "ok" if outcome.status == expected else "UNEXPECTED"
    print(f"{step:<7} {mark:<10} {statuses} ({outcome.invocations} invocation(s))")
    if outcome.error_code:
        print(f"        {outcome.error_code}: {outcome.final.get('message')}")
    if outcome.model:
        print("        " + json.dumps(outcome.model, sort_keys=True))
    if outcome.status != expected:
        raise SystemExit(f"{step} ended {outcome.status}, expected {expected}")
    return outcome.model


def main() -> int:
    with sagemaker_server([IMAGE]) as sagemaker:
        print(f"emulated SageMaker at {sagemaker.meta.endpoint_url}")
        state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "time", "seconds": 2})
        driver = Driver(resource, time_limit=60.0, delay_scale=1.0)
        created = _show("CREATE", driver.run("CREATE", CREATE), "SUCCESS") or {}
        _show(
            "READ", driver.run("READ", {"ImageVersionArn": created["ImageVersionArn"]}), "SUCCESS"
        )
        desired = {**CREATE, "ImageVersionArn": created["ImageVersionArn"]}
        desired.update(Aliases=["stable", "1.0.1"], JobType="INFERENCE")
        updated = _show("UPDATE", driver.run("UPDATE", desired, previous=created), "SUCCESS")
        models, pages = driver.list_all({"ImageName": IMAGE})
        print(f"LIST    ok         {len(models)} version(s) in {pages} page(s)")
        _show("DELETE", driver.run("DELETE", updated), "SUCCESS")
        # The runtime library prints a traceback for every handler error; this one is expected.
        # CloudFormation reads with the model it kept: one SageMaker showed, so its absence is
        # confirmed in about a second (an ARN alone could be read-after-write lag: 25 s).
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            gone = driver.run("READ", updated)
        _show("READ", gone, "FAILED")
        state_manager.unset_transition(VERSION_CREATE_MODEL)
    print("lifecycle complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
