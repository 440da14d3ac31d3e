"""Where the gateway keeps things, from the environment with embedded defaults (no set-up)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    base_dir: Path
    partners_dir: Path
    inbox_dir: Path
    outbox_dir: Path
    var_dir: Path
    database_url: str | None  # None: SQLite under var/
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    rescan_seconds: float = 5.0
    stable_seconds: float = 1.0
    deliver_every_seconds: float = 1.0
    overdue_check_seconds: float = 60.0
    lease_seconds: float = 60.0  # a crashed worker's deliveries return to the queue after this
    max_payload_bytes: int = 2 * 1024**3
    stale_upload_seconds: float = 3600.0  # a temporary inbox name unchanged this long: reported

    @property
    def archive_dir(self) -> Path:
        return self.var_dir / "archive"

    @classmethod
    def from_env(cls, base_dir: Path | None = None) -> Settings:
        env = os.environ
        base = Path(env.get("GATEWAY_HOME", base_dir or Path.cwd())).resolve()

        def path(name: str, default: str) -> Path:
            value = Path(env.get(name, default))
            return value if value.is_absolute() else base / value

        return cls(
            base_dir=base,
            partners_dir=path("GATEWAY_PARTNERS_DIR", "partners"),
            inbox_dir=path("GATEWAY_INBOX_DIR", "inbox"),
            outbox_dir=path("GATEWAY_OUTBOX_DIR", "outbox"),
            var_dir=path("GATEWAY_VAR_DIR", "var"),
            database_url=env.get("GATEWAY_DATABASE_URL") or None,
            http_host=env.get("GATEWAY_HTTP_HOST", "127.0.0.1"),
            http_port=int(env.get("GATEWAY_HTTP_PORT", "8080")),
            rescan_seconds=float(env.get("GATEWAY_RESCAN_SECONDS", "5")),
            stable_seconds=float(env.get("GATEWAY_STABLE_SECONDS", "1")),
            lease_seconds=float(env.get("GATEWAY_LEASE_SECONDS", "60")),
            stale_upload_seconds=float(env.get("GATEWAY_STALE_UPLOAD_SECONDS", "3600")),
        )
