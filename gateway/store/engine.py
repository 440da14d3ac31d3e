"""Engine factory: SQLite (WAL, BEGIN IMMEDIATE writers) embedded, PostgreSQL (psycopg) scaled out.

Also turns SQLite's "database is locked" into a `StoreBusyError` an operator can act on.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from gateway.store.errors import StoreBusyError, StoreConfigError
from gateway.store.records import RawJson

DEFAULT_SQLITE_PATH = Path("var") / "gateway.db"
DEFAULT_BUSY_TIMEOUT_MS = 5000

# Execution option marking an engine whose transactions only read: on SQLite they start with a
# deferred BEGIN so readers (dashboard, CLI) never queue behind the writer lock.
READ_ONLY = "gateway_read_only"

_CACHE_KIB = 32 * 1024  # page cache per SQLite connection
_CHECKPOINT_BYTES = 1000 * 4096
# A transaction writing only rows of an open interchange (see `hold_checkpoint`) lets the WAL
# grow to this before its commit checkpoints.
_HELD_CHECKPOINT_BYTES = 4 * _CHECKPOINT_BYTES
_CHECKPOINT_INFO = "gateway_wal_autocheckpoint"  # (pages now, default pages, page size)

_LOCKED_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def default_url(cwd: Path | None = None) -> str:
    """`sqlite:///<cwd>/var/gateway.db`, creating `var/` when missing."""
    path = (cwd or Path.cwd()) / DEFAULT_SQLITE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def parse_url(url: str | None) -> URL:
    """Parse and normalise a store URL: bare `postgresql://` means psycopg 3."""
    try:
        parsed = make_url(url or default_url())
    except ArgumentError as exc:
        raise StoreConfigError(f"not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.get_driver_name() not in ("psycopg", "postgresql"):
            raise StoreConfigError("PostgreSQL URLs must use psycopg 3: postgresql+psycopg://...")
        return parsed.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise StoreConfigError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed


DEFAULT_IDLE_TX_SECONDS = 60.0


def make_engine(
    url: str | None,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    idle_in_transaction_seconds: float = DEFAULT_IDLE_TX_SECONDS,
) -> Engine:
    """An engine with the gateway's settings for the URL's dialect (see module docstring).

    On PostgreSQL a session idle inside a transaction for `idle_in_transaction_seconds` (a
    worker paused or hung mid-transaction) is ended by the server: its locks (a control number
    counter, a claim) go back and its transaction rolls back instead of stalling every worker.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "postgresql":
        idle_ms = int(idle_in_transaction_seconds * 1000)
        engine = create_engine(
            parsed,
            hide_parameters=True,
            pool_pre_ping=True,
            json_serializer=_json_serializer,
            connect_args={"options": f"-c idle_in_transaction_session_timeout={idle_ms}"},
        )
    else:
        engine = _sqlite_engine(parsed, busy_timeout_ms)
    return engine


def _sqlite_engine(url: URL, busy_timeout_ms: int) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        hide_parameters=True,  # partner data and payloads never end up in error messages
        json_serializer=_json_serializer,
    )
    display = database or ":memory:"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Take BEGIN away from the sqlite3 module so the "begin" hook below decides its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit is on disk before the gateway acts on it (a receipt, then the
            # source file is deleted; an effective interchange, then its 997 goes out). With
            # NORMAL a power cut or OS crash may take back WAL commits since the last
            # checkpoint. One fsync per commit costs ~0.2 ms here and the streaming path commits
            # once per 1,000-set chunk.
            cursor.execute("PRAGMA synchronous = FULL")
            # Checkpoint (copy the WAL into the database) after ~4 MB of WAL, SQLite's default
            # of 1,000 pages of 4 KB, whatever this file's page size. (16 KB pages were measured
            # too: a 4.7 KB payload then needs no overflow page, but processing gained nothing
            # measurable and delivery's row updates were ~20 % slower.)
            page_size = cursor.execute("PRAGMA page_size").fetchone()[0]
            pages = _CHECKPOINT_BYTES // page_size
            cursor.execute(f"PRAGMA wal_autocheckpoint = {pages}")
            record.info[_CHECKPOINT_INFO] = (pages, pages, page_size)
            cursor.execute("PRAGMA foreign_keys = ON")
            # A 1,000-set chunk dirties 6-10 MB; with the default 2 MB cache SQLite spills pages
            # to the WAL mid-statement and reads them back (memory only, no durability change).
            cursor.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise StoreBusyError(_busy_message(display, busy_timeout_ms)) from None
            raise
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: two writers queue on busy_timeout instead of
        # one failing later when its read snapshot is already stale (SQLITE_BUSY_SNAPSHOT).
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
        if not read_only:
            _set_checkpoint(conn, held=False)  # undo `hold_checkpoint` of an earlier chunk

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        original = context.original_exception
        if isinstance(original, sqlite3.OperationalError) and _is_locked(original):
            raise StoreBusyError(_busy_message(display, busy_timeout_ms)) from None

    return engine


def hold_checkpoint(conn: Connection) -> None:
    """Call inside a write transaction that only writes rows of an interchange still
    "processing" (envelope, held chunks, group verdicts): its commit does not checkpoint until
    the WAL reaches _HELD_CHECKPOINT_BYTES. Every commit is durable in the WAL already
    (synchronous=FULL); this only lets the pages a chunk writes and its release rewrites be
    copied into the database once, by the checkpoint after the commit that makes them effective.
    No-op on PostgreSQL; the next write transaction on the connection is back to the default."""
    if conn.dialect.name == "sqlite":
        _set_checkpoint(conn, held=True)


def _set_checkpoint(conn: Connection, *, held: bool) -> None:
    info = conn.connection.info
    if _CHECKPOINT_INFO not in info:  # set by _on_connect for every connection; be safe
        return
    now, default, page_size = info[_CHECKPOINT_INFO]
    pages = _HELD_CHECKPOINT_BYTES // page_size if held else default
    if pages != now:
        conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {pages}")
        info[_CHECKPOINT_INFO] = (pages, default, page_size)


def _json_serializer(value: Any) -> str:
    """JSON columns: pre-encoded documents pass through, everything else is encoded here."""
    if isinstance(value, RawJson):
        return str(value)
    return json.dumps(value)


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(m in text for m in _LOCKED_MESSAGES)


def _busy_message(database: str, busy_timeout_ms: int) -> str:
    return (
        f"the SQLite database {database} stayed locked by another writer for more than "
        f"{busy_timeout_ms / 1000:g} s; another gateway process is probably using the same file. "
        "Run one gateway process per SQLite file, or use PostgreSQL "
        "(postgresql+psycopg://...) for several workers."
    )
