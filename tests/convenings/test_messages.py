"""What members are told about convenings: each reader's time and language, calendar invitations."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar

from app.convenings import services
from app.convenings.calendar import session_uid
from app.core.db import unit_of_work
from app.core.permissions import Role
from tests.convenings.conftest import session_data

NNBSP = "\u202f"


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def invitation(message) -> Calendar:
    """The calendar attachment of a received message, parsed back."""
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    return Calendar.from_ical(parts[0].get_content())


def event(calendar: Calendar, uid: str):
    return next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid)


def test_session_change_in_each_readers_zone_and_calendar_updates_itself(
        session, organiser, make_user, make_convening, mailbox, client, login) -> None:
    convening = make_convening(timezone="UTC", starts_local=datetime(2027, 12, 13, 8),
                               ends_local=datetime(2027, 12, 14, 18))
    with unit_of_work():
        item = services.add_session(organiser, convening, session_data(
            starts_local=datetime(2027, 12, 13, 9), ends_local=datetime(2027, 12, 13, 10)))
    readers = {
        "shanghai": make_user(Role.AMBASSADOR, locale="en", timezone="Asia/Shanghai"),
        "moscow": make_user(Role.AMBASSADOR, locale="ru", timezone="Europe/Moscow"),
        "dubai": make_user(Role.AMBASSADOR, locale="ar", timezone="Asia/Dubai"),
        "kiritimati": make_user(Role.AMBASSADOR, locale="zh", timezone="Pacific/Kiritimati"),
    }
    with unit_of_work():
        for user in readers.values():
            services.register(user, convening)
    uid = session_uid(item)
    confirmation = mailbox.to(readers["shanghai"].email)[-1]
    first = invitation(confirmation)
    assert str(first["METHOD"]) == "REQUEST"
    first_sequence = int(event(first, uid)["SEQUENCE"])

    with unit_of_work():
        services.update_session(organiser, item, session_data(
            starts_local=datetime(2027, 12, 13, 10), ends_local=datetime(2027, 12, 13, 11)))

    expected = {
        "shanghai": f"Mon, Dec 13, 2027, 6:00{NNBSP}PM Shanghai time "
                    f"(10:00{NNBSP}AM in UTC, the event's time)",
        "moscow": f"пн, 13 дек. 2027{NNBSP}г., 13:00, местное время: Москва "
                  "(10:00 — UTC, время мероприятия)",
        "dubai": "الاثنين، 13 ديسمبر 2027، 2:00 م بتوقيت دبي (10:00 ص في UTC، بتوقيت الفعالية)",
        # Already the next day on the far side of the date line.
        "kiritimati": "基里地马地岛时间 2027年12月14日周二 00:00（活动当地时间：UTC 2027年12月13日周一 10:00）",
    }
    for name, user in readers.items():
        message = mailbox.to(user.email)[-1]
        assert expected[name] in body(message), body(message)
        calendar = invitation(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        changed = event(calendar, uid)
        assert int(changed["SEQUENCE"]) > first_sequence
        assert changed.decoded("DTSTART") == item.starts_at.astimezone(changed.decoded("DTSTART").tzinfo)
        assert str(changed["ATTENDEE"]) == f"mailto:{user.email}"

    # The in-app notice is rendered when read, in the reader's zone.
    login(readers["shanghai"])
    assert "6:00 PM Shanghai time" in client.get("/notices").get_data(as_text=True).replace(NNBSP, " ")

    with unit_of_work():
        services.cancel_session(organiser, item)
    cancelled = invitation(mailbox.to(readers["moscow"].email)[-1])
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert int(event(cancelled, uid)["SEQUENCE"]) > int(changed["SEQUENCE"])
    assert str(event(cancelled, uid)["STATUS"]) == "CANCELLED"


def test_cancelled_convening_removes_every_entry(session, organiser, make_user, make_convening,
                                                 mailbox) -> None:
    convening = make_convening()
    member = make_user(Role.AMBASSADOR, timezone="America/Mexico_City")
    with unit_of_work():
        services.register(member, convening)
    with unit_of_work():
        services.cancel_convening(organiser, convening, "Venue flooded")
    calendar = invitation(mailbox.to(member.email)[-1])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED"]


def test_waiting_list_gets_no_calendar_entry(session, organiser, make_user, make_convening,
                                             mailbox) -> None:
    convening = make_convening(capacity=1)
    seated, waiting = make_user(Role.AMBASSADOR), make_user(Role.AMBASSADOR)
    with unit_of_work():
        services.register(seated, convening)
        services.register(waiting, convening)
    assert not list(mailbox.to(waiting.email)[-1].iter_attachments())
    assert invitation(mailbox.to(seated.email)[-1])


def test_reminder_says_the_readers_own_date(session, organiser, make_user, make_convening,
                                            mailbox) -> None:
    # 05:00 on 1 December in Tokyo is still 30 November in Amman.
    convening = make_convening(timezone="Asia/Tokyo", starts_local=datetime(2027, 12, 1, 5),
                               ends_local=datetime(2027, 12, 1, 18))
    amman = make_user(Role.AMBASSADOR, timezone="Asia/Amman", locale="en")
    almaty = make_user(Role.AMBASSADOR, timezone="Asia/Almaty", locale="ru")
    with unit_of_work():
        services.register(amman, convening)
        services.register(almaty, convening)
    with unit_of_work():
        assert services.send_reminders(now=convening.starts_at - timedelta(hours=12)) == 2
    assert (f"Tue, Nov 30, 2027, 11:00{NNBSP}PM Amman time "
            f"(Wed, Dec 1, 2027, 5:00{NNBSP}AM in Tokyo, the event's time)") in body(
                mailbox.to(amman.email)[-1])
    assert "ср, 1 дек. 2027" in body(mailbox.to(almaty.email)[-1])


def test_a_given_up_seat_leaves_the_calendar_and_the_next_in_line_gets_it(
        session, organiser, make_user, make_convening, mailbox) -> None:
    convening = make_convening(capacity=1)
    seated = make_user(Role.AMBASSADOR, locale="es", timezone="America/Bogota")
    waiting = make_user(Role.AMBASSADOR, locale="ru", timezone="Asia/Almaty")
    with unit_of_work():
        mine = services.register(seated, convening)
        services.register(waiting, convening)
    with unit_of_work():
        services.cancel_registration(seated, mine)
    gone = mailbox.to(seated.email)[-1]
    assert "cancelada" in body(gone) and str(invitation(gone)["METHOD"]) == "CANCEL"
    promoted = mailbox.to(waiting.email)[-1]
    assert str(invitation(promoted)["METHOD"]) == "REQUEST"
    assert "местное время: Алматы" in body(promoted)


def test_approved_request_brings_the_calendar(session, organiser, make_user, make_convening,
                                              mailbox) -> None:
    convening = make_convening(visibility="invitation")
    member = make_user(Role.AMBASSADOR)
    with unit_of_work():
        registration = services.register(member, convening)
    assert registration.status == "pending"
    with unit_of_work():
        services.decide_registration(organiser, registration, True)
    assert str(invitation(mailbox.to(member.email)[-1])["METHOD"]) == "REQUEST"
