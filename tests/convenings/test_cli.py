"""`flask convenings send-reminders`, run twice like cron would."""

from __future__ import annotations

from datetime import timedelta

from app.convenings import services
from app.core.db import utcnow
from app.core.permissions import Role
from app.notifications.models import Notice


def test_send_reminders_twice_reminds_once(app_ctx, session, make_user, make_convening, mailbox):
    soon = (utcnow() + timedelta(hours=20)).replace(tzinfo=None, microsecond=0)
    later = soon + timedelta(days=3)
    tomorrow_one = make_convening(starts_local=soon, ends_local=soon + timedelta(hours=8),
                                  timezone="UTC")
    next_week = make_convening(starts_local=later, ends_local=later + timedelta(hours=8),
                               timezone="UTC")
    member = make_user(Role.AMBASSADOR)
    services.register(member, tomorrow_one)
    services.register(member, next_week)
    session.commit()
    runner = app_ctx.test_cli_runner()
    first = runner.invoke(args=["convenings", "send-reminders"])
    second = runner.invoke(args=["convenings", "send-reminders"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert first.output.strip() == "reminders sent: 1"
    assert second.output.strip() == "reminders sent: 0"
    notices = session.query(Notice).filter_by(user_id=member.id, kind="convening_reminder").all()
    assert [n.params["convening_id"] for n in notices] == [tomorrow_one.id]
    assert any("Reminder" in (m["Subject"] or "") for m in mailbox.to(member.email))
