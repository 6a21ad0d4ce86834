"""Backup and restore as docs/operations.md tells them: dump, restore into a new PostgreSQL
database, and the application serves the restored data with the restored secret key."""

from __future__ import annotations

import os
import re
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import STRICT, free_port, fresh_database
from tests.deploy.stack import ROOT, AppProcess, app_env, flask
from tests.rooms.serverkit import PASSWORD, prepare

pytestmark = pytest.mark.slow
SCRIPTS = ROOT / "deploy" / "backup"


def sign_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = session.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                   "csrf_token": token},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    return session


def test_dump_restore_into_a_new_database_and_serve_it(tmp_path: Path) -> None:
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        if STRICT:
            pytest.fail("TEST_REDIS_URL is required")
        pytest.skip("TEST_REDIS_URL is not set")
    backups, instance = tmp_path / "backups", tmp_path / "instance"
    stale = backups / "20200101T000000Z"
    stale.mkdir(parents=True)
    os.utime(stale, (time.time() - 30 * 86400,) * 2)
    env_file = tmp_path / "caravanserai.env"
    env_file.write_text("CARAVANSERAI_CONFIG=production\n")

    with fresh_database("postgresql", tmp_path) as original:
        env = app_env(original, redis_url, instance, free_port(), SESSION_COOKIE_SECURE="0")
        flask(env, "db", "upgrade")
        world = prepare(original, 2)
        first = AppProcess(env, tmp_path / "first.log").start()
        try:
            old_session = sign_in(f"http://127.0.0.1:{first.port}", world["users"][1]["email"])
        finally:
            first.stop()
        backup = subprocess.run(
            [str(SCRIPTS / "caravanserai-backup")], capture_output=True, text=True, check=True,
            env={**os.environ, "DATABASE_URL": original, "BACKUP_DIR": str(backups),
                 "BACKUP_KEEP_DAYS": "14", "INSTANCE_PATH": str(instance),
                 "ENV_FILE": str(env_file)})
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in folder.iterdir()) == ["caravanserai.dump", "caravanserai.env",
                                                       "instance.tar.gz"]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert not stale.exists()  # retention removed the month-old backup

    restored_instance = tmp_path / "restored-instance"
    with tarfile.open(folder / "instance.tar.gz") as archive:
        archive.extractall(restored_instance, filter="data")
    with fresh_database("postgresql", tmp_path) as target:
        subprocess.run([str(SCRIPTS / "caravanserai-restore"), str(folder), target],
                       capture_output=True, text=True, check=True)
        env = app_env(target, redis_url, restored_instance, free_port(), SESSION_COOKIE_SECURE="0")
        flask(env, "db", "upgrade")  # the release step: a no-op for a dump of the same version
        server = AppProcess(env, tmp_path / "restored.log").start()
        base = f"http://127.0.0.1:{server.port}"
        try:
            rooms = sign_in(base, world["users"][1]["email"]).get(f"{base}/rooms", timeout=10)
            assert rooms.status_code == 200 and "Scale" in rooms.text
            # The restored secret key keeps the session made before the backup valid.
            carried = requests.get(f"{base}/rooms", cookies=old_session.cookies, timeout=10)
            assert carried.status_code == 200 and "/login" not in carried.url
            assert "Scale" in carried.text
        finally:
            server.stop()
