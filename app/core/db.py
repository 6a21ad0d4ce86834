"""Declarative base, naming convention, the UTC datetime type and the unit of work."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)
T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every model: naming convention and the UTC datetime type."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


_AFTER_COMMIT = "caravanserai_after_commit"


def on_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run `callback` once the session's transaction commits; drop it on rollback."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_AFTER_COMMIT, [])
    for callback in callbacks:
        # The change is stored: a failing callback (a broadcast, a mail) must neither undo nor hide
        # it, nor keep the callbacks after it from running.
        try:
            callback()
        except Exception:
            log.exception("after-commit callback %r failed", callback)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


# pysqlite opens transactions lazily and commits on its own around DDL and SAVEPOINT, which breaks
# nested transactions (savepoints) and the test suite's rollback of each test. SQLAlchemy's documented
# recipe: switch pysqlite's own handling off and emit BEGIN ourselves. The embedded database also
# journals in WAL mode (readers never block the writer) and waits for a busy lock instead of failing
# at once; units of work begin IMMEDIATE so a writer takes the write lock before it reads, and two
# writers queue instead of deadlocking on an upgrade from a read lock.
_WRITE_INTENT: ContextVar[bool] = ContextVar("caravanserai_write_intent", default=False)
# Units of work committed in this context: a request may be run again on contention only if it
# has committed nothing yet.
_COMMITS: ContextVar[int] = ContextVar("caravanserai_commits", default=0)


def commits_so_far() -> int:
    """How many units of work have committed in the current context (request, event, command)."""
    return _COMMITS.get()


def configure_engine(config: dict[str, Any]) -> None:
    """On SQLite, wait up to SQLITE_BUSY_TIMEOUT seconds for another writer before failing."""
    if str(config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("sqlite"):
        options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}),
                                   "timeout": float(config.get("SQLITE_BUSY_TIMEOUT", 15))}
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_manual_transactions(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _WRITE_INTENT.get() else "BEGIN")
        connection.info["immediate"] = _WRITE_INTENT.get()


_READS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "WITH")


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
    if not statement.lstrip()[:9].upper().startswith(_READS):
        connection.info["wrote"] = True


@event.listens_for(Engine, "begin")
def _note_begin(connection: Any) -> None:
    connection.info["wrote"] = False


# SQLite: "database is locked"/"database table is locked"; PostgreSQL: serialization failure,
# deadlock, lock not available. All of them leave nothing written, so the unit can run again.
_PG_RETRY_STATES = {"40001", "40P01", "55P03"}


def is_contention(error: BaseException) -> bool:
    """True when `error` says another transaction was in the way, not that the work was wrong."""
    if isinstance(error, PoolTimeout):  # every pooled connection stayed busy: a crowd, not a bug
        return True
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if type(original).__module__.startswith("sqlite3"):
        return "locked" in str(original) or "busy" in str(original)
    return getattr(original, "sqlstate", None) in _PG_RETRY_STATES


def end_idle_transaction() -> None:
    """End the current transaction if it has written nothing (its objects reload).

    For slow CPU work inside a unit of work (a password hash takes about a second): on SQLite,
    holding the single write lock while hashing would queue every other writer behind the hash;
    on PostgreSQL, holding a pooled connection would starve the pool when many sign in at once.
    """
    from app.extensions import db

    session = db.session()
    if session.bind is not None and isinstance(session.bind, Connection):
        return
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if not session.connection().info.get("wrote"):
        session.rollback()


def _end_read_transaction(session: Session) -> None:
    """On SQLite, end a read transaction left open before the unit of work (loading the member).

    It began DEFERRED; writing from it could meet a newer snapshot and fail at once. Only a
    transaction that has read and written nothing is ended (its objects reload). A session joined to an outer connection (the test suite's rolled-back transaction) has nothing to restart.
    """
    if session.bind is not None and isinstance(session.bind, Connection):
        return
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    connection = session.connection()
    info = connection.info
    if connection.dialect.name == "sqlite" and not info.get("immediate") and not info.get("wrote"):
        session.rollback()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Own one transaction: commit on success, roll back on any exception.

    On contention with another writer it rolls back and raises `Busy`; `run_in_transaction` runs
    the whole unit again a few times before giving up.
    """
    from app.core.errors import DomainError, ServiceBusy
    from app.extensions import db

    session = db.session
    token = _WRITE_INTENT.set(True)
    try:
        _end_read_transaction(session())
        yield session
        session.commit()
        _COMMITS.set(_COMMITS.get() + 1)
    except DomainError as error:
        if error.persist:
            session.commit()
            _COMMITS.set(_COMMITS.get() + 1)
        else:
            session.rollback()
        raise
    except (DBAPIError, PoolTimeout) as error:
        session.rollback()
        if is_contention(error):
            raise ServiceBusy() from error
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        _WRITE_INTENT.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block on SQLite take the write lock up front."""
    token = _WRITE_INTENT.set(True)
    try:
        yield
    finally:
        _WRITE_INTENT.reset(token)


RETRY_ATTEMPTS = 4


def retry_on_busy(action: Callable[[], T], attempts: int = RETRY_ATTEMPTS) -> T:
    """Run `action` (which owns its unit of work) again after contention; re-raise the last refusal."""
    from app.core.errors import ServiceBusy

    for attempt in range(1, attempts + 1):
        try:
            return action()
        except ServiceBusy as busy:
            if attempt == attempts or busy.final:
                busy.final = True
                raise
            log.warning("database busy, attempt %d of %d", attempt, attempts)
            time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311 - jitter, not a secret
    raise AssertionError("unreachable")


def run_in_transaction(action: Callable[[], T], attempts: int = RETRY_ATTEMPTS) -> T:
    """Run `action` in a unit of work, again on contention (up to `attempts` times); its result."""

    def once() -> T:
        with unit_of_work():
            return action()

    return retry_on_busy(once, attempts)
