"""SageMaker clients for one request: the caller's credentials, the request's region.

Building a SageMaker client in a fresh session loads botocore's endpoint data and SageMaker's
service model, and the runtime library would build a fresh boto3 Session for every invocation.
So every client comes from one botocore session per process (its data is loaded once) and is kept
for the next invocation of the same caller: a cached client is reused only for exactly the same
credentials and region, so one caller's credentials never serve another.

That session's loader finds SageMaker's model in ``botocore_data/`` first: botocore's own model
trimmed to the operations the handler calls (``make generate`` writes it, see
``src/make_targets/sagemaker_model.py``), 55 shapes where botocore's has 3,200, which a cold
process parses in a fraction of the time; and botocore's endpoint data trimmed to SageMaker's
(7 KB where botocore's is 730 KB). The loader knows the session builds SageMaker clients only, so
it does not list botocore's 400 service folders to find SageMaker among them. Only this session
looks there; the runtime library's sessions (logs, metrics) are its own.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import botocore.session
from botocore.config import Config
from botocore.loaders import Loader
from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.boto3_proxy import SessionProxy

from . import __version__, log_redaction, wire
from .timing import CONNECT_TIMEOUT, READ_TIMEOUT

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

# botocore's DEBUG lines print each request's headers, among them the caller's session token and
# access key id. An explicit INFO level on botocore's logger keeps them from being written at all
# while the root logger is lowered; log_redaction scrubs them if botocore's loggers are lowered.
_BOTOCORE_LOG_FLOOR = logging.INFO


def keep_credentials_out_of_logs() -> None:
    """botocore's loggers at INFO at least (the entrypoint calls this before the first
    invocation)."""
    botocore_logger = logging.getLogger("botocore")
    if botocore_logger.level == logging.NOTSET or botocore_logger.level < _BOTOCORE_LOG_FLOOR:
        botocore_logger.setLevel(_BOTOCORE_LOG_FLOOR)


# Appended to botocore's User-Agent: which handler version made a call (CloudTrail's userAgent),
# whatever registered type version CloudFormation numbered it.
USER_AGENT = f"community-sagemaker-imageversion/{__version__}"

# One attempt per botocore call: the engine retries what botocore's own rules would (its
# classification, errors.classify), each attempt only while it fits before the invocation's
# deadline (botocore's retries know no deadline). Legacy mode, because standard mode keeps a
# retry quota per client even when it makes one attempt. Each attempt's whole answer is bounded
# by the time left (``wire.AnswerBy``); connecting by the fixed connect timeout.
CLIENT_CONFIG = Config(
    user_agent_extra=USER_AGENT,
    retries={"mode": "legacy", "total_max_attempts": 1},
    connect_timeout=CONNECT_TIMEOUT,
    read_timeout=READ_TIMEOUT,
)
# The trimmed SageMaker model's data path: what it does not hold (the endpoint rule set,
# paginators, waiters) the loader finds in botocore's own data.
BOTOCORE_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore_data")
SERVICE = "sagemaker"


class SageMakerLoader(Loader):
    """botocore's loader with ``botocore_data/`` first, for a session that builds SageMaker
    clients only. botocore's lists every folder of its data (400 services) before it loads any
    service's file, to check the service exists: about a tenth of a cold start, to learn that
    SageMaker does."""

    def __init__(self) -> None:
        super().__init__(extra_search_paths=[BOTOCORE_DATA])

    def list_available_services(self, type_name: str) -> list[str]:
        return [SERVICE]


# Clients kept per process: one per recent (caller, region). A Lambda serves one caller at a time.
MAX_CACHED_CLIENTS = 8
_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_SAGEMAKER"


@dataclass(frozen=True)
class CallerSession:
    """The caller's credentials, as the request carries them: what handlers receive in place of
    the boto3 session the runtime library would build for every invocation."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)

    def values(self) -> tuple[str, str, str]:
        return self.access_key_id, self.secret_access_key, self.session_token or ""


class _ClientCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: botocore.session.Session | None = None
        # keyed by the caller itself: equal only for exactly the same credentials
        self._clients: OrderedDict[tuple[CallerSession, str, str], SageMakerClient] = OrderedDict()

    def sagemaker(self, caller: CallerSession, region: str) -> SageMakerClient:
        # botocore reads the endpoint variables when it builds a client: they belong in the key.
        endpoint = os.environ.get(_ENDPOINT_VARIABLE) or os.environ.get("AWS_ENDPOINT_URL") or ""
        key = (caller, region, endpoint)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._create(caller, region)
                self._clients[key] = client
                while len(self._clients) > MAX_CACHED_CLIENTS:
                    self._clients.popitem(last=False)
                log_redaction.redact_only(
                    value for held, _, _ in self._clients for value in held.values()
                )
            else:
                self._clients.move_to_end(key)
            return client

    def _create(self, caller: CallerSession, region: str) -> SageMakerClient:
        if self._session is None:
            session = botocore.session.get_session()
            session.register_component("data_loader", SageMakerLoader())
            self._session = session
        client = self._session.create_client(
            SERVICE,
            region_name=region,
            aws_access_key_id=caller.access_key_id,
            aws_secret_access_key=caller.secret_access_key,
            aws_session_token=caller.session_token,
            config=CLIENT_CONFIG,
        )
        wire.install(client, wire.deadline_of_call)
        return cast("SageMakerClient", client)

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()


CLIENTS = _ClientCache()


def _caller_of(session: SessionProxy | CallerSession) -> CallerSession:
    if isinstance(session, CallerSession):
        return session
    credentials = session.session.get_credentials()
    if credentials is None:
        raise exceptions.InvalidCredentials("The request carries no caller credentials")
    frozen = credentials.get_frozen_credentials()
    if frozen.access_key is None or frozen.secret_key is None:
        raise exceptions.InvalidCredentials("The request's caller credentials are incomplete")
    return CallerSession(frozen.access_key, frozen.secret_key, frozen.token)


def sagemaker_client(
    session: SessionProxy | CallerSession | None, region: str | None
) -> SageMakerClient:
    """The SageMaker client of the request's caller, in the request's region."""
    if session is None:
        raise exceptions.InvalidCredentials("The request carries no caller credentials")
    if not region:
        raise exceptions.InvalidRequest("The request names no region")
    return CLIENTS.sagemaker(_caller_of(session), region)
