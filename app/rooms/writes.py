"""Room writes that hold when many members act at once (docs/realtime.md, "Many writers at once").

A write to a room (send, edit, delete, read marker) runs as one unit of work through `write()`:

- On SQLite, one writer per process at a time: a lock taken before the transaction begins
  (gevent makes it cooperative under `make serve`, and Werkzeug's threads under `make run`
  queue on it), so two of our own transactions never meet as a reader upgrading to a writer,
  which SQLite refuses at once with "database is locked".
- Everywhere, a bounded retry of the whole unit of work, with growing pauses, when the database
  says another writer was busy (another process on SQLite) or a deadlock was broken
  (PostgreSQL). The retried work starts again from the room, so it sees what the winner stored.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from app.core.db import unit_of_work
from app.extensions import db

T = TypeVar("T")
ATTEMPTS = 8
_SQLITE_WRITER = threading.RLock()
_BUSY = ("database is locked", "database table is locked", "deadlock detected",
         "could not serialize access")


def _busy(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return any(marker in text for marker in _BUSY)


@contextmanager
def _sqlite_writer() -> Iterator[None]:
    # The lock of the module, not of the app: every app in the process shares the one file lock.
    with _SQLITE_WRITER:
        yield


def write(work: Callable[[], T]) -> T:
    """Run `work` in its own committed transaction, serialised and retried as described above."""
    sqlite = db.engine.dialect.name == "sqlite"
    for attempt in range(ATTEMPTS):
        if sqlite:
            # A read transaction left open (loading the member) must not become the writer.
            db.session.rollback()
        try:
            with _sqlite_writer() if sqlite else nullcontext(), unit_of_work():
                return work()
        except OperationalError as error:
            if not _busy(error) or attempt == ATTEMPTS - 1:
                raise
        time.sleep(min(0.02 * 2 ** attempt, 1.0) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover
