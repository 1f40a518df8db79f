"""The logs and metrics the runtime library ships to CloudWatch, unable to fail or stall a handler.

A registered type's events carry ``providerLogGroupName`` and ``providerCredentials``, and the
runtime library (2.1.20) then ships every log record with PutLogEvents from inside the logging
call, and publishes metrics with PutMetricData before and after the handler runs. Left as they
are, a log line can fail the handler (the log handler lets every error but ResourceNotFound out
of ``LOG.info``), a metric can replace the handler's event with a bare InternalFailure (only
ClientError is caught), so a version just created would be named by no event, and either can
stall the invocation past its deadline (boto3's default 60 s timeouts and retries). Here:

- each telemetry client has :data:`CONNECT_TIMEOUT` to connect, :data:`READ_TIMEOUT` to
  answer (the whole answer, :mod:`.wire`), and one attempt;
- a failure to ship, or to build the client that ships, is written to standard error (Lambda's
  own log) and stops that shipping for the rest of the invocation, so CloudWatch being down costs
  one bounded call per invocation at most, and never changes the handler's outcome;
- the clients are built in the request's region (the library gives the provider's session
  none);
- a log line or a metric is shipped only while its calls, each at their bound, would end before
  the Lambda's own limit (the invocation's deadline plus the safety margin kept for the answer):
  a log line may take :data:`LOG_LINE_CALLS` calls (the library creates a missing group and
  stream, then ships again), a metric one. Past that, it goes to standard error;
- a record logged while a line is being shipped (botocore's own lines about that very call,
  when its loggers are lowered to DEBUG) is not shipped by the same handler: shipping it would
  ship again, without end.

And the handler's own lines are logged at INFO: Lambda's Python runtime sets the root logger's
level only when the function has a log level configured (``AWS_LAMBDA_LOG_LEVEL``), so it is
left at Python's WARNING, and a registered type's function is configured by CloudFormation, not
by us. Without a level of their own, the package's INFO lines would never reach the log group.

:func:`install` puts these in place of the library's log handler and metrics publisher, and
sets that level.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Mapping
from typing import Any

from botocore.config import Config
from cloudformation_cli_python_lib import resource as library_resource
from cloudformation_cli_python_lib.boto3_proxy import SessionProxy, _get_boto_session
from cloudformation_cli_python_lib.log_delivery import ProviderFilter, ProviderLogHandler
from cloudformation_cli_python_lib.metrics import MetricsPublisher, MetricsPublisherProxy
from cloudformation_cli_python_lib.utils import HandlerRequest

from . import log_redaction, wire
from .invocation import Invocation
from .timing import SAFETY_MARGIN
from .timing import TELEMETRY_CONNECT_TIMEOUT as CONNECT_TIMEOUT
from .timing import TELEMETRY_READ_TIMEOUT as READ_TIMEOUT

LOG_LINE_CALLS = 4  # PutLogEvents, CreateLogGroup, CreateLogStream, PutLogEvents
# The level of the package's loggers, unless a level was set on them before.
HANDLER_LOG_LEVEL = logging.INFO
_PACKAGE = __name__.rpartition(".")[0]
TELEMETRY_CONFIG = Config(
    retries={"mode": "legacy", "total_max_attempts": 1},
    connect_timeout=CONNECT_TIMEOUT,
    read_timeout=READ_TIMEOUT,
)


def telemetry_session(session: SessionProxy, region: str | None = None) -> SessionProxy:
    """``session``, its clients built with :data:`TELEMETRY_CONFIG`, in ``region`` (the
    request's: the library builds the provider's session with none, so without it the clients
    would depend on the process's environment)."""
    build = session.session.client
    where = {"region_name": region} if region else {}

    def client(*args: Any, **kwargs: Any) -> Any:
        built = build(*args, **{"config": TELEMETRY_CONFIG, **where, **kwargs})
        wire.install(built, wire.telemetry_deadline)
        return built

    session.client = client
    return session


def fits(calls: int) -> bool:
    """Whether ``calls`` shipping calls, each at its bound, end before the Lambda's own limit."""
    bound = calls * (CONNECT_TIMEOUT + READ_TIMEOUT)
    return Invocation.current().left() + SAFETY_MARGIN >= bound


def _report(what: str, error: BaseException) -> None:
    # (scrubbed: an error may quote the request it refused, the log role's token with it)
    text = f"{what} failed, not shipped again in this invocation: {type(error).__name__}: {error}"
    print(log_redaction.scrub(text), file=sys.stderr)


def _keep(what: str) -> None:
    print(log_redaction.scrub(f"{what}: no time left to ship it to CloudWatch"), file=sys.stderr)


def log_group(request: HandlerRequest) -> str | None:
    """The log group ``request`` asks its lines to be shipped to."""
    group: str | None = request.requestData.providerLogGroupName
    return group


def stream_name(request: HandlerRequest) -> str:
    """The stream the library ships ``request``'s lines to: one per stack and logical resource
    (one per account and region without them), with ``:`` as ``__``."""
    logical = request.requestData.logicalResourceId
    if request.stackId and logical:
        name = f"{request.stackId}/{logical}"
    else:
        name = f"{request.awsAccountId}-{request.region}"
    return name.replace(":", "__")


def _keep_out_of_first_handler(shipping: logging.Handler, request: HandlerRequest) -> None:
    """The library filters the type's own lines out of the root logger's first handler (Lambda's
    log) when it adds its shipping handler, once: a first handler put there since keeps them out
    too."""
    root = logging.getLogger()
    first = root.handlers[0] if root.handlers else None
    if first is None or first is shipping:
        return
    if not any(isinstance(f, ProviderFilter) for f in first.filters):
        first.addFilter(ProviderFilter(str(request.resourceType).replace("::", "_").lower()))


class ShippedLogs(ProviderLogHandler):
    """The library's CloudWatch Logs handler; a failure stops it for the invocation."""

    stopped = False
    _shipping = threading.local()

    @classmethod
    def setup(
        cls,
        request: HandlerRequest,
        provider_sess: SessionProxy | None,
        log_format: logging.Formatter | None = None,
    ) -> None:
        try:
            super().setup(request, provider_sess, log_format)
        except Exception as error:  # noqa: BLE001 (no shipping error may reach the handler)
            # a client that cannot be built (a bad endpoint, no region): this invocation's
            # lines are not shipped; a handler kept from an earlier one stays stopped
            _report("Setting up log shipping to CloudWatch Logs", error)
            handler = cls._get_existing_logger()
            if isinstance(handler, ShippedLogs):
                handler.stopped = True
            return
        handler = cls._get_existing_logger()
        if isinstance(handler, ShippedLogs):
            # A warm Lambda keeps the handler the first request made; the library then only
            # gives it new credentials. It ships this invocation's lines where this request
            # asks (its group, and a stream per stack and logical resource), or none at all
            # when this request asks for no shipping.
            asked = bool(provider_sess and log_group(request) and request.resourceType)
            handler.stopped = not asked
            if asked:
                handler.follow(request)
                _keep_out_of_first_handler(handler, request)

    def follow(self, request: HandlerRequest) -> None:
        """Ship to ``request``'s log group and stream from now on."""
        group, stream = log_group(request) or self.group, stream_name(request)
        if (group, stream) != (self.group, self.stream):
            self.group, self.stream = group, stream
            self.sequence_token = ""  # nosec (a new stream starts without one)

    def emit(self, record: logging.LogRecord) -> None:
        if self.stopped or getattr(self._shipping, "line", False):
            return
        if not fits(LOG_LINE_CALLS):
            _keep(self.format(record))
            return
        self._shipping.line = True
        try:
            super().emit(record)
        except Exception as error:  # noqa: BLE001 (no shipping error may reach the handler)
            self.stopped = True
            _report("Shipping a log line to CloudWatch Logs", error)
        finally:
            self._shipping.line = False


class ShippedMetric(MetricsPublisher):
    """The library's metrics publisher; a failure stops it for the invocation."""

    stopped = False

    def publish_metric(self, *args: Any, **kwargs: Any) -> None:
        if self.stopped:
            return
        if not fits(1):
            _keep(f"Metric {args[0] if args else kwargs.get('metric_name')}")
            return
        try:
            super().publish_metric(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 (no shipping error may reach the event)
            self.stopped = True
            _report("Publishing a metric to CloudWatch", error)


def shipping_for(event: Mapping[str, Any]) -> tuple[SessionProxy, HandlerRequest] | None:
    """The log delivery role's session and the library's request, for an event that asks for its
    logs and metrics to be shipped (it names a log group and that role's credentials); None for
    any other, or when they cannot be built (reported on standard error: shipping never changes
    an outcome). Where it is None, a log handler kept from an earlier request ships nothing
    (:func:`ship_nothing`)."""
    data = event["requestData"]
    credentials = data.get("providerCredentials")
    if credentials:
        # Before any client of them exists: botocore logs them at DEBUG.
        log_redaction.redact_only(credentials.values(), "provider")
    if credentials and data.get("providerLogGroupName"):
        try:
            request = HandlerRequest.deserialize(dict(event))
            session = _get_boto_session(request.requestData.providerCredentials)
            if session is not None:
                return telemetry_session(session, request.region), request
        except Exception as error:  # noqa: BLE001 (no shipping error may reach the event)
            _report("Setting up log shipping", error)
    ship_nothing()
    return None


def ship_nothing() -> None:
    """For a request that asks for no shipping: the log handler a warm Lambda kept from an
    earlier request that asked for it (the library sets it up only when a request asks) ships
    none of this invocation's lines, with that request's credentials, to its stream."""
    handler = ShippedLogs._get_existing_logger()
    if isinstance(handler, ShippedLogs):
        handler.stopped = True


class ShippedMetrics(MetricsPublisherProxy):
    """The library's per-invocation metrics proxy, publishing with :class:`ShippedMetric`."""

    def add_metrics_publisher(self, session: SessionProxy | None, type_name: str | None) -> None:
        if session and type_name:
            try:
                publisher = ShippedMetric(session, type_name)
            except Exception as error:  # noqa: BLE001 (no shipping error may reach the event)
                _report("Setting up metrics for CloudWatch", error)
                return
            self._publishers.append(publisher)


def install() -> None:
    """Make the runtime library's invocation ship logs and metrics with the classes above; the
    package's loggers at :data:`HANDLER_LOG_LEVEL` unless their level was set already."""
    package = logging.getLogger(_PACKAGE)
    if package.level == logging.NOTSET:
        package.setLevel(HANDLER_LOG_LEVEL)
    library_resource.ProviderLogHandler = ShippedLogs  # type: ignore[attr-defined]
    library_resource.MetricsPublisherProxy = ShippedMetrics  # type: ignore[attr-defined]
