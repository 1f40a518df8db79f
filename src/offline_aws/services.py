"""The offline AWS a local run needs: the emulated SageMaker and the Lambda Invoke endpoint.

Both serve from background threads of this process. The handler runs in this process too and
reaches the emulator over HTTP through ``AWS_ENDPOINT_URL_SAGEMAKER``, as a deployed handler
reaches SageMaker; the logs and metrics it ships when a request names a log group reach moto's
Logs and CloudWatch on the same server, through :data:`~offline_aws.defaults.SERVED_ENDPOINTS`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import threading
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto.moto_api import state_manager
from werkzeug.serving import make_server

from offline_aws.defaults import IMAGE_ROLE, PROCESS_CREDENTIALS, REGION, SERVED_ENDPOINTS
from sagemaker_emulator.models import VERSION_CREATE_MODEL, VERSION_DELETE_MODEL
from sagemaker_emulator.server import running_server

from .lambda_endpoint import create_app, load_functions


@functools.cache
def in_process_client() -> Any:
    """A SageMaker client of the offline account, made once per process (a client costs about
    20 ms to make, more than many whole test runs): moto answers it whenever ``mock_aws`` is
    active, and it keeps nothing of one run for the next (each mock_aws starts empty)."""
    session = boto3.session.Session(
        aws_access_key_id=PROCESS_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=PROCESS_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    return session.client("sagemaker")


# `cfn test` and `cfn invoke` call http://127.0.0.1:3001 unless told otherwise.


@dataclass(frozen=True)
class Offline:
    emulator: str
    endpoint: str

    def cli_environment(self) -> dict[str, str]:
        """Environment for a `cfn` process (see cfn_offline) that talks to this offline AWS."""
        src = str(Path("src").resolve())
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p),
            **PROCESS_CREDENTIALS,
            # With a session token `cfn` uses these credentials as they are (no GetSessionToken).
            "AWS_SESSION_TOKEN": "offline",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_STS": self.emulator,
        }


def image_names(request_files: Iterable[Path]) -> set[str]:
    """The ImageName of every JSON document given (contract inputs or `cfn invoke` requests)."""
    names = set()
    for path in request_files:
        document = json.loads(path.read_text())
        properties = document.get("desiredResourceState", document)
        name = properties.get("ImageName") if isinstance(properties, dict) else None
        if isinstance(name, str) and not path.name.endswith("_invalid.json"):
            names.add(name)
    return names


@contextlib.contextmanager
def lambda_endpoint(root: Path, port: int = 0) -> Iterator[str]:
    """The Invoke endpoint on 127.0.0.1 (``port`` 0: a free port), in a background thread."""
    server = make_server("127.0.0.1", port, create_app(load_functions(root)), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="lambda-endpoint", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@contextlib.contextmanager
def offline_aws(
    root: Path, images: Iterable[str], emulator_port: int = 0, endpoint_port: int = 0
) -> Iterator[Offline]:
    """Start the emulator and the endpoint, create the parent ``images``; stop both after."""
    with (
        sagemaker_server(sorted(images), emulator_port) as sagemaker,
        lambda_endpoint(root, endpoint_port) as endpoint,
    ):
        yield Offline(sagemaker.meta.endpoint_url, endpoint)


@contextlib.contextmanager
def sagemaker_server(images: Iterable[str] = (), port: int = 0) -> Iterator[Any]:
    """The emulator as a server (background thread), reset, with ``images`` created; handlers
    of this process reach it (and the runtime library its Logs and CloudWatch) through
    :data:`~offline_aws.defaults.SERVED_ENDPOINTS` until the block ends. Yields a SageMaker
    client of it for set-up and checks (its calls are not handler calls)."""
    names = (*SERVED_ENDPOINTS, *PROCESS_CREDENTIALS, "AWS_DEFAULT_REGION")
    saved = {name: os.environ.get(name) for name in names}
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        with running_server(port=port) as emulator:
            os.environ.update(dict.fromkeys(SERVED_ENDPOINTS, emulator))
            for variable, setting in PROCESS_CREDENTIALS.items():
                os.environ.setdefault(variable, setting)
            # Lambda always sets the region; the runtime library's log and metric clients take
            # theirs from there (it builds their session without one).
            os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
            sagemaker = boto3.client("sagemaker", region_name=REGION)
            reset = f"{emulator}/moto-api/reset"
            with urllib.request.urlopen(reset, data=b"{}", timeout=10):  # noqa: S310 (local)
                pass
            for name in images:
                sagemaker.create_image(ImageName=name, RoleArn=IMAGE_ROLE)
            yield sagemaker
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def timed_transitions(seconds: float) -> Iterator[None]:
    """Versions take ``seconds`` to be created and to be deleted (moto's time progression),
    until the block ends."""
    for model_name in (VERSION_CREATE_MODEL, VERSION_DELETE_MODEL):
        state_manager.set_transition(model_name, {"progression": "time", "seconds": seconds})
    try:
        yield
    finally:
        for model_name in (VERSION_CREATE_MODEL, VERSION_DELETE_MODEL):
            state_manager.unset_transition(model_name)
