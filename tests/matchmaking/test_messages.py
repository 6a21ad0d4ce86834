"""Matchmaking e-mails say when and where, in the reader's zone and language, with the .ics."""

from __future__ import annotations

from icalendar import Calendar

from app.core.db import unit_of_work
from app.i18n.moments import for_reader, format_moment
from app.matchmaking import services


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def calendars(message) -> list[Calendar]:
    return [Calendar.from_ical(p.get_content()) for p in message.iter_attachments()
            if p.get_content_type() == "text/calendar"]


def test_request_lists_the_preferred_slots_in_the_readers_time(forum, member, session, mailbox):
    alice = member(display_name="Alice")
    bruno = member(locale="fr", timezone="America/Mexico_City")
    one, _two, three = services.slots(forum)
    with unit_of_work():
        services.send_request(alice, forum, bruno, preferred_slot_ids=[three.id, one.id])
    text = body(mailbox.to(bruno.email)[-1])
    assert "Créneaux souhaités" in text
    with for_reader(bruno):
        first, last = (format_moment(s.starts_at, forum.timezone) for s in (one, three))
    assert "heure de Mexico" in first and "Tachkent" in first
    assert text.index(first) < text.index(last)


def test_scheduled_meeting_mail_gives_time_place_table_and_invitation(forum, member, organiser,
                                                                      session, mailbox):
    alice = member(display_name="Alice", timezone="Europe/Paris")
    bruno = member(display_name="Bruno", locale="ar", timezone="Asia/Riyadh")
    with unit_of_work():
        services.run_schedule(organiser, forum)
        request = services.send_request(alice, forum, bruno)
    with unit_of_work():
        services.accept_request(bruno, forum, request)
    assert request.slot is not None
    for user, other in ((alice, "Bruno"), (bruno, "Alice")):
        message = mailbox.to(user.email)[-1]
        with for_reader(user):
            when = format_moment(request.slot.starts_at, forum.timezone)
        text = body(message)
        assert when in text and other in text and str(request.table) in text
        assert "Main hall" in text and "Registan Hall" in text
        (calendar,) = calendars(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        (meeting,) = calendar.walk("VEVENT")
        assert str(meeting["UID"]) == f"matchmaking-{request.id}@caravanserai.example"
        assert meeting.decoded("DTSTART") == request.slot.starts_at
    assert "بتوقيت الرياض" in body(mailbox.to(bruno.email)[-1])
    sequence = int(calendars(mailbox.to(alice.email)[-1])[0].walk("VEVENT")[0]["SEQUENCE"])

    with unit_of_work():
        services.cancel_request(bruno, forum, request)
    (cancel,) = calendars(mailbox.to(alice.email)[-1])
    assert str(cancel["METHOD"]) == "CANCEL"
    assert int(cancel.walk("VEVENT")[0]["SEQUENCE"]) > sequence
