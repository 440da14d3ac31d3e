"""`gateway worker`: processing and delivery beside other workers on one PostgreSQL database.

No HTTP server and no inbox of its own: it claims what any `gateway run` (or another channel)
received from the shared work queue. On SQLite there is one writer, `gateway run`, and a second
process gets one line saying so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gateway.settings import Settings


def sqlite_lock_dir(settings: Settings) -> Path:
    """Where the one-writer lock of a SQLite store lives: beside its database file."""
    url = settings.database_url
    if url and url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).expanduser().resolve().parent
    return settings.var_dir


def worker(
    home: Annotated[
        Path | None, typer.Option("--home", help="Base folder (default: current directory).")
    ] = None,
) -> None:
    """Process and deliver beside other workers on PostgreSQL (no HTTP); Ctrl-C stops cleanly."""
    import logging
    import signal

    from gateway.cli import EXIT_UNREADABLE, _fail, err, out
    from gateway.registry import RegistryError
    from gateway.service import Gateway
    from gateway.store import StoreError
    from gateway.store.engine import parse_url

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    settings = Settings.from_env(home)
    try:
        backend = (
            parse_url(settings.database_url).get_backend_name()
            if settings.database_url
            else "sqlite"
        )
    except StoreError as exc:
        _fail(str(exc))
    if backend != "postgresql":
        _fail(
            "gateway worker needs PostgreSQL (GATEWAY_DATABASE_URL=postgresql+psycopg://...): "
            "on SQLite `gateway run` is the one process that writes"
        )
    try:
        gw = Gateway(settings, receive=False)
    except RegistryError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except StoreError as exc:
        _fail(str(exc))

    def _stop(_signum: int, _frame: object) -> None:
        gw.stop()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    out.print(f"gateway worker {gw.queue.name} running on {gw.store.url}. Ctrl-C stops.")
    gw.run(http=False)
    out.print("gateway worker stopped")
