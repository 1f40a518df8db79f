"""``python -m make_targets.call_trace``: what one CREATE walks through in the handler package.

Runs one CREATE through the real Lambda entrypoint against the emulator in process (immediate
transitions, so it ends in one invocation), once to warm the process and once traced, and
prints, for the traced (warm) invocation: the package's modules it entered, the distinct
functions it called, and the distinct calls from a function of one module into a function of
another (cross-module hops). ``--cold`` traces the first invocation instead (the process's set-up
included). The figures are the engine issue's structure measure, before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import boto3
from moto import mock_aws

from harness.driver import Driver
from offline_aws.defaults import IMAGE_ROLE, PROCESS_CREDENTIALS, REGION, base_image
from sagemaker_emulator import install

PACKAGE = "community_sagemaker_imageversion"


# Code that is not a function someone wrote: comprehensions, lambdas, what @dataclass generates.
GENERATED = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>", "<lambda>", "__create_fn__")


def _owner(frame: FrameType) -> str | None:
    """The package module whose own function ``frame`` runs (None: not the package's, or code
    no one wrote as a function)."""
    module = frame.f_globals.get("__name__", "")
    if module != PACKAGE and not str(module).startswith(PACKAGE + "."):
        return None
    if any(part in frame.f_code.co_qualname for part in GENERATED):
        return None
    return str(module)


@contextmanager
def traced() -> Iterator[dict[str, Any]]:
    found: dict[str, Any] = {"modules": set(), "functions": set(), "hops": set()}

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event != "call":
            return
        module = _owner(frame)
        if module is None:
            return
        name = f"{module}.{frame.f_code.co_qualname}"
        found["modules"].add(module)
        found["functions"].add(name)
        caller = frame.f_back
        while caller is not None and _owner(caller) is None:
            caller = caller.f_back
        if caller is not None and _owner(caller) != module:
            found["hops"].add((f"{_owner(caller)}.{caller.f_code.co_qualname}", name))

    sys.setprofile(profile)
    try:
        yield found
    finally:
        sys.setprofile(None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m make_targets.call_trace")
    parser.add_argument("--cold", action="store_true", help="trace the first invocation")
    parser.add_argument("--json", action="store_true", help="print every name, as JSON")
    args = parser.parse_args(argv)

    os.environ.update(PROCESS_CREDENTIALS)
    os.environ["AWS_DEFAULT_REGION"] = REGION
    install()
    with mock_aws():
        boto3.client("sagemaker", region_name=REGION).create_image(
            ImageName="Traced", RoleArn=IMAGE_ROLE
        )

        def create(n: int) -> dict[str, Any]:
            # imported here: a cold trace includes the package's import
            from community_sagemaker_imageversion.handlers import resource  # noqa: PLC0415

            props = {"ImageName": "Traced", "BaseImage": base_image(f"traced:{n}")}
            outcome = Driver(resource).run("CREATE", props, token=str(uuid.uuid4()))
            return {"status": outcome.status, "invocations": outcome.invocations}

        if args.cold:
            with traced() as found:
                ended = create(1)
        else:
            create(1)
            with traced() as found:
                ended = create(2)
    figures = {
        "invocations": ended["invocations"],
        "status": ended["status"],
        "modules": len(found["modules"]),
        "functions": len(found["functions"]),
        "cross_module_hops": len(found["hops"]),
    }
    if args.json:
        figures["names"] = {k: sorted(map(str, v)) for k, v in found.items()}
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
