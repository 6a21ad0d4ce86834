"""One list of settings: the README table and deploy/caravanserai.env name every variable that
config/ reads, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Read by the test suite itself (tests/conftest.py), not by config/.
TEST_HARNESS = {"CARAVANSERAI_STRICT_TESTS", "TEST_REDIS_URL"}


def config_settings() -> set[str]:
    names: set[str] = set()
    for source in (ROOT / "config").rglob("*.py"):
        names |= set(re.findall(r"_env\w*\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source.read_text()))
    return names


def readme_settings() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


def template_settings() -> set[str]:
    text = (ROOT / "deploy" / "caravanserai.env").read_text()
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def test_config_reads_the_settings_this_test_knows_about() -> None:
    assert {"SECRET_KEY", "DATABASE_URL", "PROXY_FIX_X_FOR", "SOCKETIO_CHANNEL"} <= config_settings()


def test_the_readme_table_lists_every_setting_and_no_other() -> None:
    read = config_settings()
    table = readme_settings()
    assert sorted(read - table) == [], "settings missing from the README table"
    assert sorted(table - read - TEST_HARNESS) == [], "README rows for settings nothing reads"


def test_the_environment_template_lists_every_runtime_setting_and_no_other() -> None:
    runtime = {name for name in config_settings() if not name.startswith("TEST_")}
    template = template_settings()
    assert sorted(runtime - template) == [], "settings missing from deploy/caravanserai.env"
    assert sorted(template - runtime) == [], "template lines for settings nothing reads"
