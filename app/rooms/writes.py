"""Room writes that hold when many members act at once (docs/realtime.md, "Many writers at once").

A write to a room (send, edit, delete, read marker) runs as one unit of work through `write()`,
retried on contention by the core mechanism (`app.core.db.retry_on_busy`: busy SQLite, PostgreSQL
serialization failures and deadlocks, then a `busy` answer). On SQLite, one writer per process at a
time as well: a lock taken before the transaction begins, cooperative under gevent (`make serve`)
and queueing Werkzeug's threads (`make run`), so a writer waits on the lock and never inside
SQLite's busy handler, which would block a gevent process whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import nullcontext
from typing import TypeVar

from app.core.db import retry_on_busy, unit_of_work
from app.extensions import db

T = TypeVar("T")

# The lock of the module, not of the app: every app in the process shares the one file lock.
_SQLITE_WRITER = threading.RLock()


def write(work: Callable[[], T]) -> T:
    """Run `work` in its own committed transaction, serialised on SQLite and retried when busy."""

    def once() -> T:
        sqlite = db.engine.dialect.name == "sqlite"
        with _SQLITE_WRITER if sqlite else nullcontext(), unit_of_work():
            return work()

    return retry_on_busy(once)
