"""Engine creation and schema migration, called by the composition root (never at import)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.dialects import registry
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage import inloop_sqlite

MIGRATIONS = Path(__file__).with_name("migrations")
# A statement never waits inside SQLite for another process's write lock: that would stop the event
# loop (inloop_sqlite). The Store waits for it between tries instead (store._take_write_lock).
BUSY_TIMEOUT_MS = 0


def make_engine(url: str) -> AsyncEngine:
    """An async engine; on SQLite, foreign keys are enforced and writers wait instead of failing.
    SQLite URLs (`sqlite+aiosqlite://`, as configured) run on the in-loop driver (inloop_sqlite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        registry.register("sqlite.inloop", inloop_sqlite.__name__, "SQLiteDialect_inloop")
        parsed = parsed.set(drivername=inloop_sqlite.NAME)
    engine = create_async_engine(parsed, pool_pre_ping=parsed.get_backend_name() != "sqlite")
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # The driver would send no BEGIN before a SAVEPOINT, so a nested block that is a transaction's
    # first write ran (and was committed by RELEASE) on its own, surviving a later rollback. Turning
    # the driver's own transaction handling off and sending BEGIN ourselves (SQLAlchemy's recipe for
    # pysqlite/aiosqlite) makes every unit of work one real transaction. IMMEDIATE: it takes the write
    # lock at the start, so a second writer waits for it there (the Store retries) instead of failing
    # later when its snapshot turns out stale.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a power cut may lose the last commits
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Sent on the DB-API connection itself: every event begins a transaction, and exec_driver_sql's
    execution context cost more than the BEGIN. Its error is raised as SQLAlchemy's would be."""
    try:
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
    except sqlite3.OperationalError as exc:
        raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolates %
    return config


def upgrade(url: str) -> None:
    """Brings the schema to the newest revision. Synchronous: run it in a thread from async code."""
    command.upgrade(alembic_config(url), "head")



