"""Shared fixtures: the app on each database, rolled-back sessions, clients, builders, SMTP."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.core.permissions import Role
from app.extensions import db, limiter
from app.registry.models import Nation
from app.registry.services import load_nations

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# CI sets CARAVANSERAI_STRICT_TESTS=1: then a missing PostgreSQL, Redis or Chromium is an error
# and any skipped test fails the run, so nothing can pass by not running.
STRICT = os.environ.get("CARAVANSERAI_STRICT_TESTS") == "1"
PASSWORD = "a-long-test-password-42"
_PASSWORD_HASH = hash_password(PASSWORD)
BACKENDS = ["sqlite", "postgresql"]


def pytest_configure(config: pytest.Config) -> None:
    if STRICT and not TEST_DATABASE_URL:
        raise pytest.UsageError("CARAVANSERAI_STRICT_TESTS=1 needs TEST_DATABASE_URL")
    if STRICT and not os.environ.get("TEST_REDIS_URL"):
        raise pytest.UsageError("CARAVANSERAI_STRICT_TESTS=1 needs TEST_REDIS_URL")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode: {report.longrepr}"


def free_port() -> int:
    """An unused loopback port (never 5061, which Chromium refuses)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != 5061:
            return port


class Mailbox(list[Message]):
    """Messages the test SMTP server received."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self if m["To"] == address]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        with self.box.lock:
            self.box.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, box
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[int, Mailbox]) -> Mailbox:
    """The SMTP server's inbox, emptied for this test."""
    box = smtp_server[1]
    with box.lock:
        box.clear()
    return box


@contextmanager
def fresh_database(backend: str, tmp_dir: Path) -> Iterator[str]:
    """The URL of a brand-new empty database on `backend`, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir / f'fresh-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    with throwaway_postgres(TEST_DATABASE_URL) as url:
        yield url


@contextmanager
def throwaway_postgres(server_url: str, prefix: str = "caravanserai_tmp") -> Iterator[str]:
    """A new empty PostgreSQL database on the server of `server_url`, dropped afterwards."""
    parts = urlsplit(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(urlunsplit(parts._replace(path="/postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_url(backend: str, tmp_dir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / 'test.sqlite3'}"
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    return TEST_DATABASE_URL


@pytest.fixture(scope="session", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        smtp_server: tuple[int, Mailbox]) -> Iterator[Flask]:
    """The application on one database backend, tables created and States loaded."""
    url = database_url(request.param, tmp_path_factory.mktemp(request.param))
    application = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": url,
        "MAIL_PORT": smtp_server[0],
        "TEST_SMTP_PORT": smtp_server[0],
        "SERVER_NAME": None,
    })
    with application.app_context():
        db.drop_all()
        db.create_all()
        load_nations()
        db.session.commit()
        db.session.remove()
    application.config["BACKEND"] = request.param
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An app context and a session whose work is rolled back after the test."""
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    limiter.reset()

    # The test's app context is reused by every request of the test client, so what extensions
    # cache on `g` (Flask-Login's user, Flask-Babel's locale) must be dropped between requests,
    # as a fresh context would in production.
    def forget_user() -> None:
        for key in list(vars(g)):
            g.pop(key, None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_user)
    try:
        yield app
    finally:
        app.before_request_funcs[None].remove(forget_user)
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        ctx.pop()


@pytest.fixture
def session(app_ctx: Flask):
    """The rolled-back database session."""
    return db.session


@pytest.fixture
def client(app_ctx: Flask) -> FlaskClient:
    return app_ctx.test_client()


@pytest.fixture
def nation(session) -> Callable[[str], Nation]:
    """Look up a loaded State by ISO code."""
    from sqlalchemy import select

    def get(iso2: str) -> Nation:
        return session.scalar(select(Nation).where(Nation.iso2 == iso2))

    return get


@pytest.fixture
def make_user(session) -> Callable[..., User]:
    """Build an active account; every keyword overrides a default."""
    counter = iter(range(1, 1_000_000))

    def build(role: Role | str = Role.AMBASSADOR, **fields) -> User:
        n = next(counter)
        values = {
            "email": f"user{n}-{role}@example.org",
            "display_name": f"Test User {n}",
            "password_hash": _PASSWORD_HASH,
            "role": Role(role).value,
            "locale": "en",
            "timezone": "UTC",
            "active": True,
            "failed_logins": 0,
            "session_epoch": 0,
        }
        values.update(fields)
        user = User(**values)
        session.add(user)
        session.commit()
        return user

    return build


@pytest.fixture
def organiser(make_user) -> User:
    """One organiser (staff): the actor most tests need to set things up."""
    return make_user(Role.ORGANISER)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page hands out, read the way a browser would."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign a user in through the real form."""

    def do(user: User, password: str = PASSWORD) -> FlaskClient:
        token = csrf_token(client)
        response = client.post("/login", data={"email": user.email, "password": password,
                                                "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


@pytest.fixture
def login_as(make_user, login) -> Callable[..., tuple[FlaskClient, User]]:
    """Create a user with `role` and sign them in; returns the client and the user."""

    def do(role: Role | str = Role.AMBASSADOR, **fields) -> tuple[FlaskClient, User]:
        user = make_user(role, **fields)
        return login(user), user

    return do


@pytest.fixture
def query_counter(app_ctx: Flask):
    """Count SQL statements run inside a `with` block."""

    class Counter:
        def __init__(self) -> None:
            self.count = 0
            self.statements: list[str] = []

        def __enter__(self):
            event.listen(db.engine, "before_cursor_execute", self._count)
            return self

        def __exit__(self, *exc) -> None:
            event.remove(db.engine, "before_cursor_execute", self._count)

        def _count(self, conn, cursor, statement, *args) -> None:
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                self.count += 1
                self.statements.append(statement)

    return Counter
