"""`make invoke ACTION=CREATE REQUEST=examples/requests/create.json`: `cfn invoke` against the
offline AWS that `make serve` runs, with its STS call sent to the emulator.

It behaves like a tool:
- it exits 0 when the handler's last answer is SUCCESS and 1 when it is FAILED, with one line
  naming the error code;
- when nothing answers at `make serve`'s addresses it says so in one line, rather than letting
  `cfn` ask for a bug report;
- it plays CloudFormation's part of keeping the physical id: the ImageVersionArn of the last
  CREATE that succeeded is kept in ``STATE`` (`make serve` forgets it as it starts, its emulator
  being empty), and a request's ``{{ImageVersionArn}}`` is replaced by it.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from offline_aws.defaults import EMULATOR_PORT, LAMBDA_ENDPOINT_PORT
from offline_aws.services import Offline

PLACEHOLDER = "{{ImageVersionArn}}"
STATE = Path(".make-invoke.json")
RESPONSE_MARK = "=== Handler response ==="
FIRST_CREATE = "make invoke ACTION=CREATE REQUEST=examples/requests/create.json"


class InvokeError(Exception):
    """Something to say in one line before exiting non-zero."""


def last_response(output: str) -> dict[str, Any] | None:
    """The handler's last answer in `cfn invoke`'s output; None when it printed none."""
    start = output.rfind(RESPONSE_MARK)
    if start == -1:
        return None
    try:
        answer, _ = json.JSONDecoder().raw_decode(output[start + len(RESPONSE_MARK) :].lstrip())
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def verdict(action: str, answer: Mapping[str, Any] | None, cfn_exit: int) -> tuple[int, str]:
    """The exit code and closing line for one `cfn invoke` run and its last answer."""
    if answer is None:
        return (cfn_exit or 1), (
            f"make invoke: {action} got no answer from the handler (cfn invoke exit {cfn_exit});"
            " is `make serve` still running?"
        )
    status = answer.get("status")
    if status == "SUCCESS":
        return 0, f"make invoke: {action} SUCCESS"
    detail = f"{answer.get('errorCode')}: {answer.get('message')}" if status == "FAILED" else ""
    return 1, f"make invoke: {action} {status} {detail}".rstrip()


def fill_placeholder(request: str, remembered: str | None) -> str:
    """The request text with ``{{ImageVersionArn}}`` replaced by the remembered ARN."""
    if PLACEHOLDER not in request:
        return request
    if remembered is None:
        raise InvokeError(
            f"make invoke: the request names {PLACEHOLDER}, the ARN of the last CREATE, and no"
            f" CREATE has succeeded since make serve started; run {FIRST_CREATE} first"
        )
    return request.replace(PLACEHOLDER, remembered)


def read_request(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as error:
        raise InvokeError(f"make invoke: cannot read {path}: {error.strerror}") from None


def remembered_arn(state: Path) -> str | None:
    """The ARN kept by the last successful CREATE; None when there is none (or it is unreadable,
    which the next CREATE mends)."""
    try:
        kept = json.loads(state.read_text())
    except (OSError, ValueError):
        return None
    arn = kept.get("ImageVersionArn") if isinstance(kept, dict) else None
    return arn if isinstance(arn, str) else None


def remember(state: Path, action: str, answer: Mapping[str, Any] | None) -> None:
    """Keep the ARN a successful CREATE answered with."""
    if action != "CREATE" or answer is None or answer.get("status") != "SUCCESS":
        return
    arn = (answer.get("resourceModel") or {}).get("ImageVersionArn")
    if isinstance(arn, str):
        state.write_text(json.dumps({"ImageVersionArn": arn}) + "\n")


def forget(state: Path = STATE) -> None:
    """`make serve` starts an empty emulator: no earlier CREATE's ARN means anything there."""
    state.unlink(missing_ok=True)


def require_listening(url: str, what: str) -> None:
    address = urlsplit(url)
    try:
        with socket.create_connection((address.hostname or "", address.port or 80), timeout=2):
            pass
    except OSError as error:
        raise InvokeError(
            f"make invoke: nothing answers at {url} ({what}: {error.strerror or error});"
            " start `make serve` in another terminal first"
        ) from None


@contextmanager
def request_file(text: str) -> Iterator[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="make-invoke-") as file:
        file.write(text)
        file.flush()
        yield file.name


def run_cfn_invoke(offline: Offline, action: str, request: str) -> tuple[int, str]:
    """`cfn invoke`, its output shown as it comes and kept; its exit code."""
    command = [sys.executable, "-m", "offline_aws.cfn_offline", "invoke"]
    command += ["--endpoint", offline.endpoint, "--region", "us-east-1", "resource", action]
    lines = []
    with request_file(request) as path:
        env = offline.cli_environment()
        with subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [*command, path], stdout=subprocess.PIPE, text=True, env=env
        ) as cfn:
            for line in cfn.stdout or ():
                sys.stdout.write(line)
                lines.append(line)
    sys.stdout.flush()
    return cfn.returncode, "".join(lines)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m make_targets.invoke")
    parser.add_argument("action", choices=("CREATE", "READ", "UPDATE", "DELETE", "LIST"))
    parser.add_argument("request", type=Path)
    parser.add_argument("--emulator", default=f"http://127.0.0.1:{EMULATOR_PORT}")
    parser.add_argument("--endpoint", default=f"http://127.0.0.1:{LAMBDA_ENDPOINT_PORT}")
    parser.add_argument("--state", type=Path, default=STATE, help="where the last ARN is kept")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    offline = Offline(emulator=args.emulator, endpoint=args.endpoint)
    try:
        require_listening(offline.endpoint, "the Lambda Invoke endpoint")
        require_listening(offline.emulator, "the emulated SageMaker")
        request = fill_placeholder(read_request(args.request), remembered_arn(args.state))
    except InvokeError as error:
        print(error, file=sys.stderr)
        return 1
    cfn_exit, output = run_cfn_invoke(offline, args.action, request)
    answer = last_response(output)
    remember(args.state, args.action, answer)
    code, line = verdict(args.action, answer, cfn_exit)
    print(line, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
