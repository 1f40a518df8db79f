"""`make serve`: the offline AWS on fixed ports, until Ctrl-C, for `cfn invoke` (`make invoke`).

The emulated SageMaker listens on 127.0.0.1:5000 and the Lambda Invoke endpoint on
127.0.0.1:3001 (the endpoint `cfn invoke` and `cfn test` call by default). The parent images the
example requests name are created at start, and the ARN `make invoke` kept from a CREATE against
an earlier run is forgotten once the ports are bound.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from pathlib import Path

from make_targets import invoke
from offline_aws.defaults import EMULATOR_PORT, LAMBDA_ENDPOINT_PORT
from offline_aws.services import image_names, offline_aws

REQUESTS = Path("examples/requests")


def main() -> int:
    root = Path.cwd()
    images = image_names(sorted((root / REQUESTS).glob("*.json")))
    with offline_aws(root, images, EMULATOR_PORT, LAMBDA_ENDPOINT_PORT) as offline:
        # only once the ports are ours: a second `make serve` that cannot bind them leaves the
        # running one's ARN alone
        invoke.forget(root / invoke.STATE)
        print(f"emulated SageMaker at {offline.emulator}; images: {', '.join(sorted(images))}")
        print(f"Lambda Invoke endpoint at {offline.endpoint}; Ctrl-C stops both", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
