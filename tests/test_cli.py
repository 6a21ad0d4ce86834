"""Commands: the first admin, the reference data and the idempotent demo load."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.registry.models import Nation


def test_users_create_makes_the_first_admin(app_ctx, session) -> None:
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "First.Admin@TDI.example",
                                 "--name", "First Admin", "--password", "a-fine-long-password"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "first.admin@tdi.example"))
    assert user.role == "admin"


def test_users_create_reports_bad_input_cleanly(app_ctx, session) -> None:
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "nope", "--name", "X",
                                 "--password", "a-fine-long-password"])
    assert result.exit_code == 1
    assert "valid e-mail" in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["users", "create", "--email", "a@b.example", "--name", "X",
                                 "--role", "king", "--password", "a-fine-long-password"])
    assert result.exit_code == 2


def test_demo_load_is_idempotent(app_ctx, session) -> None:
    runner = app_ctx.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    users = session.scalar(select(func.count(User.id)))
    nations = session.scalar(select(func.count(Nation.id)))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert session.scalar(select(func.count(User.id))) == users
    assert session.scalar(select(func.count(Nation.id))) == nations == 195
    emails = set(session.scalars(select(User.email)))
    expected = {"admin1@demo.example", "organiser1@demo.example", "ambassador1@demo.example",
                "ambassador40@demo.example", "partner1@demo.example", "observer1@demo.example"}
    assert expected <= emails


def test_demo_load_refuses_production_unless_forced_and_never_uses_the_published_password(
        app_ctx, session, monkeypatch) -> None:
    from app import demo
    from config import PUBLISHED_DEMO_PASSWORD

    passwords: list[str] = []
    monkeypatch.setattr(demo, "load_all", lambda password: passwords.append(password) or ["loaded"])
    monkeypatch.setitem(app_ctx.config, "PRODUCTION", True)
    monkeypatch.setitem(app_ctx.config, "DEMO_PASSWORD", PUBLISHED_DEMO_PASSWORD)
    runner = app_ctx.test_cli_runner()
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code == 1
    assert "--force" in refused.output and passwords == []

    forced = runner.invoke(args=["demo", "load", "--force"])
    assert forced.exit_code == 0, forced.output
    assert passwords and passwords[0] != PUBLISHED_DEMO_PASSWORD and len(passwords[0]) >= 16
    assert passwords[0] in forced.output  # the administrator can still sign in

    monkeypatch.setitem(app_ctx.config, "DEMO_PASSWORD", "a-chosen-demo-password")
    assert runner.invoke(args=["demo", "load", "--force"]).exit_code == 0
    assert passwords[-1] == "a-chosen-demo-password"
