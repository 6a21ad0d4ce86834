"""Installs: runtime packages only for running, the tested server stack pinned, the venv's own tools."""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "docs" / "deployment.md", ROOT / "docs" / "operations.md"]


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


def test_the_environment_runs_exactly_the_pinned_server_stack() -> None:
    assert {"gunicorn", "gevent", "Flask-SocketIO", "python-engineio", "redis", "psycopg"} <= set(pins())
    drift = {}
    for name, pinned in pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            drift[name] = (pinned, installed)
    assert drift == {}, "constraints.txt and the environment disagree: (pinned, installed)"


def planned(target: str, tmp_path: Path) -> str:
    """The commands `make target` would run for a fresh virtualenv (nothing is executed)."""
    return subprocess.run(["make", "-n", "--no-print-directory", target, f"VENV={tmp_path / 'venv'}"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_make_run_installs_only_what_running_needs(tmp_path: Path) -> None:
    run = planned("run", tmp_path)
    assert "pip install --quiet -c constraints.txt -e ." in run
    assert "[test]" not in run
    assert "[test]" in planned("test", tmp_path)


def test_make_serve_never_installs_compiles_or_migrates(tmp_path: Path) -> None:
    serve = planned("serve", tmp_path)
    assert "gunicorn" in serve and "--worker-class gevent --workers 1" in serve
    for step in ("pip", "pybabel", "db upgrade", "demo"):
        assert step not in serve
    assert "PYTHONDONTWRITEBYTECODE=1" in serve
    assert "db upgrade" in planned("release", tmp_path)


def test_make_serve_refuses_without_an_installed_environment(tmp_path: Path) -> None:
    result = subprocess.run(["make", "--no-print-directory", "serve", f"VENV={tmp_path / 'none'}"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "make release" in result.stderr


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_documented_commands_use_the_projects_venv(doc: Path) -> None:
    text = doc.read_text()
    # A command names its interpreter's folder (.venv/bin/flask, /srv/caravanserai/.venv/bin/...):
    # a bare `flask` runs whichever one is first on PATH, with other packages.
    bare = re.findall(r"(?<![/\w.-])(flask --app|gunicorn --|pip install|pybabel \w|pytest )", text)
    assert bare == [], f"{doc.name}: call these through .venv/bin/ (or the deploy path)"
