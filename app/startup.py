"""Start-up against services that may not be there yet: the database and the platforms' APIs.

An unreachable service is one line naming its host, never a traceback; with `--wait` (containers
and systemd units that start together) it is retried with backoff until it answers or the process
is stopped.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from asyncpg.exceptions import CannotConnectNowError, TooManyConnectionsError  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from adapters.errors import PlatformUnreachable
from app.settings import ConfigError

if TYPE_CHECKING:
    from app.runtime import Frontend

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0  # seconds for one attempt; asyncpg's own default is a minute
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
TRANSIENT = (OSError, TimeoutError, CannotConnectNowError, TooManyConnectionsError)  # worth a retry


class DatabaseUnreachable(RuntimeError):
    """The database cannot be used; the message names its host, never its password."""


def backoff() -> Iterator[float]:
    """Seconds to wait before each retry: 1, 2, 4 ... then every 30."""
    delay = BACKOFF_FIRST
    while True:
        yield delay
        delay = min(delay * 2, BACKOFF_MAX)


def where(url: URL) -> str:
    """The database's place as an operator would name it, with no credentials."""
    if url.get_backend_name() == "sqlite":
        return f"database file {url.database}"
    host = url.host or str(url.query.get("host") or "localhost")
    return f"database at {host}:{url.port or 5432}"


def sqlite_problem(url: URL) -> str | None:
    """Why the SQLite file cannot be written, if it cannot (SQLite itself would only say "unable to
    open database file", deep inside the first migration). Its folder is created if missing."""
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    path = Path(url.database)
    existing = next(folder for folder in path.parents if folder.exists())
    if not existing.is_dir():
        return f"{existing} is a file, so {path} cannot be made"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the folder {path.parent} for the SQLite file: {exc.strerror or exc}"
    if path.is_dir():
        return f"{path} is a folder, not a SQLite file"
    # SQLite writes -wal and -shm files beside the database, so the folder must be writable too.
    if not os.access(path.parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"cannot write the SQLite file {path} (check the permissions)"
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT:.0f} s"
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


async def reach_database(database_url: str, *, wait: bool = False) -> None:
    """Connects once, so that an unreachable database is one line before any migration runs; with
    `wait`, transient failures (refused, timed out, starting up) are retried with backoff."""
    url = make_url(database_url)
    problem = sqlite_problem(url)
    if problem:
        raise ConfigError([f"DATABASE_URL: {problem}"])
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        for delay in backoff():
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT), engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                return
            except Exception as exc:
                cause = exc.orig if isinstance(exc, DBAPIError) else exc
                unreachable = DatabaseUnreachable(f"{where(url)} is unreachable: {_reason(exc)}")
                if not (wait and isinstance(cause, TRANSIENT)):
                    raise unreachable from exc
                log.warning("%s; retrying in %.0f s", unreachable, delay)
                await asyncio.sleep(delay)
    finally:
        await engine.dispose()


async def start_frontend(make: Callable[[], Frontend], *, wait: bool,
                         stop: asyncio.Event) -> Frontend | None:
    """A started frontend; with `wait`, an unreachable API is retried with backoff, a new frontend
    per try. None if `stop` was set while waiting."""
    delays = backoff()
    while True:
        frontend = make()
        try:
            await frontend.start()
            return frontend
        except PlatformUnreachable as exc:
            if not wait:
                raise
            delay = next(delays)
            log.warning("%s; retrying in %.0f s", exc, delay)
        try:
            await asyncio.wait_for(stop.wait(), delay)
            return None
        except TimeoutError:
            pass
