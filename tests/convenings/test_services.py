"""The rules of convenings, agendas and registration."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.convenings import lists, services
from app.convenings.models import Convening, Registration
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.permissions import Role
from app.core.signals import convening_changed, convening_published, registration_changed
from app.notifications.models import Notice
from tests.convenings.conftest import local, session_data


def data(**fields) -> services.ConveningData:
    values = {"kind": "thematic", "titles": {"en": "Data lab"}, "timezone": "Europe/Paris",
              "starts_local": local(20, 9), "ends_local": local(20, 17)}
    values.update(fields)
    return services.ConveningData(**values)


def count(session, model) -> int:
    from sqlalchemy import func, select

    return session.scalar(select(func.count(model.id)))


# ----------------------------------------------------------------- convenings


def test_create_stores_utc_from_local_time(session, organiser):
    convening = services.create_convening(organiser, data(starts_local=datetime(2027, 7, 1, 9),
                                                          ends_local=datetime(2027, 7, 1, 17)))
    assert convening.starts_at == datetime(2027, 7, 1, 7, tzinfo=UTC)  # Paris is UTC+2 in July
    assert convening.status == "draft"


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"ends_local": local(19, 9)}, "end_before_start", "ends_at"),
    ({"timezone": "Mars/Olympus"}, "bad_timezone", "timezone"),
    ({"capacity": -1}, "bad_number", "capacity"),
    ({"titles": {"fr": "Seulement en français"}}, "title_required", "title"),
    ({"kind": "global_forum"}, "edition_required", "edition"),
    ({"kind": "regional", "region": "999"}, "bad_choice", "region"),
    ({"themes": ["astrology"]}, "bad_choice", "themes"),
    ({"online_link": "javascript:alert(1)"}, "bad_url", "online_link"),
    ({"registration_closes_local": local(25)}, "window_after_end", "registration_closes_at"),
])
def test_bad_convening_input_is_refused_and_nothing_stored(session, organiser, fields, code, field):
    before = count(session, Convening)
    with pytest.raises(Invalid) as caught:
        services.create_convening(organiser, data(**fields))
    assert (caught.value.code, caught.value.field) == (code, field)
    assert str(caught.value)
    assert count(session, Convening) == before


def test_only_organisers_create_or_edit(session, make_user, make_convening):
    ambassador = make_user(Role.AMBASSADOR)
    with pytest.raises(Forbidden):
        services.create_convening(ambassador, data())
    convening = make_convening()
    with pytest.raises(Forbidden) as caught:
        services.update_convening(ambassador, convening, data())
    assert caught.value.code == "not_organiser"
    assert convening.titles["en"] == "AI governance lab"


def test_publish_fires_signal_and_drafts_are_hidden(session, organiser, make_user):
    ambassador = make_user(Role.AMBASSADOR)
    convening = services.create_convening(organiser, data())
    assert not services.can_view(ambassador, convening)
    with pytest.raises(NotFound):
        services.get_convening(ambassador, convening.id)
    received = []
    with convening_published.connected_to(lambda sender: received.append(sender)):
        services.publish_convening(organiser, convening)
    assert received == [convening]
    assert services.can_view(ambassador, convening)
    assert services.can_view(None, convening)


def test_visibility_members_only(session, make_user, make_convening):
    convening = make_convening(visibility="members")
    assert not services.can_view(None, convening)
    assert not services.can_view(make_user(Role.OBSERVER), convening)
    assert services.can_view(make_user(Role.PARTNER), convening)


def test_title_falls_back_to_default_language(session, make_convening):
    convening = make_convening()
    assert convening.title_in("fr") == "Atelier IA"
    assert convening.title_in("ar") == "AI governance lab"


def test_edit_raises_sequence_fires_signal_and_tells_registrants(session, organiser, make_user,
                                                                  make_convening, mailbox):
    convening = make_convening()
    ambassador = make_user(Role.AMBASSADOR, locale="fr")
    services.register(ambassador, convening)
    session.commit()
    sequence = convening.sequence
    seen = []
    with convening_changed.connected_to(lambda sender, changes: seen.append(set(changes))):
        changes = services.update_convening(organiser, convening, data(
            kind="thematic", titles=dict(convening.titles), timezone="Asia/Tashkent",
            starts_local=local(31, 9), ends_local=local(32, 18), themes=["ai_governance"],
            venue_name="Registan Hall", venue_city="Samarkand", venue_country="UZ"))
    session.commit()
    assert "starts_at" in changes and seen and "starts_at" in seen[0]
    assert convening.sequence == sequence + 1
    notices = session.query(Notice).filter_by(user_id=ambassador.id, kind="convening_changed").all()
    assert len(notices) == 1
    assert "time" in notices[0].params["changes"]
    # The confirmation, then the change notice saying what changed.
    mail = mailbox.to(ambassador.email)
    assert len(mail) == 2
    notice_mail = next(m for m in mail if "Atelier IA" in m.get_body(("plain",)).get_content()
                       and "Modification" in m.get_body(("plain",)).get_content())
    ics = next(p for p in notice_mail.iter_attachments() if p.get_content_type() == "text/calendar")
    assert "METHOD:REQUEST" in ics.get_content()


def test_cancel_needs_reason_and_tells_registrants(session, organiser, make_user, make_convening):
    convening = make_convening()
    ambassador = make_user(Role.AMBASSADOR)
    services.register(ambassador, convening)
    with pytest.raises(Invalid):
        services.cancel_convening(organiser, convening, "  ")
    services.cancel_convening(organiser, convening, "Venue flooded")
    assert convening.status == "cancelled" and convening.cancel_reason == "Venue flooded"
    notice = session.query(Notice).filter_by(user_id=ambassador.id).one()
    assert notice.params["changes"] == ["cancelled"]
    with pytest.raises(Conflict):
        services.cancel_convening(organiser, convening, "again")


def test_clone_shifts_whole_agenda_keeping_local_times(session, organiser, make_convening):
    forum = make_convening(kind="global_forum", edition=3, timezone="Europe/Paris",
                           starts_local=datetime(2026, 3, 27, 9), ends_local=datetime(2026, 3, 29, 18),
                           registration_closes_local=datetime(2026, 3, 20, 12))
    # 27 March 2026 is before the clocks change in Paris, 30 March 2027 after.
    services.add_session(organiser, forum, session_data(starts_local=datetime(2026, 3, 28, 10),
                                                        ends_local=datetime(2026, 3, 28, 11)))
    clone = services.clone_convening(organiser, forum, date(2027, 3, 30))
    assert clone.status == "draft" and clone.edition == 4
    assert services.to_local(clone.starts_at, "Europe/Paris") == datetime(2027, 3, 30, 9)
    assert services.to_local(clone.sessions[0].starts_at, "Europe/Paris") == datetime(2027, 3, 31, 10)
    assert services.to_local(clone.registration_closes_at, "Europe/Paris") == datetime(2027, 3, 23, 12)
    assert len(clone.sessions) == 1 and clone.sessions[0].id != forum.sessions[0].id


# ----------------------------------------------------------------- agenda


def test_session_outside_convening_days_is_refused(session, organiser, make_convening):
    convening = make_convening()
    with pytest.raises(Invalid) as caught:
        services.add_session(organiser, convening, session_data(starts_local=local(33, 9),
                                                                ends_local=local(33, 10)))
    assert caught.value.code == "outside_convening"
    with pytest.raises(Invalid) as caught:
        services.add_session(organiser, convening, session_data(ends_local=local(30, 9)))
    assert caught.value.code == "end_before_start"
    assert convening.sessions == []


def test_session_may_run_past_midnight_of_a_convening_day(session, organiser, make_convening):
    convening = make_convening()
    item = services.add_session(organiser, convening, session_data(
        kind="social", starts_local=local(31, 22), ends_local=local(32, 1)))
    assert item.ends_at - item.starts_at == timedelta(hours=3)


def test_overlap_and_double_booking_warnings(session, organiser, make_user, make_convening):
    convening = make_convening()
    speaker = make_user(Role.AMBASSADOR, display_name="Aida Speaker")
    services.add_session(organiser, convening, session_data(title="A", speaker_ids=[speaker.id]))
    services.add_session(organiser, convening, session_data(
        title="B", starts_local=local(30, 10, 30), ends_local=local(30, 12), location="Room 2",
        speaker_ids=[speaker.id]))
    services.add_session(organiser, convening, session_data(
        title="C", starts_local=local(30, 10, 45), ends_local=local(30, 11, 30)))
    codes = sorted(w.code for w in services.agenda_warnings(convening))
    assert codes == ["location_overlap", "speaker_double_booked"]
    assert any("Aida Speaker" in w.message for w in services.agenda_warnings(convening))


def test_session_change_notifies_registrants(session, organiser, make_user, make_convening):
    convening = make_convening()
    item = services.add_session(organiser, convening, session_data())
    ambassador = make_user(Role.AMBASSADOR)
    services.register(ambassador, convening)
    sequence = item.sequence
    services.update_session(organiser, item, session_data(starts_local=local(30, 14),
                                                          ends_local=local(30, 15)))
    assert item.sequence == sequence + 1
    notice = session.query(Notice).filter_by(user_id=ambassador.id,
                                             kind="convening_session_changed").one()
    assert notice.params["changes"] == ["time"]
    services.cancel_session(organiser, item)
    assert item.cancelled


# ----------------------------------------------------------------- registration


def test_register_twice_is_refused(session, make_user, make_convening):
    convening = make_convening()
    ambassador = make_user(Role.AMBASSADOR)
    seen = []
    with registration_changed.connected_to(lambda sender, previous: seen.append((sender.status, previous))):
        services.register(ambassador, convening)
    assert seen == [("confirmed", None)]
    with pytest.raises(Conflict) as caught:
        services.register(ambassador, convening)
    assert caught.value.code == "already_registered"
    assert count(session, Registration) == 1


def test_register_outside_window_is_refused(session, make_user, make_convening):
    convening = make_convening(registration_opens_local=local(10), registration_closes_local=local(20))
    ambassador = make_user(Role.AMBASSADOR)
    with pytest.raises(Invalid) as caught:
        services.register(ambassador, convening)
    assert caught.value.code == "outside_window"
    services.register(ambassador, convening, now=datetime.now(UTC) + timedelta(days=11))
    late = make_user(Role.AMBASSADOR)
    with pytest.raises(Invalid):
        services.register(late, convening, now=datetime.now(UTC) + timedelta(days=21))


def test_draft_cannot_be_registered_for(session, make_user, make_convening):
    convening = make_convening(publish=False)
    with pytest.raises(NotFound):
        services.register(make_user(Role.AMBASSADOR), convening)


def test_waiting_list_and_first_come_promotion(session, make_user, make_convening, mailbox):
    convening = make_convening(capacity=1)
    first, second, third = (make_user(Role.AMBASSADOR) for _ in range(3))
    assert services.register(first, convening).status == "confirmed"
    second_reg = services.register(second, convening, now=datetime.now(UTC) - timedelta(minutes=2))
    third_reg = services.register(third, convening)
    assert (second_reg.status, third_reg.status) == ("waitlisted", "waitlisted")
    seen = []
    with registration_changed.connected_to(lambda sender, previous: seen.append((sender.user_id, sender.status, previous))):
        services.cancel_registration(first, services.registration_for(first, convening))
    session.commit()
    assert (second.id, "confirmed", "waitlisted") in seen
    assert (second_reg.status, third_reg.status) == ("confirmed", "waitlisted")
    assert session.query(Notice).filter_by(user_id=second.id, kind="convening_promoted").count() == 1
    promoted_mail = mailbox.to(second.email)[-1]
    attachments = [p for p in promoted_mail.walk() if p.get_content_type() == "text/calendar"]
    assert attachments and b"BEGIN:VCALENDAR" in attachments[0].get_payload(decode=True)


def test_cancelling_someone_elses_registration_is_refused(session, make_user, make_convening):
    convening = make_convening()
    owner, other = make_user(Role.AMBASSADOR), make_user(Role.AMBASSADOR)
    registration = services.register(owner, convening)
    with pytest.raises(Forbidden) as caught:
        services.cancel_registration(other, registration)
    assert caught.value.code == "not_yours"
    assert registration.status == "confirmed"


def test_invitation_only_needs_approval(session, organiser, make_user, make_convening):
    convening = make_convening(visibility="invitation", capacity=1)
    first, second = make_user(Role.AMBASSADOR), make_user(Role.AMBASSADOR)
    one = services.register(first, convening)
    two = services.register(second, convening)
    assert one.status == two.status == "pending"
    services.decide_registration(organiser, one, True)
    services.decide_registration(organiser, two, True)
    assert (one.status, two.status) == ("confirmed", "waitlisted")
    third = services.register(make_user(Role.AMBASSADOR), convening)
    services.decide_registration(organiser, third, False)
    assert third.status == "declined"
    with pytest.raises(Forbidden):
        services.register(third.user, convening)
    with pytest.raises(Forbidden):
        services.decide_registration(first, two, True)


def test_delegation_seat_limit(session, make_user, make_convening, nation):
    convening = make_convening(seats_per_delegation=1)
    uz = nation("UZ")
    first = make_user(Role.AMBASSADOR, nation_id=uz.id)
    second = make_user(Role.PARTNER, nation_id=uz.id)
    other = make_user(Role.AMBASSADOR, nation_id=nation("KE").id)
    assert services.register(first, convening).status == "confirmed"
    assert services.register(second, convening).status == "waitlisted"
    assert services.register(other, convening).status == "confirmed"
    services.cancel_registration(first, services.registration_for(first, convening))
    assert services.registration_for(second, convening).status == "confirmed"


def test_online_link_only_for_participants(session, make_user, make_convening):
    convening = make_convening(format="online", online_link="https://meet.example/xyz")
    ambassador = make_user(Role.AMBASSADOR)
    with pytest.raises(Forbidden):
        services.online_link_for(ambassador, convening)
    services.register(ambassador, convening)
    assert services.online_link_for(ambassador, convening) == "https://meet.example/xyz"


def test_participant_list_respects_consent_and_csv(session, organiser, make_user, make_convening):
    convening = make_convening()
    listed = make_user(Role.AMBASSADOR, display_name="=Listed")
    hidden = make_user(Role.AMBASSADOR)
    outsider = make_user(Role.AMBASSADOR)
    services.register(listed, convening, consent_listed=True)
    registration = services.register(hidden, convening)
    assert [r.user_id for r in services.participant_list(hidden, convening)] == [listed.id]
    with pytest.raises(Forbidden):
        services.participant_list(outsider, convening)
    services.mark_attendance(organiser, registration, True)
    text = lists.registrations_csv(organiser, convening, lists.RegistrationQuery())
    assert "'=Listed" in text and hidden.email in text and text.count("\n") == 3
    with pytest.raises(Forbidden):
        lists.registrations_csv(listed, convening, lists.RegistrationQuery())


def test_raising_capacity_promotes(session, organiser, make_user, make_convening):
    convening = make_convening(capacity=0)
    waiting = services.register(make_user(Role.AMBASSADOR), convening)
    assert waiting.status == "waitlisted"
    values = {"kind": "thematic", "titles": dict(convening.titles), "timezone": "Asia/Tashkent",
              "starts_local": services.to_local(convening.starts_at, "Asia/Tashkent"),
              "ends_local": services.to_local(convening.ends_at, "Asia/Tashkent"),
              "themes": ["ai_governance"], "venue_name": "Registan Hall",
              "venue_city": "Samarkand", "venue_country": "UZ", "capacity": 5}
    services.update_convening(organiser, convening, services.ConveningData(**values))
    assert waiting.status == "confirmed"


def test_convenings_for_user(session, make_user, make_convening):
    one, two = make_convening(), make_convening(titles={"en": "Second"})
    ambassador = make_user(Role.AMBASSADOR)
    services.register(ambassador, one)
    services.cancel_registration(ambassador, services.register(ambassador, two))
    assert [c.id for c, _ in services.convenings_for_user(ambassador)] == [one.id]


# ----------------------------------------------------------------- reminders and tokens


def test_reminders_go_out_once(session, make_user, make_convening):
    convening = make_convening(starts_local=local(30, 9), ends_local=local(30, 18))
    ambassador = make_user(Role.AMBASSADOR)
    services.register(ambassador, convening)
    assert services.send_reminders() == 0
    near = convening.starts_at - timedelta(hours=12)
    assert services.send_reminders(now=near) == 1
    assert services.send_reminders(now=near + timedelta(hours=1)) == 0
    assert session.query(Notice).filter_by(user_id=ambassador.id, kind="convening_reminder").count() == 1


def test_calendar_token_regeneration_stops_old_feed(session, make_user):
    user = make_user(Role.AMBASSADOR)
    token = services.calendar_token(user)
    assert services.calendar_token(user) == token and len(token) >= 32
    assert services.user_for_calendar_token(token) == user
    fresh = services.regenerate_calendar_token(user)
    assert fresh != token
    with pytest.raises(NotFound):
        services.user_for_calendar_token(token)
    assert services.user_for_calendar_token(fresh) == user


def test_change_email_goes_out_in_the_registrants_language(session, organiser, make_user,
                                                          make_convening, mailbox):
    from flask_babel import force_locale

    from app.core.db import unit_of_work
    from app.notifications.services import render

    convening = make_convening()
    with unit_of_work():
        item = services.add_session(organiser, convening, session_data())
        ambassador = make_user(Role.AMBASSADOR, locale="fr")
        services.register(ambassador, convening)
    with unit_of_work():
        services.update_session(organiser, item, session_data(starts_local=local(30, 14),
                                                              ends_local=local(30, 15)))
    notice = session.query(Notice).filter_by(user_id=ambassador.id,
                                             kind="convening_session_changed").one()
    from app.i18n.moments import for_reader, reading_as

    with for_reader(ambassador):
        french = render(notice)
    with force_locale("en"), reading_as(ambassador.timezone):
        english = render(notice)
    assert french != english
    message = mailbox.to(ambassador.email)[-1]
    assert message["Content-Language"] == "fr"
    assert french in message.get_body(("plain",)).get_content()
