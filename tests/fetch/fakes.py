"""Test doubles shared by the fetcher tests (kept out of conftest so tests can import them)."""

from __future__ import annotations

import socket

from chatport.fetch import FetchPolicy


class CountingResolver:
    """Maps ``*.test`` names to loopback (or to whatever a test says) and counts each call.

    Answers may be a list or a list of lists, in which case successive calls for the same name
    get successive answers (used to model DNS rebinding).
    """

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.calls: list[tuple[str, int]] = []
        self.errors: dict[str, BaseException] = {}

    def set(self, host: str, *answers: list[str]) -> None:
        self.answers[host] = list(answers)

    def count(self, host: str | None = None) -> int:
        return sum(1 for name, _ in self.calls if host is None or name == host)

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host in self.errors:
            raise self.errors[host]
        if host in self.answers:
            queue = self.answers[host]
            return list(queue.pop(0) if len(queue) > 1 else queue[0])
        if host.endswith(".test"):
            return ["127.0.0.1"]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


class DialLog:
    def __init__(self) -> None:
        self.addresses: list[tuple[str, int]] = []

    def hosts(self) -> set[str]:
        return {host for host, _ in self.addresses}


def policy_for(resolver: CountingResolver, *entries: str, **kwargs: object) -> FetchPolicy:
    """A policy whose allowlist admits the given ``host:port`` entries (test servers only)."""
    return FetchPolicy(allowlist="\n".join(entries), resolver=resolver, **kwargs)  # type: ignore[arg-type]
