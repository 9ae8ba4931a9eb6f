"""Engine creation and schema migration, called by the composition root (never at import)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> AsyncEngine:
    """An async engine; on SQLite, foreign keys are enforced and writers wait instead of failing."""
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # The driver would send no BEGIN before a SAVEPOINT, so a nested block that is a transaction's
    # first write ran (and was committed by RELEASE) on its own, surviving a later rollback. Turning
    # the driver's own transaction handling off and sending BEGIN ourselves (SQLAlchemy's recipe for
    # pysqlite/aiosqlite) makes every unit of work one real transaction. IMMEDIATE: it takes the write
    # lock at the start, so a second writer waits (busy_timeout) instead of failing later when its
    # snapshot turns out stale.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a power cut may lose the last commits
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolates %
    return config


def upgrade(url: str) -> None:
    """Brings the schema to the newest revision. Synchronous: run it in a thread from async code."""
    command.upgrade(alembic_config(url), "head")



