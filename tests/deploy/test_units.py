"""The systemd units in deploy/systemd: what the recipe promises, and valid for systemd itself."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import STRICT

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS / name).read_text().replace("\\\n", " "))
    return parser


def test_the_application_unit_runs_one_gevent_worker_per_port() -> None:
    service = unit("caravanserai@.service")["Service"]
    assert service["User"] == "caravanserai"
    assert service["EnvironmentFile"] == "/etc/caravanserai/caravanserai.env"
    assert service["Restart"] == "on-failure"
    assert int(service["LimitNOFILE"]) >= 65536
    command = service["ExecStart"].split()
    assert command[0] == "/srv/caravanserai/.venv/bin/gunicorn"
    assert " ".join(command[1:5]) == "--worker-class gevent --workers 1"
    assert "127.0.0.1:%i" in command and command[-1] == "wsgi:app"
    assert "db" not in command  # serving never migrates


@pytest.mark.parametrize("name, command", [
    ("caravanserai-mail.service", "flask --app wsgi mail worker"),
    ("caravanserai-reminders.service", "flask --app wsgi convenings send-reminders"),
    ("caravanserai-reminders.service", "flask --app wsgi initiatives send-reminders"),
])
def test_workers_and_jobs_run_the_venvs_flask_with_the_settings(name: str, command: str) -> None:
    service = unit(name)["Service"]
    # A oneshot unit may run several commands in turn: every ExecStart line counts.
    commands = [line.split("=", 1)[1] for line in (UNITS / name).read_text().splitlines()
                if line.startswith("ExecStart=")]
    assert f"/srv/caravanserai/.venv/bin/{command}" in commands
    assert service["EnvironmentFile"] == "/etc/caravanserai/caravanserai.env"
    assert service["User"] == "caravanserai"


def test_every_timer_has_its_service() -> None:
    timers = sorted(p.name for p in UNITS.glob("*.timer"))
    assert timers == ["caravanserai-backup.timer", "caravanserai-reminders.timer"]
    for timer in timers:
        assert unit(timer)["Timer"]["OnCalendar"]
        assert (UNITS / timer.replace(".timer", ".service")).exists()


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if STRICT:
            pytest.fail("systemd-analyze is missing (Debian's systemd package)")
        pytest.skip("systemd-analyze is not installed")
    # systemd checks that each ExecStart exists: point them at this checkout and environment.
    for source in UNITS.iterdir():
        text = source.read_text().replace("/srv/caravanserai/.venv/bin/", f"{Path(sys.executable).parent}/")
        text = text.replace("/srv/caravanserai/deploy/", f"{ROOT / 'deploy'}/")
        name = source.name.replace("@.service", "@8001.service")
        (tmp_path / name).write_text(text)
    result = subprocess.run([analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
