"""`make contract-aws`: the contract suite against a real account, with the inputs `make contract`
uses offline.

Deploys (or updates) the prerequisites stack ``test/setup.yml`` with the AWS CLI, builds the
handler bundle as `make package` does, serves it with ``sam local start-lambda`` (Docker) on
127.0.0.1:3001, runs ``cfn test`` in the region, and stops SAM. The setup stack is kept for the
next run (an image and a role cost nothing); ``--delete-setup`` deletes it at the end.

Nothing here runs offline: without the AWS CLI, the SAM CLI or Docker on PATH, without a region
or a base image, or with port 3001 taken (by `make serve`, whose offline endpoint ``cfn test``
would then drive), it says what is missing and exits 2 before any call.

``python -m make_targets.contract_aws --base-image URI [--region R] [--delete-setup]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from make_targets import submit

ROOT = Path(__file__).resolve().parents[2]
SETUP_TEMPLATE = "test/setup.yml"
SETUP_STACK = "community-sagemaker-imageversion-contract-setup"
TOOLS = ("aws", "sam", "docker")
LAMBDA_PORT = 3001
SAM_START_SECONDS = 300.0


@dataclass(frozen=True)
class Plan:
    deploy: list[str]
    serve: list[str]
    test: list[str]
    delete: list[str] | None


def missing(
    environment: Mapping[str, str],
    region: str | None,
    base_image: str | None,
) -> list[str]:
    """What stops a run before any call: tools not on ``environment``'s PATH, no region, no base
    image."""
    path = environment.get("PATH", "")
    problems = [
        f"`{tool}` is not on PATH" for tool in TOOLS if shutil.which(tool, path=path) is None
    ]
    if not (region or environment.get("AWS_REGION") or environment.get("AWS_DEFAULT_REGION")):
        problems.append("no region: pass REGION=... (or set AWS_REGION)")
    if _listening(LAMBDA_PORT):
        problems.append(
            f"port {LAMBDA_PORT} is taken (`make serve`?): cfn test would drive that endpoint"
            " instead of SAM's; stop it first"
        )
    if not base_image:
        problems.append(
            "no base image: pass BASE_IMAGE=<an image SageMaker can pull in that region>"
        )
    return problems


def plan(region: str, base_image: str, cfn: str, *, delete_setup: bool) -> Plan:
    """The commands of one run, in order (the bundle is built between deploy and serve)."""
    where = ["--region", region]
    return Plan(
        deploy=[
            "aws",
            "cloudformation",
            "deploy",
            "--stack-name",
            SETUP_STACK,
            "--template-file",
            SETUP_TEMPLATE,
            "--capabilities",
            "CAPABILITY_IAM",
            "--no-fail-on-empty-changeset",
            "--parameter-overrides",
            f"BaseImage={base_image}",
            *where,
        ],
        serve=["sam", "local", "start-lambda", "--port", str(LAMBDA_PORT), *where],
        test=[cfn, "test", *where, "--", "-p", "no:cacheprovider"],
        delete=(
            ["aws", "cloudformation", "delete-stack", "--stack-name", SETUP_STACK, *where]
            if delete_setup
            else None
        ),
    )


def _listening(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for_port(port: int, seconds: float, alive: Callable[[], bool]) -> bool:
    """Whether something listens on 127.0.0.1:``port`` within ``seconds`` while ``alive()``."""
    ends = time.monotonic() + seconds
    while time.monotonic() < ends and alive():
        if _listening(port):
            return True
        time.sleep(0.5)
    return False


def run(plan_: Plan, build: Callable[[], int], environment: Mapping[str, str]) -> int:
    """Runs ``plan_``; the exit status of the first step that failed, else ``cfn test``'s."""

    def step(command: list[str]) -> int:
        print("+ " + " ".join(command), flush=True)
        return subprocess.run(command, cwd=ROOT, env=dict(environment), check=False).returncode  # noqa: S603

    status = step(plan_.deploy)
    if status == 0:
        print("+ make package", flush=True)
        status = build()
    if status != 0:
        return status
    print("+ " + " ".join(plan_.serve), flush=True)
    sam = subprocess.Popen(plan_.serve, cwd=ROOT, env=dict(environment))  # noqa: S603
    try:
        if not wait_for_port(LAMBDA_PORT, SAM_START_SECONDS, lambda: sam.poll() is None):
            print(f"sam local start-lambda did not listen on port {LAMBDA_PORT}", file=sys.stderr)
            return 1
        status = step(plan_.test)
    finally:
        sam.terminate()
        sam.wait(timeout=30)
    if plan_.delete is not None:
        step(plan_.delete)
    return status


def main(argv: Sequence[str] | None = None, environment: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(prog="make contract-aws")
    parser.add_argument("--base-image", default=environment.get("BASE_IMAGE") or None)
    parser.add_argument("--region", default=None)
    parser.add_argument("--delete-setup", action="store_true")
    parser.add_argument("--cfn", default=str(Path(sys.executable).parent / "cfn"))
    args = parser.parse_args(argv)
    problems = missing(environment, args.region, args.base_image)
    if problems:
        print("make contract-aws needs a real account; it cannot start:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    region = args.region or environment.get("AWS_REGION") or environment["AWS_DEFAULT_REGION"]
    steps = plan(region, args.base_image, args.cfn, delete_setup=args.delete_setup)
    return run(steps, lambda: submit.submit(["--dry-run"], ROOT, environment), environment)


if __name__ == "__main__":
    sys.exit(main())
