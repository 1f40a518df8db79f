"""Ports for tests, which must pass while `make serve` holds its fixed ports (5000 and 3001):
a free port of the test's own, and a fixed port held for the length of a block."""

import contextlib
import errno
import socket
from collections.abc import Iterator


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on (the system's pick: bind port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def held(port: int) -> Iterator[None]:
    """``port`` of 127.0.0.1 taken for the block: by this test, or already by another process
    (a `make serve` running beside the tests), which is the case the block is about."""
    with socket.socket() as holder:
        try:
            holder.bind(("127.0.0.1", port))
            holder.listen()
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
        yield
