"""Process configuration, read once from the environment.

Everything an operator sets at deploy time lives here (``CHATPORT_*`` plus Rocket.Chat's own
``ADMIN_*`` and ``TEST_MODE`` names, so Rocket.Chat deployment recipes keep working).
Values an admin may change while the server runs are *settings* (``accounts.settings``), not
configuration; their environment overrides are read there.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from chatport.jobs.priority import DEFAULT_NICE


class Config(BaseSettings):
    """Deploy-time configuration of one chatport process."""

    model_config = SettingsConfigDict(env_prefix="CHATPORT_", extra="ignore", populate_by_name=True)

    data_dir: Path = Path("./data")
    database_url: str | None = None
    import_store_dir: Path | None = Field(
        default=None, description="Where import files are stored (a path all nodes share)."
    )

    admin_username: str | None = Field(default=None, validation_alias="ADMIN_USERNAME")
    admin_pass: str | None = Field(default=None, validation_alias="ADMIN_PASS")
    admin_email: str | None = Field(default=None, validation_alias="ADMIN_EMAIL")
    test_mode: bool = Field(default=False, validation_alias=AliasChoices("TEST_MODE"))

    api_max_body_bytes: int = 64 << 20
    login_token_ttl_days: int = 90
    import_prepare_eagerly: bool = Field(
        default=False,
        description="Prepare a file once loaded, not on the first getImportFileData.",
    )
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
    import_nice: int = Field(
        default=DEFAULT_NICE,
        description="Nice value of imports and other background jobs (0-19; 0: full priority), "
        "so that reads stay fast while an import runs. Read by the job threads, the import's "
        "child processes and chatport import.",
    )
    # --- import options: what the importers do (docs/running.md lists each) ---------------
    # Field descriptions are the one text for the settings page and the docs check.
    import_slack_guests: str = Field(
        default="guest",
        description="Slack guests (is_restricted): guest (role guest), user (a member) or skip.",
    )
    import_grant_archive_roles: bool = Field(
        default=False,
        description="Let roles an archive gives (Slack Admin → admin) reach new users; off, "
        "new users get only user, bot or guest.",
    )
    import_max_message_length: int = Field(
        default=0,
        description="Split longer converted message texts into parts (0: keep them whole).",
    )
    import_add_members_to_existing_rooms: bool = Field(
        default=False,
        description="Add an imported room's members to a room it merges into (default rooms "
        "such as #general always get them).",
    )
    import_max_message_chars: int = Field(
        default=1 << 20, description="Message text cap: a longer one is importer-field-too-long."
    )
    import_max_name_chars: int = Field(
        default=255, description="Cap on usernames, user names and room names."
    )
    import_max_topic_chars: int = Field(
        default=4096, description="Cap on room topics and descriptions, status texts and bios."
    )
    import_max_file_name_chars: int = Field(default=255, description="Cap on file names.")
    import_file_retention: Literal["until-done", "keep"] = Field(
        default="until-done",
        description="until-done: a stored export is deleted once its import has ended; "
        "keep: until chatport import-files prune.",
    )
    import_message_batch: int = Field(
        default=5000, description="Messages written per transaction (and checkpoint)."
    )
    import_workers: int = Field(
        default=2,
        description="Child processes that read and convert Slack day files while this one "
        "writes (0 or 1: one process).",
    )
    import_parallel_min_bytes: int = Field(
        default=4_000_000,
        description="Below this many compressed bytes of day files, no children are started.",
    )
    hipchat_export_password: str | None = Field(
        default=None, description="Decrypts an encrypted HipChat export (.tar.gz.aes)."
    )
    # The preparation backstop (security-reliability §1.6 item 15): open and parse the archive
    # in a child process, killed at the wall-clock deadline; RLIMIT_CPU and RLIMIT_AS (0 = no
    # limit) bound it. Off, preparation runs in a thread of this process, unbounded.
    prepare_in_child: bool = Field(
        default=True, description="Read the archive in a child process with the limits below."
    )
    prepare_deadline_seconds: float = Field(
        default=3600.0, description="Wall-clock limit of a preparation."
    )
    prepare_cpu_seconds: int = Field(default=3600, description="CPU limit of a preparation.")
    prepare_memory_bytes: int = Field(
        default=0, description="Address-space limit of a preparation (0: none)."
    )
    # Pending files and avatars (importers.md §6): pool size, per-item lease and its renewal.
    pending_download_workers: int = Field(default=10, description="Parallel pending downloads.")
    pending_lease_seconds: float = Field(default=120.0, description="Lease of one pending item.")
    pending_heartbeat_seconds: float = Field(
        default=30.0, description="How often a lease is renewed."
    )
    pending_unreachable_after: int = Field(
        default=5,
        description="Downloads in a row from one host that could not reach it before the "
        "host's remaining items fail at once (0: try every item).",
    )
    auto_download_pending_files: bool = Field(
        default=False, description="Run pending files after each Slack import."
    )

    #: Fields shown read-only on the settings page (their values apply at start).
    IMPORT_OPTION_PREFIXES: ClassVar[tuple[str, ...]] = (
        "import_",
        "hipchat_",
        "prepare_",
        "pending_",
        "auto_download_",
    )
    SECRET_OPTIONS: ClassVar[frozenset[str]] = frozenset({"hipchat_export_password"})

    def import_options(self) -> list[dict[str, object]]:
        """The import options as the settings page shows them: name, environment variable,
        value (a secret only as set or not) and description."""
        out: list[dict[str, object]] = []
        for name, field in type(self).model_fields.items():
            if not name.startswith(self.IMPORT_OPTION_PREFIXES):
                continue
            value = getattr(self, name)
            if name in self.SECRET_OPTIONS:
                value = "(set)" if value else "(not set)"
            out.append(
                {
                    "id": name,
                    "env": f"CHATPORT_{name.upper()}",
                    "value": value,
                    "default": field.default,
                    "description": field.description or "",
                }
            )
        return out

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
