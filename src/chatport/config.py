"""Process configuration, read once from the environment.

Everything an operator sets at deploy time lives here (``CHATPORT_*`` plus Rocket.Chat's own
``ADMIN_*`` and ``TEST_MODE`` names, so Rocket.Chat deployment recipes keep working).
Values an admin may change while the server runs are *settings* (``accounts.settings``), not
configuration; their environment overrides are read there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Config(BaseSettings):
    """Deploy-time configuration of one chatport process."""

    model_config = SettingsConfigDict(env_prefix="CHATPORT_", extra="ignore", populate_by_name=True)

    data_dir: Path = Path("./data")
    database_url: str | None = None
    import_store_dir: Path | None = None

    admin_username: str | None = Field(default=None, validation_alias="ADMIN_USERNAME")
    admin_pass: str | None = Field(default=None, validation_alias="ADMIN_PASS")
    admin_email: str | None = Field(default=None, validation_alias="ADMIN_EMAIL")
    test_mode: bool = Field(default=False, validation_alias=AliasChoices("TEST_MODE"))

    api_max_body_bytes: int = 64 << 20
    login_token_ttl_days: int = 90
    import_prepare_eagerly: bool = False
    download_connect_timeout: float = 10.0
    download_header_timeout: float = 60.0
    allowed_download_ports: str = "80,443"
    bcrypt_rounds: int = 10
    sqlite_synchronous: str = "FULL"
    trusted_proxies: str = ""
    rate_limit_calls: int = 10
    rate_limit_window_seconds: int = 60
    login_user_failures: int = 10
    login_ip_failures: int = 50
    login_block_seconds: int = 300
    lease_seconds: float = 120.0
    heartbeat_seconds: float = 30.0
    sweep_interval_seconds: float = 30.0
    public_url: str | None = None
    import_slack_guests: str = "guest"
    import_grant_archive_roles: bool = False
    import_max_message_length: int = 0
    import_add_members_to_existing_rooms: bool = False
    # Field caps (security §2): a record beyond one is that record's importer-field-too-long.
    import_max_message_chars: int = 1 << 20
    import_max_name_chars: int = 255
    import_max_topic_chars: int = 4096
    import_max_file_name_chars: int = 255
    import_message_batch: int = 5000
    #: Child processes that read and convert day files while this one writes (Slack); 0 or 1
    #: keeps everything in one process.
    import_workers: int = 2
    #: Below this many compressed bytes of day files, starting children costs more than it saves.
    import_parallel_min_bytes: int = 4_000_000
    #: Decrypts an encrypted HipChat export (``.tar.gz.aes``, importers §5.1).
    hipchat_export_password: str | None = None
    # The preparation backstop (security-reliability §1.6 item 15): open and parse the archive
    # in a child process, killed at the wall-clock deadline; RLIMIT_CPU and RLIMIT_AS (0 = no
    # limit) bound it. Off, preparation runs in a thread of this process, unbounded.
    prepare_in_child: bool = True
    prepare_deadline_seconds: float = 3600.0
    prepare_cpu_seconds: int = 3600
    prepare_memory_bytes: int = 0
    # Pending files and avatars (importers.md §6): pool size, per-item lease and its renewal.
    pending_download_workers: int = 10
    pending_lease_seconds: float = 120.0
    pending_heartbeat_seconds: float = 30.0
    #: Downloads in a row from one host that could not reach it before the host's other
    #: items fail at once (0: try every item).
    pending_unreachable_after: int = 5
    auto_download_pending_files: bool = False
    #: ``until-done``: a stored export goes once its operation has ended; ``keep``: until
    #: ``chatport import-files prune`` (imports/file_retention.py).
    import_file_retention: Literal["until-done", "keep"] = "until-done"

    def resolved_database_url(self) -> str:
        """SQLite inside the data dir unless an explicit URL is configured."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'chatport.db').resolve()}"

    def resolved_import_store(self) -> Path:
        return (self.import_store_dir or self.data_dir / "import-files").resolve()

    def resolved_upload_dir(self) -> Path:
        return (self.data_dir / "uploads").resolve()

    def download_ports(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.allowed_download_ports.split(",") if p.strip())
