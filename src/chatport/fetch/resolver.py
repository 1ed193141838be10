"""The default name resolver: ``getaddrinfo`` with a time limit.

Why a wrapper: ``getaddrinfo`` has no timeout argument, and a resolution that hangs must refuse
the fetch like any other failure (fail closed, §1.3.1). The lookup runs in a daemon thread; if it
outlives the limit it is abandoned and finishes on its own.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

Resolver = Callable[[str, int], list[str]]


def _lookup(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def system_resolver(timeout: float) -> Resolver:
    """A resolver calling ``getaddrinfo`` once, raising ``TimeoutError`` after ``timeout`` s."""

    def resolve(host: str, port: int) -> list[str]:
        outcome: dict[str, list[str] | BaseException] = {}

        def run() -> None:
            try:
                outcome["value"] = _lookup(host, port)
            except BaseException as exc:  # handed to the waiting thread
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="chatport-fetch-dns", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise TimeoutError("name resolution timed out")
        error = outcome.get("error")
        if isinstance(error, BaseException):
            raise error
        value = outcome.get("value")
        return value if isinstance(value, list) else []

    return resolve
