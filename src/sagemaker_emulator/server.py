"""moto's server with the image add-on installed, for processes that cannot share ``mock_aws``.

Run ``PYTHONPATH=src python -m sagemaker_emulator.server [--port N] [--host 127.0.0.1]`` from
the repository root (``--port 0`` picks a free port); the first line printed is the endpoint
URL. Point a process at it with ``AWS_ENDPOINT_URL_SAGEMAKER=<url>`` (any fake credentials).
Every moto service is served, as are moto's ``/moto-api/...`` paths (``POST /moto-api/reset``,
the state manager) and the emulator's controls at :data:`~.control.CONTROL_PATH`. Rate limits
and faults set in the controls (:mod:`.rate_limits`, :mod:`.faults`) act here, in front of moto.

In tests, ``with running_server() as endpoint_url:`` serves the same in a background thread of
the current process, on a free port of 127.0.0.1. That thread shares moto's state with the
process: a ``mock_aws`` starting or stopping meanwhile resets the server's state too.
"""

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from . import install
from .control import ControlMiddleware, admit
from .faults import HTTP, FaultMiddleware, Verdict

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def create_app() -> "WSGIApplication":
    """moto's WSGI application with the add-on installed, rate limits and injected faults and
    the controls in front."""
    install()
    moto_app = DomainDispatcherApplication(create_backend_app)
    return ControlMiddleware(FaultMiddleware(moto_app, _admit))


def _admit(account_id: str, region_name: str, operation: str, body: bytes) -> Verdict | None:
    """What happens to one request over HTTP (:func:`~.control.admit`)."""
    return admit(account_id, region_name, operation, body, HTTP)


@contextmanager
def running_server(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve in a background thread (``port`` 0: a free port); yields the endpoint URL."""
    server = _make_server(host, port)
    thread = threading.Thread(target=server.serve_forever, name="sagemaker-emulator", daemon=True)
    thread.start()
    try:
        yield _endpoint(server)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sagemaker_emulator.server")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000, 0: any free)")
    args = parser.parse_args(argv)
    server = _make_server(args.host, args.port)
    signal.signal(signal.SIGTERM, _exit)
    print(_endpoint(server), flush=True)  # the first line: the endpoint URL
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _make_server(host: str, port: int) -> BaseWSGIServer:
    return make_server(host, port, create_app(), threaded=True, request_handler=MotoRequestHandler)


def _endpoint(server: BaseWSGIServer) -> str:
    return f"http://{server.host}:{server.server_port}"


def _exit(_signum: int, _frame: FrameType | None) -> None:
    sys.exit(0)


if __name__ == "__main__":
    main()
