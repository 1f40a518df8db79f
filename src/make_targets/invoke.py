"""`make invoke ACTION=CREATE REQUEST=examples/requests/create.json`: `cfn invoke` against the
offline AWS that `make serve` runs, with its STS call sent to the emulator."""

from __future__ import annotations

import subprocess
import sys

from offline_aws.defaults import EMULATOR_PORT, LAMBDA_ENDPOINT_PORT
from offline_aws.services import Offline


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m make_targets.invoke ACTION REQUEST_FILE", file=sys.stderr)
        return 2
    action, request_file = argv
    offline = Offline(
        emulator=f"http://127.0.0.1:{EMULATOR_PORT}",
        endpoint=f"http://127.0.0.1:{LAMBDA_ENDPOINT_PORT}",
    )
    command = [sys.executable, "-m", "offline_aws.cfn_offline", "invoke"]
    command += ["--endpoint", offline.endpoint, "--region", "us-east-1"]
    command += ["resource", action, request_file]
    return subprocess.call(command, env=offline.cli_environment())  # noqa: S603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
