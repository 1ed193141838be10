"""Everything a request or a job needs, built once per process by ``bootstrap``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from chatport.accounts.service import Accounts
from chatport.accounts.settings_registry import (
    IMPORT_DOWNLOAD_DEADLINE,
    IMPORT_DOWNLOAD_IDLE_TIMEOUT,
    IMPORT_MAX_FILE_BYTES,
    SSRF_ALLOWLIST,
)
from chatport.accounts.settings_store import SettingsStore
from chatport.clock import Clock
from chatport.config import Config
from chatport.fetch.download import Limits
from chatport.fetch.ssrf import FetchPolicy
from chatport.imports.filestore import FileStore
from chatport.imports.registry import Registry
from chatport.jobs.runner import JobRunner

Resolver = Callable[[str, int], list[str]]


@dataclass
class Context:
    config: Config
    engine: Engine
    clock: Clock
    settings: SettingsStore
    accounts: Accounts
    store: FileStore
    registry: Registry
    runner: JobRunner
    worker_id: str
    resolver: Resolver | None = None
    ca_certs: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def lease_ms(self) -> int:
        return int(self.config.lease_seconds * 1000)

    def fetch_policy(self, allowed_hosts: tuple[str, ...] = ()) -> FetchPolicy:
        """The SSRF policy, with the allowlist read now: a settings change applies at once."""
        return FetchPolicy(
            allowlist=str(self.settings.get(SSRF_ALLOWLIST) or ""),
            allowed_ports=self.config.download_ports(),
            allowed_hosts=allowed_hosts,
            resolver=self.resolver,
            ca_certs=self.ca_certs,
        )

    def download_limits(self, max_bytes: int | None = None) -> Limits:
        return Limits(
            max_bytes=int(max_bytes or self.settings.get(IMPORT_MAX_FILE_BYTES)),
            connect_timeout=self.config.download_connect_timeout,
            header_timeout=self.config.download_header_timeout,
            idle_timeout=float(self.settings.get(IMPORT_DOWNLOAD_IDLE_TIMEOUT)),
            deadline=float(self.settings.get(IMPORT_DOWNLOAD_DEADLINE)),
        )
