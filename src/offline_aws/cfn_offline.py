"""`cfn` as installed, with its STS calls sent to ``AWS_ENDPOINT_URL_STS`` when that is set.

`cfn test` asks STS for the caller's account before it runs the suite. It builds the public STS
URL itself, so botocore's ``AWS_ENDPOINT_URL_STS`` does not reach that call, and offline it fails.
This wrapper changes nothing else: ``python -m offline_aws.cfn_offline test ...`` takes the same
arguments as ``cfn test ...``.
"""

from __future__ import annotations

import os
import sys

from rpdk.core import boto_helpers
from rpdk.core.cli import main as cfn_main

_public_endpoint = boto_helpers.get_service_endpoint


def service_endpoint(service: str, region: str) -> str:
    override = os.environ.get("AWS_ENDPOINT_URL_STS") if service == "sts" else None
    return override or str(_public_endpoint(service, region))


def main() -> None:
    boto_helpers.get_service_endpoint = service_endpoint
    sys.exit(cfn_main())


if __name__ == "__main__":
    main()
