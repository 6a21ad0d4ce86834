"""`flask db upgrade` is the release step: two at once on a fresh PostgreSQL database both succeed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[2]
MIGRATION_LOCK_ID = 0x43415241_56414E53


def upgrade(url: str, tmp_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "CARAVANSERAI_"))}
    env.update({"CARAVANSERAI_CONFIG": "production", "DATABASE_URL": url,
                "SECRET_KEY": "release-step-secret-0123456789", "INSTANCE_PATH": str(tmp_path),
                "SOCKETIO_ASYNC_MODE": "threading", "PYTHONPATH": str(ROOT)})
    env.pop("REDIS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def test_two_concurrent_upgrades_on_a_fresh_database_both_succeed(tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url:
        runs = [upgrade(url, tmp_path) for _ in range(2)]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        engine = create_engine(url)
        try:
            assert "users" in inspect(engine).get_table_names()
            with engine.connect() as connection:
                assert len(connection.execute(text("SELECT * FROM alembic_version")).all()) == 1
        finally:
            engine.dispose()


def test_an_upgrade_waits_for_the_migration_lock(tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url:
        engine = create_engine(url)
        try:
            with engine.connect() as holder:
                holder.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
                run = upgrade(url, tmp_path)
                time.sleep(4)
                assert run.poll() is None  # blocked behind the lock another release step holds
                assert "users" not in inspect(engine).get_table_names()
                holder.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
            output = run.communicate(timeout=300)[0]
            assert run.returncode == 0, output
            assert "users" in inspect(engine).get_table_names()
        finally:
            engine.dispose()
