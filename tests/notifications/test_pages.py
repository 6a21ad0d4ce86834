"""The notices page: what a member sees, marking read, who sees what, the page size, Arabic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select

from app.core.errors import NotFound
from app.core.permissions import Role
from app.notifications import services
from app.notifications.models import Notice
from tests.conftest import csrf_token


@pytest.fixture
def echo_kind() -> Iterator[str]:
    """A notice kind that reads as its `text` parameter."""
    services.register_kind("test_echo", lambda params: f"Echo: {params['text']}")
    yield "test_echo"
    services._RENDERERS.pop("test_echo", None)


def _unread(session, user) -> list[int]:
    session.expire_all()
    return list(session.scalars(select(Notice.id).where(Notice.user_id == user.id,
                                                        Notice.read_at.is_(None))))


def test_signing_in_is_needed(client) -> None:
    response = client.get("/notices")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.post("/notices/read").status_code in (302, 400)


def test_member_sees_own_notices_newest_first_with_links(session, login_as, make_user, echo_kind) -> None:
    client, member = login_as(Role.AMBASSADOR)
    other = make_user(Role.AMBASSADOR)
    services.notify(member, echo_kind, {"text": "first"}, link="/convenings/1")
    services.notify(member, echo_kind, {"text": "second"})
    services.notify(other, echo_kind, {"text": "someone else's"})
    session.flush()

    html = client.get("/notices").get_data(as_text=True)
    assert html.index("Echo: second") < html.index("Echo: first")
    assert '<a href="/convenings/1">Echo: first</a>' in html
    assert "someone else&#39;s" not in html and "someone else's" not in html
    assert html.count('class="card unread"') == 2
    assert 'class="count"' in html  # the header counts unread notices


def test_an_unknown_kind_still_reads(session, login_as) -> None:
    client, member = login_as(Role.AMBASSADOR)
    services.notify(member, "no_such_kind", {})
    session.flush()
    assert "You have a new notice." in client.get("/notices").get_data(as_text=True)


def test_no_notices(login_as) -> None:
    client, _member = login_as(Role.AMBASSADOR)
    html = client.get("/notices").get_data(as_text=True)
    assert "You have no notices yet." in html
    assert "Mark all as read" not in html


def test_mark_all_read_touches_only_own_notices(session, login_as, make_user, echo_kind) -> None:
    client, member = login_as(Role.AMBASSADOR)
    other = make_user(Role.AMBASSADOR)
    for n in range(3):
        services.notify(member, echo_kind, {"text": str(n)})
    services.notify(other, echo_kind, {"text": "theirs"})
    session.flush()

    response = client.post("/notices/read", data={"csrf_token": csrf_token(client, "/notices")})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notices")
    assert _unread(session, member) == []
    assert len(_unread(session, other)) == 1
    html = client.get("/notices").get_data(as_text=True)
    assert 'class="card unread"' not in html
    assert 'class="count"' not in html


def test_mark_all_read_needs_the_csrf_token(session, login_as, echo_kind) -> None:
    client, member = login_as(Role.AMBASSADOR)
    services.notify(member, echo_kind, {"text": "x"})
    session.flush()
    assert client.post("/notices/read").status_code == 400
    assert len(_unread(session, member)) == 1


def test_mark_one_read_only_for_its_owner(session, make_user, echo_kind) -> None:
    member, other = make_user(Role.AMBASSADOR), make_user(Role.AMBASSADOR)
    mine = services.notify(member, echo_kind, {"text": "a"})
    services.notify(member, echo_kind, {"text": "b"})
    session.flush()
    with pytest.raises(NotFound):
        services.mark_read(other, mine.id)
    assert services.mark_read(member, mine.id) == 1
    assert services.mark_read(member, mine.id) == 0
    assert services.unread_count(member) == 1


def test_the_page_shows_the_newest_page_size(session, login_as, echo_kind, monkeypatch) -> None:
    client, member = login_as(Role.AMBASSADOR)
    for n in range(5):
        services.notify(member, echo_kind, {"text": f"n{n}"})
    session.flush()
    monkeypatch.setattr(services.list_notices, "__kwdefaults__", {"limit": 3})
    html = client.get("/notices").get_data(as_text=True)
    assert [f"Echo: n{n}" in html for n in range(5)] == [False, False, True, True, True]


def test_arabic_member_reads_the_page_right_to_left(session, login_as) -> None:
    client, member = login_as(Role.AMBASSADOR, locale="ar")
    services.notify(member, "no_such_kind", {})
    session.flush()
    html = client.get("/notices").get_data(as_text=True)
    with force_locale("ar"):
        title, fallback, button = gettext("Notices"), gettext("You have a new notice."), gettext("Mark all as read")
    assert title != "Notices"
    assert 'lang="ar" dir="rtl"' in html
    for text in (title, fallback, button):
        assert str(escape(text)) in html


def test_the_outbox_page_is_for_organisers_only(login_as) -> None:
    client, _member = login_as(Role.AMBASSADOR)
    assert client.get("/mail/outbox").status_code == 403
    token = csrf_token(client, "/notices")
    assert client.post("/mail/outbox/1/retry", data={"csrf_token": token}).status_code == 403


def test_the_outbox_page_lists_nothing_when_all_is_sent(login_as) -> None:
    client, _organiser = login_as(Role.ORGANISER)
    assert client.get("/mail/outbox").status_code == 200
