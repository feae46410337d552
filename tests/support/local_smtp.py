"""A real SMTP server on a free local port, for tests that send mail."""

from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from support.infrastructure import free_port


@contextmanager
def serving_smtp(handler: object) -> Iterator[int]:
    """Serves `handler` (an aiosmtpd handler) on 127.0.0.1 and yields the port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
